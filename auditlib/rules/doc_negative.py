"""DR010 doc-negative-claim-contradicted.

## What it does
Finds statements that Smart Placement is "not configured", "NOT PRESENT" or "not
enabled" (in one sentence or table row), and reports them when a wrangler config does
configure `[placement]`. A statement that names no config concerns every config and
every environment: `[env.production.placement]` contradicts it. One that names configs
concerns their top level (which the environments inherit), or the environment whose key
is at the line it cites (`wrangler.toml:28`). A list cut short ("`a`, `b`, `c` and 4 more") claims that
many more: it is reported when fewer configs and environments without Smart Placement are
left (the top levels, and the environments that set their own `placement` or `main`).

## Why is this bad?
A gap that was closed but is still listed sends people to fix what is fixed, and hides
that the document was not reviewed.

## Example
```markdown
Smart Placement is **not configured** in any wrangler.toml.
```
while `apps/api/wrangler.toml` has `[placement] mode = "smart"`, or only
`[env.production.placement] mode = "smart"`.

## Fix
Remove the gap from the document, or regenerate it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..blocks import code
from ..config import AuditConfig
from ..model import Environment, Facts, Finding, Severity, WranglerConfig, places
from .base import Rule, scope_label, unread_config

Scope = tuple[WranglerConfig, Environment]


def _named(config: WranglerConfig, line: int | None) -> Environment:
    """What a claim that names `config` (at `line`) concerns: the environment, or the top
    level, that declares a key at that line; else the top level."""
    return next((scope for scope in config.scopes() if line in scope.key_lines.values()),
                config.top)


def _short(items: Sequence[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


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
        by_path = {c.path: c for c in facts.configs}
        everything = [(c, scope) for c in facts.configs for scope in c.scopes()]
        unreadable = unread_config(facts)
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "negative" or claim.data.get("subject") != "placement":
                    continue
                named = claim.data.get("configs") or []
                concerned: list[Scope] = [(by_path[path], _named(by_path[path], line))
                                          for path, line in named if path in by_path]
                # Where the placement of each concerned scope that is placed is written.
                contradicting = list(dict.fromkeys(
                    (owner.location_of("placement"), owner.name)
                    for c, scope in (concerned if named else everything)
                    if places(scope.settings.get("placement"))
                    for owner in [scope if "placement" in scope.declared else c.top]))
                remediation = f"Update the Smart Placement claim at {code(claim.location)}"
                if contradicting:
                    where = _short([code(location) + (f" (env {code(name)})" if name else "")
                                    for location, name in contradicting])
                    yield cls.finding(
                        location=claim.location, subject="placement", remediation=remediation,
                        message=f"says \"{claim.text}\", but [placement] is configured in {where}")
                    continue
                more = claim.data.get("more") or 0
                if not more or not named or unreadable:
                    continue
                # The others it counts: top levels, and environments that set their own
                # placement or entry (each is placed apart), without Smart Placement.
                seen = {(c.path, scope.name) for c, scope in concerned}
                left = [scope_label(c, scope) for c, scope in everything
                        if (c.path, scope.name) not in seen
                        and (not scope.name or {"placement", "main"} & set(scope.declared))
                        and not places(scope.settings.get("placement"))]
                if len(left) < more:
                    yield cls.finding(
                        location=claim.location, subject="placement", remediation=remediation,
                        message=(f"says \"{claim.text}\", {more} more than it names, but "
                                 + (f"only {len(left)} {'other is' if len(left) == 1 else 'others are'}"
                                    f" without Smart Placement: {_short(left)}"
                                    if left else "no other is without Smart Placement")))
