"""Recognise placeholder resource ids: values that stand in for a real id."""

from __future__ import annotations

import re

# (reason, pattern over the whole value); checked in order.
PLACEHOLDER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("empty", re.compile(r"^\s*$")),
    # Dashes, then the character, then either: one way to match, so linear.
    ("all zeros", re.compile(r"^-*0[0-]*$")),
    ("all ones", re.compile(r"^-*1[1-]*$")),
    ("all x", re.compile(r"^-*[xX][xX-]*$")),
    ("marker", re.compile(
        r"REPLACE|TODO|PLACEHOLDER|CHANGE[_-]?ME|FIXME|YOUR[_-]|^<.*>$|^\$\{.*\}$"
        r"|^(?-i:\$[A-Z_][A-Z0-9_]*)$", re.IGNORECASE)),  # `${KV_ID}`, `$KV_ID`: to fill in
)


def placeholder_reason(value: object) -> str | None:
    """Why `value` looks like a placeholder id ("all zeros", "marker", ...), or None."""
    if not isinstance(value, str):
        return None
    for reason, pattern in PLACEHOLDER_PATTERNS:
        if pattern.search(value):
            return reason
    return None


# What a real id looks like, by binding kind: the value a placeholder does not have.
_HEX32 = ("32 hexadecimal digits", re.compile(r"^[0-9a-fA-F]{32}$"))
ID_SHAPES: dict[str, tuple[str, re.Pattern[str]]] = {
    "account": _HEX32, "kv_namespaces": _HEX32, "hyperdrive": _HEX32,
    "d1_databases": ("a UUID", re.compile(
        r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")),
}


def id_reason(kind: str, value: object) -> str | None:
    """Why `value` is no id of a `kind` binding: a placeholder, or not shaped like an id
    ("not shaped like an id, which is 32 hexadecimal digits"); None when it looks real."""
    reason = placeholder_reason(value)
    if reason is not None or not isinstance(value, str) or kind not in ID_SHAPES:
        return reason
    shape, pattern = ID_SHAPES[kind]
    return None if pattern.match(value) else f"not shaped like an id, which is {shape}"
