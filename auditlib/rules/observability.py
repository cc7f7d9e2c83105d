"""CF007 observability-disabled.

## What it does
Reports each Worker environment whose effective configuration (inherited from the top
level unless the environment sets it) does not keep logs: neither `observability.enabled =
true` nor, with `enabled` left unset, `observability.logs.enabled = true`. An explicit
`enabled = false` turns off the nested settings too.

## Why is this bad?
Without Workers Logs, requests, exceptions and `console` output of a deployed Worker are
kept only while someone tails them: after an incident there is nothing to read.

## Example
```toml
name = "api"
main = "src/index.ts"
# no [observability]
```

## Fix
```toml
[observability]
enabled = true
head_sampling_rate = 1
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule, scope_label, scoped


class ObservabilityDisabled(Rule):
    id = "CF007"
    name = "observability-disabled"
    title = "Observability not enabled"
    severity = Severity.P2
    rationale = "Logs and exceptions of deployed Workers are not kept"
    remediation = "Enable Workers observability (`[observability]` with `enabled = true`)"
    status = "Not enabled"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            if wrangler_config.target != "worker":
                continue
            for scope in wrangler_config.scopes():
                if _keeps_logs(scope.settings.get("observability")):
                    continue
                where = scope_label(wrangler_config, scope)
                line = scope.key_lines.get("observability") or wrangler_config.top.key_lines.get(
                    "observability")
                yield cls.finding(
                    location=Location(path=wrangler_config.path, start_line=line),
                    subject=scoped("observability", scope),
                    message=f"observability is not enabled in {where}")


def _keeps_logs(observability: object) -> bool:
    """Whether an `[observability]` table turns Workers Logs on."""
    if not isinstance(observability, dict):
        return False
    logs = observability.get("logs")
    enabled = observability.get("enabled")
    return enabled is True or (
        enabled is None and isinstance(logs, dict) and logs.get("enabled") is True)
