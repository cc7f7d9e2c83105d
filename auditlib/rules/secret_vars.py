"""CF011 secret-in-vars.

## What it does
Finds `vars` entries that hold secrets: names like `*TOKEN*`, `*SECRET*`, `*PASSWORD*`,
`*_PASS`, `*_KEY` (not `*PUBLIC*`/`*PUBLISHABLE*`/`*SITE_KEY*`, nor names of what is about
a secret: `*_URL`, `*_PATH`, `*_HEADER`, `*_FILE`, `*_ID`, `*_TTL`, `MAX_*`, ..., nor keys
that find things: `CACHE_KEY`; a name in lower or mixed case counts by its last word:
`clientSecret`, `signingKey`, not `tokenStorage` nor `eventKey`), tables with such a key
(`{ client_secret = "..." }`), or values that look like keys (known token prefixes,
private keys, JWTs, long high-entropy strings not made of words, a URL with a password,
`Bearer <token>`); a high-entropy string of up to 64 characters whose name ends as a public
identifier's (`*_ADDRESS`, `*_WALLET`, `*_MINT`, `*_CID`, `*_HASH`, `*_ID`) is none, and so is,
whatever its name, a key made to be shown in a browser: a Stripe or Clerk publishable key
(`pk_live_…`, `pk_test_…`), a PostHog project key (`phc_…`), a Mapbox public token
(`pk.eyJ…`), a Supabase anon key (a JWT whose role is `anon`). The value is
never printed: every output shows it as «redacted». Cloudflare's Turnstile test secret keys
(`1x0000000000000000000000000000000AA` passes every token) are public, no leak: they are
reported at P1 and shown, as a Worker deployed with one checks no visitor.

## Why is this bad?
`vars` are plain text: committed to the repository, shown in the dashboard and readable by
everyone with access to either. A secret there is leaked.

## Example
```toml
[vars]
STRIPE_SECRET_KEY = "sk_live_..."
```

## Fix
Remove it from `vars`, rotate it, and set it with `wrangler secret put STRIPE_SECRET_KEY`
(or a `.dev.vars` file, git-ignored, for local development).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Environment, Facts, Finding, Severity, Var, WranglerConfig
from ..secrets import TURNSTILE_TEST_SECRETS, secret_reason
from .base import Rule, scope_label, scoped, secret_put


class SecretInVars(Rule):
    id = "CF011"
    name = "secret-in-vars"
    title = "Secret in plain-text vars"
    severity = Severity.P0
    rationale = "Plain-text vars are committed and visible: the secret is leaked"
    remediation = "Move the value to `wrangler secret put` and rotate it"
    status = "Leaked"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                for var in scope.vars:
                    if var.value.strip() in TURNSTILE_TEST_SECRETS:
                        yield cls._turnstile_test_key(wrangler_config, scope, var)
                        continue
                    reason = secret_reason(var.name, var.value)
                    if reason is None:
                        continue
                    why = {"name": "by its name; its value is not shown",
                           "key": "by the name of a key in it; its value is not shown",
                           }.get(reason, "by its value, which is not shown")
                    yield cls.finding(
                        location=var.location, subject=scoped(var.name, scope),
                        message=(f"{code(var.name)} in {scope_label(wrangler_config, scope)} looks"
                                 f" like a secret {why}"),
                        remediation=(f"Move {code(var.name)} to"
                                     f" {code(secret_put(wrangler_config, var.name, scope.name))}"
                                     " and rotate it"))

    @classmethod
    def _turnstile_test_key(cls, wrangler_config: WranglerConfig, scope: Environment,
                            var: Var) -> Finding:
        """A Turnstile test secret key (public, no leak): a deployed Worker checks no token,
        or refuses every one."""
        put = secret_put(wrangler_config, var.name, scope.name)
        value = var.value.strip()
        return cls.finding(
            location=var.location, subject=scoped(var.name, scope), severity=Severity.P1,
            message=(f"{code(var.name)} in {scope_label(wrangler_config, scope)} is Cloudflare's"
                     f" Turnstile test secret key, which {TURNSTILE_TEST_SECRETS[value]}: a Worker"
                     " deployed with it " + ("checks no visitor" if value.startswith("1x")
                                             else "refuses every visitor")),
            remediation=(f"Set the widget's own secret key with {code(put)}, and keep the test"
                         " key in `.dev.vars` for local development"))
