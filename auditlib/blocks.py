"""The pieces a report is made of: Markdown text and tables, shown in notebooks and files."""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .docs import GENERATED_MARKER
from .secrets import redact

# A run of backticks closed by a run of the same length (CommonMark): `` a`b `` is one span.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no raw pipes (one escaped already, as `plain`
    escapes it, is left as it is), no line breaks."""
    text = " ".join(str(value).splitlines())  # \r and U+2028 break a row as \n does
    return re.sub(r"(?<!\\)((?:\\\\)*)\|", r"\1\\|", text).strip()


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless it is one: "1 workflow file", "2 workflow files"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def listed(items: Sequence[str], most: int | None = None) -> str:
    """`a`, `a and b`, `a, b and c`; past `most` items, the first `most` and how many more."""
    if most is not None and len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def code(value: object) -> str:
    """`value` as one inline code span, whatever backticks it holds."""
    text = str(value)
    if "`" not in text and text.isprintable():  # most values: no line break, no backtick
        return f"`{text}`"
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, language: str) -> Text:
    """A fenced code block whose fence is longer than any backtick run in `text`."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return Text(f"{fence}{language}\n{text}\n{fence}")


def plain(value: object) -> str:
    """Repository text shown as text: no Markdown or HTML of its own."""
    text = " ".join(str(value).split())
    text = re.sub(r"([\\`*_\[\]|])", r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def prose(text: str) -> str:
    """A message written with code spans (a finding's, a waiver's reason): its code spans
    kept, the rest shown as text, as `plain` shows it. When a backtick is left unpaired
    (a quote cut inside a span), the spans cannot be told from the text between them,
    and it is all shown as text. It is one line: a line break in a span (`\r`, U+2028) is
    a space, as in `code`."""
    text = " ".join(text.splitlines())
    parts, last = [], 0
    for found in CODE_SPAN.finditer(text):
        parts += [text[last:found.start()], found[0]]
        last = found.end()
    parts.append(text[last:])
    if any("`" in between for between in parts[::2]):
        return _spaced(text)
    return "".join(_spaced(part) if number % 2 == 0 else part
                   for number, part in enumerate(parts))


def _spaced(text: str) -> str:
    """`plain(text)`, with one space at either end where `text` had one."""
    if not text.strip():
        return " " if text else ""
    return " " * text[0].isspace() + plain(text) + " " * text[-1].isspace()


def no_raw_html(markdown: str) -> str:
    """Escape `<` outside code spans, so that repository text cannot inject HTML."""
    if markdown.startswith("```"):
        return markdown  # a fenced block shows its text as it is
    parts = []
    last = 0
    for found in CODE_SPAN.finditer(markdown):
        parts += [markdown[last:found.start()].replace("<", "&lt;"), found.group(0)]
        last = found.end()
    return "".join([*parts, markdown[last:].replace("<", "&lt;")])


@dataclass(frozen=True, slots=True)
class Text:
    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
        return cls(tuple(columns), tuple(tuple(cell(value) for value in row) for row in rows))

    @property
    def markdown(self) -> str:
        """A GitHub Markdown table, its cells not padded to a common width: a cell that
        changes changes one line of a committed document, not every line of its table."""
        return "\n".join([f"| {' | '.join(self.columns)} |", "|---" * len(self.columns) + "|",
                          *(f"| {' | '.join(row)} |" for row in self.rows)])

    def _repr_markdown_(self) -> str:
        return self.markdown

    def frame(self) -> object:
        """The table as a pandas DataFrame (imported lazily: the CLI's path does not need it)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def _repr_html_(self) -> str:
        html: str = self.frame().to_html(index=False)  # type: ignore[attr-defined]
        return html


@dataclass(frozen=True, slots=True)
class Chart:
    """A PNG image with its alt text; embedded, so a page showing it needs no other file."""

    alt: str
    png: bytes

    @property
    def markdown(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return f"![{plain(self.alt)}](data:image/png;base64,{data})"

    def _repr_markdown_(self) -> str:
        return self.markdown


Block = Text | Table | Chart


# What a terminal acts on, C0 and C1 control characters and DEL (tab aside), shown escaped
# as Python writes them (`\x1b`): a repository's names and values must not colour, move or
# clear a terminal or a CI log, nor reach a document that a diff or a browser shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In a document, a carriage return is kept: a CRLF file's quoted lines end with one.
_IN_DOCUMENT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escaped(found: re.Match[str]) -> str:
    return ascii(found[0])[1:-1]


def visible(text: str, document: bool = False) -> str:
    """`text` with its control characters escaped, its lines kept (in a `document`, their
    carriage returns too)."""
    return (_IN_DOCUMENT if document else _CONTROL).sub(escaped, text)


def redact_block(block: Block, secrets: Iterable[str]) -> Block:
    """The block as published: secrets replaced by «redacted», no raw HTML, no control
    characters. A secret is found as it is, and also as a table cell and `plain` escape it."""
    secrets = _spellings(frozenset(secrets))
    if isinstance(block, Chart) or block == Text(GENERATED_MARKER):
        return block  # the marker is the renderer's own HTML comment, not repository text
    if isinstance(block, Text):
        return Text(visible(no_raw_html(redact(block.markdown, secrets)), document=True))
    shown: dict[str, str] = {}  # each cell once: a table of thousands repeats its paths
    for row in block.rows:
        for value in row:
            if value not in shown:
                shown[value] = visible(no_raw_html(redact(value, secrets)), document=True)
    return Table(block.columns, tuple(tuple(shown[value] for value in row) for row in block.rows))


@functools.lru_cache(maxsize=8)  # the same secrets for each block of a document
def _spellings(secrets: frozenset[str]) -> frozenset[str]:
    """Each secret as it is, and as a table cell and `plain` escape it."""
    return frozenset(spelled for secret in secrets
                     for spelled in (secret, plain(secret), cell(secret), cell(plain(secret))))


def to_markdown(blocks: Sequence[Block]) -> str:
    return "\n\n".join(block.markdown.strip("\n") for block in blocks) + "\n"
