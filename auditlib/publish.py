"""Publish the regenerated document into the audited repository, keeping hand-written notes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .docs import KEEP, MARKER
from .errors import AuditError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _section_of(text: str, position: int) -> str:
    """The `## ` heading above `position` in `text` ("" before the first one)."""
    headings = re.findall(r"^(## .+)$", text[:position], re.MULTILINE)
    return headings[-1] if headings else ""


def _end_of(section: str, text: str) -> int | None:
    """Where `section` ends in `text`, or None when `text` has no such heading; dates in a
    heading may differ ("## Changes since 2026-01-01")."""
    start = 0
    if section:
        heading = r"\d{4}-\d{2}-\d{2}".join(re.escape(part) for part in _DATE.split(section))
        found = re.search(rf"^{heading}$", text, re.MULTILINE)
        if found is None:
            return None
        start = found.end()
    following = text.find("\n## ", start)
    return len(text) if following < 0 else following


def unpaired_marker(text: str) -> tuple[int, str] | None:
    """The line and text of the first keep marker in `text` without its pair (an opening one
    never closed, a closing one never opened), or None. An opening marker inside a block is
    part of it, as KEEP reads it."""
    opened = None
    for found in MARKER.finditer(text):
        if found[1] and opened is None:
            return text.count("\n", 0, found.start()) + 1, found[0]
        if found[1]:
            opened = None
        elif opened is None:
            opened = found
    return None if opened is None else (text.count("\n", 0, opened.start()) + 1, opened[0])


def check_keep_blocks(target: Path) -> None:
    """Raise AuditError, naming the file and line, when the document at `target` has a keep
    marker without its pair: the hand-written text beside it would not be carried over, and
    where it ends is the writer's to say, not a guess."""
    if not target.is_file():
        return
    if found := unpaired_marker(target.read_text(encoding="utf-8", errors="replace")):
        line, marker = found
        pair = "<!-- auditlib:keep -->" if "/" in marker else "<!-- /auditlib:keep -->"
        raise AuditError(f"{target}:{line}: {marker} has no matching {pair}, and the text it"
                         f" marks would be lost: add the {pair}, then publish again (the"
                         " document was not changed)")


def carry_over(new: str, old: str) -> str:
    """`new` with every keep block of `old` put back at the end of the section it was in
    (the part before the first section too), or at the end when that section is gone.
    Blocks are carried over unchanged."""
    orphans = []
    for found in KEEP.finditer(old):
        block = found.group(0)
        end = _end_of(_section_of(old, found.start()), new)
        if end is None:
            orphans.append(block)
            continue
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


CHART = re.compile(r"chart-[0-9a-f]{12}\.png")


def publish(document: str, target: Path, images: Path | None = None) -> Path:
    """Write `document` to `target` atomically, carrying over the keep blocks it had. The
    charts it links in `images` (the run's `<name>_files/`) go beside it, into
    `<target's stem>_files/`, in place of those of the last publication. A keep marker
    without its pair stops it (AuditError) before anything is written."""
    check_keep_blocks(target)
    if images is not None:
        folder = target.parent / f"{target.stem}_files"
        linked = set(re.findall(rf"\]\({re.escape(images.name)}/({CHART.pattern})\)", document))
        document = document.replace(f"]({images.name}/", f"]({folder.name}/")
        for name in sorted(linked):
            write_atomic(folder / name, (images / name).read_bytes())
        for old in folder.glob("chart-*.png") if folder.is_dir() else ():
            if CHART.fullmatch(old.name) and old.name not in linked:
                old.unlink()
    if target.is_file():
        document = carry_over(document, target.read_text(encoding="utf-8"))
    return write_atomic(target, document)
