"""Where output goes: the error console, and files written atomically."""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO, cast

from rich.console import Console

from ..errors import UsageError


def make_console(**options: Any) -> Console:
    """A rich console that prints text as given: no highlighting, and no emoji codes
    (`pack.yaml:100:7` would otherwise print as `pack.yaml💯7`)."""
    return Console(highlight=False, emoji=False, **options)


err_console = make_console(stderr=True, soft_wrap=True)


@contextmanager
def output_to(path: Path | None) -> Iterator[IO[str]]:
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


class Blocks:
    """Text written on in blocks of about `size` characters: one write per verdict is one
    system call when Python's own buffering is off (PYTHONUNBUFFERED, `python -u`). Flush
    before writing anything to another stream (stderr), so that the two interleave as before."""

    def __init__(self, out: IO[str], size: int = 1 << 16) -> None:
        self.out = out
        self.size = size
        self.parts: list[str] = []
        self.pending = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.pending += len(text)
        if self.pending >= self.size:
            self.flush()
        return len(text)

    def charset(self) -> str | None:
        """The error handler with which text may be encoded as UTF-8 and written with
        write_bytes, if the output is a UTF-8 text file over a binary one that translates no
        line ends (POSIX); else None."""
        encoding, errors = getattr(self.out, "encoding", None), getattr(self.out, "errors", None)
        if (os.linesep != "\n" or not hasattr(self.out, "buffer") or errors is None or encoding is None
                or codecs.lookup(encoding).name != "utf-8"):
            return None
        return str(errors)

    def write_bytes(self, data: bytes) -> None:
        """Text encoded as charset() says, written after what was written before."""
        self.flush()
        self.out.flush()
        cast(TextIO, self.out).buffer.write(data)

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts))
            self.parts.clear()
            self.pending = 0
