"""Collect existing Markdown documents: their header block, title and first sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Document

DOC_GLOBS = ("docs/**/*.md",)
# The Markdown that `auditlib run` writes, each by the file it always writes beside it: a
# run's document, and the history of the runs in its --out folder.
RUN_DOCUMENTS = {"auto-scaling-audit.md": "findings.json", "index.md": "history.png"}
BOM = "\ufeff"  # a byte order mark, read past as GitHub and wrangler (wrangler.py) do
# The keys of a header block: the four every document has, and the audit document's.
HEADER_KEYS = frozenset({"Type", "Status", "Domain", "Last-reviewed", "Audit-status"})
_HEADER_LINE = re.compile(r"^([A-Z][A-Za-z-]*):(.*)$")  # the value stripped after: linear
# `[text](target)`, `![alt](image)` and `[text][reference]`.
# No `[` inside the text, and a target's parentheses paired (`wiki/Queue_(abstract_data_type)`):
# `[` or `[a](` repeated stays linear.
_LINK = re.compile(r"!?\[([^\]\[]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]\[]*\])")


def read_header(lines: Sequence[str]) -> tuple[dict[str, str], dict[str, int], int]:
    """The `Key: value` lines at the top: values, their line numbers, and the next index.
    They are a header block when one of them is a key of ours: `Note: migrated from...`
    opens a document that has none."""
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    index = 0
    while index < len(lines) and (found := _HEADER_LINE.match(
            lines[index].removeprefix(BOM) if index == 0 else lines[index])):
        header[found[1]] = found[2].strip()
        header_lines[found[1]] = index + 1
        index += 1
    if not HEADER_KEYS.intersection(header):
        return {}, {}, 0
    return header, header_lines, index


def markdown_lines(text: str) -> list[str]:
    """The lines of a Markdown document as CommonMark (and markdown-it's token maps) number
    them: \\n, \\r\\n and a lone \\r end a line; U+2028 and a form feed do not."""
    text = re.sub(r"\r\n?", "\n", text).removesuffix("\n")
    return text.split("\n") if text else []


def read_document(path: str, text: str) -> Document:
    lines = markdown_lines(text.removeprefix(BOM))
    header, _lines, index = read_header(lines)
    title = None
    paragraph: list[str] = []
    for line in lines[index:]:
        stripped = line.strip()
        if title is None:
            if stripped.startswith("# "):
                title = stripped[2:].strip()
            continue
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", "|", "```", "-", ">")):
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    # A link or an image is its text: `[deploy.yml](../.github/workflows/deploy.yml)` reads
    # "deploy.yml", as it is shown.
    text = _LINK.sub(r"\1", " ".join(paragraph))
    summary = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0] if paragraph else None
    return Document(path=path, title=title, summary=summary, header=header)

