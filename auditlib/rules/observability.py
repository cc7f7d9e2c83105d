"""CF007 observability-disabled.

## What it does
Reports each Worker environment whose effective configuration (inherited from the top
level unless the environment sets it) does not keep logs: neither `observability.enabled =
true` nor, with `enabled` left unset, `observability.logs.enabled = true`. An explicit
`enabled = false` turns off the nested settings too; `logs.enabled = false` turns logs off
under `enabled = true`, and so does a `head_sampling_rate` of 0 (of the logs, or of all). A
scope without `main` is passed over: a Worker that only serves static assets runs no code to
log, and a top level whose environments give their own deploys nothing.

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

from ..blocks import code
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
                if "main" not in scope.settings:  # static assets alone, or nothing
                    continue
                toml = wrangler_config.path.endswith(".toml")
                why = _no_logs(scope.settings.get("observability"), toml)
                if why is None:
                    continue
                where = scope_label(wrangler_config, scope)
                line = scope.key_lines.get("observability") or wrangler_config.top.key_lines.get(
                    "observability")
                # The top level, when environments turn it on for themselves (QA s26b).
                own = [code(env.name) for env in wrangler_config.environments
                       if scope is wrangler_config.top and "observability" in env.declared
                       and _no_logs(env.settings.get("observability"), toml) is None]
                if own:
                    where = (f"the top level of {where} (env {', '.join(own)}"
                             + (" turns it on for itself)" if len(own) == 1
                                else " turn it on for themselves)"))
                yield cls.finding(
                    location=Location(path=wrangler_config.path, start_line=line),
                    subject=scoped("observability", scope),
                    message=(f"observability is not enabled {'at' if own else 'in'} {where}" if not why
                             else f"{where} keeps no logs ({why})"),
                    remediation=_remediation(bool(why), toml))


def _remediation(enabled: bool, toml: bool) -> str:
    """Turn observability on, or, where it is on, its logs, in the file's syntax."""
    if enabled:
        return ("Keep Workers Logs: " + ("`logs.enabled = true`" if toml else '`"logs": { "enabled": true }`')
                + " and a `head_sampling_rate` above 0")
    return "Enable Workers observability (" + ("`[observability]` with `enabled = true`)" if toml
                                               else '`"observability": { "enabled": true }`)')


def _no_logs(observability: object, toml: bool) -> str | None:
    """Why an `[observability]` table keeps no Workers Logs ("" when it does not turn them
    on), in the file's syntax, or None when it keeps them."""
    if not isinstance(observability, dict):
        return ""
    logs = observability.get("logs")
    logs = logs if isinstance(logs, dict) else {}
    enabled = observability.get("enabled")
    if enabled is False or logs.get("enabled", enabled) is not True:
        return ("" if enabled is not True else "`logs.enabled = false`" if toml
                else '`"logs": { "enabled": false }`')
    rate = logs.get("head_sampling_rate", observability.get("head_sampling_rate"))
    if rate == 0 and not isinstance(rate, bool):
        rate_text = "`head_sampling_rate = 0`" if toml else '`"head_sampling_rate": 0`'
        return f"{rate_text}: no request is logged"
    return None
