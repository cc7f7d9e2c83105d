"""Notebook helpers: display a report so that exports and JupyterLab both get its Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from .blocks import Block


def show(blocks: Sequence[Block]) -> None:
    """Display each block as Markdown only, which the exports read and JupyterLab renders
    (tables as tables, charts as images). Not the other formats a block offers: a table's
    HTML is a pandas DataFrame, and importing pandas would slow every `auditlib run`;
    `Table.frame()` gives the DataFrame when you want one."""
    from IPython.display import display

    for block in blocks:
        display(block, include=["text/markdown"])
