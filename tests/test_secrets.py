"""auditlib.secrets: which `vars` entries look like secrets, and redaction of their values."""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from auditlib import secrets
from auditlib.secrets import REDACTED, redact, secret_reason, spellings

# Built from pieces so that no secret scanner mistakes this file for a leak.
STRIPE_LIKE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_TEST_LIKE = "rk_" + "test_" + "abcdefgh1234"
GITHUB_LIKE = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
GITHUB_PAT_LIKE = "github_pat_" + "11ABCDEFG0123456789_abcdefghij"
SLACK_LIKE = "xoxb-" + "1234567890-abcdefghij"
AWS_LIKE = "AKIA" + "IOSFODNN7EXAMPLE"
GOOGLE_LIKE = "AIza" + "SyA-1234567890abcdefghijklmnopqrs"
PEM_LIKE = "-----BEGIN " + "RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1b2c3d4e5f6g7h8\\nx9"
JWT_LIKE = ("eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
            + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
RANDOM_LIKE = "Zx9qT4mL2vR8nB6kW1pY3sD7fG5h"


@pytest.mark.parametrize(("name", "value", "expected"), [
    # by name
    ("API_TOKEN", "abc123xyz", "name"),
    ("token", "abc123xyz", "name"),
    ("SESSION_SECRET", "abc123xyz", "name"),
    ("DB_PASSWORD", "abc123xyz", "name"),
    ("SMTP_PASSWD", "abc123xyz", "name"),
    ("PRIVATE_SIGNING", "abc123xyz", "name"),
    ("GCP_CREDENTIALS", "abc123xyz", "name"),
    ("OPENAI_APIKEY", "abc123xyz", "name"),
    ("STRIPE_API_KEY", "abc123xyz", "name"),
    ("STRIPE_KEY", "abc123xyz", "name"),
    ("KEY", "abc123xyz", "name"),
    ("DB_PASS", "Tr0ub4dor&3horse", "name"),
    ("SMTP_PWD", "Tr0ub4dor&3horse", "name"),
    ("GPG_PASSPHRASE", "Tr0ub4dor&3horse", "name"),
    ("PASSPORT_COUNTRY", "Switzerland", None),
    # a table holding a secret by its name
    ("OAUTH", '{"client_id": "shop-web", "client_secret": "correct-horse-battery-42"}', "key"),
    ("OAUTH", '{"client_id": "shop-web", "client_secret": "<CLIENT_SECRET>"}', None),
    ("CONFIG", '{"api": {"key": "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"}}', "value"),
    ("CONFIG", '{"db": ["postgres://app:hunter2hunter2@db.example.com/shop"]}', "value"),
    # public names are judged by their value only
    ("PUBLIC_KEY", "pk-demo", None),
    ("STRIPE_PUBLISHABLE_KEY", "pk-demo", None),
    ("NEXT_PUBLIC_API_KEY", "pk-demo", None),
    ("PUBLIC_KEY", STRIPE_LIKE, "value"),
    ("NEXT_PUBLIC_STRIPE_KEY", "pk_" + "live_51HqLmN8pQrStUvWxYz0123456", None),
    # names of what is about a secret, and public site keys
    ("CSRF_TOKEN_HEADER", "x-csrf-token", None),
    ("TOKEN_SCOPE", "read:user", None),
    ("SECRETS_BACKEND", "cloudflare-secrets-store", None),
    ("SESSION_SECRET_ROTATION", "quarterly-v2", None),
    ("ASSET_MANIFEST", "/assets/index-B3xK9mQ2cD7fAb12Xy.js", None),
    ("OAUTH_TOKEN_URL", "https://auth.example.com/oauth/token", None),
    ("PASSWORD_RESET_PATH", "/account/reset-password", None),
    ("TURNSTILE_SITE_KEY", "0x4AAAAAAABkMYinukE8nzY", None),
    ("CACHE_KEY", "products-v2", None),
    ("IDEMPOTENCY_KEY", "order-id", None),
    ("OPENAI", "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8t", "value"),
    # credentials inside a value whatever the name
    ("DATABASE_URL", "postgres://app:hunter2hunter2@db.example.com/shop", "value"),
    ("AUTH_HEADER", "Bearer 9f8e7d6c5b4a3210", "value"),
    ("DATABASE_URL", "postgres://db.example.com/shop", None),
    ("REDIS_URL", "redis://:swordfish42@cache.internal:6379", "value"),  # no user
    # names that only look alike
    ("KEYBOARD_LAYOUT", "qwerty", None),
    ("CACHE_KEY_PREFIX", "cart:", None),
    ("MONKEY", "banana", None),
    # by value
    ("PAYMENT", STRIPE_LIKE, "value"),
    ("PAYMENT", STRIPE_TEST_LIKE, "value"),
    ("CI", GITHUB_LIKE, "value"),
    ("CI", GITHUB_PAT_LIKE, "value"),
    ("CHAT", SLACK_LIKE, "value"),
    ("AWS", AWS_LIKE, "value"),
    ("MAPS", GOOGLE_LIKE, "value"),
    ("CERT", PEM_LIKE, "value"),
    ("SESSION_SEED", JWT_LIKE, "value"),
    ("UPSTREAM", RANDOM_LIKE, "value"),
    # ordinary values
    ("API_URL", "https://api.example.com/v1", None),
    # a URL is judged by its parts, not as one random-looking string
    ("ORDERS_FEED", "https://api.example.com/v1/orders?limit=50&pageToken=CiAKGjBpNDd2Nmp0dk", None),
    ("ASSETS", "https://cdn.example.com/assets/app.3f9a8b7c6d5e4f3a2b1c.js", None),
    ("ZAP", "https://hooks.zapier.com/hooks/catch/123456/aB3dE5fG7hJ9kL1mN3pQ5rS7/", "value"),
    ("FEED", "https://api.example.com/v1?access_token=a1b2c3d4e5f6g7h8", "value"),
    ("MODE", "production", None),
    ("CART_TTL", "60", None),
    ("KV_ID", "0e0888a980cd46efa1d28aea3794b3ac", None),  # lowercase hex: an id, not a key
    ("GREETING", "Hello World from the 2025 Shop", None),  # has spaces
    ("PADDING", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA1", None),  # long and mixed but low entropy
    ("SHORT", "Zx9qT4mL2vR8nB6kW1pY3sD", None),  # 23 characters: under the length limit
    ("NO_DIGITS", "ZxqTmLvRnBkWpYsDfGhJcVbN", None),
    ("SK_LIKE", "sk_live_short", None),  # too short after the prefix
    # placeholders are never secrets, unless they hold one
    ("CLOUDFLARE_CLIENT_SECRET", "<PLACEHOLDER>", None),
    ("API_TOKEN", "${API_TOKEN}", None),
    ("STRIPE_SECRET", "$STRIPE_SECRET", None),  # a shell-style variable, as ${...} is
    ("ADMIN_PASSWORD", "$Summer2026", "name"),  # a password that starts with `$`
    ("STRIPE_SECRET_KEY", "$sk_live_51HxYzAbCdEf", "name"),
    ("OAUTH", '{"client_id": "shop-web", "client_secret": "$CLIENT_SECRET"}', None),
    ("DB_PASSWORD", "$3cr3t-Pa55", "name"),  # a `$` before no variable's name
    ("STRIPE_SECRET_KEY", "REPLACE_ME", None),
    ("API_TOKEN", "your-api-token-here", None),
    ("API_TOKEN", "xxxxxxxxxxxx", None),
    ("API_TOKEN", STRIPE_LIKE + "TODO", "value"),
    ("API_TOKEN", "todo-list-Zx9qT4", "name"),  # TODO in a word is no placeholder marker
    ("ADMIN_PASSWORD", "Irreplaceable-Falcon-42", "name"),
    ("ADMIN_PASSWORD", "ChangeMe!2024", "name"),  # a weak password, still a password
    ("ADMIN_PASSWORD", "replace-with-your-password", None),
    # a switch is no secret, whatever its name
    ("PRIVATE_BETA", "enabled", None),
    ("ADMIN_PASSWORD", "default", "name"),  # a weak password is still one
    ("DB_PASSWORD", "Private", "name"),
    # camelCase names, by their last word, and a key's name with a rotation suffix
    ("signingKey", "NrOIZ7cNgqhHaB", "name"),
    ("tokenStorage", "cookie-session-2", None),
    ("featureFlagKey", "new-checkout-2", None),
    ("x-api-key", "Zx9QmT4vB7nR2k", "name"),
    ("secretAccessKey", "Zx9QmT4vB7nR2k", "name"),
    ("apiKeys", "Zx9QmT4vB7nR2k,Yq8PlS3uA6mQ1j", "name"),
    ("accessKeyId", "AKIDEXAMPLE12345", None),
    ("stripeSecretKeyLive", "Xk8j2LmN9pQr4sT6", "name"),
    ("JWTSecret", "Gd83kQ0pL2vX7sNa1bYc", "name"),
    ("tokenExpiresIn", "30-days-2", None),
    ("tokenUrl", "https://auth.example.com/token", None),
    ("SIGNING_KEY_V2", "NrOIZ7cNgqhHaB", "name"),
    ("I18N_KEY", "checkout.title-v2", None),
    # public identifiers are random by design: judged by their names, up to 64 characters
    ("BILLING_MERCHANT_WALLET", "6F6A1zpGpRGmqrXpqgBFYGjC9WFo6iovrRVYoJNBHZqF", None),
    ("X402_ASSET_MINT", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", None),
    ("IPFS_CID", "QmT5NvUtoM5nWFfrQdVrFtvGfKFmG7AHE8P34isapyhCxX", None),
    ("treasuryAddress", "6F6A1zpGpRGmqrXpqgBFYGjC9WFo6iovrRVYoJNBHZqF", None),
    ("MINTER", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "value"),  # a word, not MINT
    ("SOLANA_WALLET", "4Z7cXSyeFR8wNGMVXUE1TwtKn5D5Vu7FzEv69dokLv7K" * 2, "value"),  # 88: a keypair
    ("WALLET_PRIVATE_KEY", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "name"),
    ("WALLET_ADDRESS", STRIPE_LIKE, "value"),  # a known secret's shape, whatever its name
    ("WALLET_SEED", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "name"),  # not by an id's
    ("HASH_SALT", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "name"),
    # a PIN, salt, pepper, HMAC key, personal access token, seed or basic auth (QA s26a)
    ("ADMIN_PIN", "482913", "name"),
    ("pinCode", "482913", "name"),
    ("BASIC_AUTH", "admin:Summer2024", "name"),
    ("basicAuth", "admin:Summer2024", "name"),
    ("OTP_SEED", "JBSWY3DPEHPK3PXP", "name"),
    ("HMAC_SALT", "e3b0c44298fc1c149afbf4c8996fb924", "name"),
    ("PASSWORD_PEPPER", "q7-Lm2-pX9", "name"),
    ("GITHUB_PAT", "Zx9QmT4vB7nR2k", "name"),
    ("PIN_CODE", "1234", "name"),  # a PIN of four digits (QA s26c)
    ("ADMIN_PASSWORD", "adm1n", "name"),  # a password of four or five characters
    ("DB_PASS", "r00t", "name"),
    ("DB_PASSWORD", "p@ss", "name"),
    ("ADMIN_PASSWORD", "admin", None),  # a word alone is a setting as often (QA s27f):
    ("REQUIRE_PASSWORD", "never", None),
    ("SESSION_SECRET", "auto", None),
    ("PWD", "/app", None),  # a path, a version
    ("NODE_PIN", "20.x", None),
    ("GPIO_PIN_4", "high", None),
    ("SMTP_PASSWORD", "none", None),  # none given
    ("PASSWORD_HASH", "argon", None),  # about one
    ("ADMIN_PASSWORD2", "adm1n", "name"),  # QA s27e
    ("LINT_PASS", "skip", None),  # a step's pass, a word
    ("E_PASSWORD", "TODO!", None),  # placeholders
    ("C_PASS", "{{x}}", None),
    ("SMTP_PASSWORD", "%PW%", None),
    ("B_PASSWORD", "-----", None),
    ("SEED_PHRASE", "abandon ability able about above absent", "name"),
    ("HTTP_AUTH", "bearer", None),  # and what only looks alike (QA s26c)
    ("ADMIN_AUTH", "cloudflare-access", None),
    ("PIN", "enabled", None),
    ("WEBHOOK_HMAC", "sha256", None),
    ("SEED_PHRASE_LANGUAGE", "english", None),
    ("MAP_PIN", "https://maps.example.com/pin.png", None),
    ("URL_PAT", "/users/:id", None),
    ("MAX_PIN_TRIES", "12345", None),
    ("MIN_PIN", "1000", None),  # a bound (QA s26d)
    ("SAFE", '{"PIN": "1234"}', "key"),  # a PIN in a table or an array
    ("USERS", '[{"name": "a", "pin": "2468"}]', "key"),
    ("BASIC_AUTH", "enabled", None),  # a switch
    ("PIN_LENGTH", "123456", None),
    ("SALT_ROUNDS", "12", None),
    ("AUTH_DOMAIN", "auth.example.com", None),
    ("AUTH_PROVIDER", "github-oauth", None),
    ("SPINNER_STYLE", "dots-2025", None),
    ("PATH_PREFIX", "/api/v2", None),
    ("RANDOM_SEED", "20251122", None),
    # a number is no secret, but a password's or a secret's (outerbase/starbasedb)
    ("MAX_TOKENS", "100000", None),
    ("TOKEN_TTL", "864000", None),
    ("PASSWORD_MIN_LENGTH", "123456", None),
    ("STUDIO_PASS", "123456", "name"),
    ("ADMIN_PASSWORD", "20240917", "name"),
    ("JWT_SECRET", "12345678", "name"),
    # keys made to be public, whatever their names (QA s33b)
    ("STRIPE_KEY", "pk_live_51NzQbIHdM3kLxR2aPq7UuHmTr8sVwXy", None),
    ("CLERK_KEY", "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k", None),
    ("POSTHOG_KEY", "phc_Gm3kT9vQ2xLr8pNfW5yZ1aBcD7eHjK4sUoI6tV0wXq", None),
    ("MAPBOX_TOKEN", "pk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2x4eXoxMjMwMDAwMnBwN2x6dGhxYmx2In0.Zm9vYmFy", None),
    ("SUPABASE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl", None),
    # ... but not a secret key, nor a service-role JWT
    ("STRIPE_KEY", "sk_live_51NzQbIHdM3kLxR2aPq7UuHmTr8sVwXy", "value"),
    ("MAPBOX_TOKEN", "sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2x4eXoxMjMwMDAwMnBwN2x6dGhxYmx2In0.Zm9vYmFy", "name"),
    ("SUPABASE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
     "value"),
    ("SUPABASE_KEY", "eyJhbGciOiJIUzI1NiJ9.not-base64!.c2lnbmF0dXJlc2lnbmF0dXJl", "name"),
    # empty values are never secrets
    ("API_TOKEN", "", None),
    ("API_TOKEN", "   ", None),
])
def test_secret_reason(name: str, value: str, expected: str | None) -> None:
    assert secret_reason(name, value) == expected


@pytest.mark.parametrize(("text", "secrets", "expected"), [
    ("token=abc123", ["abc123"], f"token={REDACTED}"),
    ("a=abc123 b=abc123", ["abc123"], f"a={REDACTED} b={REDACTED}"),
    ("key=abcdef", ["abc", "abcdef"], f"key={REDACTED}"),  # longest first: no leftover "def"
    ("key=abcdef", ["abcdef", "abc"], f"key={REDACTED}"),
    # Values shorter than 6 characters are never treated as secrets: "1" would blank
    # every 1 in the report.
    ("x=1 y=2", ["1", "2"], "x=1 y=2"),
    ("token: 'sk_live_abcdefgh1234'", [], f"token: '{REDACTED}'"),
    ('key = "Zx9QmT4vB7nR2kL8pW3sY6dF1hJ5"', [], f'key = "{REDACTED}"'),
    ('id = "0e0888a980cd46efa1d28aea3794b3ac"', [], 'id = "0e0888a980cd46efa1d28aea3794b3ac"'),
    ("nothing here", ["abc123"], "nothing here"),
    ("empty=", [""], "empty="),
    ("no secrets", [], "no secrets"),
    (f"T = \"{STRIPE_LIKE}\"", {STRIPE_LIKE}, f"T = \"{REDACTED}\""),
    # as Markdown text escapes it: `plain` writes `_` as `\_`
    ("uses " + GITHUB_LIKE.replace("_", "\\_") + " to deploy", [], f"uses {REDACTED} to deploy"),
    # a private key runs to its END line, or over its base64 lines: never further; the
    # marker alone is no key
    (f'k = "{PEM_LIKE}\\n-----END RSA PRIVATE KEY-----", n = 1', [], f'k = "{REDACTED}", n = 1'),
    ("paste it from `-----BEGIN " + "PRIVATE KEY-----` on, then deploy", [],
     "paste it from `-----BEGIN " + "PRIVATE KEY-----` on, then deploy"),
    ("-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAQEAx7\nthen text", [],
     f"{REDACTED}\nthen text"),
    # credentials in any text
    ('fetch("https://ops:LatPassw0rd@alerts.example.com")', [],
     f'fetch("https://ops:{REDACTED}@alerts.example.com")'),
    ('headers: { Authorization: "Bearer lat-Qm7Zx2Kp9Lw4" }', [],
     f'headers: {{ Authorization: "Bearer {REDACTED}" }}'),
    ("Basic authentication is off", [], "Basic authentication is off"),
    # a value given to a secret's name; a reference, a number or a word is none
    ("env:\n  AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG\n  TOKEN_TTL: 3600\n"
     "  API_TOKEN: ${{ secrets.API_TOKEN }}\n  CSRF_TOKEN_HEADER: x-csrf-2", [],
     f"env:\n  AWS_SECRET_ACCESS_KEY: {REDACTED}\n  TOKEN_TTL: 3600\n"
     "  API_TOKEN: ${{ secrets.API_TOKEN }}\n  CSRF_TOKEN_HEADER: x-csrf-2"),
    ("PGPASSWORD=CiDbPassw0rd2026; psql", [], f"PGPASSWORD={REDACTED}; psql"),
    ("const API_KEY = env.API_KEY; const SECRET = secret;", [],
     "const API_KEY = env.API_KEY; const SECRET = secret;"),
    # identifiers and paths made of words are not random
    ('"packages/platform-core/src/OAuth2CallbackHandler.ts" `CheckoutSessionDurableObjectV2`',
     [], '"packages/platform-core/src/OAuth2CallbackHandler.ts" `CheckoutSessionDurableObjectV2`'),
    # in JSON text: a quote after a private key, a name after an escaped newline or tab
    ('"at \\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0\\", into"', [],
     f'"at \\"{REDACTED}\\", into"'),
    ('"x\\nDB_PASSWORD = \\"hunter_2024_xyz\\"\\n\\tAPI_SECRET = \\"TabValue-31337\\""', [],
     f'"x\\nDB_PASSWORD = \\"{REDACTED}\\"\\n\\tAPI_SECRET = \\"{REDACTED}\\""'),
    # as Markdown text escapes it
    ('DB\\_PASSWORD = "hunter\\_two\\_2024"', [], f'DB\\_PASSWORD = "{REDACTED}"'),
    # a URL's password with a slash; a port and a path are none
    ("mongodb+srv://app:pa/ss99Secret@cluster0.example.net/db", [],
     f"mongodb+srv://app:{REDACTED}@cluster0.example.net/db"),
    ("https://example.com:8443/path@v2 git@github.com:org/repo.git", [],
     "https://example.com:8443/path@v2 git@github.com:org/repo.git"),
    # words after Bearer and Basic are no tokens; a digit, padding or mixed case make one
    ("Basic TypeScript; Bearer JSONWebTokens; Basic realm=AdminConsole", [],
     "Basic TypeScript; Bearer JSONWebTokens; Basic realm=AdminConsole"),
    ("Basic dXNlcjpwYXNzd29yZA==, bearer abcDEF123ghiJKL456, Authorization: token"
     " 3f2a9c1e8b7d6a5f4e3d", [],
     f"Basic {REDACTED}, bearer {REDACTED}, Authorization: token {REDACTED}"),
    # names of what is about a secret, and values that are references, paths, ARNs, URLs
    ("API_KEY_ID: process.env.API_KEY_ID! TOKEN_EXPIRY=86400s DB_PASS_FILE=/run/secrets/db"
     " SECRET_ARN: arn:aws:secretsmanager:x AUTH_SECRET: https://vault.example.com/x"
     " MAX_TOKENS: 4k-tokens I18N_KEY=checkout.title-v2", [],
     "API_KEY_ID: process.env.API_KEY_ID! TOKEN_EXPIRY=86400s DB_PASS_FILE=/run/secrets/db"
     " SECRET_ARN: arn:aws:secretsmanager:x AUTH_SECRET: https://vault.example.com/x"
     " MAX_TOKENS: 4k-tokens I18N_KEY=checkout.title-v2"),
    # options that take a password or a token
    ("mysql --password=CliPassw0rd88; echo //registry.npmjs.org/:_authToken=abc123def456 >"
     " .npmrc; npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN}", [],
     f"mysql --password={REDACTED}; echo //registry.npmjs.org/:_authToken={REDACTED} >"
     " .npmrc; npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
    ("glpat-" + "abcdefghij1234567890 sk-" + "proj-Ab3dEf6hIj9kLm2nOp5qRs8t", [],
     f"{REDACTED} {REDACTED}"),
    # a token prefix inside a word starts no token
    ("npm_config_strict_peer_dependencies: false; run packages/network_test_connectivity.ts",
     [], "npm_config_strict_peer_dependencies: false; run packages/network_test_connectivity.ts"),
    # a secret's name given a relative path, a variable in a URL, an option in prose
    ("GOOGLE_APPLICATION_CREDENTIALS: ./gcp-sa.json SSH_KEY=~/.ssh/id_ed25519"
     " git clone https://oauth2:$GITLAB_TOKEN@gitlab.com/a.git; Use --token instead", [],
     "GOOGLE_APPLICATION_CREDENTIALS: ./gcp-sa.json SSH_KEY=~/.ssh/id_ed25519"
     " git clone https://oauth2:$GITLAB_TOKEN@gitlab.com/a.git; Use --token instead"),
    # short words after Basic and Bearer, even with a digit
    ("Basic HTTP/1.1 checks; the Bearer RFC-6750 flow; Basic Auth0-based login", [],
     "Basic HTTP/1.1 checks; the Bearer RFC-6750 flow; Basic Auth0-based login"),
    # public values that look random
    ('integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQl" src="/assets/index-B3xK9mQ2'
     'cD7fAb12Xy.js" price="price_1NqLmN8pQrStUvWxYz012345"', [],
     'integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQl" src="/assets/index-B3xK9mQ2'
     'cD7fAb12Xy.js" price="price_1NqLmN8pQrStUvWxYz012345"'),
    # a quoted secret name, a value with `$` or `!` in it
    ('{"DB_PASSWORD": "S3cr3tPassw0rd", \'API_TOKEN\': \'Tok3nValue99\'}', [],
     f'{{"DB_PASSWORD": "{REDACTED}", \'API_TOKEN\': \'{REDACTED}\'}}'),
    ("DB_PASSWORD=Pa$$w0rd2024 ADMIN_PASSWORD: Secr!t-2024-x", [],
     f"DB_PASSWORD={REDACTED} ADMIN_PASSWORD: {REDACTED}"),
    # .npmrc credentials, curl's user, webhook paths, more token prefixes
    ("//r.example.com/:_password=UzNjcmV0UGFzcw== //r.example.com/:_auth=YWRtaW46cGFzcw=="
     " curl -u admin:S3cr3tPassw0rd https://api.example.com", [],
     f"//r.example.com/:_password={REDACTED} //r.example.com/:_auth={REDACTED}"
     f" curl -u admin:{REDACTED} https://api.example.com"),
    ("https://hooks.slack.com/services/T0ABC123/B0DEF456/XxYyZz0123456789abcdef", [],
     f"https://hooks.slack.com/services/{REDACTED}"),
    ("whsec_" + "AbCdEfGh12345678IjKl ASIA" + "IOSFODNN7EXAMPLE", [], f"{REDACTED} {REDACTED}"),
    # a word secret at the start of a line of JSON text, after its escaped newline
    ('"P = \\"\\"\\"\\nCorrectHorseBatteryStaple\\"\\"\\""', ["CorrectHorseBatteryStaple"],
     f'"P = \\"\\"\\"\\n{REDACTED}\\"\\"\\""'),
    # an image's tag and digest, a container's user and group, a name that only starts with
    # TOKEN, a secret's name with its value on another line
    ("uses: docker://alpine:3.20@sha256:0a4eaa0eecf5f8c050e5bba433f58c052be7587ee8af3e8b3910ef9ab5fbe9f5"
     " options: --user runner:docker TOKENIZER_MODEL: bert-base-uncased", [],
     "uses: docker://alpine:3.20@sha256:0a4eaa0eecf5f8c050e5bba433f58c052be7587ee8af3e8b3910ef9ab5fbe9f5"
     " options: --user runner:docker TOKENIZER_MODEL: bert-base-uncased"),
    ("secrets:\n  CLOUDFLARE_API_TOKEN:\n    required: true", [],
     "secrets:\n  CLOUDFLARE_API_TOKEN:\n    required: true"),
    # a secret that is a word or a number is replaced where a config or a command gives it,
    # not in a name, a JSON key, prose or a code span: the audit's own words stay
    ('[env.staging] base-shop-staging {"staging": 1} (env `staging`) S = "staging" --var S=staging'
     " wrangler secret put `wrangler\nsecret put`", ["staging", "secret"],
     f'[env.staging] base-shop-staging {{"staging": 1}} (env `staging`) S = "{REDACTED}"'
     f" --var S={REDACTED} wrangler secret put `wrangler\nsecret put`"),
    ('PASS = "123456"\nPASS = 123456\nmysql -p123456 -e x; line 1234567, 0.1234567', ["123456"],
     f'PASS = "{REDACTED}"\nPASS = {REDACTED}\nmysql -p{REDACTED} -e x; line 1234567, 0.1234567'),
    # ... as a value in YAML, a command, a block, a list, a diff (QA s25c)
    ("env:\n  JWT_SECRET: secret\n  X: >\n    secret\n  - secret\nrun: wrangler deploy --var"
     " JWT_SECRET:secret --var JWT_SECRET secret # old: JWT_SECRET = secret  # gone\n"
     "DR008: -old; +secret; +  secret", ["secret"],
     f"env:\n  JWT_SECRET: {REDACTED}\n  X: >\n    {REDACTED}\n  - {REDACTED}\nrun: wrangler deploy"
     f" --var JWT_SECRET:{REDACTED} --var JWT_SECRET {REDACTED} # old: JWT_SECRET = {REDACTED}  # gone\n"
     f"DR008: -old; +{REDACTED}; +  {REDACTED}"),
    # ... with spaces or a tab, in brackets, a query, a here-string (QA s25d)
    ("JWT_SECRET =  secret\nS:\tsecret\nX = [secret]\nY = {a = secret}\nE:    secret\n"
     "curl 'https://x.example.com/login?token=secret&user=x' <<< secret ${K:-secret}", ["secret"],
     f"JWT_SECRET =  {REDACTED}\nS:\t{REDACTED}\nX = [{REDACTED}]\nY = {{a = {REDACTED}}}\n"
     f"E:    {REDACTED}\ncurl 'https://x.example.com/login?token={REDACTED}&user=x' <<< {REDACTED}"
     f" ${{K:-{REDACTED}}}"),
    # a word auditlib never writes is replaced wherever it stands as a word
    ('P = """ hunterx """ (hunterx) `hunterx` +hunterx [env.hunterx] a-hunterx', ["hunterx"],
     f'P = """ {REDACTED} """ ({REDACTED}) `{REDACTED}` +{REDACTED} [env.hunterx] a-hunterx'),
    # credentials in a query string or a connection string, also as Markdown escapes them
    ("https://api.example.com/v1?access_token=abc123XYZ789&page=2 https://x.blob.core.windows"
     ".net/c?sv=2022-11-02&sig=AbCdEf123456%3D /v1?access\\_token=abc123XYZ789", [],
     f"https://api.example.com/v1?access_token={REDACTED}&page=2 https://x.blob.core.windows"
     f".net/c?sv=2022-11-02&sig={REDACTED} /v1?access\\_token={REDACTED}"),
    ('"Server=db;User Id=app;Password=Hunter2Hunter2;Encrypt=true" AccountName=shop;'
     "AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net", [],
     f'"Server=db;User Id=app;Password={REDACTED};Encrypt=true" AccountName=shop;'
     f"AccountKey={REDACTED};EndpointSuffix=core.windows.net"),
    # ... not a word, a reference, a call, a path, a placeholder, nor a name only ending so
    ("login(password=password_var, pwd=getpass()) password=cfg.db.password ?key=products"
     " ?token=${TOKEN}&api_key=<API_KEY> ?sort=key&page=2 pwd=/home/u passage=abcdefgh1"
     " signature=SHA256withRSA &var-key=checkout-latency-9", [],
     "login(password=password_var, pwd=getpass()) password=cfg.db.password ?key=products"
     " ?token=${TOKEN}&api_key=<API_KEY> ?sort=key&page=2 pwd=/home/u passage=abcdefgh1"
     " signature=SHA256withRSA &var-key=checkout-latency-9"),
    # a secret's name in lower or mixed case, in YAML, JSON, code and a shell line
    ('password: hunter2hunter\n{"clientSecret": "abcd1234efgh", "accessToken": "tok_9a8b7c6d"}'
     ' user.password = "hunter22"; db-password=S3cret99x apiKey: "Zq8s7d6f5g4h"', [],
     f'password: {REDACTED}\n{{"clientSecret": "{REDACTED}", "accessToken": "{REDACTED}"}}'
     f' user.password = "{REDACTED}"; db-password={REDACTED} apiKey: "{REDACTED}"'),
    # basic authentication's `user:password`, in mixed and lower case; not a switch
    ('basicAuth: admin:hunter22 basic_auth: "ops:S3cret99" basicAuth: true auth: required'
     " useBasicAuth: yes-please", [],
     f'basicAuth: {REDACTED} basic_auth: "{REDACTED}" basicAuth: true auth: required'
     " useBasicAuth: yes-please"),
    # ... not a type, a reference, a call, a word, a name about a secret, nor another key
    ("password: string; token: Token | null; secret: Buffer; const token = req.headers.get(x)"
     " password: ${{ secrets.DB_PASSWORD }} Password: changeit secretName: prod-db-creds"
     " tokenUrl: https://x.example.com/token key: node-modules-v2 cache-key: abc-123-x", [],
     "password: string; token: Token | null; secret: Buffer; const token = req.headers.get(x)"
     " password: ${{ secrets.DB_PASSWORD }} Password: changeit secretName: prod-db-creds"
     " tokenUrl: https://x.example.com/token key: node-modules-v2 cache-key: abc-123-x"),
    # more names of secrets, in lower, mixed and upper case; more parameters
    ("smtp_pass: MehGAkWvj7FAc9 passphrase: lSXpfKtHF4vUCs pwd=lFXJKr3P5IGjKm"
     ' "privateKey": "DthTiB64fN3mKh" accessKey: p8cshtwPkhdM99 credentials: Qz8vTn2Lp4Rw'
     " mailerPass: AbQTSDp2zw5Ogl SIGNING_KEY_OLD = hHw1F96ewn294o", [],
     f"smtp_pass: {REDACTED} passphrase: {REDACTED} pwd={REDACTED}"
     f' "privateKey": "{REDACTED}" accessKey: {REDACTED} credentials: {REDACTED}'
     f" mailerPass: {REDACTED} SIGNING_KEY_OLD = {REDACTED}"),
    ("?access_key=vJA76rNicHTp8h&X-Amz-Signature=4f3c2b1a0e9d&subscription-key=kqdlm7tOtHWnsC"
     " &sig=%2BSDLPS6Do3xYz%3D ;AccessKey=asBMgbG68j47+e7=;V=1", [],
     f"?access_key={REDACTED}&X-Amz-Signature={REDACTED}&subscription-key={REDACTED}"
     f" &sig={REDACTED} ;AccessKey={REDACTED};V=1"),
    # an OAuth authorization code in a URL's query, which buys a token; not a status, country
    # or promo code, a code in prose, nor another parameter ending in code
    ("https://shop.example/callback?code=4/0AVHEtk6WqXbQ2nPz8rT1mLk9sJd3fGh&state=xyz"
     " /cb?state=x&code=e4b1c0a6f0d9b5a1e8c2 exit code=1, status code=200, ?code=US"
     " code=SAVE10 /promo?code=SAVE10 ?error_code=E4B1C0A6F0D9B5A1E8C2", [],
     f"https://shop.example/callback?code={REDACTED}&state=xyz"
     f" /cb?state=x&code={REDACTED} exit code=1, status code=200, ?code=US"
     " code=SAVE10 /promo?code=SAVE10 ?error_code=E4B1C0A6F0D9B5A1E8C2"),
    # in JSON text: a tab, a name after an escaped newline; in Markdown: escaped underscores
    ('"\\npassword:\\tpTifmrI1YiJCD1\\nPwd=P6zR3wdoKyA66y" -db\\_password\\_old = "KBSgUbd5ue4hh9"',
     [], f'"\\npassword:\\t{REDACTED}\\nPwd={REDACTED}" -db\\_password\\_old = "{REDACTED}"'),
    # other separators and options
    ("password := \"mL7fLltLwDwXSB\" 'password' => 'WkOrpTbndzCm5M' docker login --password"
     " jQKDVzk80b8OyS; redis-server --requirepass GfI2rVXWybQTKj; use --password-stdin", [],
     f"password := \"{REDACTED}\" 'password' => '{REDACTED}' docker login --password"
     f" {REDACTED}; redis-server --requirepass {REDACTED}; use --password-stdin"),
    # short tokens in an Authorization header; more parameters named as keys
    ("Authorization: Bearer 8f7e6d5c4b3a; Authorization: Token SCgw3gTlcrhDFL;"
     " Authorization: ApiKey 8f7e6d5c4b3a2918 ?auth_key=a1b2c3d4e5f6&license_key=a1b2c3d4e5f6", [],
     f"Authorization: Bearer {REDACTED}; Authorization: Token {REDACTED};"
     f" Authorization: ApiKey {REDACTED} ?auth_key={REDACTED}&license_key={REDACTED}"),
    # a value ends where a query or an object goes on
    ("token=abc123def456&next=/home {password:a1b2c3d4,user:admin}", [],
     f"token={REDACTED}&next=/home {{password:{REDACTED},user:admin}}"),
    # types, calls, versions, colours, pagination, keys that find things, names about secrets
    ("secret: Uint8Array; signingKey: Ed25519PrivateKey | string; const token ="
     " encodeBase32LowerCaseNoPadding(bytes); token: uuidv4(), \"js-tokens\": \"^4.0.0\","
     " tiktoken==0.7.0 Token: \"#d8dee9\", ?limit=50&nextPageToken=CiAKGjBpNDd2Nmp0dk"
     " &syncToken=CPDAlvWDx70CEPDAlvWDx70C eventKey=\"link-1\" dataKey=\"revenue2023\""
     " tokenStorage: cookie-v2 passwordRule: \"min-12-chars\" ?key=sdk-v2 --token-radius: 0.375rem", [],
     "secret: Uint8Array; signingKey: Ed25519PrivateKey | string; const token ="
     " encodeBase32LowerCaseNoPadding(bytes); token: uuidv4(), \"js-tokens\": \"^4.0.0\","
     " tiktoken==0.7.0 Token: \"#d8dee9\", ?limit=50&nextPageToken=CiAKGjBpNDd2Nmp0dk"
     " &syncToken=CPDAlvWDx70CEPDAlvWDx70C eventKey=\"link-1\" dataKey=\"revenue2023\""
     " tokenStorage: cookie-v2 passwordRule: \"min-12-chars\" ?key=sdk-v2 --token-radius: 0.375rem"),
    # a sentence, not a setting
    ("- password: 12-character minimum (was 8).\n- secret: rotate-2024 campaign finished.", [],
     "- password: 12-character minimum (was 8).\n- secret: rotate-2024 campaign finished."),
    ("until the rotation the staging password: udANTU1vkfbjn stays valid", [],
     f"until the rotation the staging password: {REDACTED} stays valid"),
    # a reference is none, its default (docker compose) is judged as a value is
    ("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres} JWT_SECRET=${JWT_SECRET:-8f7e6d5c4b3a2918}"
     ' redis://:${redis_password:-devpass1}@r "${REDIS_PASSWORD:-s3cr3tR3dis}" ${API_TOKEN}', [],
     f"POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:-postgres}} JWT_SECRET=${{JWT_SECRET:-{REDACTED}}}"
     f' redis://:${{redis_password:-{REDACTED}}}@r "${{REDIS_PASSWORD:-{REDACTED}}}" ${{API_TOKEN}}'),
    ("API_KEY=${API_KEY:=8f7e6d5c4b3a2918} db_password: ${DB_PASSWORD:+p4ssW0rdXy}", [],
     f"API_KEY=${{API_KEY:={REDACTED}}} db_password: ${{DB_PASSWORD:+{REDACTED}}}"),
    # a secret word and a qualifier, a digit or an acronym: still a secret's name
    ('dbPasswordProd: "p4ssW0rdXy" githubTokenCI=Qz8vTn2Lp4Rw7Yx1 secret_key_base: 8f7e6d5c4b3a'
     ' password1=p4ssW0rdXy JWTSecret: "Gd83kQ0pL2vX7sNa1bYc" apiKeyValue: "8f7e6d5c4b3a2918"', [],
     f'dbPasswordProd: "{REDACTED}" githubTokenCI={REDACTED} secret_key_base: {REDACTED}'
     f' password1={REDACTED} JWTSecret: "{REDACTED}" apiKeyValue: "{REDACTED}"'),
    # a quoted value runs to its quote; an unquoted one to where a query or an object goes on;
    # lower-case tokens in a sentence
    ('password: "Tr0ub4dor&3" db_password=p4ss,w0rd9 token=abc123&next=/home'
     " password: qwerty123 is weak db_password=p4ss|w0rd9 {api_key:a1b2c3d4}", [],
     f'password: "{REDACTED}" db_password={REDACTED} token={REDACTED}&next=/home'
     f" password: {REDACTED} is weak db_password={REDACTED} {{api_key:{REDACTED}}}"),
    ('openaiKey: "Gd83kQ0pL2vX7sNa1bYc" tokenExpiresAt: 2024-06-01T00:00:00Z tokenModel: gpt-4o'
     " api_key_env: OPENAI_API_KEY2", [],
     f'openaiKey: "{REDACTED}" tokenExpiresAt: 2024-06-01T00:00:00Z tokenModel: gpt-4o'
     " api_key_env: OPENAI_API_KEY2"),
    # a name with its type, an item of a mapping; not an item looked up by an index
    ('const apiKey: string = "8f7e6d5c4b3a2918"; let API_TOKEN: string | undefined = "a8f3k29dj38f"'
     " headers[\"x-api-key\"] = \"8f7e6d5c4b3a\" app.config['SECRET_KEY'] = 'a8f3k29dj38f'"
     " password: string = DEFAULT_2 tokens[i1] = nextValue2 const token: string = getToken(a1)", [],
     f'const apiKey: string = "{REDACTED}"; let API_TOKEN: string | undefined = "{REDACTED}"'
     f" headers[\"x-api-key\"] = \"{REDACTED}\" app.config['SECRET_KEY'] = '{REDACTED}'"
     " password: string = DEFAULT_2 tokens[i1] = nextValue2 const token: string = getToken(a1)"),
    # commands with a password, JSON text in JSON text, a Maven server, env entries, a k8s Secret
    ("docker login -u ci -p jQKDVzk80b8OyS r.example.com; redis-cli -a AM1MHcz8dXxvzp ping;"
     " docker run -p 8080:8080 img; docker login -p $CI_TOKEN", [],
     f"docker login -u ci -p {REDACTED} r.example.com; redis-cli -a {REDACTED} ping;"
     " docker run -p 8080:8080 img; docker login -p $CI_TOKEN"),
    ('"echo \\"{\\\\\\"password\\\\\\":\\\\\\"GWrhhhz4iILo3o\\\\\\"}\\""', [],
     f'"echo \\"{{\\\\\\"password\\\\\\":\\\\\\"{REDACTED}\\\\\\"}}\\""'),
    ("<password>ejtUtqUKJQ79ve</password> <password>${env.NEXUS_PASSWORD}</password>"
     " <passwordPolicy>min12chars</passwordPolicy>", [],
     f"<password>{REDACTED}</password> <password>${{env.NEXUS_PASSWORD}}</password>"
     " <passwordPolicy>min12chars</passwordPolicy>"),
    ("- name: DB_PASSWORD\n  value: COzfc2CEmnUxac\n- name: LOG_LEVEL\n  value: debug12345\n"
     '{"name": "API_TOKEN", "value": "a1b2c3d4e5f6"}', [],
     f"- name: DB_PASSWORD\n  value: {REDACTED}\n- name: LOG_LEVEL\n  value: debug12345\n"
     f'{{"name": "API_TOKEN", "value": "{REDACTED}"}}'),
    ("data:\n  tls.key: 2eKu5xtp20H6YBaFWVN4hX8eVrex0i9nn0ZF+fd5ewPjRLOZREh7qjzZVk/sz2k6l==\n"
     "// Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ== (RFC 6455 example)", [],
     f"data:\n  tls.key: {REDACTED}\n"
     "// Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ== (RFC 6455 example)"),
    # types of Python and TypeScript, items with spaces; not a reference nor an item by a variable
    ('api_key: str = "a8Fk29dkLq0pZx7" SECRET_KEY: Final[str] = "a8Fk29dkLq0pZx7"'
     ' apiKey?: string = "a8Fk29dkLq0pZx7" apiKey: null | string = "a8Fk29dkLq0pZx7"'
     " app.config[ 'SECRET_KEY' ] = 'a8Fk29dkLq0pZx7'", [],
     f'api_key: str = "{REDACTED}" SECRET_KEY: Final[str] = "{REDACTED}"'
     f' apiKey?: string = "{REDACTED}" apiKey: null | string = "{REDACTED}"'
     f" app.config[ 'SECRET_KEY' ] = '{REDACTED}'"),
    ("app.config['SECRET_KEY'] = os.environ['SECRET_KEY']\nSECRET_KEY = os.environ['KEY_2']\n"
     "cache[token] = user_42\nself._clients[api_key] = client_v2", [],
     "app.config['SECRET_KEY'] = os.environ['SECRET_KEY']\nSECRET_KEY = os.environ['KEY_2']\n"
     "cache[token] = user_42\nself._clients[api_key] = client_v2"),
    # registry clients and redis-cli, quoted values; not another command's -p, nor a reference
    ('docker login -u ci -p "a8Fk29dkLq0pZx7" g; redis-cli -h r -p 6379 -a \'a8Fk29dkLq0pZx7\' ping;'
     " podman login -p a8Fk29dkLq0pZx7 q; helm registry login -p a8Fk29dkLq0pZx7 h", [],
     f'docker login -u ci -p "{REDACTED}" g; redis-cli -h r -p 6379 -a \'{REDACTED}\' ping;'
     f" podman login -p {REDACTED} q; helm registry login -p {REDACTED} h"),
    ("Run `docker login ghcr.io`, then `docker run -p 8080:80 nginx`. docker login -p %REG_PW%"
     " ssh login -p 2222 host", [],
     "Run `docker login ghcr.io`, then `docker run -p 8080:80 nginx`. docker login -p %REG_PW%"
     " ssh login -p 2222 host"),
    # env entries one key per line (ECS, CloudFormation, CRLF); a name that is no secret's
    ('{\n  "name": "API_TOKEN",\n  "value": "a8Fk29dkLq0pZx7"\n}\n- Name: API_TOKEN\n  Value: a8Fk29dkLq0pZx7'
     "\n- name: DB_PASSWORD\r\n  value: Hunter2pass9\n- name: PRIVATE_SUBNET\n  value: 10.0.1.0/24", [],
     f'{{\n  "name": "API_TOKEN",\n  "value": "{REDACTED}"\n}}\n- Name: API_TOKEN\n  Value: {REDACTED}'
     f"\n- name: DB_PASSWORD\r\n  value: {REDACTED}\n- name: PRIVATE_SUBNET\n  value: 10.0.1.0/24"),
    # a k8s Secret's keys, a comment after; public values under other keys; dates about a secret
    ("tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lC # rotated\n"
     ".dockerconfigjson:  4++5lFYkFwXv+Cqphzf63vphpAS3LpKAfShGDgzKSpe8X1Y0nqf==\n"
     "caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUy\n"
     "publicKey: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
     "sha256: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
     "cache-key: Linux-pnpm-store-8f3e2a1b9c4d5e6f7a8b9c0d1e2f3a4b\n"
     "<PasswordLastUsed>2024-01-15T09:12:03Z</PasswordLastUsed>", [],
     f"tls.key: {REDACTED} # rotated\n.dockerconfigjson:  {REDACTED}\n"
     "caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUy\n"
     "publicKey: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
     "sha256: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
     "cache-key: Linux-pnpm-store-8f3e2a1b9c4d5e6f7a8b9c0d1e2f3a4b\n"
     "<PasswordLastUsed>2024-01-15T09:12:03Z</PasswordLastUsed>"),
    # XML: space around the value, attributes, .NET and Spring settings; a comment after a name
    ("<password>\n  Hunter2pass9\n</password> <password type=\"plain\">Hunter2pass9</password>"
     ' <add key="DbPassword" value="Hunter2pass9"/> <property name="password" value="Hunter2pass9"/>'
     ' <add key="CacheSize" value="512mb1"/>\n- name: DB_PASSWORD  # rotated\n  value: Hunter2pass9', [],
     f"<password>\n  {REDACTED}\n</password> <password type=\"plain\">{REDACTED}</password>"
     f' <add key="DbPassword" value="{REDACTED}"/> <property name="password" value="{REDACTED}"/>'
     f' <add key="CacheSize" value="512mb1"/>\n- name: DB_PASSWORD  # rotated\n  value: {REDACTED}'),
    # upper-case elements; an ODBC value in braces (`}` escaped as `}}`), not a format's `{0}`
    ("<PASSWORD>Hunter2pass9</PASSWORD> Driver={ODBC Driver 18};Pwd={Hun;ter2}}pass9};Uid=sa"
     " Password={0}; Pwd={password}", [],
     f"<PASSWORD>{REDACTED}</PASSWORD> Driver={{ODBC Driver 18}};Pwd={{{REDACTED}}};Uid=sa"
     " Password={0}; Pwd={password}"),
    # a command over lines a backslash continues; exec form; not another command's next line
    ("docker login \\\n  -u ci \\\n  -p a8Fk29dkLq0pZx7 ghcr.io\n"
     'test: ["CMD", "redis-cli", "-h", "r", "-a", "a8Fk29dkLq0pZx7", "ping"]\n'
     'command: ["redis-server", "--requirepass", "a8Fk29dkLq0pZx7"]\n'
     "docker login ghcr.io\nssh -p 2222 host", [],
     f"docker login \\\n  -u ci \\\n  -p {REDACTED} ghcr.io\n"
     f'test: ["CMD", "redis-cli", "-h", "r", "-a", "{REDACTED}", "ping"]\n'
     f'command: ["redis-server", "--requirepass", "{REDACTED}"]\n'
     "docker login ghcr.io\nssh -p 2222 host"),
    # YAML block scalars given to a secret's key: each line, until one indented no more;
    # not a reference, a line of words, nor another key's block
    ("data:\n  password: |\n    Hunter2pass9\n  tls.key: >- # base64\r\n    LS0tLS1CRUdJTiBQ9\r\n"
     "\r\n    a8Fk29dkLq0pZx7\r\n  other: x1234567\nsecrets: |\n  npm=${{ secrets.NPM_TOKEN_2 }}\n"
     "  plain words here\nrun: |\n  echo a8Fk29dkLq0pZx7", [],
     f"data:\n  password: |\n    {REDACTED}\n  tls.key: >- # base64\r\n    {REDACTED}\r\n"
     f"\r\n    {REDACTED}\r\n  other: x1234567\nsecrets: |\n  npm=${{{{ secrets.NPM_TOKEN_2 }}}}\n"
     "  plain words here\nrun: |\n  echo a8Fk29dkLq0pZx7"),
    # long values are redacted whole
    ("<password>" + "a8Fk29dkLq0pZx7" * 18 + "</password>- name: API_KEY\n  value: "
     + "a8Fk29dkLq0pZx7" * 18, [], f"<password>{REDACTED}</password>- name: API_KEY\n  value: {REDACTED}"),
    # quoted, a value may start as code does
    ('password: "!Qaz2wsx9"', [], f'password: "{REDACTED}"'),
    # code, references, placeholders, numbers, labels and pagination: none is a secret
    ("token: session?.accessToken, password: user!.password parts: { token: parts[1] }"
     ' hasToken: !!session password: process.env["DB_PASSWORD"] token: this.#token'
     " password: String::new() password: @password api_key: !secret openai_api_key"
     " '#{TOKEN}#' token: file:/run/secrets/token tokens: 1_000_000 token: 0x1f2a3b4c5d"
     ' "password": "Too-short!" &page_token=CiAKGjBpNDd2Nmp0dk ?key=osm-standard'
     " arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-AbCdEf", [],
     "token: session?.accessToken, password: user!.password parts: { token: parts[1] }"
     ' hasToken: !!session password: process.env["DB_PASSWORD"] token: this.#token'
     " password: String::new() password: @password api_key: !secret openai_api_key"
     " '#{TOKEN}#' token: file:/run/secrets/token tokens: 1_000_000 token: 0x1f2a3b4c5d"
     ' "password": "Too-short!" &page_token=CiAKGjBpNDd2Nmp0dk ?key=osm-standard'
     " arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-AbCdEf"),
    # the new names in a workflow's env, a PIN that is a number; what only looks alike stays
    # (QA s26c)
    ("env:\n  BASIC_AUTH: admin:s3cr3tpw\n  OTP_SEED: JBSWY3DPEHPK3PXP\n  GITHUB_PAT: pat889900x\n"
     "  ADMIN_PIN: 918273\n  HASH_PEPPER: q7Lm2pX9zz\n  PATH: /usr/local/bin:/bin\n"
     "  MAX_PINS: 120000\n  SEED_PHRASE_LANGUAGE: english\n", [],
     f"env:\n  BASIC_AUTH: {REDACTED}\n  OTP_SEED: {REDACTED}\n  GITHUB_PAT: {REDACTED}\n"
     f"  ADMIN_PIN: {REDACTED}\n  HASH_PEPPER: {REDACTED}\n  PATH: /usr/local/bin:/bin\n"
     "  MAX_PINS: 120000\n  SEED_PHRASE_LANGUAGE: english\n"),
    # a PIN of four digits, only where a PIN's or a password's name gives it
    ('PIN_CODE = "1234"\nAPP_PIN = 1234\n{"name": "PIN_CODE",\n  "value": "1234"}\n'
     "RETRIES = 1234 at src/a.ts:1234", ["1234"],
     f'PIN_CODE = "{REDACTED}"\nAPP_PIN = {REDACTED}\n{{"name": "PIN_CODE",\n  "value": "{REDACTED}"}}\n'
     "RETRIES = 1234 at src/a.ts:1234"),
    # ... also on the line after its name (QA s27e: TOML's multi-line strings, JSONC; the JSON
    # output's copy of a config's text), after a tab or a comment (QA s27f)
    ('LOGIN_PASSWORD = """\nl0gin"""\nSPLIT_PASSWORD = """\\\n  pswd1"""\n{"ROOT_PASSWORD":\n'
     '                    "r00tp", "JH_PASSWORD": /* c */ "jhqq9"}\n'
     '"text": "LOGIN_PASSWORD = \\"\\"\\"\\nl0gin\\"\\"\\"\\nJ_PASSWORD\\t=\\t\\"jjqq2\\""',
     ["l0gin", "pswd1", "r00tp", "jhqq9", "jjqq2"],
     f'LOGIN_PASSWORD = """\n{REDACTED}"""\nSPLIT_PASSWORD = """\\\n  {REDACTED}"""\n{{"ROOT_PASSWORD":\n'
     f'                    "{REDACTED}", "JH_PASSWORD": /* c */ "{REDACTED}"}}\n'
     f'"text": "LOGIN_PASSWORD = \\"\\"\\"\\n{REDACTED}\\"\\"\\"\\nJ_PASSWORD\\t=\\t\\"{REDACTED}\\""'),
    # a short password, only where a password's name gives it: not in a path, a key on the
    # next line, prose after a blank line or a hyphenated word (QA s27f)
    ('ADMIN_PASSWORD = "adm1n"\n{"name": "ADMIN_PASSWORD", "value": "adm1n"}\n'
     "the adm1n panel at /adm1n, [env.adm1n]\nPASSWORD:\n  adm1n: true\n"
     "PASSWORD:\n\nadm1n is fine\nPASSWORD: adm1n-panel", ["adm1n"],
     f'ADMIN_PASSWORD = "{REDACTED}"\n{{"name": "ADMIN_PASSWORD", "value": "{REDACTED}"}}\n'
     "the adm1n panel at /adm1n, [env.adm1n]\nPASSWORD:\n  adm1n: true\n"
     "PASSWORD:\n\nadm1n is fine\nPASSWORD: adm1n-panel"),
    # a PIN of four digits and a seed phrase in any text, by their names (QA s26d)
    ('env:\n  PIN_CODE: "5566"\n  DOOR_PIN: 4821\n  SEED_PHRASE: legal winner thank year wave'
     " sausage worth useful legal winner thank yellow\n  MIN_PIN: 1000\n  PINNED: 1234\n"
     "  PASS_COUNT: 5\nDOOR\\_PIN: 4821", [],
     f'env:\n  PIN_CODE: "{REDACTED}"\n  DOOR_PIN: {REDACTED}\n  SEED_PHRASE: {REDACTED}\n'
     f"  MIN_PIN: 1000\n  PINNED: 1234\n  PASS_COUNT: 5\nDOOR\\_PIN: {REDACTED}"),
    # a value shaped as a reference, a version or a file name that holds a random run is
    # still given to a secret's name (QA s35b); a real reference, version or file stays
    ("env:\n  CLOUDFLARE_API_TOKEN: Xk9vQ2mZ7pL4rT8wY1nB5cV3.abc\n"
     "  DB_PASSWORD: v1.0-abcdef0123456789abcdef0123456789\n  with:\n"
     "    apiToken: Qm7vT2xZ9pL4rK8wY1nB5cV3.xyz\n  API_TOKEN: process.env.API_TOKEN\n"
     "  DB_PASSWORD: 1.2.3-beta.4\n  API_TOKEN_FILE: token.json\n"
     "  SECRET: op://Production/Cloudflare2024ApiToken/credential\n", [],
     f"env:\n  CLOUDFLARE_API_TOKEN: {REDACTED}\n  DB_PASSWORD: {REDACTED}\n  with:\n"
     f"    apiToken: {REDACTED}\n  API_TOKEN: process.env.API_TOKEN\n"
     "  DB_PASSWORD: 1.2.3-beta.4\n  API_TOKEN_FILE: token.json\n"
     "  SECRET: op://Production/Cloudflare2024ApiToken/credential\n"),
    # Cloudflare's Turnstile test secret key is public
    ('TURNSTILE_SECRET_KEY = "1x0000000000000000000000000000000AA"', [],
     'TURNSTILE_SECRET_KEY = "1x0000000000000000000000000000000AA"'),
])
def test_redact(text: str, secrets: list[str] | set[str], expected: str) -> None:
    assert redact(text, secrets) == expected


def test_redact_accepts_a_generator() -> None:
    assert redact("a=abcdef", (s for s in ["abcdef"])) == f"a={REDACTED}"


@pytest.mark.parametrize("token", [STRIPE_LIKE, STRIPE_TEST_LIKE, GITHUB_LIKE, GITHUB_PAT_LIKE,
                                   SLACK_LIKE, AWS_LIKE, GOOGLE_LIKE, PEM_LIKE, JWT_LIKE])
def test_every_kind_of_token_is_redacted_unquoted_in_a_long_text(token: str) -> None:
    """Tokens are looked for only in texts holding one of TOKEN_STARTS: each kind must."""
    text = "plain words, " * 1000 + f"then {token} unquoted" + " and more" * 1000
    redacted = redact(text, [])
    assert token not in redacted and f"then {REDACTED}" in redacted


_PIECES = ["sk.", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0", "sk_live_", "sk\\_test\\_",
           "4eC39HqLyjWDarjtT1zdp7dc", "ghp_", "AKIA", "IOSFODNN7EXAMPLE", "Bearer ", "bearer",
           "Basic ", "Authorization: ", "Token ", "dXNlcjpwYXNz=", " ", "x", "\\_", "\n",
           "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA", "-----END RSA PRIVATE KEY-----"]


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
@hypothesis.example(" sk.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0 xsk.eyJhbGciOiJIUzI1NiJ9.eyJzd")
@hypothesis.example("Authorization: Token dXNlcjpwYXNz= Basic dXNlcjpwYXNz= bearer a1B2c3D4e5F6g7H8")
def test_tokens_found_from_their_starts_are_those_a_full_scan_finds(text: str) -> None:
    """TOKEN and AUTHORIZATION run only where their literals are: as a scan of the text does."""
    assert (secrets._sub(secrets.TOKEN, text, lambda _: REDACTED, secrets._token_starts(text))
            == secrets.TOKEN.sub(REDACTED, text))
    starts = secrets._authorization_starts(text)
    assert (secrets._sub(secrets.AUTHORIZATION, text, secrets._authorization, starts)
            == secrets.AUTHORIZATION.sub(secrets._authorization, text))
    assert secrets._sub(secrets.QUOTED, text, secrets._random) == secrets.QUOTED.sub(
        secrets._random, text)


_SHAPES = ["Pwd={", "}", "{", "Str0ng;Pa55", "<PASSWORD>", "</password>", "--requirepass", "--pass",
           "--token", "\n", "\\\n", "\r\n", " ", ", ", '"', "'", "- ", "password: |\n  ", "token: >-\n    ",
           "  # ", "!!str ", "&pw ", "[", "]", "\t", "docker login", " -p ", "redis-cli", " -a ",
           "s3cretLine9", "hunter2x", "12345678", "false", ":", "=", "Password=", "?access_token=", REDACTED]
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(),
              st.lists(st.sampled_from(_SHAPES), max_size=12).map("".join)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(
        st.sampled_from(["password", "token", "args", "hint", "clientSecret", "x-api-key", "q"]), inner,
        max_size=4)), max_leaves=12)


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(_VALUES, st.sampled_from([None, 2]))
@hypothesis.example({"password": "«redacted»redis-cli12345678Pwd={"}, None)  # `\u00bb` kept whole
def test_redacted_json_text_is_json_of_the_same_shape_and_redacting_again_changes_nothing(
        value: object, indent: int | None) -> None:
    def shape(item: object) -> object:
        if isinstance(item, dict):
            return {key: shape(inner) for key, inner in item.items()}
        return [shape(inner) for inner in item] if isinstance(item, list) else type(item).__name__

    redacted = redact(json.dumps(value, indent=indent), ())
    parsed = json.loads(redacted)
    assert shape(parsed) == shape(value) or REDACTED in redacted.split('"', 1)[0] + str(parsed)
    assert redact(redacted, ()) == redacted


def test_a_text_with_nothing_to_redact_is_not_copied() -> None:
    """No copy of a 12 MB output where every match is left as it is."""
    text = '{"name": "MODE", "value": "production-2"}, "AUTH_ISSUER": "https://a.example.com"' * 50
    assert redact(text, []) is text


@pytest.mark.parametrize(("name", "value", "pieces"), [
    ("WEBHOOK_SECRET", "whsec_AbCdEfQGhIjKlMnOp123", ["AbCdEfQ", "GhIjKlMnOp123"]),  # continued
    ("SIGNING_SECRET", "sigAnature-Secret-77xyz", ["nature-Secret-77xyz"]),  # a dotted key
])
def test_a_secret_var_is_redacted_as_its_file_spells_it(name: str, value: str,
                                                        pieces: list[str]) -> None:
    text = ('[vars]\nWEBHOOK_SECRET = """whsec_AbCdEfQ\\\n    GhIjKlMnOp123"""\n'
            '[env.production]\nvars.SIGNING_SECRET = "sig\\u0041nature-Secret-77xyz"\n')
    redacted = redact(text, spellings(name, value, text))
    assert not [piece for piece in pieces if piece in redacted], redacted
    assert f"{name} = " in redacted


def test_the_strings_of_a_secret_table_or_array_are_redacted_as_the_file_spells_them() -> None:
    text = ('[vars]\nOAUTH = { client_id = "shop", client_secret = "h\\u006Frse-staple-42" }\n'
            'HMAC_SECRETS = [\n  "k\\u0065y-alpha-bravo-7781",\n]\nOTHER = "kept-value"\n')
    found = (spellings("OAUTH", '{"client_id": "shop", "client_secret": "horse-staple-42"}', text)
             | spellings("HMAC_SECRETS", '["key-alpha-bravo-7781"]', text))
    redacted = redact(text, found)
    assert "staple" not in redacted and "bravo" not in redacted, redacted
    assert 'OTHER = "kept-value"' in redacted


def test_the_keys_of_a_secret_json_table_are_not_redacted() -> None:
    """Only its values: `client_secret` redacted would hide that word in every output."""
    text = ('{\n  "vars": {\n    "OAUTH": { "client_id": "shop",'
            ' "client_secret": "horse-staple-42" }\n  }\n}\n')
    found = spellings("OAUTH", '{"client_id": "shop", "client_secret": "horse-staple-42"}', text)
    assert found == {"shop", "horse-staple-42", '{"client_id": "shop", "client_secret":'
                                                    ' "horse-staple-42"}'}


def test_json_stays_json_when_redacting_its_text_would_break_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Redaction runs over the JSON text, for speed; should a replacement ever break it, each
    string is redacted instead."""
    from auditlib import api

    audit = api.run_audit(None, "2026-01-21")
    real = api.redact

    def breaking(text: str, secrets: set[str]) -> str:
        text = real(text, secrets)
        return text.replace('"audit_date"', '"audit_date', 1) if text.startswith("{") else text

    monkeypatch.setattr(api, "redact", breaking)
    assert json.loads(audit.to_json())["audit_date"] == "2026-01-21"


def test_a_secret_that_is_a_word_is_hidden_but_the_audits_own_words_stay(tmp_path: Path) -> None:
    """Mail-0/Zero's `"JWT_SECRET": "secret"`, and a secret named as its environment."""
    from auditlib import api

    (tmp_path / "wrangler.toml").write_text(
        'name = "w"\nmain = "w.ts"\n[vars]\nJWT_SECRET = "secret"\n'
        '[env.production.vars]\nSESSION_SECRET = "production"\n', encoding="utf-8")
    audit = api.run_audit(tmp_path, "2026-01-21")
    for text in (audit.to_json(), audit.markdown()):
        assert 'JWT_SECRET = \\"secret\\"' not in text and 'JWT_SECRET = "secret"' not in text
        assert '"production"' not in text.replace('"environment": "production"', "")
        assert "`wrangler secret put JWT_SECRET`" in text
        assert "(env `production`)" in text and REDACTED in text


@pytest.mark.parametrize(("text", "expected"), [
    # a secret's block inside a secret's block: each line once, in order

    ("s:\n  secrets.yaml: |\n    tls_key: |\n      Leak111\n    db: Leak222\n",
     f"s:\n  secrets.yaml: |\n    tls_key: |\n      {REDACTED}\n    {REDACTED}\n"),
    # quoted keys, two spaces, a tag, an anchor, a tab in a line, commented out
    ('"password": |\n  S3cretline\n\'db-password\': |\n  S3cretline\npassword:  |\n  S3cretline\n'
     "password: !!str |\n  S3cretline\npassword: &pw |\n  \tS3cretline\nx: 1\n"
     "  # token: |\n  #   S3cretline\n",
     f'"password": |\n  {REDACTED}\n\'db-password\': |\n  {REDACTED}\npassword:  |\n  {REDACTED}\n'
     f"password: !!str |\n  {REDACTED}\npassword: &pw |\n  \t{REDACTED}\nx: 1\n"
     f"  # token: |\n  #   {REDACTED}\n"),
    # an upper-case word earlier in a mixed-case name
    ("KEYCLOAK_clientSecret: abc123xyz9 X-KEYCLOAK-Token: abc123xyz9 AWS_SECRET_accessKey: abc123xyz9",
     f"KEYCLOAK_clientSecret: {REDACTED} X-KEYCLOAK-Token: {REDACTED} AWS_SECRET_accessKey: {REDACTED}"),
    # CRLF after a backslash; ODBC braces holding `\` or `{`; not `\"`, which may end a string
    ("docker login \\\r\n  -p S3cretPass1 g; Pwd={Pa55\\word}; Pwd={ab{c123}; Pwd={a\\\"b1234};",
     f"docker login \\\r\n  -p {REDACTED} g; Pwd={{{REDACTED}}}; Pwd={{{REDACTED}}}; Pwd={{a\\\"b1234}};"),
    # an ODBC brace left open in the string of JSON text in JSON text
    ('{"s": "{\\"C\\": \\"Server=h;Pwd={Str0ngPa55\\", \\"main\\": \\"src/index.js\\"}"}', None),
    # exec form over lines, a YAML list of arguments, redis-cli --pass
    ('[\n  "redis-server",\n  "--requirepass",\n  "S3cretPass1"\n]\nargs:\n  - --requirepass\n'
     '  - S3cretPass1\nredis-cli --pass S3cretPass1 ping',
     f'[\n  "redis-server",\n  "--requirepass",\n  "{REDACTED}"\n]\nargs:\n  - --requirepass\n'
     f"  - {REDACTED}\nredis-cli --pass {REDACTED} ping"),
    # a rejected ODBC brace hides nothing after it; an option's value that is the next name,
    # a list item that goes on; credentials are no list of names
    ("Pwd={ see [docs] https://h/cb?access_token=abc123def } --pass PASSWORD: Zq1234567K\n"
     "args:\n  - --requirepass\n  - redis-cli -a Zq1234567K\ncredentials: |\n  s3cretLine9\n",
     f"Pwd={{ see [docs] https://h/cb?access_token={REDACTED} }} --pass PASSWORD: {REDACTED}\n"
     f"args:\n  - --requirepass\n  - redis-cli -a {REDACTED}\ncredentials: |\n  {REDACTED}\n"),
    # unquoted exec arguments, a JSON key after an option (however short), option names, an
    # ODBC brace left open in its string, a quoted block key's sibling in JSON text
    ('["--token", 12345678] ["--secret", false, true] extra_args += ["--password", password]'
     ' {"opt": "--token", "x-api-key": "v"} OPTS = ("--requirepass", ":_auth", ":_password")'
     ' {"snippet": "Server=db;Pwd={Str0ng", "line": 3}', None),
    ('{"q": "a:\\n  \\"password\\": |\\n    s3cret1\\n  next: x1234567"}',
     f'{{"q": "a:\\n  \\"password\\": |\\n    {REDACTED}\\n  next: x1234567"}}'),
    # lists of secrets' names (plural keys), prose, words and build secrets as arguments, a
    # JSON key after an option, format fields, another command after JSON's `\n`
    ("secret-ids: |\n  SECRET_ALIAS_1,test/secret\n  0/test/secret\nsecrets: |\n  id=cert1,src=./ca2.pem\n"
     "password: >\n  at least 12 characters, 2 digits\ntoken: >-\n  Personal access token (v2 API)\n"
     '["gh", "--token", "anonymous"] ["docker", "--secret", "id=npmrc,src=.npmrc"]'
     ' {"hint": "pass --token", "subject": "wrangler.toml"} Pwd={db_pass1};'
     " docker login ghcr.io --password-stdin\\ndocker run -p 8080:80 app", None),
    # a random word on a line that names a secret, as in a comment; not a hex id, a name,
    # a word on another line, or one glued to JSON's `\n`
    ("# rotated: old CLOUDFLARE_API_TOKEN was Vv8Kq2Lp9Zr4Tx6Yw1Nm3Bc5Df7Gh0Jk2Lm4Np6\n"
     "# token of 0e0888a980cd46efa1d28aea3794b3ac, CLOUDFLARE_API_TOKEN_FOR_PRODUCTION\n"
     "id = Vv8Kq2Lp9Zr4Tx6Yw1Nm3Bc5Df7Gh0Jk2Lm4Np6\n",
     f"# rotated: old CLOUDFLARE_API_TOKEN was {REDACTED}\n"
     "# token of 0e0888a980cd46efa1d28aea3794b3ac, CLOUDFLARE_API_TOKEN_FOR_PRODUCTION\n"
     "id = Vv8Kq2Lp9Zr4Tx6Yw1Nm3Bc5Df7Gh0Jk2Lm4Np6\n"),
])
def test_redact_blocks_options_and_braces(text: str, expected: str | None) -> None:
    assert redact(text, ()) == (text if expected is None else expected)
    wrapped = json.loads(redact(json.dumps({"q": text}), ()))["q"]  # JSON text stays JSON
    if expected is not None and not text.startswith("{"):  # not JSON text inside JSON text
        assert wrapped == expected


def test_a_block_scalar_in_json_text_ends_with_its_string() -> None:
    text = json.dumps({"a": "x:\n  other: y", "b": "password: |\n  Hunter2pass9",
                       "c": "  a8Fk29dkLq0pZx7\n"})
    assert json.loads(redact(text, ())) == {"a": "x:\n  other: y", "b": f"password: |\n  {REDACTED}",
                                            "c": "  a8Fk29dkLq0pZx7\n"}


def test_a_letter_that_lowers_to_two_does_not_shift_what_is_redacted() -> None:
    assert "İ".lower() != "i"  # two characters: the lowered text is longer
    assert redact("İ" * 20 + " Password: hunter2hunter; next", []) == (
        "İ" * 20 + f" Password: {REDACTED}; next")


def test_a_secret_is_also_hidden_as_json_escapes_it(tmp_path: Path) -> None:
    """DR008 quotes a setting's value as JSON: `C:\\Users` as `C:\\\\Users` (QA s25f)."""
    from auditlib.collect import collect

    (tmp_path / "wrangler.toml").write_text(
        "name = \"w\"\n[vars]\nDB_PASSWORD = 'C:\\Users\\svc\\Kx93mPq'\nAPI_SECRET = 'hunter\"2hunter2'\n",
        encoding="utf-8")
    found = secrets.secret_values(collect(tmp_path).configs)
    text = '+vars.DB_PASSWORD = "C:\\\\Users\\\\svc\\\\Kx93mPq"; +vars.API_SECRET = "hunter\\"2hunter2"'
    assert redact(text, found) == f'+vars.DB_PASSWORD = "{REDACTED}"; +vars.API_SECRET = "{REDACTED}"'


_SECRET_PIECES = ["hunter2", "Kx93mPq", "s3cr3t", "ab", "abcd", "«", "»", " ", "|", "\\", "x"]


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.lists(st.lists(st.sampled_from(_SECRET_PIECES), min_size=1, max_size=4)
                           .map("".join), max_size=12),
                  st.lists(st.sampled_from(_SECRET_PIECES), max_size=30).map("".join))
def test_many_secrets_are_looked_for_as_each_is_in_a_short_text(
        given: list[str], text: str) -> None:
    """With MANY_SECRETS or more, a short text looks up its four-character pieces among the
    secrets' starts: it finds every secret that is in it, the longest first, as a search
    for each does (1,000 secrets and 20,000 table cells took 88 s)."""
    many = frozenset([*given, *(f"unused-{number:04d}" for number in range(secrets.MANY_SECRETS))])
    assert len(text) <= secrets.SHORT_TEXT
    looked_for = secrets._present(text, many)
    each = [secret for secret in secrets._prepared(many)[0] if secret in text]
    assert [secret for secret in looked_for if secret in text] == each
    assert [len(secret) for secret in looked_for] == sorted(map(len, looked_for), reverse=True)


def test_a_short_text_among_many_secrets_is_redacted_as_with_few(monkeypatch: pytest.MonkeyPatch) -> None:
    many = {f"Zq{number:04d}xK" for number in range(2000)} | {"hunter2hunter", "r00t"}
    texts = ["DB_PASSWORD = 'hunter2hunter' and Zq0042xK, Zq1999xKZq0000xK", "PASSWORD: r00t",
             "nothing here", "a|b Zq0007x K", "Zq0003xKZq0003xK" * 300]
    found = [redact(text, many) for text in texts]
    monkeypatch.setattr(secrets, "MANY_SECRETS", 10**9)  # each secret looked for
    assert found == [redact(text, many) for text in texts]
    assert found[0] == f"DB_PASSWORD = '{REDACTED}' and {REDACTED}, {REDACTED}{REDACTED}"
