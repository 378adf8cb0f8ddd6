"""`hazard-rules`: classify inspection findings and inspect rule packs.

Exit codes (DESIGN §6): 0 ok; 1 the --fail-on condition was met; 2 usage or rule-pack
error; 3 some records were invalid (the valid ones were still processed). When records
were invalid and the --fail-on condition was also met, 3 wins: a skipped record may
hide a major hazard.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..classifying.load import load_rulesets
from ..classifying.ruleset import Ruleset
from ..errors import HazardRulesError, UsageError
from ..findings.model import Scope
from ..pipeline import classify_files
from . import render
from .exit_codes import ExitCode
from .params import DATE, SCOPE

LARGE_INPUT_BYTES = 2 * 1024 * 1024

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def main() -> None:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in a record must not end the run
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli.main(prog_name="hazard-rules", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        err_console.print("aborted")
        sys.exit(ExitCode.ABORTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except HazardRulesError as exc:
        err_console.print(exc.render(), markup=False)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.exit(ExitCode.OK)


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            default=None, help="Folder of rule packs (default: the packs shipped with hazard-rules).")


def _load(rules_dir: Path | None) -> Ruleset:
    return load_rulesets(rules_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hazard-rules")
def cli() -> None:
    """Judge major accident hazards (重大事故隐患) under China's official standards."""


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written atomically: a failed run never leaves half a file."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise UsageError(f"cannot write {path}: folder {directory} does not exist")
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", errors="backslashreplace", newline="", dir=directory,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table",
              show_default=True, help="Output format; json/jsonl/csv print nothing else on stdout.")
@click.option("--fail-on", type=click.Choice(["major", "undetermined", "disagreement"]), default=None,
              help="Exit 1 if any verdict is major (undetermined: major or undetermined; disagreement: "
                   "the facts do not confirm the inspector's `claimed` label).")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: judge the deficiency each record gives facts of; enterprise: a whole-enterprise "
                   "self-inspection, every applicable rule must be decided. A record's own `scope` wins.")
@click.option("--strict", is_flag=True, help="Unknown fact names are errors, not warnings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the verdicts to FILE (atomically) instead of stdout.")
@click.option("--encoding", default=None, help="Input encoding (default: detect UTF-8, UTF-8-BOM or GB18030).")
@click.option("--input-format", type=click.Choice(["jsonl", "json", "yaml", "csv", "xlsx"]), default=None,
              help="Input format (default: from the file extension).")
@click.option("--as-of", type=DATE, default=None, help="Judge every finding as of this date instead of its own date.")
def check(files: tuple[Path, ...], rules_dir: Path | None, fmt: str, fail_on: str | None, scope: Scope, strict: bool,
          output: Path | None, encoding: str | None, input_format: str | None, as_of: dt.date | None) -> None:
    """Classify the findings in FILES as major, undetermined or ordinary."""
    ruleset = _load(rules_dir)
    for file in files:
        if not file.is_file():
            raise UsageError(f"file not found: {file}")
    counts: Counter[str] = Counter()
    claims: Counter[str] = Counter()
    invalid = 0
    large = sum(f.stat().st_size for f in files) > LARGE_INPUT_BYTES
    with _output(output) as out, _progress(large) as advance:
        console = Console(file=out, highlight=False, soft_wrap=False,
                          force_terminal=None if out is sys.stdout else False, width=None if out is sys.stdout else 160)
        writer = _writer(fmt, out, console)
        for outcome in classify_files(ruleset, [str(f) for f in files], encoding=encoding, fmt=input_format,
                                      strict=strict, as_of=as_of, scope=scope):
            if outcome.warning is not None:
                err_console.print(f"warning: {outcome.warning}", markup=False)
                continue
            if outcome.error is not None:
                invalid += 1
                err_console.print(outcome.error.render(), markup=False)
                continue
            assert outcome.verdict is not None
            for warning in outcome.verdict.warnings:
                err_console.print(f"{outcome.file}:record {outcome.number}: warning: {warning}", markup=False)
            counts[outcome.verdict.verdict] += 1
            if outcome.verdict.claim is not None:
                claims[outcome.verdict.claim.agreement] += 1
            writer.write(outcome.verdict)
            advance()
        writer.close()
        summary = (f"{sum(counts.values())} findings: {counts['major']} major, {counts['undetermined']} undetermined, "
                   f"{counts['ordinary']} ordinary" + _claims_summary(claims)
                   + (f"; {invalid} invalid records skipped" if invalid else ""))
        if fmt == "table" and out is sys.stdout:
            console.print(summary)
        else:
            err_console.print(summary, markup=False)
    code = ExitCode.OK
    disagreements = claims["contradicts"] + claims["unsupported"]
    if (fail_on == "major" and counts["major"]
            or fail_on == "undetermined" and (counts["major"] or counts["undetermined"])
            or fail_on == "disagreement" and disagreements):
        code = ExitCode.FAILED
    if invalid:
        code = ExitCode.INVALID_RECORDS
    sys.exit(code)


def _claims_summary(claims: Counter[str]) -> str:
    """'; 2 of 5 inspector labels disagree (1 contradicted, 1 unsupported)'."""
    total = sum(claims.values())
    if not total:
        return ""
    disagree = claims["contradicts"] + claims["unsupported"]
    return (f"; {disagree} of {total} inspector labels disagree "
            f"({claims['contradicts']} contradicted, {claims['unsupported']} unsupported)")


def _writer(fmt: str, out: IO[str],
            console: Console) -> render.JsonWriter | render.JsonlWriter | render.CsvWriter | render.TableWriter:
    if fmt == "json":
        return render.JsonWriter(out)
    if fmt == "jsonl":
        return render.JsonlWriter(out)
    if fmt == "csv":
        return render.CsvWriter(out)
    return render.TableWriter(console)


@contextmanager
def _progress(enabled: bool) -> Iterator:
    if not (enabled and err_console.is_terminal):
        yield lambda: None
        return
    with Progress(SpinnerColumn(), TextColumn("classified {task.completed} findings"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("classify", total=None)
        yield lambda: progress.advance(task)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "finding_id", required=True, help="The finding to explain.")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--encoding", default=None)
@click.option("--as-of", type=DATE, default=None, help="Judge as of this date instead of the finding's own date.")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: the rules the finding concerns; enterprise: every applicable rule.")
def explain(file: Path, finding_id: str, rules_dir: Path | None, fmt: str, encoding: str | None,
            as_of: dt.date | None, scope: Scope) -> None:
    """Show how one finding was judged: each rule considered, its value and the facts behind it."""
    from .explain_view import explain_finding

    ruleset = _load(rules_dir)
    if not file.is_file():
        raise UsageError(f"file not found: {file}")
    sys.exit(explain_finding(ruleset, file, finding_id, fmt, encoding, as_of, scope))


@cli.command()
@click.argument("text")
@rules_option
@click.option("--date", "on", type=DATE, default=None, help="Only the editions in force on DATE (default: every pack).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="How many candidates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def suggest(text: str, rules_dir: Path | None, on: dt.date | None, top: int, fmt: str) -> None:
    """Rank the clauses a deficiency description resembles, with the facts to record for each."""
    from .suggest_view import show_suggestions

    if not text.strip():
        raise UsageError("the description is empty", hint='e.g. hazard-rules suggest "干式除尘器未设泄爆装置"')
    show_suggestions(_load(rules_dir), text, on, top, fmt)


@cli.group()
def rules() -> None:
    """Inspect and test rule packs."""


@rules.command("list")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_list(rules_dir: Path | None, fmt: str) -> None:
    """List every rule of every pack."""
    ruleset = _load(rules_dir)
    rows = [{"pack": p.id, "rule": r.rule.id, "article": r.section.section.article, "clause": r.rule.clause,
             "provenance": r.rule.provenance.status, "text": r.rule.text} for p in ruleset.packs for r in p.rules]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("rule", "article", "clause", "provenance", "text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["rule"], row["article"], row["clause"] or "", row["provenance"], row["text"])
    console = Console(highlight=False)
    console.print(table)
    console.print(f"{len(rows)} rules in {len(ruleset.packs)} pack(s)")


@rules.command("show")
@click.argument("rule_id")
@rules_option
def rules_show(rule_id: str, rules_dir: Path | None) -> None:
    """Show one rule: its standard, official text, condition, facts and tests."""
    from ..checking import ir
    from ..checking.ir_text import print_ir

    ruleset = _load(rules_dir)
    pack, rule = ruleset.rule(rule_id)
    r, s = rule.rule, pack.standard
    lines = [f"{r.id}  {s.name}（{s.number}）{rule.section.section.article}{r.clause or ''}",
             f"text:       {r.text}",
             f"provenance: {r.provenance.status}"
             + (f" ({', '.join(r.provenance.sources)})" if r.provenance.sources else ""),
             f"applies to: {', '.join(rule.section.applies_to)}"]
    if rule.section.section.when:
        lines.append(f"scope:      {rule.section.section.when}")
    lines.append(f"when:       {' '.join(r.when.split())}")
    if r.unless:
        lines.append(f"unless:     {' '.join(r.unless.split())}")
    if r.determination == "inspector":
        lines.append("determination: the inspector's explicit judgement (the clause is not decidable from facts)")
    lines.append("facts:      (context: only says what kind of enterprise or equipment; subject: decides)")
    for fact_id in sorted(ir.facts_read(rule.condition)):
        decl = pack.checked.source.facts[fact_id].value
        unit = f" [{decl.unit}]" if decl.unit else ""
        role = "context" if fact_id in pack.context else "subject"
        lines.append(f"  {role:7}  {fact_id}  {decl.label or ''}  ({pack.checked.facts[fact_id]}{unit})")
    index = pack.rules.index(rule)
    lines.append("situations: (a finding concerns one when it gives one of its subject facts)")
    for number, situation in enumerate(pack.situations[index], start=1):
        lines.append(f"  {number}. {print_ir(situation.condition)}")
    if r.notes:
        lines.append(f"notes:      {' '.join(r.notes.split())}")
    lines.append(f"tests:      {len(r.tests)}")
    click.echo("\n".join(lines))


@rules.command("test")
@click.argument("packs", nargs=-1)
@rules_option
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the results as JUnit XML to FILE.")
@click.option("--verbose", "-v", is_flag=True, help="List every test, not only failures and gaps.")
@click.option("--mutate", is_flag=True,
              help="Also change each rule one small step at a time and fail if the tests miss a change.")
def rules_test(packs: tuple[str, ...], rules_dir: Path | None, junit: Path | None, verbose: bool,
               mutate: bool) -> None:
    """Run the tests written in the packs (all, or the PACKS named by id) and report per-rule coverage."""
    from ..authoring.testing import run_pack_tests
    from .junit import write_junit

    ruleset = _load(rules_dir)
    chosen = _chosen_packs(ruleset, packs)
    results, coverage = run_pack_tests(ruleset, chosen)
    failed = [r for r in results if not r.passed]
    for result in results:
        if verbose or not result.passed:
            status = "ok  " if result.passed else "FAIL"
            detail = result.error or (f"expected {result.expected}, got {result.actual}" if not result.passed else "")
            click.echo(f"{status} {result.rule}: {result.name}" + (f" — {detail} ({result.origin})" if detail else ""))
    gaps = [c for c in coverage if c.gaps]
    for cover in gaps:
        for gap in cover.gaps:
            click.echo(f"gap  {cover.rule}: {gap}")
    verified = sum(r.rule.provenance.status == "verified" for p in ruleset.packs if p.id in chosen for r in p.rules)
    click.echo(f"{len(results)} tests, {len(failed)} failed; {len(coverage)} rules, {len(gaps)} with coverage gaps; "
               f"rule text: {verified} verified, {len(coverage) - verified} unverified")
    if junit is not None:
        write_junit(results, junit)
    survived = _report_mutants(ruleset, chosen) if mutate else False
    sys.exit(ExitCode.FAILED if failed or survived else ExitCode.OK)


def _chosen_packs(ruleset: Ruleset, packs: tuple[str, ...]) -> set[str]:
    """The packs named on the command line (all when none is), each checked to exist."""
    known = {p.id for p in ruleset.packs}
    for name in packs:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise UsageError(f"no pack {name!r}", hint=f"did you mean {close[0]!r}?" if close else
                             f"packs: {', '.join(sorted(known))}")
    return set(packs) or known


@rules.command("coverage")
@click.argument("packs", nargs=-1)
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text: a table per pack; markdown: docs/coverage.md; json: for tools.")
def rules_coverage(packs: tuple[str, ...], rules_dir: Path | None, fmt: str) -> None:
    """Report how much of each standard the packs (all, or the PACKS named by id) encode: per article and
    item, the rule, its wording's provenance, its tests by expected value and who decides it."""
    from ..authoring.coverage import build_coverage, to_json, to_markdown

    ruleset = _load(rules_dir)
    report = build_coverage(ruleset, _chosen_packs(ruleset, packs))
    if fmt == "json":
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(to_markdown(report), nl=False)
    else:
        from .coverage_view import print_coverage

        print_coverage(report, Console(highlight=False))


def _report_mutants(ruleset: Ruleset, packs: set[str]) -> bool:
    """Print each surviving mutant with a finding that tells it apart; True if any survive."""
    from ..authoring.mutation import mutation_report

    report = mutation_report(ruleset, packs)
    for result in report.survivors:
        mutant = result.mutant
        click.echo(f"SURVIVED {mutant.rule} [{mutant.id}]: {mutant.description}")
        if result.witness is not None and result.values is not None:
            click.echo(f"    no test has a finding like {json.dumps(result.witness, ensure_ascii=False)}: "
                       f"the rule says {result.values[0]}, the mutant {result.values[1]}")
        else:
            click.echo("    no finding that tells them apart was found: if they are equivalent, say why under "
                       "the rule's `equivalent_mutants`")
    for stale in report.stale_marks:
        click.echo(f"STALE    {stale}")
    total = len(report.results)
    killed = sum(r.killed_by is not None for r in report.results)
    marked = sum(r.equivalent is not None for r in report.results)
    click.echo(f"mutants: {total}, killed {killed}, marked equivalent {marked}, survived {len(report.survivors)}"
               + (f"; {len(report.stale_marks)} stale marks" if report.stale_marks else ""))
    return bool(report.survivors or report.stale_marks)


from .ledger import ledger  # noqa: E402 - the ledger group lives in its own module

cli.add_command(ledger)


@rules.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of stdout.")
def rules_schema(output: Path | None) -> None:
    """Print the JSON Schema of pack files, for editors (docs/pack.schema.json)."""
    from ..loading.schema import pack_schema

    text = json.dumps(pack_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    with _output(output) as out:
        out.write(text)


@rules.command("lint")
@rules_option
def rules_lint(rules_dir: Path | None) -> None:
    """Load and statically check every pack; print every problem found."""
    ruleset = _load(rules_dir)
    count = sum(len(p.rules) for p in ruleset.packs)
    click.echo(f"{len(ruleset.packs)} pack(s), {count} rules: no problems found")
