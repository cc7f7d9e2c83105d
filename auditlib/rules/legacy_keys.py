"""CF019 legacy-config-key.

## What it does
Reports keys of wrangler 1 and early wrangler 2 that wrangler no longer reads, where a scope
(the top level, or an environment) declares them: `kv-namespaces`, which wrangler 2 and
later do not read, so its KV namespaces are not bound at all (P1, each binding named);
`node_compat = true`, which wrangler 4 refuses (P1: "The "node_compat" field is no longer
supported as of Wrangler v4"), where the `nodejs_compat` compatibility flag replaces it; and
`type`, `webpack_config`, `build.upload`, `experimental_services` and `miniflare` (P2),
which wrangler 4 drops (a Worker built by `type = "webpack"` or uploaded by
`build.upload.main` needs `main`).

## Why is this bad?
wrangler warns and goes on: a namespace under `kv-namespaces` is not bound, so `env.CACHE`
is `undefined` in the deployed Worker, and a config that still relies on a wrangler 1 build
deploys something other than what it says. With `node_compat = true` wrangler 4 stops: the
Worker is not built, so a deploy with wrangler 4 fails.

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

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scope_label, scoped

# What wrangler 4 no longer reads, and what replaces it.
DROPPED = {"type": "`main` and wrangler's own bundling", "webpack_config": "a custom `build`",
           "experimental_services": "`services`", "miniflare": "nothing: `wrangler dev` runs it"}


class LegacyConfigKey(Rule):
    id = "CF019"
    name = "legacy-config-key"
    title = "Config key wrangler no longer reads"
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
                    listed = scope.settings["kv-namespaces"]
                    names = [str(table.get("binding")) for table in
                             (listed if isinstance(listed, list) else []) if isinstance(table, dict)]
                    yield cls.finding(
                        location=scope.location_of("kv-namespaces"), severity=Severity.P1,
                        subject=scoped("kv-namespaces", scope),
                        message=(f"{where} declares `kv-namespaces`, which wrangler 2 and later"
                                 " do not read: " + (", ".join(map(code, names)) or "its KV"
                                                     " namespaces")
                                 + (" is" if len(names) == 1 else " are") + " not bound"),
                        remediation="Rename `kv-namespaces` to `kv_namespaces`")
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
