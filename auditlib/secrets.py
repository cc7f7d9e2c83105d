"""Recognise secret-like values, and keep them out of every output."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import WranglerConfig

REDACTED = "«redacted»"
PUBLIC_NAME = re.compile(r"PUBLIC|PUBLISHABLE|SITE_?KEY", re.IGNORECASE)
# Names of what is about a secret, not one (OAUTH_TOKEN_URL, CSRF_TOKEN_HEADER), and of keys
# that find things (CACHE_KEY).
ABOUT_NAME = re.compile(r"_(?:URL|URI|PATH|HEADER|NAME|PREFIX|ENDPOINT|HOST)$|(?:^|_)(?:CACHE|SORT"
                        r"|PARTITION|PRIMARY|ROUTING|IDEMPOTENCY|LOOKUP|OBJECT|STORAGE|DEDUPE?)_KEY$",
                        re.IGNORECASE)
# Credentials inside a value: postgres://user:password@host, "Bearer <token>".
CREDENTIALS = re.compile(r"://[^/\s:@]+:[^/\s@]+@|^(?:Bearer|Basic)\s+\S{8,}")
# Values that stand in for a secret: "<CLIENT_SECRET>", "${TOKEN}", "xxxxxxxx", "TODO", and
# words without digits that start with a marker ("REPLACE_ME", "your-api-key-here"); not
# "ChangeMe!2024" or "Irreplaceable-Falcon-42", which are passwords.
PLACEHOLDER = re.compile(r"^<[^<>]*>$|^\$\{[^{}]*\}$|^\{\{[^{}]*\}\}$|^[xX*.-]+$"
                         r"|^(?:TODO|FIXME|TBD)\W*$"
                         r"|^(?=\D*$)(?:REPLACE|CHANGE[_-]?ME|PLACEHOLDER|YOUR[_-])", re.IGNORECASE)
# Names of secrets: those that say password, token, secret or key are secrets whatever they
# hold; a PRIVATE_... var holding a switch ("enabled") is a setting, and redacting "enabled"
# everywhere would garble every output.
STRONG_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|_KEY$|^KEY$",
                         re.IGNORECASE)
SECRET_NAME = re.compile(STRONG_NAME.pattern + "|PRIVATE", re.IGNORECASE)
FLAG_WORDS = frozenset({"enabled", "disabled", "active", "inactive", "public", "private",
                        "production", "staging", "development", "preview", "default",
                        "always", "never", "required", "optional"})
SECRET_VALUE = re.compile(
    r"^(?:sk|rk)_(?:live|test)_\w{8,}|^sk-(?:proj-|ant-)?[\w-]{20,}"
    r"|^gh[pousr]_\w{20,}|^github_pat_\w{20,}|^xox[abprs]-[\w-]{10,}"
    r"|^AKIA[0-9A-Z]{16}$|^AIza[\w-]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|^eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def secret_name(name: str) -> bool:
    """Whether `name` is the name of a secret (API_TOKEN), not of a public key or of what is
    about a secret (CSRF_TOKEN_HEADER)."""
    return bool(SECRET_NAME.search(name)) and not PUBLIC_NAME.search(name) and not (
        ABOUT_NAME.search(name))


def secret_reason(name: str, value: str) -> str | None:
    """Why a `vars` entry looks like a secret ("name", "value"), or None."""
    if len(value.strip()) < 6 or re.fullmatch(r"[\d.]+|true|false", value.strip()):
        return None  # MAX_TOKENS = "1000" is a number, not a secret
    if value.strip().lower() in FLAG_WORDS and not STRONG_NAME.search(name):
        return None  # PRIVATE_BETA = "enabled" is a switch; ADMIN_PASSWORD = "default" is not
    if SECRET_VALUE.search(value) or CREDENTIALS.search(value):
        return "value"
    if PLACEHOLDER.search(value.strip()):  # nothing to leak
        return None
    if secret_name(name):
        return "name"
    if " " not in value and _random_looking(value):
        return "value"
    return None


def spellings(name: str, value: str, text: str) -> set[str]:
    """The secret var `name = value` as outputs may show it: the value as read, its lines and
    string leaves (a table or an array is read as JSON text), and each string written after
    `name =` or `"name":` in a config's `text`, as the file spells it (with its escapes)."""
    found = {value, *value.splitlines()}
    if value.startswith(("{", "[")):
        with contextlib.suppress(ValueError):
            found.update(_leaves(json.loads(value)))
    key = rf"(?:^|[\s{{,\"']){re.escape(name)}[\"']?[ \t]*[=:][ \t]*"
    found.update(match[1] for match in re.finditer(rf"(?m){key}\"((?:\\.|[^\"\\\n])*)\"", text))
    return found


def _leaves(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


# Key- or token-shaped strings, wherever they are quoted (config blocks, snippets, matches).
TOKEN = re.compile(
    r"(?:sk|rk)_(?:live|test)_\w{8,}|gh[pousr]_\w{20,}|github_pat_\w{20,}|xox[abprs]-[\w-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)")
# What each kind of TOKEN starts with: a text without any of them holds no token.
TOKEN_STARTS = ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "ghp_", "gho_", "ghu_", "ghs_",
                "ghr_", "github_pat_", "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "AKIA",
                "AIza", "eyJ", "-----BEGIN ")
QUOTED = re.compile(r"([\"'`])([A-Za-z0-9+/=_\-.]{24,})(?=[\"'`])")
_CHARACTER_CLASSES = (re.compile("[a-z]"), re.compile("[A-Z]"), re.compile("[0-9]"))


@functools.lru_cache(maxsize=4096)  # the same paths and names are quoted many times
def _random_looking(value: str) -> bool:
    return (len(value) >= 24 and all(pattern.search(value) for pattern in _CHARACTER_CLASSES)
            and _entropy(value) >= 4.0)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value, and every token- or key-shaped string, replaced by
    «redacted»."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    if any(start in text for start in TOKEN_STARTS):
        text = TOKEN.sub(REDACTED, text)
    return QUOTED.sub(lambda m: m[1] + REDACTED if _random_looking(m[2]) else m[0], text)


def secret_values(configs: Iterable[WranglerConfig]) -> set[str]:
    """The values of the secret-like vars of `configs`, also as the files spell them: no
    output of the audit may show them."""
    return {spelled for config in configs for scope in config.scopes() for var in scope.vars
            if secret_reason(var.name, var.value)
            for spelled in spellings(var.name, var.value, config.text)}
