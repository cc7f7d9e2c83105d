"""CF019 legacy-config-key.

## What it does
Reports keys of wrangler 1 and early wrangler 2 that wrangler no longer reads, where a scope
(the top level, or an environment) declares them: `kv-namespaces`, which wrangler 2 and
later do not read, so its KV namespaces are not bound at all (P1, each binding named), and
so a binding section spelt otherwise than wrangler's (`rate_limits` for `ratelimits`,
`kv_namespace`, `d1-databases`: P1), which wrangler only warns about ("Unexpected fields");
`node_compat = true`, which wrangler 4 refuses (P1: "The "node_compat" field is no longer
supported as of Wrangler v4"), where the `nodejs_compat` compatibility flag replaces it;
`legacy_env`, which wrangler 4 refuses since July 2026 whatever its value (P1: "The
"legacy_env" field is no longer supported"), where each environment deploys as a Worker of
its own, as `legacy_env = true` did; and
`type`, `webpack_config`, `build.upload`, `experimental_services` and `miniflare` (P2),
which wrangler 4 drops (a Worker built by `type = "webpack"` or uploaded by
`build.upload.main` needs `main`).

## Why is this bad?
wrangler warns and goes on: a namespace under `kv-namespaces` (or a limiter under
`rate_limits`) is not bound, so `env.CACHE` is `undefined` in the deployed Worker, and a
config that still relies on a wrangler 1 build deploys something other than what it says.
With `node_compat = true` (wrangler 4) or `legacy_env` (current wrangler) wrangler stops:
the Worker is not built, so the deploy fails.

## Example
```toml
type = "webpack"
node_compat = true
kv-namespaces = [{ binding = "CACHE", id = "0e0888a980cd46efa1d28aea3794b3ac" }]
```

## Fix
```toml
main = "src/index.ts"
compatibility_flags = ["nodejs_compat"]
kv_namespaces = [{ binding = "CACHE", id = "0e0888a980cd46efa1d28aea3794b3ac" }]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code, listed
from ..config import AuditConfig
from ..model import Environment, Facts, Finding, Severity
from ..wrangler import BINDING_KINDS
from .base import Rule, scope_label, scoped

# What wrangler 4 no longer reads, and what replaces it.
DROPPED = {"type": "`main` and wrangler's own bundling", "webpack_config": "a custom `build`",
           "experimental_services": "`services`", "miniflare": "nothing: `wrangler dev` runs it"}


class LegacyConfigKey(Rule):
    id = "CF019"
    name = "legacy-config-key"
    title = "Config key wrangler does not read"
    severity = Severity.P2
    rationale = ("wrangler ignores the key, or wrangler 4 refuses it: what it configured (bindings,"
                 " the build) is not deployed")
    remediation = "Replace the key with what current wrangler reads"
    status = "Ignored by wrangler"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                where = scope_label(wrangler_config, scope)
                declared = [key for key in scope.declared if key in scope.settings]
                if "kv-namespaces" in declared:
                    tables = scope.settings["kv-namespaces"]
                    names = [str(table.get("binding")) for table in
                             (tables if isinstance(tables, list) else []) if isinstance(table, dict)]
                    yield cls.finding(
                        location=scope.location_of("kv-namespaces"), severity=Severity.P1,
                        subject=scoped("kv-namespaces", scope),
                        message=(f"{where} declares `kv-namespaces`, which wrangler 2 and later"
                                 " do not read: " + (", ".join(map(code, names)) or "its KV"
                                                     " namespaces")
                                 + (" is" if len(names) == 1 else " are") + " not bound"),
                        remediation="Rename `kv-namespaces` to `kv_namespaces`")
                for key, section, names in _misspelt(scope, declared):
                    yield cls.finding(
                        location=scope.location_of(key), severity=Severity.P1,
                        subject=scoped(key, scope),
                        message=(f"{where} declares `{key}`, which wrangler does not read: it warns"
                                 f" \"Unexpected fields\" and deploys without "
                                 + (listed(list(map(code, names))) if names else "its bindings")),
                        remediation=f"Rename `{key}` to `{section}`")
                if "node_compat" in declared and scope.settings["node_compat"]:
                    flags = scope.settings.get("compatibility_flags")
                    flagged = isinstance(flags, list) and "nodejs_compat" in flags
                    owner = code(wrangler_config.path) + (f" (env {code(scope.name)})"
                                                          if scope.name else "")
                    yield cls.finding(
                        location=scope.location_of("node_compat"), severity=Severity.P1,
                        subject=scoped("node_compat", scope),
                        message=(f"{where} sets `node_compat`, which wrangler 4 refuses (\"The"
                                 " \"node_compat\" field is no longer supported as of Wrangler"
                                 " v4\"): a deploy with wrangler 4 fails"),
                        remediation=(f"Remove `node_compat` from {owner}" + (
                            ": its `compatibility_flags` have `nodejs_compat` already" if flagged
                            else ', and add `"nodejs_compat"` to its `compatibility_flags`'
                            if isinstance(flags, list) else ", and set " + code(
                                'compatibility_flags = ["nodejs_compat"]'
                                if wrangler_config.path.endswith(".toml")
                                else '"compatibility_flags": ["nodejs_compat"]'))))
                if "legacy_env" in declared:
                    service = scope.settings["legacy_env"] is False
                    yield cls.finding(
                        location=scope.location_of("legacy_env"), severity=Severity.P1,
                        subject=scoped("legacy_env", scope),
                        message=(f"{where} sets `legacy_env`, which wrangler 4 refuses since July"
                                 " 2026 (\"The \"legacy_env\" field is no longer supported\"): a"
                                 " deploy with current wrangler fails"),
                        remediation=(f"Remove `legacy_env` from {code(wrangler_config.path)}" + (
                            ": each environment then deploys as a Worker of its own"
                            " (`<name>-<environment>`), not as a service environment" if service
                            else ": `true` was the default, so what deploys stays the same")))
                build = scope.settings.get("build") if "build" in declared else None
                keys = [key for key in DROPPED if key in declared]
                keys += ["build.upload"] if isinstance(build, dict) and "upload" in build else []
                for key in keys:
                    yield cls.finding(
                        location=scope.location_of(key.split(".")[0]),
                        subject=scoped(key, scope),
                        message=f"{where} declares `{key}`, which wrangler 4 no longer reads",
                        remediation=(f"Replace `{key}` with "
                                     + DROPPED.get(key, "`main` (the module `build.upload.main`"
                                                        " names), built by `build.command`")))


# A binding section as its spelling is read loosely: `rate_limits`, `ratelimit` and
# `RateLimits` are `ratelimits`; `kv-namespaces` is the legacy key reported on its own.
_SECTIONS = {kind.path[0].replace("_", "").rstrip("s"): kind.path[0] for kind in BINDING_KINDS}


def _misspelt(scope: Environment, declared: list[str]) -> list[tuple[str, str, list[str]]]:
    """The keys of `scope` that name a binding section in another spelling: each with that
    section and the names of the bindings it holds (`[[rate_limits]] name = "LIMITER"`)."""
    found = []
    for key in declared:
        section = _SECTIONS.get(key.lower().replace("-", "").replace("_", "").rstrip("s"))
        if section is None or key in (section, "kv-namespaces"):
            continue
        value = scope.settings[key]
        names = [str(table[kind.name_key]) for kind in BINDING_KINDS if kind.path[0] == section
                 for table in _tables(value if len(kind.path) == 1 else
                                      value.get(kind.path[1]) if isinstance(value, dict) else None)
                 if kind.name_key in table]
        found.append((key, section, names))
    return found


def _tables(value: object) -> list[dict[str, object]]:
    """The binding tables a section holds: an array of them, or one."""
    return [table for table in (value if isinstance(value, list) else [value])
            if isinstance(table, dict)]
