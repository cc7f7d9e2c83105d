"""The evaluate stage: a pure function from facts to findings."""

from __future__ import annotations

from collections.abc import Sequence

from .config import DEFAULT_CONFIG, AuditConfig
from .model import Facts, Finding, Location, Outcome
from .rules import RULES, Rule


def evaluate(facts: Facts, rules: Sequence[type[Rule]] = RULES,
             config: AuditConfig = DEFAULT_CONFIG) -> tuple[Finding, ...]:
    """Run every rule; a rule that raises yields an ERROR finding instead of passing."""
    findings: list[Finding] = []
    for rule in rules:
        try:
            findings.extend(rule.check(facts, config))
        except Exception as exc:  # a broken rule must never pass silently
            findings.append(Finding(
                rule=rule.id, severity=rule.severity, title=rule.title,
                outcome=Outcome.ERROR, location=Location(path="."), subject=rule.name,
                message=f"rule {rule.id} ({rule.name}) raised {type(exc).__name__}: {exc}",
                remediation=f"Report this error in rule {rule.id}"))
    return tuple(sorted(findings, key=lambda f: (
        f.severity, f.rule, f.location.path, f.location.start_line or 0, f.subject)))
