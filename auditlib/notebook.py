"""Notebook helpers: check the parameters papermill passed; display a report so that
exports and JupyterLab both get its Markdown."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from .blocks import Block, Chart
from .errors import AuditError


def check_parameters(namespace: Mapping[str, Any]) -> None:
    """Raise AuditError naming each parameter papermill passed that the notebook does not
    take: papermill only warns, and the notebook would go on with its default (the bundled
    example instead of your repository). The parameters taken are the annotated names of
    the `parameters` cell (`repo_path: str = ""`); those passed, the names papermill's
    injected cell (`# Parameters`) assigns. Run by hand, without papermill, nothing is
    checked."""
    taken = list(namespace.get("__annotations__", {}))
    injected = next((source for source in reversed(namespace.get("In") or [])
                     if source.lstrip().startswith("# Parameters")), None)
    if injected is None or not taken:
        return
    passed = [target.id for node in ast.parse(injected).body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)]
    unknown = [name + "".join(f" (did you mean {close}?)" for close in difflib.get_close_matches(
        name, taken, n=1)) for name in passed if name not in taken]
    if unknown:
        raise AuditError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}:"
                         f" this notebook takes {', '.join(taken)}")


def show(blocks: Sequence[Block]) -> None:
    """Display the blocks as Markdown only, which the exports read and JupyterLab renders
    (tables as tables, charts as images): one output for each section (`## `) and each
    chart. An output a block made nbconvert's export of 2,590 blocks 3 s slower. Not the
    other formats a block offers: a table's HTML is a pandas DataFrame, and importing pandas
    would slow every `auditlib run`; `Table.frame()` gives the DataFrame when you want one."""
    from IPython.display import display

    outputs: list[list[str]] = []
    alone = True  # the last output is a chart's, or there is none: a block starts another
    for block in blocks:
        text = block._repr_markdown_()
        if alone or isinstance(block, Chart) or text.startswith("## "):
            outputs.append([])
        outputs[-1].append(text)
        alone = isinstance(block, Chart)
    for texts in outputs:
        display({"text/markdown": "\n\n".join(texts)}, raw=True)
