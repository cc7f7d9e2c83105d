"""CF013 pages-config-invalid.

## What it does
Checks what Cloudflare Pages accepts: `main` and `pages_build_output_dir` cannot both be
set (at the top level or in an environment), and the only environment names are `preview`
and `production`.

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

from collections.abc import Iterator

from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scoped

PAGES_ENVIRONMENTS = ("preview", "production")


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
                    where = f" (env `{scope.name}`)" if scope.name else ""
                    yield cls.finding(
                        location=scope.location_of("main"), subject=scoped("main", scope),
                        message=(f"`{wrangler_config.path}` sets both `main`{where} and"
                                 " `pages_build_output_dir`"),
                        remediation=(f"Remove `main`{where} from `{wrangler_config.path}`"
                                     " (Pages), or `pages_build_output_dir` (Worker)"))
            for scope in wrangler_config.environments:
                if scope.name in PAGES_ENVIRONMENTS:
                    continue
                yield cls.finding(
                    location=scope.location, subject=f"env.{scope.name}",
                    message=(f"Pages allows only the environments preview and production, not"
                             f" `{scope.name}` (`{wrangler_config.path}`)"),
                    remediation=(f"Rename or remove `[env.{scope.name}]` in"
                                 f" `{wrangler_config.path}`"))
