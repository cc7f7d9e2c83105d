"""The floor under `auditlib run`: papermill plus nbconvert on an empty parameterized notebook.

    python benchmarks/bare_notebook.py OUT_DIR

Writes OUT_DIR/empty.ipynb (one `parameters` cell and one cell that prints it), executes it
with papermill on the same kernel as `auditlib run`, and exports the result to Markdown and
HTML with nbconvert, in one process, as `auditlib run` does.
"""

from __future__ import annotations

import sys
from pathlib import Path


def run(out_dir: Path, kernel: str = "python3") -> list[Path]:
    import nbformat
    import papermill
    from nbconvert import HTMLExporter, MarkdownExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('name = ""  # a parameter',
                                                metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("print(name)")]
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    source, executed = out_dir / "empty.ipynb", out_dir / "empty.executed.ipynb"
    nbformat.write(notebook, source)
    papermill.execute_notebook(str(source), str(executed), parameters={"name": "bench"},
                               kernel_name=kernel, progress_bar=False, log_output=False)
    result = nbformat.read(executed, as_version=4)
    markdown, _ = MarkdownExporter().from_notebook_node(result)
    html, _ = HTMLExporter().from_notebook_node(result)
    (out_dir / "empty.md").write_text(markdown, encoding="utf-8")
    (out_dir / "empty.html").write_text(html, encoding="utf-8")
    return [executed, out_dir / "empty.md", out_dir / "empty.html"]


if __name__ == "__main__":
    run(Path(sys.argv[1]))
