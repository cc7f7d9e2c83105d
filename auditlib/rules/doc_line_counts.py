"""DR006 doc-line-count-drift.

## What it does
Compares line counts written next to links (`[x.ts](...) (282 lines)`) with the files'
present length.

## Why is this bad?
A wrong count is a visible sign that the document was not updated when the code changed;
readers who notice it doubt every other number.

## Example
```markdown
[cloudflareDurableStore.ts](../packages/.../cloudflareDurableStore.ts) (282 lines)
```
when the file now has 297 lines.

## Fix
Update the count, or drop it and let `auditlib run` regenerate the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..claims import cited_lines
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class DocLineCountDrift(Rule):
    id = "DR006"
    name = "doc-line-count-drift"
    title = "Line count in document is wrong"
    severity = Severity.P2
    rationale = "The document was not updated when the file changed"
    remediation = "Update the line count"
    status = "Drifted"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "line-count":
                    continue
                lines = cited_lines(document, claim.target)
                if lines is None:
                    if claim.data.get("unread"):  # else a missing file: a broken link (DR004)
                        yield cls.finding(
                            location=claim.location, subject=f"{claim.target} lines",
                            message=(f"claims {code(claim.target)} has {claim.data['count']} lines;"
                                     f" it could not be read as text: {claim.data['unread']}"),
                            remediation=f"Remove the line count at {code(claim.location)}")
                    continue
                if len(lines) != claim.data["count"]:
                    yield cls.finding(
                        location=claim.location, subject=f"{claim.target} lines",
                        message=(f"claims {code(claim.target)} has {claim.data['count']} lines;"
                                 f" it has {len(lines)}"),
                        remediation=(f"Change ({claim.data['count']} lines) to ({len(lines)}"
                                     f" lines) at {code(claim.location)}"))
