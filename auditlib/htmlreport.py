"""Finish the exported HTML page: heading anchors, a table of contents, severity badges,
scrollable tables and long tables folded under <details>. Works on the HTML that our own
template and Markdown renderer produce."""

from __future__ import annotations

import re
from html import unescape

HEADING = re.compile(r"<h([1-4])>(.*?)</h\1>", re.DOTALL)
TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
SEVERITY_CELL = re.compile(r"<td>(P[012])( \(ERROR\))?</td>")
FOLD_ROWS = 12  # a table with more rows than this starts folded
# The document's header block (`Type: Guide`, `Status: Active`, ...), one paragraph in
# Markdown: a line each on the page.
HEADER_BLOCK = re.compile(r"<p>((?:[A-Z][\w-]*: [^<\n]*\n)+[A-Z][\w-]*: [^<\n]*)</p>")


def _slug(text: str, taken: set[str], following: dict[str, int]) -> str:
    """A heading's id, not one of those `taken`: `-2`, `-3`… after the first (`following`
    holds the number to try next for each)."""
    base = re.sub(r"[^a-z0-9]+", "-", unescape(re.sub(r"<[^>]+>", "", text)).lower()).strip("-")
    slug = base or "section"
    if slug in taken:
        number = following.get(base, 2)
        while f"{base}-{number}" in taken:
            number += 1
        slug, following[base] = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _anchors(html: str) -> tuple[str, list[tuple[int, str, str]]]:
    taken: set[str] = set()
    following: dict[str, int] = {}
    found: list[tuple[int, str, str]] = []

    def anchor(match: re.Match[str]) -> str:
        level, text = int(match[1]), match[2]
        slug = _slug(text, taken, following)
        found.append((level, slug, text))
        return f'<h{level} id="{slug}">{text}</h{level}>'

    return HEADING.sub(anchor, html), found


def _toc(headings: list[tuple[int, str, str]]) -> str:
    items: list[str] = []
    open_sub = False
    for level, slug, text in headings:
        if level == 2:
            items.append(("</ul></li>" if open_sub else "</li>" if items else "")
                         + f'<li><a href="#{slug}">{text}</a>')
            open_sub = False
        elif level == 3 and items:
            items.append(("" if open_sub else "<ul>") + f'<li><a href="#{slug}">{text}</a></li>')
            open_sub = True
    if not items:
        return ""
    closing = "</ul></li>" if open_sub else "</li>"
    return ('<nav class="toc" aria-label="Contents"><h2>Contents</h2><ul>'
            + "".join(items) + closing + "</ul></nav>")


def _badge(match: re.Match[str]) -> str:
    severity, error = match[1], match[2] or ""
    classes = f"badge {severity.lower()}" + (" error" if error else "")
    label = f"severity {severity}" + (", rule error" if error else "")
    return f'<td><span class="{classes}" title="{label}">{severity}{error}</span></td>'


def _fold(match: re.Match[str]) -> str:
    table = match[0]
    rows = table.count("<tr") - 1
    wrapped = f'<div class="scroll">{table}</div>'
    if rows <= FOLD_ROWS:
        return wrapped
    return f"<details><summary>Show all {rows} rows</summary>{wrapped}</details>"


def finish(html: str) -> str:
    html = HEADER_BLOCK.sub(lambda found: '<p class="header-block">' + found[1].replace(
        "\n", "<br>\n") + "</p>", html, count=1)
    html, headings = _anchors(html)
    html = SEVERITY_CELL.sub(_badge, html)
    html = TABLE.sub(_fold, html)
    first = next((slug for level, slug, _text in headings if level == 1), None)
    if first is not None:
        end = html.index("</h1>", html.index(f'id="{first}"')) + len("</h1>")
        html = html[:end] + _toc([h for h in headings if h[0] > 1]) + html[end:]
    return html
