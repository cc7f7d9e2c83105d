"""CF012 binding-missing-in-environment.

## What it does
For each `[env.NAME]`, reports every binding and var declared at the top level that the
environment does not declare again, and `containers` and `define` when it declares none.
Bindings, `vars`, `containers` and `define` are not inherited by environments. Queue and tail consumers are
reported only when the environment declares none: its own consumers (of its own queues, such
as `pipeline-jobs-staging`, or its own tail Worker) replace the top level's, and declaring
the top level's queue there would make the environment consume the production queue.
A Pages environment that declares no binding or var of its own keeps the top level's. A var
named as a secret whose top-level value is a placeholder (`CLIENT_SECRET = "PLACEHOLDER"`,
for local development) is reported at P2: the environment may get the secret with `wrangler
secret put`, which no file shows.

## Why is this bad?
`wrangler deploy --env production` deploys only what `[env.production]` declares: a KV
namespace declared at the top level is simply absent in production, and the code that
uses it fails at run time.

## Example
```toml
[[kv_namespaces]]
binding = "CART_KV"
id = "0e0888a980cd46efa1d28aea3794b3ac"

[env.production.vars]
SHOP_ID = "main"
# [[kv_namespaces]] written here would still be top level, not production's
```

## Fix
```toml
[[env.production.kv_namespaces]]
binding = "CART_KV"
id = "<the production namespace id>"
```
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from ..secrets import PLACEHOLDER, secret_name, secret_reason
from ..wrangler import KINDS_BY_NAME, lines_of
from .base import Rule, scope_label, scoped, secret_put

# Consumers an environment declares replace the top level's: its own queues, its own tail
# Worker (`tail-production`).
CONSUMERS = frozenset({"queues.consumers", "tail_consumers", "streaming_tail_consumers"})


def replaced(kind: str, own: Collection[str], target: str) -> bool:
    """Whether an environment that declares bindings of the kinds `own` need not declare a
    top-level binding of `kind` again: its own consumers of that kind replace the top
    level's, and a Pages project consumes no queue (CF013)."""
    return kind in CONSUMERS and (kind in own or (kind == "queues.consumers" and target == "pages"))


class BindingMissingInEnvironment(Rule):
    id = "CF012"
    name = "binding-missing-in-environment"
    title = "Binding not declared in an environment"
    severity = Severity.P1
    rationale = "Bindings and vars are not inherited: the environment runs without them"
    remediation = "Declare the binding again inside the environment"
    status = "Missing in environment"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            top = wrangler_config.top
            lines = lines_of(wrangler_config.text)
            # The environments by the line their section starts at: the one a binding is
            # written below, found by bisection (hundreds of environments, thousands of bindings).
            sections = sorted((env.location.start_line or 0, env.name)
                              for env in wrangler_config.environments
                              if (env.location.start_line or 0) > 0)
            starts = [start for start, _name in sections]
            for scope in wrangler_config.environments:
                if wrangler_config.target == "pages" and not (scope.bindings or scope.vars):
                    continue  # Pages inherits them all unless the environment sets one
                have = {(b.kind, b.name) for b in scope.bindings}
                have_vars = {v.name for v in scope.vars}
                where = scope_label(wrangler_config, scope)
                location = Location(path=wrangler_config.path, start_line=scope.location.start_line)
                toml = wrangler_config.path.endswith(".toml")
                start = scope.location.start_line or 0
                # `staging = { ... }` under [env]: no [env.staging.X] table may be added.
                inline = toml and 0 < start <= len(lines) and not lines[start - 1].lstrip().startswith("[")

                def into(table: str, scope_name: str = scope.name, line: int = start,
                         inline: bool = inline) -> str:
                    return (f"the inline table of env {code(scope_name)} (line {line})" if inline
                            else code(table))
                own = {kind for kind, _name in have}
                for binding in top.bindings:
                    consumer = binding.kind in CONSUMERS
                    if not binding.name:
                        continue  # no name to declare it by (wrangler refuses it anyway)
                    if (binding.kind, binding.name) in have or replaced(binding.kind, own,
                                                                        wrangler_config.target):
                        continue
                    kind = KINDS_BY_NAME[binding.kind]
                    table = _table(toml, kind.single, ("env", scope.name, *kind.path))
                    # The TOML trap: a table written below `[env.production]` is the top level's.
                    above = bisect.bisect_left(starts, binding.location.start_line or 0)
                    below = (f", below {code(f'[env.{sections[above - 1][1]}]')}, where TOML still"
                             f" reads {code(_table(toml, kind.single, kind.path))} as the top level's"
                             if toml and above else "")
                    yield cls.finding(
                        location=location, subject=scoped(binding.name, scope),
                        message=(f"{kind.label} {code(binding.name)} is declared at the top level"
                                 f" (line {binding.location.start_line}{below}) but "
                                 + (f"{where} declares no {kind.label}" if consumer
                                    else f"not in {where}")),
                        remediation=((f"Declare the environment's own {kind.label}" if consumer
                                      else f"Declare {code(binding.name)}")
                                     + f" in {into(table)} of {code(wrangler_config.path)}"))
                for key, what, single in (("containers", "containers are", False),
                                          ("define", "`define` substitutions are", True)):
                    if key not in top.declared or key in scope.declared:
                        continue
                    line = top.location_of(key).start_line
                    yield cls.finding(
                        location=location, subject=scoped(key, scope),
                        message=(f"{what} declared at the top level"
                                 + (f" (line {line})" if line else "") + f" but not in {where}"),
                        remediation=(f"Declare the top level's {key} again in "
                                     + into(_table(toml, single, ("env", scope.name, key)))
                                     + f" of {code(wrangler_config.path)}"))
                for var in top.vars:
                    if var.name in have_vars:
                        continue
                    # `CLIENT_SECRET = "PLACEHOLDER"` for local development: an environment
                    # gets the real one with `wrangler secret put`, which no file shows
                    stand_in = secret_name(var.name) and bool(PLACEHOLDER.search(var.value.strip()))
                    yield cls.finding(
                        location=location, subject=scoped(var.name, scope),
                        severity=Severity.P2 if stand_in else None,
                        message=(f"var {code(var.name)} is declared at the top level (line"
                                 f" {var.location.start_line}) but not in {where}"
                                 + (": a placeholder for a secret, which the environment may"
                                    " get with `wrangler secret put`" if stand_in else "")),
                        remediation=(
                            f"Set {code(var.name)} with"
                            f" {code(secret_put(wrangler_config, var.name, scope.name))},"
                            " not in a config"
                            if secret_name(var.name) or secret_reason(var.name, var.value)
                            else f"Declare {code(var.name)} in "
                            + into(("[env.{}.vars]" if toml else "env.{}.vars").format(scope.name))
                            + f" of {code(wrangler_config.path)}"))


def _table(toml: bool, single: bool, path: tuple[str, ...]) -> str:
    """Where a binding is declared: `[[env.production.kv_namespaces]]`, `[env.production.ai]`
    (one table), or `env.production.kv_namespaces` in JSON."""
    dotted = ".".join(path)
    return dotted if not toml else f"[{dotted}]" if single else f"[[{dotted}]]"
