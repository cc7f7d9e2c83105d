"""CF007 observability-disabled.

## What it does
Reports each Worker environment whose effective configuration (inherited from the top
level unless the environment sets it) does not have `observability.enabled = true`.

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
                observability = scope.settings.get("observability")
                if isinstance(observability, dict) and observability.get("enabled") is True:
                    continue
                where = scope_label(wrangler_config, scope)
                line = scope.key_lines.get("observability") or wrangler_config.top.key_lines.get(
                    "observability")
                yield cls.finding(
                    location=Location(path=wrangler_config.path, start_line=line),
                    subject=scoped("observability", scope),
                    message=f"observability is not enabled in {where}")
