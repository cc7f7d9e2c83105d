"""CF010 compatibility-date-stale.

## What it does
Reports a `compatibility_date` older than `compatibility_max_age_days` (default 180) before
the audit date, in every environment that sets or inherits it; one after the audit date
(Cloudflare refuses to deploy it); one not written `YYYY-MM-DD`, or written without quotes
(`compatibility_date = 2026-01-15`, a TOML date: wrangler refuses it); and a config
without one.

## Why is this bad?
The compatibility date pins the runtime's behaviour. A date left behind for long keeps old
bugs and misses fixes, and the eventual jump across many changes at once is risky.

## Example
```toml
compatibility_date = "2024-01-15"
```

## Fix
Move the date forward regularly, reading the compatibility flags changelog, and deploy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule, scope_label, scoped

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CompatibilityDateStale(Rule):
    id = "CF010"
    name = "compatibility-date-stale"
    title = "Compatibility date is old or in the future"
    severity = Severity.P2
    rationale = "The runtime behaves as it did on that date, without later fixes"
    remediation = "Move `compatibility_date` forward"
    status = "Stale"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        today = config.audit_date or date.today()
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                if scope.name and "compatibility_date" not in scope.declared:
                    continue  # inherited: reported once, at the top level
                value = scope.settings.get("compatibility_date")
                where = scope_label(wrangler_config, scope)
                location = Location(path=wrangler_config.path,
                                    start_line=scope.key_lines.get("compatibility_date"))
                found = _problem(value, where, today, config.compatibility_max_age_days,
                                 wrangler_config.path.endswith(".toml"))
                if found:
                    yield cls.finding(location=location, subject=scoped("compatibility_date", scope),
                                      message=found[0], remediation=found[1])


def _problem(value: object, where: str, today: date, limit: int,
             toml: bool = True) -> tuple[str, str] | None:
    """What is wrong with a `compatibility_date` (message, fix), or None; the date shown as
    the config's syntax writes it."""
    if isinstance(value, date):  # written without quotes: a TOML date
        written = value.isoformat()
        return (f"{where} writes `compatibility_date = {written}` without quotes:"
                f" a TOML {'date and time' if isinstance(value, datetime) else 'date'},"
                " which wrangler refuses (it expects a string)",
                f'Quote it: `compatibility_date = "{written[:10]}"`')
    try:  # fromisoformat also reads 20260901
        pinned = date.fromisoformat(str(value)) if ISO_DATE.fullmatch(str(value)) else None
    except ValueError:  # 2026-13-45
        pinned = None
    if pinned is None:
        return (f"{where} has no valid `compatibility_date` ({_shown(value)})" if value else
                f"{where} has no `compatibility_date`", f"Set `compatibility_date` in {where}")
    age = (today - pinned).days
    written = (f'`compatibility_date = "{pinned.isoformat()}"`' if toml
               else f'`"compatibility_date": "{pinned.isoformat()}"`')
    if age < 0:
        return (f"{written} in {where} is after the audit date"
                f" ({today.isoformat()}): Cloudflare refuses to deploy a date in the future",
                f"Set `compatibility_date` in {where} to a past date")
    if age > limit:
        return (f"{written} in {where} is {age} days old"
                f" (limit {limit})", f"Move `compatibility_date` forward (older than {limit} days)")
    return None


def _shown(value: object) -> str:
    """A value as the config wrote it: a TOML time in ISO form, not Python's."""
    return f"{code(value.isoformat())}, a time" if isinstance(value, time) else repr(value)
