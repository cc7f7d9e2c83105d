"""The pieces a report is made of: Markdown text and tables, shown in notebooks and files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tabulate import tabulate

from .secrets import redact


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no raw pipes, no line breaks."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


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
        return str(tabulate(self.rows, headers=self.columns, tablefmt="github",
                            disable_numparse=True))

    def _repr_markdown_(self) -> str:
        return self.markdown

    def frame(self) -> object:
        """The table as a pandas DataFrame (imported lazily: the CLI's path does not need it)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def _repr_html_(self) -> str:
        html: str = self.frame().to_html(index=False)  # type: ignore[attr-defined]
        return html


Block = Text | Table


def redact_block(block: Block, secrets: Iterable[str]) -> Block:
    """The block with every secret value replaced by «redacted»."""
    secrets = tuple(secrets)
    if isinstance(block, Text):
        return Text(redact(block.markdown, secrets))
    return Table(block.columns, tuple(tuple(redact(value, secrets) for value in row)
                                      for row in block.rows))


def to_markdown(blocks: Sequence[Block]) -> str:
    return "\n\n".join(block.markdown.strip("\n") for block in blocks) + "\n"
