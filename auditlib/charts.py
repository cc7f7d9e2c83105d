"""Charts for the report, drawn with matplotlib (imported only when a chart is drawn).

Figures are made with `matplotlib.figure.Figure` and saved through the Agg canvas, without
pyplot: importing pyplot costs more than drawing, and would pick the notebook's backend."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import Facts, Finding, Outcome, Severity
from .wrangler import KINDS_BY_NAME

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLORS = {"P0": "#b42318", "P1": "#b54708", "P2": "#175cd3"}
HATCHES = {"P0": "", "P1": "//", "P2": ".."}  # told apart without colour too


def app_of(path: str, facts: Facts) -> str:
    """The app a path belongs to, named as the bindings chart names it: the name of the
    config whose folder holds it, else its top folders."""
    owner = None
    for config in facts.configs:
        if config.app != "." and (path == config.app or path.startswith(config.app + "/")):
            owner = max(owner, config, key=lambda c: len(c.app) if c else -1)
    if owner is not None:
        return owner.label
    if path in (".", ""):
        return "(whole repository)"
    if "/" not in path:
        root = next((c.name for c in facts.configs if c.is_root and c.name), None)
        return root or "(root)"
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]  # a folder, never a file


def _stacked(rows: dict[str, Counter[str]], series: Sequence[str], title: str,
             colors: dict[str, str] | None = None, hatches: dict[str, str] | None = None) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import TightLayoutEngine
    from matplotlib.ticker import MaxNLocator

    names = sorted(rows, key=lambda name: (-sum(rows[name].values()), name))
    figure = Figure(figsize=(8, 0.45 * len(names) + 1.4), dpi=100)
    axes = figure.subplots()
    left = [0] * len(names)
    for key in series:
        values = [rows[name].get(key, 0) for name in names]
        axes.barh(names, values, left=left, label=key, color=(colors or {}).get(key),
                  hatch=(hatches or {}).get(key), edgecolor="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # off the bars
    TightLayoutEngine().execute(figure)  # as tight_layout(), without a second draw on save
    return png(figure)


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, drawn by Agg, without the Software tag (no version in it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself to the figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def findings_by_app(facts: Facts, findings: Sequence[Finding]) -> bytes | None:
    rows: dict[str, Counter[str]] = {}
    for finding in findings:
        if finding.outcome == Outcome.WAIVED:
            continue
        rows.setdefault(app_of(finding.location.path, facts), Counter())[finding.severity] += 1
    if not rows:
        return None
    return _stacked(rows, [str(s) for s in Severity], "Open findings by severity per app",
                    COLORS, HATCHES)


def bindings_by_app(facts: Facts) -> bytes | None:
    rows = binding_counts(facts)
    kinds = sorted({kind for counts in rows.values() for kind in counts})
    if not kinds:
        return None
    return _stacked(rows, kinds, "Bindings per app by kind")


def binding_counts(facts: Facts) -> dict[str, Counter[str]]:
    """The bindings of each app, by kind."""
    rows: dict[str, Counter[str]] = {}
    for config in facts.configs:
        counts = rows.setdefault(app_of(config.path, facts), Counter())
        # Each binding once, however many environments declare it again.
        counts.update(KINDS_BY_NAME[kind].label for kind, _name in dict.fromkeys(
            (binding.kind, binding.name) for scope in config.scopes()
            for binding in scope.bindings))
        counts.update("Static assets binding" for _name in dict.fromkeys(
            scope.assets_binding for scope in config.scopes() if scope.assets_binding))
    return rows
