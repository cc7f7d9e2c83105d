"""Notebook helpers: display a report so that exports get Markdown and JupyterLab gets tables."""

from __future__ import annotations

from collections.abc import Sequence

from .blocks import Block


def show(blocks: Sequence[Block]) -> None:
    """Display each block: Markdown for the exported document, DataFrames in JupyterLab."""
    from IPython.display import display

    for block in blocks:
        display(block)
