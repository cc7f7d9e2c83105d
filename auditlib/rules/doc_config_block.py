"""DR008 doc-config-block-drift.

## What it does
Compares a configuration block quoted under a heading such as "Current wrangler.toml
(root)" with the file it names, and shows a short diff when they differ. The quote is read
as the file is (TOML, JSON with comments) and their settings are compared: a quote that
indents, comments or orders them otherwise, or spaces its sections otherwise, quotes the
same settings. A quote that cannot be read so is compared line by line, without blank lines
and the spaces that indent or end lines.

## Why is this bad?
Readers copy quoted configuration. A quote that no longer matches the file spreads
settings that were removed or misses the ones that were added.

## Example
A document quoting `[[kv_namespaces]] binding = "CART_KV"` after the binding was removed.

## Fix
Quote the file as it is now, or regenerate the document with `auditlib run`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from ..blocks import code, counted
from ..claims import cited_lines, file_lines
from ..config import AuditConfig
from ..errors import ConfigParseError
from ..model import Facts, Finding, Severity
from ..wrangler import parse
from .base import Rule

DIFF_LINES = 12


class DocConfigBlockDrift(Rule):
    id = "DR008"
    name = "doc-config-block-drift"
    title = "Quoted configuration differs from the file"
    severity = Severity.P1
    rationale = "Readers copy settings the file no longer holds"
    remediation = "Quote the configuration as it is now"
    status = "Drifted"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "config-block":
                    continue
                lines = cited_lines(document, claim.target)
                if lines is None:
                    why = (f"could not be read as text: {claim.data['unread']}"
                           if claim.data.get("unread") else "does not exist")
                    yield cls.finding(location=claim.location, subject=str(claim.target),
                                      message=f"quotes {code(claim.target)}, which {why}")
                    continue
                settings = _settings(str(claim.target), claim.data["body"], "\n".join(lines))
                if settings is not None:
                    diff, number = _settings_diff(*settings)
                    size = counted(number, "setting")
                else:
                    # Lines end at \n only: a form feed or U+2028 in a comment cuts none in two.
                    quoted = [line.strip() for line in file_lines(claim.data["body"].rstrip())]
                    actual = [line.strip() for line in file_lines("\n".join(lines).rstrip())]
                    diff = _diff(quoted, actual)
                    size = f"a diff of {counted(len(diff), 'line')}"
                if not diff:
                    continue  # the same settings, or the same lines but for their spacing
                shown = "; ".join(diff[:DIFF_LINES]) + (
                    f"; … and {len(diff) - DIFF_LINES} more" if len(diff) > DIFF_LINES else "")
                yield cls.finding(
                    location=claim.location, subject=str(claim.target),
                    message=(f"the quoted {code(claim.target)} differs from the file"
                             f" ({size}; - as quoted, + as in the file): {shown}"),
                    remediation=f"Quote {code(claim.target)} as it is now")


def _settings(path: str, quote: str, text: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """The settings of the quote and of the file at `path` (_flat), when both read as that
    file is read (wrangler.parse); else None."""
    try:
        return _flat(parse(path, quote)), _flat(parse(path, text))
    except ConfigParseError:
        return None


def _flat(value: Any, key: str = "") -> dict[str, str]:
    """Each value of `value` that is not a table or a list (an empty one is a value), as
    JSON, by its dotted key: `{"vars.MODE": '"new"', "kv_namespaces[0].binding": '"KV"'}`."""
    if isinstance(value, dict) and value:
        return {name: text for part, item in value.items()
                for name, text in _flat(item, f"{key}.{part}" if key else str(part)).items()}
    if isinstance(value, list) and value:
        return {name: text for index, item in enumerate(value)
                for name, text in _flat(item, f"{key}[{index}]").items()}
    return {key: json.dumps(value, ensure_ascii=False, default=str)}


def _settings_diff(quoted: dict[str, str], actual: dict[str, str]) -> tuple[list[str], int]:
    """The settings that differ as `-key = value` (quoted) and `+key = value` (in the file),
    in the order they are written, whatever it is: the changed ones first, then those only
    one of them holds; and how many settings that is."""
    changed = [key for key in quoted if key in actual and quoted[key] != actual[key]]
    only = [f"-{key} = {quoted[key]}" for key in quoted if key not in actual] + [
        f"+{key} = {actual[key]}" for key in actual if key not in quoted]
    return [f"{sign}{key} = {side[key]}" for key in changed
            for sign, side in (("-", quoted), ("+", actual))] + only, len(changed) + len(only)


def _diff(quoted: list[str], actual: list[str]) -> list[str]:
    """The lines that differ, `-` as quoted and `+` as in the file, blank ones left out: the
    changed lines first, then the lines only one of them holds (a quote that leaves out a
    section shows its changed values before the lines it left out)."""
    changed: list[str] = []
    one_side: list[str] = []
    matcher = difflib.SequenceMatcher(None, quoted, actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            (changed if tag == "replace" else one_side).extend(
                [f"-{line}" for line in quoted[i1:i2] if line.strip()]
                + [f"+{line}" for line in actual[j1:j2] if line.strip()])
    return changed + one_side
