"""The history of runs in an output folder: outputs/index.md and index.html, with a chart."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .blocks import Table, counted, plain
from .errors import AuditError
from .model import Severity
from .publish import write_atomic

FILES = ("index.md", "index.html", "history.png")
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REPORT = "auto-scaling-audit"


DAMAGED = "findings.json damaged"


@dataclass(frozen=True, kw_only=True, slots=True)
class Run:
    date: str
    counts: dict[str, int] | None  # None: its findings.json could not be read
    status: str
    repo: str = ""  # the audited repository's folder name ("" in a damaged findings.json)


def runs(out_dir: Path) -> list[Run]:
    """Every dated run under `out_dir` that has a findings.json, oldest first (one that
    cannot be read too, without counts: the index says so, rather than leave it out)."""
    found = (_read_run(folder, folder.name) for folder in sorted(out_dir.iterdir())
             if DATED.match(folder.name)) if out_dir.is_dir() else ()
    return [run for run in found if run is not None]


def _read_run(folder: Path, date: str) -> Run | None:
    data_file = folder / "findings.json"
    if not (folder.is_dir() and data_file.is_file()):
        return None
    wanted = {"counts", "audit_status", "repo"}
    try:
        with data_file.open(encoding="utf-8") as file:
            text = file.read(1 << 16)  # auditlib writes them in the first lines
            try:
                data = _members(text, wanted)
            except ValueError:  # cut short here, or damaged
                data = _members(text + file.read(), wanted)
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deeply
        return Run(date=date, counts=None, status=DAMAGED)
    counts = data.get("counts", {})
    if not (isinstance(counts, dict) and all(type(n) is int for n in counts.values())):
        return Run(date=date, counts=None, status=DAMAGED)
    repo = data.get("repo")
    return Run(date=date, counts=counts, status=str(data.get("audit_status", "")),
               repo=repo if isinstance(repo, str) else "")


_DECODER = json.JSONDecoder()


def _space(text: str, at: int) -> int:
    """The offset of the first character at or after `at` that is not JSON's white space."""
    while text[at:at + 1] in (" ", "\t", "\n", "\r"):
        at += 1
    return at


def _members(text: str, wanted: set[str]) -> dict[str, object]:
    """The members `wanted` of the JSON object `text`, read only as far as the last of them:
    a run's counts come before its findings and facts, megabytes of them, which a history
    of a hundred runs would otherwise parse a hundred times. Raises ValueError if the text
    is not a JSON object up to there."""
    found: dict[str, object] = {}
    at = _space(text, 0)
    if not text.startswith("{", at):
        raise ValueError("not a JSON object")
    at = _space(text, at + 1)
    if text.startswith("}", at):
        return found
    while not wanted <= found.keys():
        key, at = _DECODER.raw_decode(text, at)
        at = _space(text, at)
        if not (isinstance(key, str) and text.startswith(":", at)):
            raise ValueError(f"not a member at {at}")
        found[key], at = _DECODER.raw_decode(text, _space(text, at + 1))
        at = _space(text, at)
        if text.startswith("}", at):
            break
        if not text.startswith(",", at):
            raise ValueError(f"no `,` or `}}` at {at}")
        at = _space(text, at + 1)
    return found


def latest_before(out_dir: Path, audit_date: str,
                  usable: Callable[[Path], bool] = lambda path: True) -> Path | None:
    """findings.json of the newest run dated before `audit_date` that is `usable`, if any
    (`usable` sees every one that is there, readable or not)."""
    folders = sorted(out_dir.iterdir(), reverse=True) if out_dir.is_dir() else []
    earlier = (folder / "findings.json" for folder in folders
               if DATED.match(folder.name) and folder.name < audit_date)
    return next((path for path in earlier if path.is_file() and usable(path)), None)


def draw_ahead(out_dir: Path, audit_date: str, run_dir: Path) -> None:
    """Draw the chart that `write_index` will want once `run_dir`, the run of `audit_date`
    still being written, is moved into `out_dir`, unless the chart there will be kept. It
    is called while the notebook draws its own charts, so the index costs little after."""
    new = _read_run(run_dir, audit_date)
    if new is not None:
        history = sorted([*(run for run in runs(out_dir) if run.date != audit_date), new],
                         key=lambda run: run.date)
        if _drawn_before(out_dir, _index(history)[1]) is None:
            chart_png(history)


def _repos(history: list[Run]) -> list[str]:
    """The repositories the runs audited, when more than one shares the folder."""
    repos = sorted({run.repo for run in history if run.counts is not None})
    return repos if len(repos) > 1 else []


def _charted(history: list[Run]) -> list[Run]:
    """The runs the chart plots: those with counts, of the newest run's repository when the
    folder holds runs of several (their counts in one series would read as one's)."""
    counted_runs = [run for run in history if run.counts is not None]
    newest = counted_runs[-1].repo if counted_runs and _repos(history) else None
    return [run for run in counted_runs if newest is None or run.repo == newest]


def chart_png(history: list[Run]) -> bytes:
    """Open findings by severity over time, as a PNG without timestamps (runs without
    counts left out; see _charted)."""
    return _chart(tuple((run.date, tuple(run.counts.get(severity, 0) for severity in Severity))
                        for run in _charted(history) if run.counts is not None))


@functools.lru_cache(maxsize=2)  # drawn ahead, then wanted by write_index
def _chart(points: tuple[tuple[str, tuple[int, ...]], ...]) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from .charts import png

    figure = Figure(figsize=(7, 3), dpi=100)
    axes = figure.subplots()
    dates = [date for date, _counts in points]
    for index, (severity, style) in enumerate(zip(Severity, ("o-", "s--", "^:"), strict=True)):
        axes.plot(dates, [counts[index] for _date, counts in points], style,
                  label=str(severity))
    # A run a label, up to about ten: 1,600 labels were a smear, and took 9 s to draw.
    axes.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    axes.set_ylabel("open findings")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Open findings by severity")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # off the lines
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    return png(figure)


def _table(history: list[Run]) -> Table:
    keys = [str(s) for s in Severity] + ["ERROR", "WAIVED"]
    repos = bool(_repos(history))
    return Table.of(("Date", *("Repository",) * repos, *keys, "Audit-status", "Report"), [
        (run.date, *(run.repo or "—",) * repos, *(("—",) * len(keys) if run.counts is None
                                                  else (run.counts.get(key, 0) for key in keys)),
         run.status, f"[{run.date}/{REPORT}.md]({run.date}/{REPORT}.md) ·"
         f" [html]({run.date}/{REPORT}.html)") for run in reversed(history)])


def _summary(history: list[Run]) -> str:
    """How many runs; of how many repositories, and whose the chart shows, when several."""
    repos = _repos(history)
    charted = _charted(history)
    return f"{counted(len(history), 'run')}, newest first" + (
        f", of {len(repos)} repositories; the chart shows those of {charted[-1].repo}, the"
        " newest run's" if repos else "") + "."


def _index(history: list[Run]) -> tuple[Table, str]:
    """The table of runs, and index.md."""
    table = _table(history)
    return table, (f"# Audit history\n\n{plain(_summary(history))}\n\n"
                   f"![Open findings by severity over time](history.png)\n\n{table.markdown}\n")




def not_written_here(out_dir: Path) -> list[str]:
    """Those of FILES in `out_dir` that no run wrote (a site's own `index.md`), which
    write_index would replace. history.png is a run's when index.md, written after it, is,
    or when an earlier run is there (its index.md deleted)."""
    def head(name: str) -> bytes:
        with (out_dir / name).open("rb") as file:
            return file.read(512)

    ours: list[str] = []
    with contextlib.suppress(OSError):
        if head("index.md").split(b"\n", 1)[0].rstrip(b"\r") == b"# Audit history":
            ours.append("index.md")
    with contextlib.suppress(OSError):
        if b"<title>Audit history</title>" in head("index.html"):
            ours.append("index.html")
    if "index.md" in ours or any(DATED.match(folder.name) and (folder / "findings.json").is_file()
                                 for folder in out_dir.iterdir()):
        ours.append("history.png")
    return [name for name in FILES if name not in ours and (out_dir / name).exists()]


def _drawn_before(out_dir: Path, index: str) -> bytes | None:
    """The history.png already in `out_dir` when it shows the same runs: index.md, written
    after it, lists every value the chart plots, so an unchanged index means the same chart
    (drawing it would import matplotlib, the slowest part of the index). A change to how the
    chart is drawn shows from the next change to the runs on."""
    try:
        if (out_dir / "index.md").read_text(encoding="utf-8") == index:
            png = (out_dir / "history.png").read_bytes()
            return png if png.startswith(b"\x89PNG\r\n\x1a\n") else None
    except (OSError, ValueError):
        pass  # no earlier index or chart: draw it
    return None


def write_index(out_dir: Path) -> list[Path]:
    """Rewrite index.md and index.html for the runs in `out_dir`, and history.png when
    they changed."""
    history = runs(out_dir)
    table, index = _index(history)
    kept = _drawn_before(out_dir, index)
    png = chart_png(history) if kept is None else kept
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row[:-1])
        + f'<td><a href="{escape(run.date)}/{REPORT}.html">report</a></td></tr>'
        for row, run in zip(table.rows, reversed(history), strict=True))
    head = "".join(f"<th>{escape(column)}</th>" for column in table.columns)
    image = base64.b64encode(png).decode("ascii")
    html = (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Audit history</title><style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}</style>"
        f"</head><body><h1>Audit history</h1><p>{escape(_summary(history))}</p>"
        f'<img alt="Open findings by severity over time" src="data:image/png;base64,{image}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n")
    # The chart first: an unchanged index.md says that the chart beside it is drawn.
    chart: dict[str, str | bytes] = {"history.png": png} if kept is None else {}
    _write_together(out_dir, {**chart, "index.md": index, "index.html": html})
    return [out_dir / name for name in FILES]


def _write_together(out_dir: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` (name: content) into `out_dir` in order; when one cannot be written,
    put back those written before it, so that the history is all old or all new."""
    earlier: dict[Path, bytes | None] = {}
    for name, data in files.items():
        path = out_dir / name
        try:
            earlier[path] = path.read_bytes() if path.is_file() else None
            write_atomic(path, data)
        except OSError as exc:
            earlier.pop(path, None)
            for written, before in earlier.items():
                with contextlib.suppress(OSError):
                    if before is None:
                        written.unlink()
                    else:
                        write_atomic(written, before)
            raise AuditError(f"the history in {out_dir} was not updated: {path} cannot be"
                             f" written ({exc.strerror or exc})") from None
