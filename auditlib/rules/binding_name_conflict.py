"""CF018 binding-name-conflict.

## What it does
Reports a name that two bindings of one scope (the top level, or one environment) share, or
a binding and a var: every binding kind and every var is reached as `env.NAME` in the code.
Queue consumers (named by their queue) and tail consumers (named by their service) are no
`env` bindings and do not count. Bindings and vars are not inherited, so each scope is
checked on its own: an environment that declares the top level's `KV` again is fine.

## Why is this bad?
Two bindings of one name cannot both be reached at `env.NAME`. wrangler refuses such a
config ("Bindings must have unique names, so that they can all be referenced in the
worker"), so the Worker is not deployed.

## Example
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "0e0888a980cd46efa1d28aea3794b3ac"

[[r2_buckets]]
binding = "CACHE"
bucket_name = "shop-cache"
```

## Fix
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "0e0888a980cd46efa1d28aea3794b3ac"

[[r2_buckets]]
binding = "CACHE_BUCKET"
bucket_name = "shop-cache"
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from ..wrangler import KINDS_BY_NAME
from .base import Rule, article, scope_label, scoped

# Named by the queue or the Worker they consume from, not reached as `env.NAME`.
NOT_IN_ENV = frozenset({"queues.consumers", "tail_consumers", "streaming_tail_consumers"})


class BindingNameConflict(Rule):
    id = "CF018"
    name = "binding-name-conflict"
    title = "Binding name used twice"
    severity = Severity.P1
    rationale = "Two bindings of one name cannot both be reached at `env.NAME`: wrangler refuses the config"
    remediation = "Rename one of them (and its uses in code)"
    status = "Name used twice"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                declared: dict[str, list[tuple[str, Location]]] = defaultdict(list)
                for binding in scope.bindings:
                    if binding.kind not in NOT_IN_ENV and binding.name:  # no name: not a duplicate
                        declared[binding.name].append((KINDS_BY_NAME[binding.kind].label,
                                                       binding.location))
                for var in scope.vars:
                    declared[var.name].append(("var", var.location))
                for name, found in declared.items():
                    if len(found) < 2:
                        continue
                    # In the order they are written; one whose line is unknown last.
                    found.sort(key=lambda each: (each[1].start_line is None, each[1].start_line or 0))
                    labels = [f"{article(label)} {label}"
                              + (f" (line {where.start_line})" if where.start_line else "")
                              for label, where in found]
                    times = "twice" if len(found) == 2 else f"{len(found)} times"
                    yield cls.finding(
                        location=found[1][1], subject=scoped(name, scope),
                        message=(f"{code(name)} is declared {times} in"
                                 f" {scope_label(wrangler_config, scope)}: as"
                                 f" {', '.join(labels[:-1])} and {labels[-1]}; wrangler refuses a"
                                 " config whose bindings share a name"),
                        remediation=(("Rename one" if len(found) == 2 else "Rename all but one")
                                     + f" of the declarations of {code(name)} in"
                                     f" {scope_label(wrangler_config, scope)}, and"
                                     f" {'its' if len(found) == 2 else 'their'} uses in code"
                                     f" ({code('env.' + name)})"))
