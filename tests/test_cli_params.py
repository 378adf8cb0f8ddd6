"""One click ParamType per kind of value (cli/params.py): a bad value is refused by click
before the command runs, with exit code 2, the option named, a hint, and no traceback;
a good one reaches the command as the type the command works with."""

from __future__ import annotations

import datetime as dt
import hashlib

import click
import pytest
from click.testing import CliRunner

from hazard_rules.cli import params
from hazard_rules.cli.main import cli

STEP = ["ledger", "step", "H-1", "start", "--as", "ENT_PRINCIPAL", "--by", "张", "--org", "某公司"]


@pytest.mark.parametrize("args, message, hint", [
    (["check", "examples/inspections.jsonl", "--as-of", "yesterday"], "'--as-of': 'yesterday' is not a date",
     "write YYYY-MM-DD"),
    (["explain", "examples/inspections.jsonl", "--id", "X", "--as-of", "2025-02-30"], "is not a date",
     "write YYYY-MM-DD"),
    (["suggest", "积尘", "--date", "2025/01/01"], "'--date': '2025/01/01' is not a date", "write YYYY-MM-DD"),
    ([*STEP, "--now", "9 o'clock"], "'--now': \"9 o'clock\" is not an ISO date-time", "2025-03-01T09:30+08:00"),
    (["ledger", "tick", "--now", "soon"], "'--now': 'soon' is not an ISO date-time", "+08:00"),
    (["ledger", "stats", "--as-of", "Q1"], "'--as-of': 'Q1' is not an ISO date or date-time", "the end of that day"),
    (["ledger", "stats", "stock", "--cut-off", "2025"], "'--cut-off': '2025' is not a date", "YYYY-MM-DD"),
    (["ledger", "stats", "enterprise", "--period", "2025Q5"], "period '2025Q5' is neither a quarter nor a year",
     "2025Q1 … 2025Q4"),
    (["ledger", "stats", "--jurisdiction", "99"], "'--jurisdiction': 行政区划代码 '99'",
     "省级代码"),
    (["ledger", "stats", "missing", "--period", "2025", "--jurisdiction", "37a"], "行政区划代码格式错误",
     "2、4、6、9 或 12 位数字"),
    (["ledger", "list", "--jurisdiction", "37-02"], "'37-02' is not the start of an administrative code",
     "digits only"),
    (["ledger", "stats", "--by", "lane,county"], "'--by': 'county': cannot group by that", "choose from industry"),
    ([*STEP, "--org-code", "3707x"], "'--org-code': 行政区划代码格式错误", "例如 37, 3702"),
    ([*STEP, "--field", "reason"], "'--field': 'reason' must be NAME=VALUE", "--field reason=重复登记"),
    ([*STEP, "--fields", "{reason: 1}"], "'--fields': not valid JSON", "e.g. {"),
    ([*STEP, "--fields", "[1, 2]"], "'--fields': must be a JSON object", "e.g. {"),
    ([*STEP, "--fields", "@no/such/file.json"], "cannot read 'no/such/file.json'", "@FILE"),
    ([*STEP, "--evidence", "photo.jpg"], "'--evidence': 'photo.jpg' must be NAME=FILE", "after_photo="),
    ([*STEP, "--evidence", "after_photo=no/such.jpg"], "evidence file not found: no/such.jpg", None),
    (["check", "examples/inspections.jsonl", "--scope", "site"], "'--scope': 'site' is not one of", None),
])
def test_a_bad_value_is_refused_by_click_with_a_hint(args: list[str], message: str, hint: str | None) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Error: Invalid value for " in result.output and message in result.output, result.output
    if hint is not None:
        assert "\n  hint: " in result.output and hint in result.output.split("hint: ", 1)[1], result.output


def convert(kind: click.ParamType, value: str):
    return kind.convert(value, None, None)


def test_good_values_reach_the_command_as_their_type(tmp_path) -> None:
    assert convert(params.DATE, " 2025-03-11 ") == dt.date(2025, 3, 11)
    aware = convert(params.DATETIME, "2025-03-11T20:00Z")
    assert aware == dt.datetime(2025, 3, 11, 20, tzinfo=dt.UTC)
    assert convert(params.DATETIME, "2025-03-11T20:00").tzinfo is not None     # local time, as before
    assert convert(params.AS_OF, "2025-03-31") == dt.date(2025, 3, 31)         # the end of that day
    assert convert(params.AS_OF, "2025-03-31T18:00+08:00").hour == 18
    assert str(convert(params.PERIOD, "2025q1")) == "2025Q1"
    assert convert(params.ADMIN_CODE, "370782") == "370782"                   # as written: the ledger canonicalises
    assert convert(params.ADMIN_CODE_PREFIX, "370") == "370"
    assert convert(params.DIMENSIONS, "jurisdiction, lane") == ("jurisdiction", "lane")
    assert convert(params.SCOPE, "enterprise") == "enterprise"
    pairs = (convert(params.FIELD, "plan.funds=50万元"), convert(params.FIELD, "plan.days=90"),
             convert(params.FIELD, "reason=a=b"))
    assert params.nest(pairs, convert(params.JSON_OBJECT, '{"x": true}')) == {
        "x": True, "plan": {"funds": "50万元", "days": 90}, "reason": "a=b"}
    file = tmp_path / "f.json"
    file.write_text('{"opinion": "同意"}', encoding="utf-8")
    assert convert(params.JSON_OBJECT, f"@{file}") == {"opinion": "同意"}
    photo = tmp_path / "after.jpg"
    photo.write_bytes(b"photo")
    evidence = convert(params.EVIDENCE, f"after_photo={photo}")
    assert (evidence.name, evidence.ref, evidence.sha256) == ("after_photo", str(photo),
                                                            hashlib.sha256(b"photo").hexdigest())
