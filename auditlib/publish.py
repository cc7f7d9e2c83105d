"""Publish the regenerated document into the audited repository, keeping hand-written notes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

KEEP = re.compile(r"<!-- auditlib:keep -->.*?<!-- /auditlib:keep -->", re.DOTALL)


def _section_of(text: str, position: int) -> str | None:
    headings = re.findall(r"^(## .+)$", text[:position], re.MULTILINE)
    return headings[-1] if headings else None


def carry_over(new: str, old: str) -> str:
    """`new` with every keep block of `old` put back at the end of the section it was in
    (or at the end, when that section is gone). Blocks are carried over unchanged."""
    orphans = []
    for found in KEEP.finditer(old):
        block = found.group(0)
        section = _section_of(old, found.start())
        start = new.find(f"\n{section}\n") if section else -1
        if start < 0:
            orphans.append(block)
            continue
        following = new.find("\n## ", start + 1)
        end = len(new) if following < 0 else following
        new = new[:end].rstrip("\n") + f"\n\n{block}\n" + new[end:]
    for block in orphans:
        new = new.rstrip("\n") + f"\n\n{block}\n"
    return new


def write_atomic(target: Path, data: str | bytes) -> Path:
    """Write `target` through a temporary file and a rename: readers never see half of it.
    An existing file keeps its mode; a new one gets the usual one (umask applied)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.chmod(temporary, mode)  # mkstemp creates 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def publish(document: str, target: Path) -> Path:
    """Write `document` to `target` atomically, carrying over the keep blocks it had."""
    if target.is_file():
        document = carry_over(document, target.read_text(encoding="utf-8"))
    return write_atomic(target, document)
