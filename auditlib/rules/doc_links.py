"""DR004 doc-broken-link.

## What it does
Resolves every relative link of a document against the repository (a link that starts
with `/` from its root, as GitHub does), also those of HTML tags (`<a href>`, `<img src>`,
outside comments): a link to a file or folder that does not exist is
broken; so is a link to a file that is there but git-ignored and not committed (`.dev.vars`,
`dist/worker.js`): it exists only on this machine. A link that leaves the repository
(`../../x`) is reported and never read. A file
named in a table's evidence column (Evidence, File, Location, Config, ...), such as
`` `apps/api/wrangler.toml` ``, is checked the same way. A link to a heading of a Markdown
file (`budgets.md#latency`, `#gaps` in the document itself) is broken when the file has no
heading of that anchor, as GitHub makes them (`## Smart Placement (v2)`: `#smart-placement-v2`),
and sets none itself (`<a name="…">`).

## Why is this bad?
Evidence that cannot be followed is no evidence: a reader who clicks a cited file and
gets a 404 stops trusting the rest of the document. A git-ignored file opens for its
author, and is a 404 on GitHub for everyone else.

## Example
```markdown
[cartStore.ts](../packages/platform-core/src/cart-store.ts)
[local settings](../.dev.vars)
```

## Fix
Point the link at the file's present path, or remove the claim it supports. For a
git-ignored file, link one that is committed (an example such as `.dev.vars.example`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ..blocks import code
from ..claims import heading_anchors
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class DocBrokenLink(Rule):
    id = "DR004"
    name = "doc-broken-link"
    title = "Broken link in document"
    severity = Severity.P1
    rationale = "Cited evidence cannot be followed"
    remediation = "Fix or remove the link"
    status = "Broken"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "link" or claim.target is None:
                    continue
                if claim.data.get("escapes"):
                    yield cls.finding(
                        location=claim.location, subject=claim.target,
                        message=f"{claim.text} leads outside the repository (not read)",
                        remediation=f"Link inside the repository instead of {code(claim.target)}")
                elif not claim.data.get("exists"):
                    yield cls.finding(
                        location=claim.location, subject=claim.target,
                        message=f"{claim.text}: {code(claim.target)} does not exist",
                        remediation=f"Fix the link to {code(claim.target)} at {code(claim.location)}")
                elif claim.data.get("local_only"):
                    yield cls.finding(
                        location=claim.location, subject=claim.target,
                        message=f"{claim.text}: {code(claim.target)} exists only on this machine:"
                                " it is git-ignored, so the repository does not have it",
                        remediation=(f"Link a committed file instead of {code(claim.target)} at"
                                     f" {code(claim.location)}, or remove the claim"))
                elif (heading := claim.data.get("heading")) and claim.target in document.files and (
                        # GitHub prefixes the ids it makes: `#user-content-gaps` is `#gaps`
                        heading.lower().removeprefix("user-content-")
                        not in _anchors(document.files[claim.target])):
                    yield cls.finding(
                        location=claim.location, subject=f"{claim.target}#{heading}",
                        message=f"{claim.text}: {code(claim.target)} has no heading {code('#' + heading)}",
                        remediation=(f"Link a heading {code(claim.target)} has, at"
                                     f" {code(claim.location)}"))


@functools.lru_cache(maxsize=64)
def _anchors(text: str) -> frozenset[str]:
    return frozenset(anchor.lower() for anchor in heading_anchors(text))
