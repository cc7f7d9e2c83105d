"""Recognise placeholder resource ids: values that stand in for a real id."""

from __future__ import annotations

import re

# (reason, pattern over the whole value); checked in order.
PLACEHOLDER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("empty", re.compile(r"^\s*$")),
    ("all zeros", re.compile(r"^[0-]*0[0-]*$")),
    ("all ones", re.compile(r"^[1-]*1[1-]*$")),
    ("all x", re.compile(r"^[xX-]*[xX][xX-]*$")),
    ("marker", re.compile(
        r"REPLACE|TODO|PLACEHOLDER|CHANGE[_-]?ME|FIXME|YOUR[_-]|^<.*>$|^\$\{.*\}$", re.IGNORECASE)),
)


def placeholder_reason(value: object) -> str | None:
    """Why `value` looks like a placeholder id ("all zeros", "marker", ...), or None."""
    if not isinstance(value, str):
        return None
    for reason, pattern in PLACEHOLDER_PATTERNS:
        if pattern.search(value):
            return reason
    return None
