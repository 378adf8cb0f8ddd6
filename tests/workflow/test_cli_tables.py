"""`ledger stats` and `ledger list` as people and scripts read them, against golden files.

Tables are rendered by the real commands (click's CliRunner, in-process) on terminals
80 and 120 columns wide: CJK characters take two cells, and no header may break into a
character per line. The ledger is the one tests/workflow/test_stats.py counts, on SQLite.
Regenerate after a deliberate change with

    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/workflow/test_cli_tables.py

and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from hazard_rules.cli.main import cli
from hazard_rules.workflow.service.ledger import Ledger

from ..conftest import assert_golden
from .test_stats import build

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cli"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'ledger.sqlite'}"
    with Ledger.open(url) as book:
        build(book)
    return url


def run(db: str, width: int, *args: str) -> str:
    result = CliRunner().invoke(cli, ["ledger", *args, "--db", db], env={"COLUMNS": str(width), "NO_COLOR": "1"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def golden(name: str, text: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", text)


def assert_fits(text: str, width: int) -> None:
    """Every line within the width, and no header cell holding a lone CJK character."""
    assert max(cell_len(line) for line in text.splitlines()) <= width, text
    for line in text.splitlines():
        if line.startswith("┃"):
            cells = [cell.strip() for cell in line.strip("┃").split("┃")]
            assert not any(cell_len(cell) == 2 and not cell.isascii() for cell in cells), line


STATS = {
    "stats-lane": ["stats", "--by", "lane", "--as-of", "2025-03-31"],
    "stats-jurisdiction-lane": ["stats", "--by", "jurisdiction,lane", "--jurisdiction-level", "city",
                                "--as-of", "2025-03-31"],
    "stats-total": ["stats", "--as-of", "2025-03-31"],
    "stats-stock": ["stats", "stock", "--cut-off", "2025-01-01", "--as-of", "2025-06-30"],
    "stats-enterprise": ["stats", "enterprise", "--period", "2025Q1", "--as-of", "2025-04-30"],
    "stats-missing": ["stats", "missing", "--period", "2025Q1", "--as-of", "2025-04-16"],
}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", list(STATS))
def test_stats_tables_read_at_the_terminal_width(db: str, name: str, width: int) -> None:
    text = run(db, width, *STATS[name])
    assert_fits(text, width)
    golden(f"{name}-{width}", text)


def test_stats_wide_keeps_one_row_per_group(db: str) -> None:
    """--wide: the table as one row per group, however wide (for `less -S`)."""
    text = run(db, 80, *STATS["stats-lane"], "--wide")
    assert [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")] == \
        ["major", "ordinary", "*"]
    assert "重大隐患挂牌督办中" in text
    golden("stats-lane-wide", text)


def test_stats_fit_a_wide_terminal_as_one_row_per_group(db: str) -> None:
    text = run(db, 200, *STATS["stats-lane"])
    assert [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")] == \
        ["major", "ordinary", "*"]


@pytest.mark.parametrize("width", [80, 120])
def test_ledger_list_table(db: str, width: int) -> None:
    text = run(db, width, "list", "--format", "table")
    assert_fits(text, width)
    golden(f"list-table-{width}", text)


def test_ledger_list_for_scripts(db: str) -> None:
    tsv = run(db, 80, "list")                 # not a terminal: tab-separated, as before
    assert tsv == run(db, 80, "list", "--format", "tsv") == run(db, 80, "list", "--format", "text")
    assert tsv.splitlines()[6] == "M2\tRECTIFYING\tmajor\t370214\t青岛乙冷链有限公司"
    golden("list-tsv", tsv)
    as_csv = run(db, 80, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["id"] for r in rows] == [line.split("\t")[0] for line in tsv.splitlines()]
    assert rows[6]["clauses"] == "GM2023-12-2" and rows[6]["enterprise_name"] == "青岛乙冷链有限公司"
    golden("list-csv", as_csv)
    as_json = json.loads(run(db, 80, "list", "--format", "json", "--level", "major"))
    assert [h["id"] for h in as_json] == ["M1", "M2", "M3"]
