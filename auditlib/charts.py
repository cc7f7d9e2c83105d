"""Charts for the report, drawn with matplotlib (imported only when a chart is drawn).

Figures are made with `matplotlib.figure.Figure` and saved through the Agg canvas, without
pyplot: importing pyplot costs more than drawing, and would pick the notebook's backend."""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .blocks import Chart, counted, visible
from .model import Facts, Finding, Outcome, Severity
from .rules.base import deepest_app
from .wrangler import KINDS_BY_NAME

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLORS = {"P0": "#b42318", "P1": "#b54708", "P2": "#175cd3"}
HATCHES = {"P0": "", "P1": "//", "P2": ".."}  # told apart without colour too


def app_of(path: str, facts: Facts) -> str:
    """The app a path belongs to, named as the bindings chart names it: the name of the
    config whose folder holds it, else its top folders."""
    return apps_of(facts)(path)


def apps_of(facts: Facts) -> Callable[[str], str]:
    """app_of for the paths of one audit: the folders of a path are looked up among the
    configs', the deepest first (scanning every config for each of 5,070 findings took
    2.8 s on 1,000 apps)."""
    owners: dict[str, str] = {}
    for config in facts.configs:
        if config.app != ".":
            owners.setdefault(config.app, config.label)  # of two in one folder, the first
    root = next((c.name for c in facts.configs if c.is_root and c.name), None) or "(root)"

    def app(path: str) -> str:
        owner = deepest_app(path, owners)
        if owner is not None:
            return owners[owner]
        if path in (".", ""):
            return "(whole repository)"
        parts = path.split("/")
        if len(parts) == 1:
            return root
        return "/".join(parts[:2]) if len(parts) > 2 else parts[0]  # a folder, never a file
    return app


# A chart draws this many bars at most, the apps with the most; the others are counted
# below it. 1,000 bars made an image 45,000 pixels tall, 13 s to draw.
MOST_BARS = 25


def _largest(rows: dict[str, Counter[str]], noun: str) -> tuple[dict[str, Counter[str]], str]:
    """The MOST_BARS of `rows` with the largest totals, the largest first (then by name),
    and what is left out, counting `noun`s ("" when nothing is): "976 other apps, 4735
    findings in all"."""
    names = sorted(rows, key=lambda name: (-sum(rows[name].values()), name))
    rest = names[MOST_BARS:]
    left_out = sum(sum(rows[name].values()) for name in rest)
    return ({name: rows[name] for name in names[:MOST_BARS]},
            f"{counted(len(rest), 'other app')}, {counted(left_out, noun)} in all"
            if rest else "")


def _stacked(rows: dict[str, Counter[str]], series: Sequence[str], title: str,
             colors: dict[str, str] | None = None, hatches: dict[str, str] | None = None,
             left_out: str = "") -> bytes:
    """A horizontal bar for each of `rows` (in order), its `series` stacked; what is
    `left_out` said below."""
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import TightLayoutEngine
    from matplotlib.ticker import MaxNLocator

    names = [visible(name) for name in rows]  # an app named with `\x1b`: shown escaped
    rows = dict(zip(names, rows.values(), strict=True))
    # as tall as the bars, or as the legend beside them
    figure = Figure(figsize=(8, max(0.45 * len(names) + 1.4, 0.25 * len(series) + 0.8)), dpi=100)
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
    if left_out:
        axes.set_xlabel(f"Not drawn: {left_out}")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # off the bars
    with warnings.catch_warnings():  # a name the font has no glyph for is drawn as a box:
        warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)  # no warning
        TightLayoutEngine().execute(figure)  # as tight_layout(), without a second draw on save
        return png(figure)


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, drawn by Agg, without the Software tag (no version in it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself to the figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _alt(what: str, noun: str, left_out: str) -> str:
    """A chart's alt text: `what` it shows, for which apps."""
    if not left_out:
        return f"{what} for each app"
    return f"{what} for the {MOST_BARS} apps with the most {noun}s; not drawn: {left_out}"


def findings_by_app(facts: Facts, findings: Sequence[Finding]) -> Chart | None:
    app = apps_of(facts)
    rows: dict[str, Counter[str]] = {}
    for finding in findings:
        if finding.outcome == Outcome.WAIVED:
            continue
        rows.setdefault(app(finding.location.path), Counter())[finding.severity] += 1
    if not rows:
        return None
    shown, left_out = _largest(rows, "finding")
    return Chart(_alt("Bar chart: open findings by severity (P0, P1, P2)", "finding", left_out),
                 _stacked(shown, [str(s) for s in Severity], "Open findings by severity per app",
                          COLORS, HATCHES, left_out))


def bindings_by_app(facts: Facts) -> Chart | None:
    rows = binding_counts(facts)
    kinds = sorted({kind for counts in rows.values() for kind in counts})
    if not kinds:
        return None
    shown, left_out = _largest(rows, "binding")
    colors, hatches = kind_styles(kinds)
    return Chart(_alt("Bar chart: number of bindings of each kind", "binding", left_out),
                 _stacked(shown, kinds, "Bindings per app by kind", colors, hatches, left_out))


def kind_styles(kinds: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A colour and a hatch for each of `kinds`, no two alike: the 20 colours of tab20, the
    dark shade of each hue before the light ones, then again with hatches (matplotlib's
    default cycle has 10, and a repository may bind 20 kinds)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    shades = colormaps["tab20"].colors  # type: ignore[attr-defined]
    palette = [to_hex(shades[index]) for index in (*range(0, 20, 2), *range(1, 20, 2))]
    return ({kind: palette[index % 20] for index, kind in enumerate(kinds)},
            {kind: ("", "//", "..", "xx")[index // 20 % 4] for index, kind in enumerate(kinds)})


def binding_counts(facts: Facts) -> dict[str, Counter[str]]:
    """The bindings of each app, by kind."""
    app = apps_of(facts)
    rows: dict[str, Counter[str]] = {}
    for config in facts.configs:
        counts = rows.setdefault(app(config.path), Counter())
        # Each binding once, however many environments declare it again.
        counts.update(KINDS_BY_NAME[kind].label for kind, _name in dict.fromkeys(
            (binding.kind, binding.name) for scope in config.scopes()
            for binding in scope.bindings))
        counts.update("Static assets binding" for _name in dict.fromkeys(
            scope.assets_binding for scope in config.scopes() if scope.assets_binding))
    return rows
