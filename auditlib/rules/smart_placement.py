"""CF002 smart-placement-missing.

## What it does
Reports each wrangler config without Smart Placement at the top level: no `[placement]`
section, one without `mode = "smart"` (`mode = "off"` turns it off), or a `placement` that
is no section (`placement = "smart"`); a placement hint (`region`, `host`, `hostname`)
places the Worker too. Environments inherit it; the message names those that set their own,
and an environment whose own placement replaces the top level's Smart Placement with none
(`mode = "off"`) is reported too. A Worker without `main`, which only serves static assets,
has no code to place and is passed over, as is a Pages site without Functions (its output
folder committed, without `_worker.js`, and no scripts in `functions`), and a config without
`main`, assets or Pages output that no CI deploy deploys (read only for `wrangler d1` and
other commands; a deploy may give the entry itself: `wrangler deploy src/index.ts`). A
config whose `main` is given only in its environments deploys nothing at its top level:
each of those environments without Smart Placement is reported instead. The evidence
includes the search that was run over the repository's wrangler configs and what it found.

## Why is this bad?
Without Smart Placement, code that talks to a backend or to Durable Objects runs at the
edge location nearest the user, which can be far from its data: every round trip pays
the distance.

## Example
```toml
name = "base-shop"
compatibility_date = "2025-06-20"
# no [placement] section
```

## Fix
```toml
[placement]
mode = "smart"
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity, WranglerConfig, places
from .base import Rule, has_entry, runs_code, scope_label, scoped
from .ci_deploy import deployed_by_ci


class SmartPlacementMissing(Rule):
    id = "CF002"
    name = "smart-placement-missing"
    title = "No Smart Placement configured"
    severity = Severity.P1
    rationale = "Code may run far from its Durable Objects and backends, adding latency"
    remediation = 'Add Smart Placement (`[placement]` with `mode = "smart"`)'
    status = "Not configured"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        deploys = deployed_by_ci(facts)
        for wrangler_config in facts.configs:
            if wrangler_config.target == "unknown" and not deploys(wrangler_config):
                continue  # no `main`, assets or Pages output, and no deploy gives an entry
            if not runs_code(wrangler_config):
                continue  # a Worker that only serves static assets: no code to place
            path = code(wrangler_config.path)
            toml = wrangler_config.path.endswith(".toml")
            if wrangler_config.target == "worker" and not has_entry(wrangler_config.top):
                yield from cls._entries_in_environments(wrangler_config, toml)
                continue  # its top level deploys nothing
            if wrangler_config.placed:
                yield from cls._environments(wrangler_config, toml)
                continue
            own = [code(scope.name) for scope in wrangler_config.environments
                   if "placement" in scope.declared]
            placement = wrangler_config.placement
            given = wrangler_config.top.settings.get("placement")
            if placement is None and given is not None:  # `placement = "smart"`: not a table
                what = (f"{path} sets {_written('placement', given, toml)}, which is not "
                        + ("a table" if toml else "an object"))
            elif placement is None:
                what = f"{path} has no " + ("`[placement]` section" if toml
                                            else '`"placement"` object')
            elif placement.get("mode") == "off":
                what = f'{path} turns Smart Placement off ({_written("mode", "off", toml)})'
            else:
                mode = (_written("mode", placement["mode"], toml) if "mode" in placement
                        else "no `mode`")
                what = f'{path} has a placement whose mode is not `"smart"` ({mode})'
            yield cls.finding(
                location=wrangler_config.placement_location or Location(path=wrangler_config.path),
                subject="placement",
                remediation=("Add Smart Placement (" + ('`[placement]` with `mode = "smart"`)' if toml
                             else '`"placement": { "mode": "smart" }`)')),
                message=what + (f" at the top level (only env {', '.join(own)} sets its own)"
                                if own else ""))

    @classmethod
    def _environments(cls, wrangler_config: WranglerConfig, toml: bool) -> Iterator[Finding]:
        """An environment whose own placement does not place it, under a top level that does:
        `[env.production.placement]` with `mode = "off"` replaces the top level's."""
        for scope in wrangler_config.environments:
            placement = scope.settings.get("placement")
            if "placement" not in scope.declared or places(placement):
                continue
            given = (f" ({_written('mode', placement['mode'], toml)})"
                     if isinstance(placement, dict) and "mode" in placement else "")
            yield cls.finding(
                location=scope.location_of("placement"), subject=scoped("placement", scope),
                message=(f"{scope_label(wrangler_config, scope)} sets its own placement{given}"
                         + ", which replaces the top level's Smart Placement"),
                remediation=("Set Smart Placement in the environment too, or remove its own"
                             " placement"))


    @classmethod
    def _entries_in_environments(cls, wrangler_config: WranglerConfig, toml: bool) -> Iterator[Finding]:
        """Each environment that deploys code, without Smart Placement, of a config whose
        entry is given only in its environments (`[env.production]` with `main`)."""
        for scope in wrangler_config.environments:
            if "main" in scope.settings and not places(scope.settings.get("placement")):
                yield cls.finding(
                    location=scope.location_of("placement") if "placement" in scope.declared
                    else scope.location_of("main"),
                    subject=scoped("placement", scope),
                    message=f"{scope_label(wrangler_config, scope)} has no Smart Placement",
                    remediation=("Add Smart Placement to the environment (" + (
                        f'`[env.{scope.name}.placement]` with `mode = "smart"`)' if toml
                        else '`"placement": { "mode": "smart" }`)')))


def _written(key: str, value: object, toml: bool) -> str:
    """A setting as the file's syntax writes it, in code: `mode = "off"`, `"mode": "off"`."""
    return code((f"{key} = " if toml else f'"{key}": ') + json.dumps(value, default=str))
