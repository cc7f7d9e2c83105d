"""DR008 doc-config-block-drift.

## What it does
Compares a configuration block quoted under a heading such as "Current wrangler.toml
(root)" with the file it names, and shows a short diff when they differ. Blank lines and
spaces at the ends of lines are not compared: a quote that spaces its sections otherwise
quotes the same settings.

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
from collections.abc import Iterator

from ..blocks import code
from ..claims import cited_lines, file_lines
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
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
                # Lines end at \n only: a form feed or U+2028 in a comment cuts none in two.
                quoted = [line.rstrip() for line in file_lines(claim.data["body"].rstrip())]
                actual = [line.rstrip() for line in file_lines("\n".join(lines).rstrip())]
                diff = _diff(quoted, actual)
                if not diff:
                    continue  # the same lines, but for blank ones
                shown = "; ".join(diff[:DIFF_LINES]) + ("; …" if len(diff) > DIFF_LINES else "")
                yield cls.finding(
                    location=claim.location, subject=str(claim.target),
                    message=(f"the quoted {code(claim.target)} differs from the file"
                             f" ({len(diff)} lines): {shown}"),
                    remediation=f"Quote {code(claim.target)} as it is now")


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
