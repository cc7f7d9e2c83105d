"""CF020 binding-section-refused.

## What it does
Reports each binding section of a wrangler config written in a shape wrangler's validation
refuses, at its line: `[[durable_objects]]` (wrangler reads a table `[durable_objects]` with
an array `bindings`), `[durable_objects]` without `bindings`, `[durable_objects.bindings]`
as one table, `[kv_namespaces]` as one table where wrangler reads an array of tables,
`"queues": [...]` (wrangler reads a table with arrays `producers` and `consumers`), `[[ai]]`
where wrangler reads one table; in an environment as at the top level. Also the static
assets of a Worker without `main` (an assets-only Worker) that name a `binding` or set
`run_worker_first` (`true`, or a list of paths): wrangler refuses both ("Cannot use assets
with a binding in an assets-only Worker", "Cannot set run_worker_first without a Worker
script"; older versions took a list). The rest of the config is audited; Durable Object
bindings written as `[[durable_objects]]`, or as `[durable_objects]` with `name` and
`class_name`, are read as meant, so that their classes are checked too.

## Why is this bad?
wrangler refuses the whole config: nothing in it can be deployed until the section is
rewritten, and a binding read in another shape than the one written is not what the author
meant.

## Example
```toml
[[durable_objects]]
name = "ROOM"
class_name = "Room"
```

## Fix
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scope_label, scoped


class BindingSectionRefused(Rule):
    id = "CF020"
    name = "binding-section-refused"
    title = "Binding section wrangler refuses"
    severity = Severity.P0
    rationale = "wrangler refuses the whole config, so it cannot be deployed"
    remediation = "Rewrite the section in the shape wrangler expects"
    status = "Refused"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        yield from _assets_only(cls, facts)
        for problem in facts.problems:
            if problem.refused:
                yield cls.finding(
                    # the section, as refused_sections names it first: `env.production.queues`
                    location=problem.location, subject=problem.message.split(" ", 1)[0].strip("`"),
                    message=problem.message,
                    remediation=(f"Rewrite the section at {code(problem.location)} in the shape"
                                 " wrangler expects (`npx wrangler deploy --dry-run` validates"
                                 " the config)"))


# What wrangler says of assets that need a Worker script, when there is none.
_NEEDS_MAIN = {"binding": "Cannot use assets with a binding in an assets-only Worker",
               "run_worker_first": "Cannot set run_worker_first without a Worker script"}


def _assets_only(rule: type[Rule], facts: Facts) -> Iterator[Finding]:
    """The `[assets]` (where declared) of a Worker without `main` that need a Worker script:
    a `binding`, or `run_worker_first` (`true`, or the paths that run it first)."""
    for wrangler_config in facts.configs:
        for scope in wrangler_config.scopes():
            assets = scope.settings.get("assets")
            if (wrangler_config.target != "worker" or "main" in scope.settings
                    or "assets" not in scope.declared or not isinstance(assets, dict)):
                continue
            needs = {key: value for key in ("binding", "run_worker_first")
                     if (value := assets.get(key)) and (key == "binding" or value is True
                                                        or isinstance(value, list))}
            if needs:
                yield rule.finding(
                    location=scope.location_of("assets"), subject=scoped("assets", scope),
                    message=(f"the static assets of {scope_label(wrangler_config, scope)} set "
                             + " and ".join(f"`{key} = {json.dumps(value)}`" for key, value in needs.items())
                             + ", but the Worker has no `main`: wrangler refuses the config ("
                             + ", ".join(f'"{_NEEDS_MAIN[key]}"' for key in needs) + ")"),
                    remediation=("Set `main` to the Worker's script, or remove "
                                 + " and ".join(f"`{key}`" for key in needs) + " from `assets`"))
