"""CF016 suppression-without-reason.

## What it does
Reports inline suppressions (`# auditlib: ignore[CF001]`) that give no reason, and those
that name a rule that does not exist. Suppressions are read only in comments of the
wrangler configs that parse: one in a workflow, or in a config that cannot be parsed
(CF000), suppresses nothing, and is reported too.

## Why is this bad?
A suppression without a reason cannot be reviewed: nobody can tell later whether the
finding it hides was accepted on purpose or silenced to make a build pass.

## Example
```toml
id = "00000000000000000000000000000000"  # auditlib: ignore[CF001]
```

## Fix
```toml
id = "00000000000000000000000000000000"  # auditlib: ignore[CF001] created on first deploy
```
A finding about a workflow, or about a config that cannot be parsed, is waived in the
settings (`[[waivers]]` in `auditlib.toml`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class SuppressionWithoutReason(Rule):
    id = "CF016"
    name = "suppression-without-reason"
    title = "Suppression without a reason, a known rule or an effect"
    severity = Severity.P2
    rationale = "An unexplained suppression cannot be reviewed"
    remediation = "Write why after the suppression comment"
    status = "Unexplained"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        from . import RULES

        known = {rule.id for rule in RULES}
        for suppression in facts.suppressions:
            if suppression.no_effect:
                yield cls.finding(
                    location=suppression.location, subject=",".join(suppression.rules),
                    message=f"suppression of {', '.join(suppression.rules)} at"
                            f" {code(suppression.location)} has no effect: {suppression.no_effect}",
                    remediation="Waive the finding in the settings ([[waivers]]) instead of"
                                f" the comment at {code(suppression.location)}")
                continue
            unknown = [rule for rule in suppression.rules if rule not in known]
            if unknown:
                yield cls.finding(
                    location=suppression.location, subject=",".join(unknown),
                    message=f"suppression at {code(suppression.location)} names unknown rule"
                            f" {', '.join(unknown)}",
                    remediation=f"Correct the rule id at {code(suppression.location)}")
            if not suppression.reason:
                yield cls.finding(
                    location=suppression.location, subject=",".join(suppression.rules),
                    message=(f"suppression of {', '.join(suppression.rules)} at"
                             f" {code(suppression.location)} gives no reason"),
                    remediation=f"Write the reason after the suppression at {code(suppression.location)}")
