"""`rules new FAMILY EDITION`: a new pack that loads, lints and passes its tests at once.

The pack has a complete header whose placeholders pass validation and are marked TODO in
comments, imports the shared vocabulary, and holds one example article with `items`, one
rule (official-text placeholder, provenance `unverified`) and that rule's tests making it
true, false and unknown. The author replaces the placeholders with the standard's text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UsageError
from ..loading.loader import PACK_FILE
from ..loading.models import INDUSTRY_CODE

FAMILY = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
EDITION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.]*")
SHARED = "_shared"


def scaffold_pack(rules_dir: Path, family: str, edition: str, *, name: str | None = None,
                  number: str | None = None, industry: str | None = None) -> Path:
    """Write rules_dir/<family>-<edition>/ and return it; never overwrites anything."""
    if not FAMILY.fullmatch(family):
        raise UsageError(f"family {family!r} must be lower-case letters and digits, words joined by '-'",
                         hint="e.g. `hazard-rules rules new gongmao 2026` or `rules new metal-mine 2025`")
    if not EDITION.fullmatch(edition):
        raise UsageError(f"edition {edition!r} must be letters, digits and '.'", hint="usually the year: 2026")
    code = industry or family.replace("-", "_")
    if not INDUSTRY_CODE.fullmatch(code):
        raise UsageError(f"industry code {code!r} must be dotted lower-case, e.g. gongmao.dust",
                         hint="give one with --industry")
    if not rules_dir.is_dir():
        raise UsageError(f"rules folder not found: {rules_dir}", hint="give an existing folder with --rules DIR")
    if not (rules_dir / SHARED / "vocabulary.yaml").is_file():
        raise UsageError(f"{rules_dir} has no {SHARED}/vocabulary.yaml, which every pack imports",
                         hint=f"copy the shipped rulesets/{SHARED}/ folder into {rules_dir}")
    target = rules_dir / f"{family}-{edition}"
    if target.exists():
        raise UsageError(f"{target} exists already; `rules new` never overwrites a pack",
                         hint="choose another edition, or remove or rename that folder first")
    files = pack_files(family, edition, name=name, number=number, industry=code)
    target.mkdir()
    for file_name, text in files.items():
        (target / file_name).write_text(text, encoding="utf-8")
    return target


def pack_files(family: str, edition: str, *, name: str | None, number: str | None,
               industry: str) -> dict[str, str]:
    """File name -> text of a new pack."""
    prefix = family.replace("-", "_")
    rule_id = f"{family.upper().replace('-', '')}{edition.replace('.', '')}-1-1"
    year = edition[:4] if re.fullmatch(r"(19|20)\d\d", edition[:4]) else "2000"
    present, measure = f"{prefix}.example.present", f"{prefix}.example.measure_taken"
    header = f"""\
# {family}-{edition}: made by `hazard-rules rules new {family} {edition}`. Every value marked TODO is a
# placeholder that passes validation: replace it with the official text before this pack judges anything.
# docs/pack-format.md describes every key; `hazard-rules rules lint` and `rules test` check the pack.
standard:
  family: {family}
  name: {name or 'TODO 标准名称'}            # TODO: the standard's official name
  number: {number or 'TODO 文号'}            # TODO: 文号 or standard number
  issuer: TODO 发布机关                      # TODO: who issued it
  effective_from: {year}-01-01               # TODO: the date it takes effect
  effective_to: null                         # the day before the next edition takes effect, when there is one
  # supersedes: {{name: TODO 上一版名称, number: TODO 上一版文号}}  # TODO: the edition this one replaces, if any
  #   (then set `effective_to` on that edition to the day before this one's effective_from)
  source: TODO 官方文本的网址                 # TODO: where the official text is published
  sources:
    S1: TODO 条文来源（官方文本、公报）        # TODO: the sources each rule's provenance cites

scope:
  industries: [{industry}]                   # TODO: the industry codes findings under this standard carry
  codes:
    {industry}: TODO 行业名称                 # TODO: every code a finding may carry, with its Chinese name

imports: [{SHARED}]

include:
  - art01.yaml
"""
    article = f"""\
# 第一条 — an example article: replace it with the standard's own articles (one file per article or group).
facts:
  {present}:
    label: TODO 存在本条所指的设施、场所或者作业
    type: bool
    context: true        # only says the thing the clause is about exists (docs/scopes.md)
  {measure}:
    label: TODO 已按照规定采取措施
    type: bool

sections:
  - id: art01
    article: 第一条
    title: TODO 条标题
    lead: TODO 有下列情形之一的，应当判定为重大事故隐患：
    applies_to: [{industry}]
    items: [（一）]      # every item of the article: each needs a rule (or an entry under `missing`)

rules:
  - id: {rule_id}
    section: art01
    clause: （一）
    text: TODO 逐字抄录条文原文
    provenance: {{status: unverified, sources: [S1], note: TODO 核对官方文本后改为 verified}}
    when: {present} and not {measure}
"""
    tests = f"""\
# Tests of the rules in art01.yaml (`hazard-rules rules test`): the facts of a record and the value
# the rule must take — true, false or unknown.
tests:
  {rule_id}:
    - name: 存在且未采取措施
      facts:
        {present}: true
        {measure}: false
      expect: true
    - name: 已采取措施
      facts:
        {present}: true
        {measure}: true
      expect: false
    - name: 不存在本条所指的设施
      facts:
        {present}: false
      expect: false
    - name: 是否采取措施未记录
      facts:
        {present}: true
      expect: unknown
    - name: 是否存在未记录
      facts:
        {measure}: false
      expect: unknown
"""
    return {PACK_FILE: header, "art01.yaml": article, "art01.tests.yaml": tests}
