"""CF013 pages-config-invalid.

## What it does
Checks what wrangler accepts in a Cloudflare Pages config: `main` and
`pages_build_output_dir` cannot both be set (at the top level or in an environment), the
only environment names are `preview` and `production`, the project is named at the top
level, and only the keys Pages supports are set (no `routes`, `triggers`, `migrations`,
`observability`, queue consumers...). As wrangler does, a key set to wrangler's own default
is let pass: `[observability]` with `enabled = true` alone, an empty `[triggers]`. A Durable
Object binding without `script_name` is CF008's.

## Why is this bad?
Wrangler rejects such a Pages config, or ignores the environment, so what is deployed is
not what the file says.

## Example
```toml
pages_build_output_dir = ".vercel/output/static"
main = "src/index.ts"

[env.staging]
```

## Fix
Keep `pages_build_output_dir` for a Pages project (or `main` for a Worker), and use only
`[env.preview]` and `[env.production]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity, WranglerConfig
from ..wrangler import BINDING_KINDS
from .base import Rule, scoped

PAGES_ENVIRONMENTS = ("preview", "production")
# The keys wrangler's Pages validation accepts (validation-pages.ts, in any recent wrangler),
# and `$schema`; `main` is reported on its own.
PAGES_KEYS = frozenset({
    "$schema", "main", "pages_build_output_dir", "name", "compatibility_date",
    "compatibility_flags", "send_metrics", "no_bundle", "limits", "placement", "vars", "durable_objects",
    "kv_namespaces", "queues", "r2_buckets", "d1_databases", "vectorize", "hyperdrive",
    "services", "analytics_engine_datasets", "ai", "version_metadata", "dev",
    "mtls_certificates", "browser", "upload_source_maps"})
# Keys Pages does not support, with wrangler's defaults (defaultWranglerConfig): wrangler's
# Pages validation lets a key pass whose value is its default, as JSON writes it.
DEFAULTS = {"observability": {"enabled": True}, "triggers": {}, "migrations": [], "rules": [],
            "define": {}, "jsx_factory": "React.createElement", "jsx_fragment": "React.Fragment",
            "dispatch_namespaces": [], "send_email": [], "pipelines": [], "workflows": [],
            "secrets_store_secrets": [], "cloudchamber": {}}
# Binding sections, read into bindings: an empty one holds its default, `[]`.
SECTIONS = {kind.path[0] for kind in BINDING_KINDS if len(kind.path) == 1}


class PagesConfigInvalid(Rule):
    id = "CF013"
    name = "pages-config-invalid"
    title = "Invalid Pages configuration"
    severity = Severity.P1
    rationale = "Wrangler rejects or ignores it: the deployment differs from the file"
    remediation = "Follow the Pages configuration rules"
    status = "Invalid"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            if wrangler_config.target != "pages":
                continue
            for scope in wrangler_config.scopes():
                if "main" in scope.declared:
                    where = f" (env {code(scope.name)})" if scope.name else ""
                    yield cls.finding(
                        location=scope.location_of("main"), subject=scoped("main", scope),
                        message=(f"{code(wrangler_config.path)} sets both `main`{where} and"
                                 " `pages_build_output_dir`"),
                        remediation=(f"Remove `main`{where} from {code(wrangler_config.path)}"
                                     " (Pages), or `pages_build_output_dir` (Worker)"))
            yield from cls._unsupported(wrangler_config)
            for scope in wrangler_config.environments:
                if scope.name in PAGES_ENVIRONMENTS:
                    continue
                yield cls.finding(
                    location=scope.location, subject=f"env.{scope.name}",
                    message=(f"Pages allows only the environments preview and production, not"
                             f" {code(scope.name)} ({code(wrangler_config.path)})"),
                    # in the config's own syntax: `[env.staging]` in TOML, `env.staging` in JSON
                    remediation=("Rename or remove " + code(
                        f"[env.{scope.name}]" if wrangler_config.path.endswith(".toml")
                        else f"env.{scope.name}") + f" in {code(wrangler_config.path)}"))

    @classmethod
    def _unsupported(cls, wrangler_config: WranglerConfig) -> Iterator[Finding]:
        """The keys and bindings of a Pages config that wrangler refuses."""
        path = wrangler_config.path
        if not str(wrangler_config.top.settings.get("name") or "").strip():
            yield cls.finding(
                location=Location(path=path), subject="name",
                message=f"{code(path)} names no project: Pages needs `name` at the top level",
                remediation=f"Set the Pages project's `name` at the top of {code(path)}")
        for scope in wrangler_config.scopes():
            where = f" (env {code(scope.name)})" if scope.name else ""
            for key in sorted(set(scope.declared) - PAGES_KEYS - {"legacy_env"}):  # CF019's
                value = ([] if not any(b.kind == key for b in scope.bindings) else None
                         ) if key in SECTIONS else scope.settings.get(key)
                if key in DEFAULTS and json.dumps(value) == json.dumps(DEFAULTS[key]):
                    continue
                yield cls.finding(
                    location=scope.location_of(key), subject=scoped(key, scope),
                    message=f"{code(path)} sets {code(key)}{where}, which Pages does not support",
                    remediation=f"Remove {code(key)}{where} from {code(path)}, or deploy it as a Worker")
            for binding in scope.bindings:
                if binding.kind == "queues.consumers":
                    yield cls.finding(
                        location=binding.location, subject=scoped(binding.name, scope),
                        message=f"{code(path)} consumes queue {code(binding.name)}{where}: Pages cannot",
                        remediation=(f"Consume {code(binding.name)} in a Worker; Pages may only"
                                     " produce to it"))
