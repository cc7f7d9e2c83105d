"""DR010 doc-negative-claim-contradicted.

## What it does
Finds statements that Smart Placement is "not configured", "NOT PRESENT" or "not
enabled" (in one sentence or table row), and reports them when a wrangler config does
configure `[placement]`.

## Why is this bad?
A gap that was closed but is still listed sends people to fix what is fixed, and hides
that the document was not reviewed.

## Example
```markdown
Smart Placement is **not configured** in any wrangler.toml.
```
while `apps/api/wrangler.toml` has `[placement] mode = "smart"`.

## Fix
Remove the gap from the document, or regenerate it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class DocNegativeClaimContradicted(Rule):
    id = "DR010"
    name = "doc-negative-claim-contradicted"
    title = "Document says missing what is configured"
    severity = Severity.P1
    rationale = "A closed gap is still reported as open"
    remediation = "Remove the claim the configuration contradicts"
    status = "Contradicted"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        placed = [c for c in facts.configs if c.placed]
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "negative" or claim.data.get("subject") != "placement":
                    continue
                named = claim.data.get("paths") or []
                contradicting = [c for c in placed if not named or c.path in named]
                if contradicting:
                    where = ", ".join(code(c.placement_location or c.path)
                                      for c in contradicting[:3])
                    more = f" and {len(contradicting) - 3} more" if len(contradicting) > 3 else ""
                    yield cls.finding(
                        location=claim.location, subject="placement",
                        message=(f"says \"{claim.text}\", but [placement] is configured in"
                                 f" {where}{more}"),
                        remediation=f"Update the Smart Placement claim at {code(claim.location)}")
