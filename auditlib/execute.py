"""Execute the audit notebook with papermill and export it with nbconvert.

Everything is written to a staging folder beside the destination first and moved into
place only when the whole run succeeded, so a failed run leaves earlier outputs untouched.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import functools
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .docs import GENERATED_MARKER
from .errors import AuditError
from .htmlreport import finish

NAME = "auto-scaling-audit"
TEMPLATES = Path(__file__).parent / "templates"
# Exports read the Markdown each block provides, so tables stay pipe tables in the .md
# and render as real tables in the .html.
EXPORT_PRIORITY = ["text/markdown", "text/html", "image/svg+xml", "image/png", "image/jpeg",
                   "text/plain"]

EMBEDDED_IMAGE = re.compile(r"(\]\(data:image/png;base64,)([A-Za-z0-9+/=]+)\)")
# nbclient logs a cell timeout on papermill's logger before raising it; the error says it.
TIMEOUT_LOG = "Timeout waiting for execute reply"
# What renaming a run's folder meets when another run moved a folder in or away meanwhile.
RACED = (errno.EEXIST, errno.ENOTEMPTY, errno.ENOENT)
# How often a run starts a kernel that stopped before running a cell.
KERNEL_STARTS = 3


# What the notebook's cells import, and the line the kernel runs as it starts (IPython's
# exec_lines) to import it on a thread while papermill readies the notebook and sends the
# cells: they find it loaded, or wait for the import under way. The line leaves no name in
# the notebook's namespace.
PRELOAD = ("auditlib", "matplotlib.figure", "matplotlib.backends.backend_agg")
PRELOAD_LINE = ("__import__('threading').Thread(daemon=True, target=lambda: [__import__("
                f"'importlib').import_module(name) for name in {PRELOAD!r}]).start()")


class RunFailed(AuditError):
    """The notebook failed; the message names the cell and its error."""


def markdown2html(source: str) -> str:
    """Markdown to HTML for the exported report, escaping any raw HTML in the source.

    Embedded images are set aside while mistune parses: it reads a link target character
    by character, which for the charts' 100 KB of base64 is most of the export's parsing.
    Each one waits behind a key made from the source, so no text in it can take its place."""
    images: list[str] = []
    key = hashlib.sha256(source.encode()).hexdigest()[:16]

    def set_aside(match: re.Match[str]) -> str:
        images.append(match[2])
        return f"{match[1]}{key}{len(images) - 1})"

    html = str(_markdown()(EMBEDDED_IMAGE.sub(set_aside, source)))
    if not images:
        return html
    return re.sub(rf'((?:src|href)="data:image/png;base64,){key}(\d+)"',
                  lambda match: f'{match[1]}{images[int(match[2])]}"', html)


@functools.cache
def _markdown() -> Any:
    import mistune
    from mistune.plugins.table import render_table_cell
    from mistune.util import safe_entity

    class Renderer(mistune.HTMLRenderer):
        """Raw HTML escaped; text escaped once: the Markdown already writes repository
        text's `&` and `<` as entities (blocks.plain), which the default escapes again."""

        def text(self, text: str) -> str:
            return safe_entity(text)

        def table_cell(self, text: str, align: str | None = None, head: bool = False) -> str:
            # A cell's `\|` is its `|`, in a code span too (GFM); mistune keeps it in code.
            return render_table_cell(self, text.replace("\\|", "|"), align, head)

        def block_html(self, html: str) -> str:
            # The generated document's marker is for the next run, not for a reader.
            return "" if html.strip() == GENERATED_MARKER else str(super().block_html(html))

    return mistune.create_markdown(renderer=Renderer(escape=True),
                                   plugins=["table", "strikethrough"])


def _without_timings(notebook: Any, name: str, shown: Mapping[str, Any]) -> Any:
    """The executed notebook without wall-clock times, durations or temporary paths, so that
    two runs of the same input give the same file; the parameters in `shown` are recorded
    with those values (paths as given, not as resolved on this machine)."""
    from papermill.translators import PythonTranslator

    papermill = notebook.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception"):
        papermill.pop(key, None)
    papermill.update(input_path=f"{NAME}.ipynb", output_path=name)
    papermill.get("parameters", {}).update(shown)
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
            cell.source = "\n".join(
                PythonTranslator.assign(key, PythonTranslator.translate(shown[key]))
                if (key := line.partition(" = ")[0]) in shown else line
                for line in cell.source.splitlines())
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration", "status", "exception"):
            cell.metadata.get("papermill", {}).pop(key, None)
    return notebook


def _exporters() -> tuple[Any, Any]:
    """The Markdown and HTML exporters, configured, and warmed up on a one-output notebook:
    importing nbconvert and compiling its templates, CSS selectors and entity tables takes
    about as long as exporting the report, so `run` does it here while the kernel works."""
    import nbformat
    from nbconvert import HTMLExporter, MarkdownExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.NbConvertBase.display_data_priority = EXPORT_PRIORITY
    config.TemplateExporter.filters = {"markdown2html": "auditlib.execute.markdown2html"}
    exporters = (MarkdownExporter(config=config),
                 HTMLExporter(config=config, template_name="auditlib",
                              extra_template_basedirs=[str(TEMPLATES)]))
    sample = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", {"text/markdown": "# A & B\n\n| A |\n|---|"})])])
    for exporter in exporters:
        exporter.from_notebook_node(sample, {"metadata": {"name": "warm-up"}})
    return exporters


def _export(notebook: Any, staging: Path, exporters: tuple[Any, Any]) -> list[Path]:
    """Write the Markdown and HTML exports of the executed `notebook` into `staging`, with
    the `exporters` of `_exporters`."""
    markdown_exporter, html_exporter = exporters
    resources = {"metadata": {"name": "Auto-Scaling Architecture"}}
    markdown, _ = markdown_exporter.from_notebook_node(notebook, resources)
    aside = SetAside()
    html_exporter.register_filter("markdown2html", aside)
    try:
        html = aside.put_back(html_exporter.from_notebook_node(notebook, resources)[0])
    finally:
        html_exporter.register_filter("markdown2html", markdown2html)
    (staging / f"{NAME}.md").write_text(extract_images(tidy_markdown(markdown), staging),
                                        encoding="utf-8")
    (staging / f"{NAME}.html").write_text(finish(html), encoding="utf-8")
    return [staging / f"{NAME}.md", staging / f"{NAME}.html"]


class SetAside:
    """markdown2html for nbconvert's HTMLExporter, which parses the page it made with
    BeautifulSoup and writes it again (to give an image without alt text one, and
    JupyterLab's output areas a tabindex; our template has neither): for 5,070 findings,
    10 s of a 13 s export. Each output's HTML waits behind a key while it does, and
    `put_back` puts it in its place: the page parsed is only the template's."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.key = f"auditlib-output-{os.urandom(8).hex()}-"  # in no page: made now

    def __call__(self, source: str) -> str:
        self.parts.append(markdown2html(source))
        return f"{self.key}{len(self.parts) - 1}."

    def put_back(self, html: str) -> str:
        return re.sub(rf"{self.key}(\d+)\.", lambda found: self.parts[int(found[1])], html)


def extract_images(markdown: str, folder: Path) -> str:
    """Move embedded PNG images into `<NAME>_files/` beside the Markdown, linked relatively
    (GitHub does not show data URIs)."""
    images = folder / f"{NAME}_files"

    def save(match: re.Match[str]) -> str:
        data = base64.b64decode(match[2])
        name = f"chart-{hashlib.sha256(data).hexdigest()[:12]}.png"
        images.mkdir(exist_ok=True)
        (images / name).write_bytes(data)
        return f"![{match[1]}]({images.name}/{name})"

    return re.sub(r"!\[([^\]]*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", save, markdown)


def tidy_markdown(text: str) -> str:
    """Fold the blank lines nbconvert puts between outputs, leaving fenced code as it is."""
    lines: list[str] = []
    fenced = False
    for line in text.strip().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line.rstrip() if not fenced else line)
    return "\n".join(lines) + "\n"


def _check_notebook(path: Path) -> None:
    """Check that `path` is a notebook with a cell tagged `parameters`: papermill puts the
    run's values after that cell; without one it puts them first, and the notebook's own
    defaults then overwrite them."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises many kinds of errors for a file it cannot read
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise AuditError(f"not a Jupyter notebook: {path}: {reason}") from None
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise AuditError(f"{path} has no cell tagged `parameters`: papermill needs one to pass"
                         " the run's values to the notebook")


def _failure(exc: Exception, name: str, started: list[tuple[int, Any]]) -> str:
    """One readable paragraph: which cell failed, numbered as in the notebook `name`
    (Markdown cells counted, papermill's injected parameters not), and why."""
    error = getattr(exc, "ename", type(exc).__name__)
    value = str(getattr(exc, "evalue", None) or exc).split("Here is a preview")[0]
    where = "the notebook"
    if started:
        lines = started[-1][1].source.strip().splitlines()
        where = f"cell {len(started)} of {name} (`{lines[0][:60] if lines else ''}`)"
    return (f"the audit notebook failed in {where}: {error}:"
            f" {' '.join(value.split())[:300]}")


def _mark_failed(executed: Path, index: int, exc: Exception) -> None:
    """Mark cell `index` of the `executed` notebook as papermill marks a cell that raised,
    with `exc` as its output: papermill leaves a cell that timed out as completed."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    cell = notebook.cells[index]
    cell.metadata.setdefault("papermill", {}).update(status="failed", exception=True)
    for later in notebook.cells[index + 1:]:  # papermill counts them as done
        later.metadata.setdefault("papermill", {})["status"] = "pending"
    notebook.metadata.setdefault("papermill", {})["exception"] = True
    value = " ".join(str(exc).split("Here is a preview")[0].split())
    cell.outputs.append(nbformat.v4.new_output("error", ename=type(exc).__name__,
                                               evalue=value, traceback=[]))
    nbformat.write(notebook, executed)


def run(*, notebook: Path, out_dir: Path, parameters: Mapping[str, Any], kernel: str,
        timeout: int, progress: bool,
        on_findings: Callable[[Path], object] | None = None,
        expect: Sequence[str] = (), shown: Mapping[str, Any] | None = None) -> list[Path]:
    """Execute and export into `out_dir`; returns the files written there. `on_findings`
    is called on a thread with the folder being written, once a cell has saved
    findings.json there, while the other cells run. A run whose notebook did not write
    each file named in `expect` into its `output_dir` fails, and leaves `out_dir` as it was.
    `shown` gives the parameters as the saved notebook records them (default: as run).
    The notebook needs a cell tagged `parameters`."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    staging.chmod(0o755)
    executed = staging / f"{NAME}.ipynb"
    failed = out_dir.with_name(f"{out_dir.name}.failed.ipynb")
    quiet = logging.getLogger("papermill")
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            called: list[Future[object]] = []
            started: list[tuple[int, Any]] = []  # the notebook's cells, as they start

            def cell_started(cell: Any, cell_index: int, **_: Any) -> None:
                if "injected-parameters" not in cell.metadata.get("tags", []):
                    started.append((cell_index, cell))

            def cell_executed(**_: Any) -> None:
                if on_findings and not called and (staging / "findings.json").is_file():
                    called.append(pool.submit(on_findings, staging))

            for starts in range(1, KERNEL_STARTS + 1):
                # The kernel starts first, on the other CPU; the exporters get ready on a
                # thread while papermill is imported here and the kernel runs the cells.
                with _kernel(kernel, staging, pool) as manager:
                    if starts == 1:
                        warm_up = pool.submit(_exporters)
                        _check_notebook(notebook)
                    import nbformat
                    import papermill

                    quiet.addFilter(_not_timeout)
                    try:
                        result = papermill.execute_notebook(
                            str(notebook), str(executed),
                            parameters={**parameters, "output_dir": "."}, cwd=str(staging),
                            kernel_name=kernel, progress_bar=progress, execution_timeout=timeout,
                            log_output=False, km=manager, on_cell_start=cell_started,
                            on_cell_executed=cell_executed)
                    except Exception as exc:
                        if not started and starts < KERNEL_STARTS and not manager.is_alive():
                            # Another program took a port between jupyter_client's choice
                            # and the kernel's bind (jupyter/jupyter_client#487).
                            print("auditlib: the kernel stopped as it started (see above):"
                                  " starting another", file=sys.stderr)
                            continue
                        message = _failure(exc, notebook.name, started)
                        if executed.exists():
                            if started and not isinstance(exc, papermill.PapermillExecutionError):
                                _mark_failed(executed, started[-1][0], exc)
                            shutil.move(str(executed), failed)
                            raise RunFailed(f"{message} (executed notebook kept at {failed})"
                                            ) from exc
                        raise RunFailed(message) from exc
                    finally:
                        quiet.removeFilter(_not_timeout)
                break
            missing = [name for name in expect if not (staging / name).is_file()]
            if missing:
                shutil.move(str(executed), failed)
                raise RunFailed(f"the audit notebook ran but wrote no {' or '.join(missing)}:"
                                " it must save the audit into its `output_dir` parameter"
                                f" (executed notebook kept at {failed})")
            result = _without_timings(result, executed.name, shown or {})
            nbformat.write(result, executed)
            _export(result, staging, warm_up.result())
            for future in called:
                future.result()  # its error, if any
        _swap_in(staging, out_dir)
        failed.unlink(missing_ok=True)  # an earlier failure of this run, now replaced
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(out_dir.iterdir())


def _not_timeout(record: logging.LogRecord) -> bool:
    """A filter for papermill's logger that drops the line nbclient logs on a timeout."""
    return not record.getMessage().startswith(TIMEOUT_LOG)


@contextlib.contextmanager
def ipython_dir() -> Iterator[None]:
    """IPython keeps its settings in ~/.ipython. Where that cannot be made (HOME not
    writable, as in a CI container run as another user), it warns, here and again in the
    kernel, and leaves a temporary folder behind each time: then this gives both one
    folder, removed after."""
    folder = os.path.expanduser("~/.ipython")
    if "IPYTHONDIR" in os.environ or os.access(
            folder if os.path.exists(folder) else os.path.dirname(folder), os.W_OK):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="auditlib-ipython-") as own:
        os.environ["IPYTHONDIR"] = own
        try:
            yield
        finally:
            del os.environ["IPYTHONDIR"]


def check_kernel(name: str) -> None:
    """Refuse a Jupyter kernel that is not installed, before the run writes anything."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise _no_kernel(name) from None


def _no_kernel(name: str) -> AuditError:
    return AuditError(f"no Jupyter kernel named {name!r}: see `jupyter kernelspec list`")


@contextlib.contextmanager
def _kernel(name: str, cwd: Path, pool: ThreadPoolExecutor) -> Iterator[Any]:
    """A kernel started as nbclient starts one, also running PRELOAD_LINE, for papermill
    to use (`km=`), then stopped at once with the clients nbclient made for it (nbclient
    stops only the kernels it started). Waiting for its process to end is left to `pool`."""
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_client.manager import KernelManager

    clients: list[Any] = []

    class Manager(KernelManager):
        def client(self, **kwargs: Any) -> Any:
            clients.append(super().client(**kwargs))
            return clients[-1]

    manager = Manager(kernel_name=name,
                      client_class="jupyter_client.asynchronous.AsyncKernelClient")
    try:
        # The kernel warns on stderr about its local TCP transport; keep errors only.
        manager.start_kernel(cwd=str(cwd), extra_arguments=[
            "--IPKernelApp.log_level=ERROR", f"--IPKernelApp.exec_lines={PRELOAD_LINE}",
            "--HistoryManager.hist_file=:memory:"])
    except NoSuchKernel:
        raise _no_kernel(name) from None
    except Exception as exc:
        raise RunFailed(f"the kernel {name!r} did not start: {exc}") from exc
    try:
        yield manager
    finally:
        # Once every cell ran, nothing is left to wait for.
        for client in clients:
            client.stop_channels()
        pool.submit(manager.shutdown_kernel, now=True)


def _swap_in(staging: Path, out_dir: Path, attempts: int = 5) -> None:
    """Replace `out_dir` by the complete `staging` folder with renames only, so a reader
    sees the old run or the new one, never a mix; a run racing another retries."""
    for _attempt in range(attempts):
        aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
        try:
            if out_dir.exists():
                out_dir.rename(aside / out_dir.name)
            staging.rename(out_dir)
            return
        except OSError as exc:
            if exc.errno in RACED:
                continue  # another run moved a folder in between: try again
            with contextlib.suppress(OSError):  # the earlier run, if it was moved aside
                (aside / out_dir.name).rename(out_dir)
            raise AuditError(f"could not move the new run into {out_dir}: {out_dir} cannot be"
                             f" replaced ({exc.strerror or exc})") from None
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    raise RunFailed(f"could not move the new run into {out_dir}: another run keeps replacing it")
