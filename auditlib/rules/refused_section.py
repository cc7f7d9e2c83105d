"""CF020 binding-section-refused.

## What it does
Reports each binding section of a wrangler config written in a shape wrangler's validation
refuses, at its line: `[[durable_objects]]` (wrangler reads a table `[durable_objects]` with
an array `bindings`), `[durable_objects]` without `bindings`, `[durable_objects.bindings]` as
one table, `[kv_namespaces]` as one table where wrangler reads an array of tables,
`"queues": [...]` (wrangler reads a table with arrays `producers` and `consumers`), `[[ai]]`
where wrangler reads one table; in an environment as at the top level. The rest of the
config is audited; Durable Object bindings written as `[[durable_objects]]`, or as
`[durable_objects]` with `name` and `class_name`, are read as meant, so that their classes
are checked too.

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

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


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
        for problem in facts.problems:
            if problem.refused:
                yield cls.finding(
                    # the section, as refused_sections names it first: `env.production.queues`
                    location=problem.location, subject=problem.message.split(" ", 1)[0].strip("`"),
                    message=problem.message,
                    remediation=(f"Rewrite the section at {code(problem.location)} in the shape"
                                 " wrangler expects (`npx wrangler deploy --dry-run` validates"
                                 " the config)"))
