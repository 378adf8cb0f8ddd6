"""`hazard-rules rules diff OLD NEW`: rules added, removed and changed between two versions of
the rules (folders, pack folders or git revisions `REV:PATH`), or between two editions of a
standard (`--pack coal-2020 --to coal-2026`), and the findings whose verdict changes.

Exits OK when nothing differs and FAILED when something does (like `diff`); USAGE on bad usage.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath

import click

from ...authoring.diff import (
    RulesDiff,
    diff_editions,
    diff_rulesets,
    judge,
    judge_probes,
    probes,
    record_judged,
    to_json,
)
from ...classifying.load import load_rulesets
from ...classifying.ruleset import Ruleset
from ...errors import UsageError
from ...pipeline import classify_files
from ..exit_codes import ExitCode
from ..options import rules_option


@click.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--pack", "old_pack", default=None, help="Compare two packs of one rules folder: the old edition.")
@click.option("--to", "new_pack", default=None, help="With --pack: the new edition.")
@rules_option
@click.option("--findings", "findings", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Also judge the findings in FILE under both sides (any format `check` reads); repeatable.")
@click.option("--no-generate", is_flag=True,
              help="Do not generate findings from the changed rules' tests and boundaries.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Text: list at most this many findings whose verdict changes (json lists all).")
def rules_diff(old: str | None, new: str | None, old_pack: str | None, new_pack: str | None,
               rules_dir: Path | None, findings: tuple[Path, ...], no_generate: bool, fmt: str, limit: int) -> None:
    """Compare rules: OLD and NEW are each a rules folder, a pack folder or a git revision REV:PATH
    (e.g. HEAD~3:rulesets/gongmao-2023); or name two editions with --pack OLD_PACK --to NEW_PACK.
    Exits 0 when nothing differs, 1 when something does."""
    for file in findings:
        if not file.is_file():
            raise UsageError(f"file not found: {file}")
    with ExitStack() as stack:
        if old_pack is not None or new_pack is not None:
            if old_pack is None or new_pack is None or old is not None or new is not None:
                raise UsageError("give --pack OLD_PACK --to NEW_PACK, or OLD and NEW, not both",
                                 hint="hazard-rules rules diff --pack coal-2020 --to coal-2026")
            before = after = load_rulesets(rules_dir, tests=True)
            diff = diff_editions(before, old_pack, new_pack)
        else:
            if old is None or new is None:
                raise UsageError("rules diff needs OLD and NEW (folders or REV:PATH), or --pack and --to",
                                 hint="hazard-rules rules diff HEAD~1:rulesets rulesets")
            if rules_dir is not None:
                raise UsageError("--rules goes with --pack/--to; OLD and NEW name their own folders")
            before = load_rulesets(stack.enter_context(_folder(old)), tests=True)
            after = load_rulesets(stack.enter_context(_folder(new)), tests=True)
            diff = diff_rulesets(before, after, old, new)
        if not no_generate:
            judge_probes(diff, before, after, probes(diff))
        for file in findings:
            _judge_file(diff, before, after, str(file))
    if fmt == "json":
        click.echo(json.dumps(to_json(diff), ensure_ascii=False, indent=2))
    else:
        from ..diff_view import print_diff

        print_diff(diff, limit=limit)
    sys.exit(ExitCode.DIFFERENT if diff.differs else ExitCode.OK)


def _judge_file(diff: RulesDiff, before: Ruleset, after: Ruleset, path: str) -> None:
    """Judge each record of the file under both sides, each as of a date its compared packs cover."""
    for a, b in zip(classify_files(before, [path]), classify_files(after, [path]), strict=True):
        if a.warning is not None or a.error is not None and b.error is not None:
            continue  # a record neither side can read: `check` reports it
        finding = a.finding or b.finding
        assert finding is not None
        record_judged(diff, finding.id, f"{path}:record {a.number}", dict(finding.facts),
                      judge(diff, before, "old", finding) if a.error is None else a.error,
                      judge(diff, after, "new", finding) if b.error is None else b.error)


@contextmanager
def _folder(spec: str) -> Iterator[Path]:
    """A folder as given, or REV:PATH extracted from git into a temporary folder."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        if not path.is_dir():
            raise UsageError(f"rules folder not found: {spec}",
                             hint="give a rules folder, a pack folder, or a git revision REV:PATH")
        yield path
        return
    rev, _, inside = spec.partition(":")
    with tempfile.TemporaryDirectory(prefix="hazard-rules-diff-") as tmp:
        yield _extract(rev, inside or ".", Path(tmp))


def _git(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, timeout=120, check=False, cwd=cwd)
    except FileNotFoundError:
        raise UsageError("git is not installed (needed to read REV:PATH)",
                         hint="install git, or check the revision out into a folder and pass that") from None


def _extract(rev: str, inside: str, into: Path) -> Path:
    """PATH as of REV (relative to the current folder, as `git show REV:./PATH`), with the shared
    vocabularies beside it when PATH is a single pack."""
    top = _git("rev-parse", "--show-toplevel", "--show-prefix")
    if top.returncode != 0:
        raise UsageError(f"cannot read {rev}:{inside}: not inside a git repository",
                         hint="run rules diff from the repository, or pass two folders")
    toplevel, _, prefix = top.stdout.decode().rstrip("\n").partition("\n")
    where = PurePosixPath(prefix, inside) if inside not in (".", "") else PurePosixPath(prefix or ".")
    where_text = str(where).rstrip("/") or "."
    listing = _git("ls-tree", "--name-only", f"{rev}:{where_text}" if where_text != "." else f"{rev}^{{tree}}")
    if listing.returncode != 0:
        message = listing.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"cannot read {rev}:{inside} from git: {message[-1] if message else 'unknown error'}",
                         hint="check the revision (git log --oneline) and the path at that revision "
                              f"(git ls-tree {rev} {where_text}/)")
    paths = [where_text]
    if "pack.yaml" in listing.stdout.decode().split("\n") and where.parent != where:
        parent = str(where.parent)
        siblings = _git("ls-tree", "--name-only", f"{rev}:{parent}" if parent != "." else f"{rev}^{{tree}}")
        paths += [str(PurePosixPath(parent, name)) for name in siblings.stdout.decode().split("\n")
                  if name.startswith("_")]
    archive = _git("archive", "--format=tar", rev, "--", *paths, cwd=toplevel)
    if archive.returncode != 0:
        raise UsageError(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    folder = into / where_text
    if not folder.is_dir():
        raise UsageError(f"{rev}:{inside} is not a folder")
    return folder
