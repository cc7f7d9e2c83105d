"""Recognise secret-like values, and keep them out of every output."""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import WranglerConfig

REDACTED = "«redacted»"
PUBLIC_NAME = re.compile(r"PUBLIC|PUBLISHABLE|SITE_?KEY", re.IGNORECASE)
# Names of what is about a secret, not one (OAUTH_TOKEN_URL, CSRF_TOKEN_HEADER), and of keys
# that find things (CACHE_KEY).
ABOUT_NAME = re.compile(r"_(?:URL|URI|PATH|HEADER|NAME|PREFIX|ENDPOINT|HOST|FILE|ARN|ID|AUDIENCE"
                        r"|ISSUER|ALGO|ALGORITHM|VERSION|POLICY|EXPIRY|TTL|LENGTH|BINDING|COOKIE"
                        r"|URL_BASE|SCOPES?|LIFETIME|TYPE|BACKEND|PROVIDER|ROTATION|MODE|KIND)"
                        r"(?:_V\d+)?$|^(?:MAX|MIN)_"
                        r"|(?:^|_)(?:CACHE|SORT|PARTITION|PRIMARY|ROUTING|IDEMPOTENCY|LOOKUP|OBJECT"
                        r"|STORAGE|DEDUPE?|I18N|KV)_KEY$"
                        r"|(?:PAGE|NEXT|PAGINATION|CONTINUATION|SYNC|CURSOR)_TOKEN$",
                        re.IGNORECASE)
# Credentials inside a value: postgres://user:password@host, redis://:password@host,
# "Bearer <token>".
CREDENTIALS = re.compile(r"://[^/\s:@]{0,128}:(?!\d+(?:/|$))[^\s@]{1,256}@|^(?:Bearer|Basic)\s+\S{8,}")
# Values that stand in for a secret: "<CLIENT_SECRET>", "${TOKEN}", "$TOKEN" (not "$uperS3cret":
# a variable's name in capitals), "xxxxxxxx",
# "TODO", and words without digits that start with a marker ("REPLACE_ME",
# "your-api-key-here"); not "ChangeMe!2024" or "Irreplaceable-Falcon-42", which are passwords.
PLACEHOLDER = re.compile(r"^<[^<>]*>$|^\$\{[^{}]*\}$|^(?-i:\$[A-Z_][A-Z0-9_]*)$|^\{\{[^{}]*\}\}$"
                         r"|^[xX*.-]+$"
                         r"|^(?:TODO|FIXME|TBD)\W*$"
                         r"|^(?=\D*$)(?:REPLACE|CHANGE[_-]?ME|PLACEHOLDER|YOUR[_-])", re.IGNORECASE)
# Names of secrets: those that say password, token, secret or key are secrets whatever they
# hold; a PRIVATE_... var holding a switch ("enabled") is a setting, and redacting "enabled"
# everywhere would garble every output.
# A passcode, a salt or pepper, a forge's personal access token (GITHUB_PAT), a seed of
# one-time passwords or a wallet are too; basic authentication's `user:password` unless it
# is a switch. (A PIN is a secret when it is a number: _PASSWORD_NAME.)
STRONG_NAME = re.compile(r"TOKENS?(?![A-Z])|SECRET|PASSWORD|PASSWD|PASSPHRASE"
                         r"|(?:^|_)(?:PASS|PWD)(?:_|$)|CREDENTIAL|API_?KEY|^KEY$"
                         r"|_KEY(?:_(?:OLD|NEW|PREV(?:IOUS)?|NEXT|V?\d+))?$"
                         r"|(?:^|_)(?:PASSCODE|SALT|PEPPER|MNEMONIC|SEED_PHRASE)$"
                         r"|(?:^|_)(?:GITHUB|GH|GITLAB|AZURE|ADO|DEVOPS|DOCKER|DOCKERHUB|NPM|HF)_PAT$"
                         r"|(?:^|_)(?:OTP|TOTP|MFA|WALLET|MASTER)_SEED$",
                         re.IGNORECASE)
SECRET_NAME = re.compile(STRONG_NAME.pattern + r"|PRIVATE|(?:^|_)BASIC_?AUTH$", re.IGNORECASE)
# A name in lower or mixed case is a secret's when it says so in a word other than its last
# one's being about the secret (`tokenStorage`, `passwordHasher`, `tokenExpiresIn`), by a
# word other than key, or by a key that is one (`signingKey`; not `eventKey`, `cache_key`).
_NOT_A_KEY = re.compile(r"(?:^|_)(?:TOKENS?|SECRETS?|PASSWORD|PASSWD|PASSPHRASE|PASS|PWD"
                        r"|CREDENTIALS?|PASSCODE|SALT|PEPPER|PAT|SEED|AUTH|MNEMONIC)(?:_|$)")
_NAMED_KEY = re.compile(r"(?:^|_)(?:API|PRIVATE|SECRET|ACCESS|SIGNING|ENCRYPTION|MASTER"
                        r"|LICENSE|HMAC|AUTH|DEPLOY|CLIENT|SERVICE|ACCOUNT|SSH|WEBHOOK|ROLE"
                        r"|OPENAI|ANTHROPIC|STRIPE|SENDGRID|MAILGUN|TWILIO|ALGOLIA|RESEND"
                        r"|POSTMARK|PUSHER|GOOGLE|GEMINI|MISTRAL|COHERE|GROQ|TLS)_?KEYS?"
                        r"(?:_|$)")
_ABOUT_WORDS = frozenset({
    "STORAGE", "STORE", "LOCATION", "TRANSPORT", "SOURCE", "ENCODING", "FORMAT", "HASHER",
    "HASHING", "HASH", "DIGEST", "SITE", "IN", "AGE", "MARGIN", "BUDGET", "COUNT", "COUNTER",
    "STRENGTH", "FIELD", "LABEL", "HINT", "RULE", "RULES", "LIMIT", "PRICE", "STANDARD",
    "ADDRESS", "COLOR", "COLOUR", "RADIUS", "LOGIN", "SCANNING", "MANAGER", "REGION",
    "HANDLER", "VALIDATOR", "VALIDATION", "RESET", "REQUIRED", "ENABLED", "MIN",
    "MAX", "SIZE", "LEN", "TIMEOUT", "INTERVAL", "STATUS", "STATE", "ERROR", "MESSAGE", "INPUT",
    "PLACEHOLDER", "SCHEMA", "KIND", "CLASS", "METHOD", "STRATEGY", "OPTIONS", "CONFIG", "AT",
    "CREATED", "UPDATED", "CHANGED", "EXPIRES", "EXPIRATION", "EXPIRY", "USED", "ISSUED",
    "MEMORY", "USAGE", "MODEL", "REF", "ENV", "VAR", "PARAM", "SPEC", "TEMPLATE", "BUCKET",
    "REGEX", "PATTERN", "NAMESPACE", "FROM"})
FLAG_WORDS = frozenset({"enabled", "disabled", "active", "inactive", "public", "private",
                        "production", "staging", "development", "preview", "default",
                        "always", "never", "required", "optional"})
SECRET_VALUE = re.compile(
    r"^(?:sk|rk)_(?:live|test)_\w{8,}|^sk-(?:proj-|ant-)?[\w-]{20,}|^npm_[A-Za-z0-9]{30,}|^glpat-[\w-]{20,}"
    r"|^SG\.[\w-]{16,}\.[\w-]{16,}"
    r"|^gh[pousr]_\w{20,}|^github_pat_\w{20,}|^xox[abprs]-[\w-]{10,}"
    r"|^AKIA[0-9A-Z]{16}$|^AIza[\w-]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|^eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def secret_name(name: str) -> bool:
    """Whether `name` is the name of a secret (API_TOKEN, clientSecret, db-password), not of
    a public key or of what is about a secret (CSRF_TOKEN_HEADER, tokenStorage)."""
    if name != name.upper():  # lower or mixed case: signingKey is SIGNING_KEY
        name = _snake(name)
        if name.rsplit("_", 1)[-1] in _ABOUT_WORDS or not (
                _NOT_A_KEY.search(name) or _NAMED_KEY.search(name)):
            return False
    return bool(SECRET_NAME.search(name)) and not PUBLIC_NAME.search(name) and not (
        ABOUT_NAME.search(name))


def _snake(name: str) -> str:
    """A name in mixed case as upper-case snake case: signingKey, signing-key: SIGNING_KEY."""
    return _CAMEL.sub("_", name).upper().replace("-", "_")


# A name whose value is a secret even when it is a number (of four digits or more, a PIN's)
# or short (`r00t`): a password's, a PIN's.
_PASSWORD_NAME = re.compile(r"(?:^|_)(?:PASS(?:WORD|WD|CODE|PHRASE)?|PWD|SECRET|PIN(?:_?CODE)?)"
                            r"(?:_?\d+)?$")
# What a short value given to such a name says when it holds no password (its letters and
# digits, in lower case: `TODO!`, `-----`).
_NO_PASSWORD = frozenset({"", "none", "null", "nope", "na", "todo", "fixme", "tbd", "true",
                          "false", "unset", "empty", "blank", "dummy", "xxxx", "xxxxx"})


def _short_secret(name: str, value: str) -> bool:
    """Whether `value` is a secret though short, by its `name`, a password's or a PIN's: a
    number of four digits or more (`ADMIN_PIN = "4821"`, `STUDIO_PASS = "123456"`), though
    numbers are not secrets; or, given to a password's name, four or five characters with
    letters and digits or symbols (`"r00t"`, `"p@ss"`), though short values are not. A word
    alone is a setting as often (`REQUIRE_PASSWORD = "never"`, `SESSION_SECRET = "auto"`),
    and so is a path or a version (`PWD = "/app"`, `NODE_PIN = "20.x"`)."""
    snake = _snake(name)
    password = _PASSWORD_NAME.search(snake)
    if not password or ABOUT_NAME.search(snake):  # MIN_PIN: a bound
        return False
    if len(value) >= 4 and value.isdigit():
        return True
    return bool(4 <= len(value) < 6 and "PIN" not in password[0]
                and re.fullmatch(r"(?=.*[A-Za-z])(?=.*[\d!@#%^&*+=?~])[^\s\"'`<>$/.{}]+", value)
                and not REFERENCE.match(value)  # `%PW%`
                and re.sub(r"[\W_]", "", value).lower() not in _NO_PASSWORD)


# Cloudflare's Turnstile test secret keys: public, no secret; each answers every token alike.
TURNSTILE_TEST_SECRETS = {
    "1x0000000000000000000000000000000AA": "passes every token",
    "2x0000000000000000000000000000000AA": "fails every token",
    "3x0000000000000000000000000000000AA": "answers every token as already spent"}


def secret_reason(name: str, value: str) -> str | None:
    """Why a `vars` entry looks like a secret: by its "name", by the name of a "key" of the
    table or array it holds, or by its "value"; or None."""
    if value.strip() in TURNSTILE_TEST_SECRETS:
        return None  # public: CF011 reports it as what it is
    if _public_value(value.strip()):  # STRIPE_KEY = "pk_live_…": public whatever its name
        return None
    if _short_secret(name, value.strip()):
        return "name"  # MAX_TOKENS = "1000" is a number, not a secret; STUDIO_PASS = "123456" is
    if len(value.strip()) < 6 or re.fullmatch(r"true|false|[\d.]+", value.strip()):
        return None
    if value.strip().lower() in FLAG_WORDS and not STRONG_NAME.search(name):
        return None  # PRIVATE_BETA = "enabled" is a switch; ADMIN_PASSWORD = "default" is not
    leaves = _named_leaves(value)  # of a table or an array: `{ api = { key = "sk_live_…" } }`
    if any(SECRET_VALUE.search(text) or CREDENTIALS.search(text)
           for text in (value, *(leaf for _key, leaf in leaves))):
        return "value"
    if PLACEHOLDER.search(value.strip()):  # nothing to leak
        return None
    if secret_name(name):
        return "name"
    if any((secret_name(key) and not PLACEHOLDER.search(leaf.strip())) or _short_secret(key, leaf)
           for key, leaf in leaves):
        return "key"  # `OAUTH = { client_secret = "..." }` holds one by its name
    if " " in value or PUBLIC_NAME.search(name) or (
            len(value) <= 64 and _IDENTIFIER_NAME.search(_snake(name))):
        return None  # a random-looking id or address is random by design: judged by its name
    if _URL.match(value):  # judged by its parts: a credential parameter, a random path
        path = re.split(r"[?#]", value, maxsplit=1)[0]
        return "value" if redact(value, ()) != value or any(
            _random_looking(part) for part in path.split("/")) else None
    return "value" if _random_looking(value) else None


# Keys made to be shown in a browser, by their form: a Stripe or Clerk publishable key, a
# PostHog project key, a Mapbox public token.
_PUBLIC_KEY = re.compile(r"(?:pk_(?:live|test)_|phc_|pk\.eyJ)[\w.-]+")


def _public_value(value: str) -> bool:
    """Whether `value` is a key made to be public: one of _PUBLIC_KEY's, or a Supabase anon
    key (a JWT whose role is `anon`)."""
    if _PUBLIC_KEY.fullmatch(value):
        return True
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ"):
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:  # binascii.Error is one
        return False
    return isinstance(claims, dict) and claims.get("role") == "anon"


_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# Names of public identifiers, random by design, by their last word: a blockchain address
# or mint, a content id (IPFS_CID), a hash (GIT_SHA), an id (BUILD_ID); not WALLET_SEED.
_IDENTIFIER_NAME = re.compile(r"(?:^|_)(?:IDS?|ADDRESS|WALLET|MINT|PUBKEY|CID|HASH|SHA|DIGEST"
                              r"|CHECKSUM|CONTRACT)$")


def _named_leaves(value: str) -> list[tuple[str, str]]:
    """The string leaves of a table or array var (read as JSON text), with their keys."""
    if not value.startswith(("{", "[")):
        return []
    try:
        return list(_leaves(json.loads(value)))
    except ValueError:
        return []


def spellings(name: str, value: str, text: str) -> set[str]:
    """The secret var `name = value` as outputs may show it: the value as read, its lines and
    string leaves (a table or an array is read as JSON text), and each string written after
    `name =`, `vars.name =` or `"name":` in a config's `text`, as the file spells it (with
    its escapes; each line of a multi-line string, without a line-ending backslash)."""
    found = {value, *value.splitlines(), *(leaf for _key, leaf in _named_leaves(value))}
    key = rf"(?:^|[\s{{,\"'.]){re.escape(name)}[\"']?[ \t]*[=:][ \t]*"
    found.update(match[1] for match in re.finditer(rf"(?m){key}\"((?:\\.|[^\"\\\n])*)\"", text))
    for match in re.finditer(rf"(?m){key}(\"\"\"|''')([\s\S]*?)\1", text):
        found.update(line.strip().removesuffix("\\").strip() for line in match[2].splitlines())
    if value.startswith(("{", "[")):  # the strings of a table or an array, to its end, not
        for match in re.finditer(rf"(?m){key}[{{\[]", text):  # its keys (`"client_id": …`)
            found.update(string for string, given in re.findall(
                r"\"((?:\\.|[^\"\\\n])*)\"([ \t]*[:=])?", _nested(text, match.end() - 1))
                if not given)
    return {spelled for spelled in found if spelled}


def _nested(text: str, start: int) -> str:
    """The text of the table or array that opens at `start`, to the bracket closing it."""
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if not depth:
                return text[start:index + 1]
    return text[start:]


def _leaves(value: object, key: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    elif isinstance(value, str):
        yield key, value


# A word character, one or a dash, and an underscore, also as Markdown escapes them (`\_`).
_W, _WD, _U = r"(?:\w|\\_)", r"(?:[\w-]|\\_)", r"\\?_"
_AN = "[A-Za-z0-9]"  # what most tokens are made of after their prefix
# Key- or token-shaped strings, wherever they are quoted (config blocks, snippets, matches),
# also escaped as Markdown text; never inside a word (`network_test_connectivity`). A
# private key runs to its END line, or over its base64 lines; the marker alone is none.
TOKEN = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?:sk|rk){_U}(?:live|test){_U}{_AN}{{8,}}|gh[pousr]{_U}{_AN}{{20,}}"
    rf"|github{_U}pat{_U}{_W}{{20,}}|xox[abprs]-{_WD}{{10,}}|A(?:KI|SI)A[0-9A-Z]{{16}}"
    rf"|AIza{_WD}{{30,}}|sk-(?:proj|ant)-{_WD}{{20,}}"
    rf"|(?:sk\.)?eyJ{_WD}{{10,}}\.(?:eyJ{_WD}{{10,}}\.)?{_WD}{{10,}}"  # a JWT, a Mapbox sk.
    rf"|npm{_U}{_AN}{{30,}}|glpat-{_WD}{{20,}}|SG\.{_WD}{{16,}}\.{_WD}{{16,}}"
    rf"|whsec{_U}[A-Za-z0-9+/=]{{16,}}|hf{_U}{_AN}{{30,}}|shp(?:at|ss|ca|pa){_U}[a-fA-F0-9]{{32}}"
    rf"|dop{_U}v1{_U}[a-f0-9]{{64}})"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----(?:(?:[\w\s+/=\\:,.]|-(?!----BEGIN))*?"
    r"-----END [A-Z ]*PRIVATE KEY-----"
    r"|(?:\s|\\[nr])*[\w+/=]{16,}(?:(?:\r?\n|\\[rn])+[\w+/=]+(?=\r?\n|\\[rn]|[\"'`]|$))*)")
# What each kind of TOKEN starts with: a text without any of them holds no token.
TOKEN_STARTS = ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "ghp_", "gho_", "ghu_", "ghs_",
                "ghr_", "github_pat_", "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "AKIA",
                "ASIA", "AIza", "eyJ", "-----BEGIN ", "sk-proj-", "sk-ant-", "npm_", "glpat-",
                "SG.", "whsec_", "hf_", "shp", "dop_v1_")
_ESCAPED_STARTS = tuple(start.replace("_", "\\_") for start in TOKEN_STARTS if "_" in start)
# Credentials in any text: the password of a URL (its user kept; not a port and a path,
# `https://host:8443/path@v2`, nor a variable, `$GITLAB_TOKEN`), the token after Bearer or
# Basic (16 characters or more, or base64 with padding, with a digit, padding or two changes
# of case: not "Basic authentication", "Bearer JSONWebToken" nor "Basic HTTP/1.1"), the
# value of a password or token option (`--password=…`, `_authToken=…` and `_auth=…` in an
# .npmrc, `curl -u user:…`, `docker login -p …` and the like, `redis-cli -a …`), and the secret path
# of a Slack or Discord webhook.
URL_PASSWORD = re.compile(r"://([^/\s:@\"'`]{0,128}:)(?!\d+(?:/|\s|$)|\$)[^\s@\"'`\\]{1,256}"
                          r"@(?!sha\d+:)")  # not an image's tag and digest: alpine:3.20@sha256:…
AUTHORIZATION = re.compile(r"([Bb]earer|Basic|(?<=Authorization: )(?:[Tt]oken|Api-?Key))(\s+)"
                           r"([\w.~+/=-]{8,})")
_CASE_CHANGE = re.compile(r"[a-z][A-Z]")
# Each option with the literal it starts with (a regex starting otherwise is slow), its
# value perhaps quoted; not a reference (`$TOKEN`, `%TOKEN%`) nor another option.
_OPTION_VALUE = r"(?:\\?[\"'])?)(?![-$<{%:])([^\s\"'`\\;|&]{6,}+)(?!\\?[\"'][ \t]*:)"  # no JSON key
# An argument of a command in exec form (`["redis-cli", "-a", "…"]`, an array over lines
# too), or an item of a YAML list (`- --requirepass`, then `- …`); a line that a backslash at
# its end continues (`docker login \`, then `-p …`).
_NEXT_ARGUMENT = r"\\?[\"'],(?:\s|\\[nrt])*\\?[\"']"  # quoted: not `["--password", password]`
_NEXT_ITEM = r"[ \t]*(?:\r?\n|\\r\\n|\\n)[ \t]*-[ \t]+"
_ITEM = re.compile(_NEXT_ITEM + "$")
_SAME_COMMAND = (r"(?:[^\n|;&`,\\]|\\(?![nr])|\\\\(?:\\r)?\\n|(?<=\\)\n|(?<=\\\r)\n)")  # JSON's `\\n` ends it
OPTIONS = tuple((literal, re.compile(regex + _OPTION_VALUE)) for literal, regex in (
    ("--", r"(--(?:password|passwd|pass|token|api-key|secret|requirepass)(?:=|[ \t]+|"
     + _NEXT_ARGUMENT + "|" + _NEXT_ITEM + ")"),
    (":_", r"(:_(?:authToken|auth|password)="),
    ("curl", r"(curl[^\n|;&]{0,200}?\s(?:-u|--user)\s+[^\s:\"'`]+:"),
    ("login", r"(login" + _SAME_COMMAND + r"{0,200}?\s-p[ \t]+"),  # after LOGIN_COMMAND
    ("redis-cli", r"(redis-cli(?:" + _SAME_COMMAND + r"{0,200}?\s-a[ \t]+|(?:"
     + _NEXT_ARGUMENT + r"[^\"'\\\n,]{0,60}){0,8}?" + _NEXT_ARGUMENT + "-a" + _NEXT_ARGUMENT + ")")))
_NAME_GIVEN = re.compile(r"[A-Za-z_][A-Za-z_-]*:")  # `--pass PASSWORD: …`: the next's name
_LINE_END = re.compile(r"\\?[\"']?[ \t]*(?:[\r\n]|\\[rn]|$)")  # a YAML list item's value: all of it
LOGIN_COMMAND = re.compile(r"\b(?:docker|podman|buildah|skopeo|helm[ \t]+registry)[ \t]+$")
WEBHOOK = re.compile(r"(hooks\.slack\.com/services/|discord(?:app)?\.com/api/webhooks/)[\w/-]{10,}")
# A credential given as a parameter: in a query string (`?access_token=…`, `&sig=…` of an
# Azure SAS) or a connection string (`Server=db;Password=…;`, `AccountKey=…`). Found from
# each `=` (a regex over a whole output is slow): the name before it, the value after it.
PARAMETER_NAME = re.compile(r"[\w-]*(?:token|secret|signature)|(?:access|secret|private|client"
                            r"|consumer|subscription|api|app|auth|license|user|master|account"
                            r"|shared-?access)[_-]?key|sig|pass|password|passwd|pwd|jwt"
                            r"|j?sessionid", re.IGNORECASE)
# ... and an OAuth authorization code (`?code=4/0AVHEtk…`), which buys a token: one as long
# as providers issue (GitHub's are 20 characters), not a status, country or promo code
# (`?code=200`, `?code=US`, `?code=SAVE10`).
GRANT_LENGTH = 16
# ... after a word's start, in a connection string: `Server=db;Password=…`, `\nPwd=…`.
CONNECTION_NAME = re.compile(r"pass(?:word|wd)?|pwd|(?:shared)?access-?key|accountkey",
                             re.IGNORECASE)
PARAMETER_VALUE = re.compile(r"[^\s&;\"'`\\#<>(),]*")
# An ODBC value in braces (`}` escaped as `}}`), in its line and its string.
BRACED = re.compile(r"(?:[^}\"\r\n\\]|\\\\|\\[^nrt\"\r\n\\]|\}\}){1,256}(?=\})")
_FIELD = re.compile(r"[a-z_][a-z0-9_.]*")  # a format's field: `Pwd={db_pass1}`
REFERENCE = re.compile(r"[$<{]|%(?![0-9A-Fa-f]{2})")  # $VAR, <VAR>, {var}, %VAR%; not %2B
# `NAME: value`, `"NAME": "value"`, `NAME=value` where NAME is a secret's (a workflow's env,
# a shell line, an object); found from the word that makes it one (a regex starting at any
# capital letter is slow). A value starting with `$`, `{`, `(` or `<` is a reference. Also
# an item (`headers["x-api-key"] = …`) and a name with its type given a string
# (`apiKey: string = "…"`, `api_key: str = "…"`). Quotes may be escaped twice: JSON text in
# JSON text.
_TYPE = (r"(?:(?:undefined|null|None)[ \t]*\|[ \t]*)?"
         r"(?:string|String|str|(?:Final|Optional|ClassVar)\[str\])"
         r"(?:[ \t]*\|[ \t]*(?:undefined|null|None|string|str))*")
_GIVEN = (r"(?:\\{0,3}[\"'](?:[ \t]*\])?)?((?:[ \t]|\\t)*(?::=|=>|\??:[ \t]*" + _TYPE
          + r"[ \t]*=[ \t]*(?=\\?[\"'])|[:=])(?:[ \t]|\\t)*(?:\\{0,3}[\"'])?)"
          r"(?![$<{(])((?:[^\s\"'`\\<>()]|\\_){6,})")
_NAME_WORDS = r"TOKEN|SECRET|PASS|PWD|CREDENTIAL|KEY|SALT|PEPPER|PAT|SEED|PHRASE|MNEMONIC|AUTH|PIN"
_SECRET_WORD = re.compile(_NAME_WORDS, re.IGNORECASE)
ASSIGNED = re.compile(f"(?:{_NAME_WORDS})" + r"[A-Z0-9_\\]{0,64}" + _GIVEN)
# The same in lower or mixed case (`password: …`, `"clientSecret": "…"`, `db-password=…`),
# found from each of these words in the text made lower case.
GIVEN = re.compile(_GIVEN)
# An entry of a k8s container's or an ECS task's env: `- name: DB_PASSWORD` and then
# `value: …`, or `{"name": "API_TOKEN", "value": "…"}`, or of XML settings (`<add
# key="DbPassword" value="…"/>`); found from its `value` (a regex starting with a lookbehind
# is slow).
_QUOTE = r"(?:\\{0,3}[\"'])?"
ENV_VALUE = re.compile(r"alue" + _QUOTE + r"[ \t]*[:=][ \t]*" + _QUOTE
                       + r"(?![$<{(])([^\s\"'`\\,}]{6,})")
ENV_NAME = re.compile(r"(?<![\w-])(?:[Nn]ame|key)" + _QUOTE + r"[ \t]*[:=][ \t]*" + _QUOTE
                      + r"([\w.-]{1,64})" + _QUOTE + r"(?:[ \t]*#[^\r\n\\]*)?"
                      + r"(?:[ \t,\r\n]|\\{1,3}[rn])+" + _QUOTE + "$")
# `<password>…</password>` (Maven), with attributes and space around the value.
_SPACE = r"(?:\s|\\[nrt])*"
ELEMENT = re.compile(r"((?:\s[^<>]{0,200})?>" + _SPACE + r")([^\s\"'`\\<>]{6,})(?=" + _SPACE + "</)")
# What ASSIGNED leaves (it takes a value of six characters or more without a space): a
# number of four digits or more given to a PIN's or a password's name (`DOOR_PIN: 4821`), and
# the words of a seed phrase (`MNEMONIC: "abandon ability …"`, 12 to 24 of them).
_NUMBER_OR_PHRASE = re.compile(r"(?:PIN|PASS|PWD|MNEMONIC|SEED_PHRASE)[A-Z0-9_\\]{0,64}"
                               r"(?:\\{0,3}[\"'])?[ \t]*[:=][ \t]*(?:\\{0,3}[\"'])?"
                               r"(\d{4,12}(?![\w.])|[a-z]+(?: [a-z]+){11,23}(?![\w]))")
_PHRASE_NAME = re.compile(r"(?:^|_)(?:MNEMONIC|SEED_PHRASE)$")
_NAME = re.compile(r"(?:[A-Za-z0-9_]|\\_)+")
_LOWER_WORDS = ("pass", "pwd", "secret", "token", "credential", "key", "salt", "pepper", "mnemonic",
                "auth")
# Code, not a value, when not quoted: `session?.token`, `user!.password`, `parts[1]`,
# `String::new`, `!!x`, `@password`, `this.#token`.
_EXPRESSION = re.compile(r"\?\.|!\.|\.#|\[|::|^[!@#&*]")
# Words after a word-number compound (`12-character minimum`): a sentence, not a setting.
_PROSE = re.compile(r" [a-z]{2,}\b(?![=:])")
_COMPOUND = re.compile(r"(?:[A-Za-z]+|\d+)(?:-(?:[A-Za-z]+|\d+))+")
# Where an unquoted value stops: at the next parameter of a query or member of an object.
_GOES_ON = re.compile(r"&(?=[\w.-]+=)|,(?=[\w\"'.-]+[:=])|[}|](?![\w-])")
# A type's name, made of capitalized words (`Uint8Array`, `Ed25519PrivateKey`); not
# `Winter2024` nor `MehGAkWvj7FAc9`.
_TYPE_NAME = re.compile(r"[A-Z][a-z]*\d*(?:[A-Z][a-z]+\d*){1,}")
# Where a name written in mixed case breaks into words: `jwtSecret`, `JWTSecret`,
# `password1`; not inside `I18N` (upper case names are not broken).
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z0-9])|(?<=[A-Z])(?=[A-Z][a-z])")
_NAME_BEFORE = re.compile(r"[A-Z0-9_\\]*$")
QUOTED = re.compile(r"([\"'`])([A-Za-z0-9+/=_\-.]{24,})(?=\\?[\"'`])")  # \": in JSON text
# ... and a YAML value without quotes, ending its line, given to a secret's name or a k8s
# Secret's key (`tls.key: LS0tLS1…`, `.dockerconfigjson: …`; not `caBundle: …`).
UNQUOTED = re.compile(r"(:[ \t]+)([A-Za-z0-9+/=_\-.]{24,})(?=[ \t]*(?:#|\\[nr]|[\r\n\"]|$))")
# A YAML block scalar's header (`: |`, `: >-`, `: |2`), a comment, then its first line.
BLOCK = re.compile(r":[ \t]+(?:(?:!!?\w*|&\w+)[ \t]+)*[|>][-+1-9]{0,2}[ \t]*(?:#[^\r\n\\]*)?"
                   r"(?:\r|\\r)?(\n|\\n)")  # with a tag (`!!str`), an anchor (`&pw`)
ROW = {"\n": re.compile(r"[^\n]*"), "\\n": re.compile(r"(?:[^\"\\\n]|\\[^n])*")}  # in text, JSON text
_SECRET_KEYS = frozenset({".dockerconfigjson", ".dockercfg"})
_CHARACTER_CLASSES = (re.compile("[a-z]"), re.compile("[A-Z]"), re.compile("[0-9]"))


# Words as identifiers and paths spell them: `CheckoutSessionDurableObjectV2`.
_WORDS = re.compile(r"[A-Z]?[a-z]{3,}")


# Public values that look random: a subresource integrity hash, a hashed file name, a
# publishable key, a Stripe object's id.
_PUBLIC = re.compile(r"^(?:sha(?:256|384|512)-|pk_(?:live|test)_|(?:price|prod|cus|acct|pi|pm|in"
                     r"|sub|evt|ch|txn)_)|\.[a-z]{2,4}$")


@functools.lru_cache(maxsize=4096)  # the same paths and names are quoted many times
def _random_looking(value: str) -> bool:
    return (len(value) >= 24 and not _PUBLIC.search(value)
            and all(pattern.search(value) for pattern in _CHARACTER_CLASSES)
            and _entropy(value) >= 4.0
            and sum(map(len, _WORDS.findall(value))) < 0.6 * len(value))  # not words


# What a secret's name may be given that is none: a number, a word, a reference (`env.TOKEN`),
# a URL without a password, a path, an ARN.
_NOT_A_VALUE = re.compile(r"-?[\d_.,]+(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]{1,16}|[A-Za-z_$]+|#[0-9a-fA-F]{3,8}"
                          r"|-?[\d.]+(?:px|r?em|v[hw]|pt|ms|[smhdk%]|[kmg]b)"  # 0.375rem, 30d
                          r"|[~^<>=v]*\d+(?:\.\d+)+(?:[-+][\w.]+)?"  # ^4.0.0, ==0.7.0
                          r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+"
                          r"|[a-z][a-z0-9+.-]*://[^@]*|(?:~|\.{1,2})?/[\w./-]*|arn:\S*"
                          r"|[\w.-]+(?:/[\w.-]+)*\.(?:json|ya?ml|pem|key|p12|pfx|txt|env|toml)")
# What no reference, version or file name holds: 16 letters and digits or more, mixed, not
# mostly words (`Xk9vQ2mZ7pL4rT8w.abc` is no `env.TOKEN`, `v1.0-4f9c2e…` no `1.2.3-beta.4`;
# `op://vault/Cloudflare2024ApiToken` is a reference).
_HIDDEN = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{16,}")


def _not_a_value(value: str) -> bool:
    """Whether a value given to a secret's name is none: a number, a word, a reference, a
    version, a path (_NOT_A_VALUE), holding no run of _HIDDEN that is not mostly words."""
    return bool(_NOT_A_VALUE.fullmatch(value)) and not any(
        sum(map(len, _WORDS.findall(run))) < 0.6 * len(run) for run in _HIDDEN.findall(value))


def _authorization(found: re.Match[str]) -> str:
    """A token after Bearer or Basic redacted: 16 characters or more, or base64 with
    padding, holding a digit, padding or two changes of case (not "Basic HTTP/1.1", "Bearer
    JSONWebToken")."""
    token = found[3]
    padded = token.endswith("=")
    header = found.string.endswith("Authorization: ", 0, found.start())  # no prose: 8 will do
    if ((len(token) >= 16 or padded or header)
            and (padded or any(c.isdigit() for c in token) or len(_CASE_CHANGE.findall(token)) >= 2)):
        return found[1] + found[2] + REDACTED
    return found[0]


def _option(text: str, found: re.Match[str]) -> str:
    """The option OPTIONS found, its value redacted: not a word as the next argument
    (`--token instead`, `"--token", "anonymous"`), nor a build secret's source (`--secret
    id=npmrc,src=…`), nor a name given the next (`--pass PASSWORD: …`), nor a list item
    that goes on (`- redis-cli -a …`), nor the `-p` of a `login` that no registry client
    runs."""
    option, value = found[1], found[2]
    kept = (((option[-1] in " \t" or "," in option) and _not_a_value(value))
            or value.startswith(("id=", "src=", "type=", "env=")) or _NAME_GIVEN.fullmatch(value)
            or "«" in value  # redacted already, in part
            or (_ITEM.search(option) and not _LINE_END.match(text, found.end()))
            or (option.startswith("login")
                and not LOGIN_COMMAND.search(text, max(0, found.start() - 40), found.start())))
    return found[0] if kept else option + REDACTED


def _credential(value: str) -> bool:
    """Whether a value given to a secret's name may be the secret: it holds a digit, as
    generated secrets do, and is no word, number, reference, path or placeholder."""
    return (any(char.isdigit() for char in value) and not _not_a_value(value)
            and not PLACEHOLDER.search(value) and "«" not in value
            and value not in TURNSTILE_TEST_SECRETS)


def _name_before(text: str, end: int, stop: int) -> int:
    """Where the name that ends at `end` starts (not before `stop`): letters, digits, `_`
    and `-`, also as Markdown escapes them (`\\_`), not past an escape of JSON text (`\\n`)."""
    begin = end
    while begin > stop and (_name_char(text[begin - 1]) or text[begin - 1:begin + 1] == "\\_"):
        if text[begin - 1] in "ntr" and text[begin - 2:begin - 1] == "\\":
            break
        begin -= 1
    return begin


def _word_start(text: str, index: int) -> bool:
    """Whether a word starts at `index`: after no letter or digit, or after an escape of JSON
    text (`\\npassword`)."""
    return not index or not text[index - 1].isalnum() or text[index - 2:index - 1] == "\\"


def _name_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_-")


def _parameters(text: str) -> str:
    """`text` with the value of each credential given as a parameter redacted: a
    PARAMETER_NAME (or `code`, of GRANT_LENGTH or more) after `?`, `&` or `;`, or a
    CONNECTION_NAME starting a word."""
    parts, done = [], 0
    index = text.find("=")
    while index != -1:
        value, braced, grant = None, False, False
        if index and text[index - 1] in "nNyYtTeEgGsSdD":  # how PARAMETER_NAMEs end
            begin = _name_before(text, index, max(done, index - 64))
            name = text[begin:index].replace("\\", "")
            before = text[begin - 1] if begin else ""
            query = before in ("?", "&", ";")
            parameter = query and PARAMETER_NAME.fullmatch(name)
            grant = query and name.lower() == "code"
            connection = _word_start(text, begin) and CONNECTION_NAME.fullmatch(name)
            if (parameter or grant or connection) and not ABOUT_NAME.search(_snake(name)):
                braced = bool(connection) and text.startswith("{", index + 1)  # ODBC: `Pwd={…}`
                value = (BRACED if braced else PARAMETER_VALUE).match(text, index + 1 + braced)
        if (value and len(value[0]) >= (GRANT_LENGTH if grant else 6) and _credential(value[0])
                and not _EXPRESSION.search(value[0]) and text[value.end():value.end() + 1] != "("
                and not REFERENCE.match(value[0]) and not (braced and _FIELD.fullmatch(value[0]))):
            parts += [text[done:value.start()], REDACTED]
            done = value.end()
        # past the value read; but into a brace left (`Pwd={ see https://h?token=…`)
        index = text.find("=", value.end() if value and (done > index or not braced) else index + 1)
    return "".join(parts) + text[done:] if parts else text


def _given(text: str) -> str:
    """`text` with the value given to each secret's name written in lower or mixed case
    redacted, as ASSIGNED does for upper case, and of each element named so in any case
    (`<PASSWORD>…</PASSWORD>`); `key` alone (`key: ${{ hashFiles(…) }}`) is no secret's
    name."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter that lowers to two: lower only ASCII
        lowered = re.sub("[A-Z]+", lambda m: m[0].lower(), text)
    hits = sorted((index, text[index:index + len(word)].isupper())
                  for word in _LOWER_WORDS for index in _finds(lowered, word))
    parts, done, seen = [], 0, 0
    for index, upper in hits:
        if index < seen or (upper and text.rfind("<", max(0, index - 65), index) == -1):
            continue  # in a name or a value already read; upper case, in no element
        begin = _name_before(text, index, max(seen, index - 64))
        if upper and text[begin - 1:begin] != "<":  # upper case: ASSIGNED's, but an element's
            continue
        end = index
        while end < min(len(text), index + 64) and (
                _name_char(text[end]) or text[end:end + 2] == "\\_"):
            end += 1
        given = (None if upper else GIVEN.match(text, end)) or (
            ELEMENT.match(text, end) if text[begin - 1:begin] == "<" else None)
        seen = given.end() if given else end
        name = text[begin:end].replace("\\", "")
        if given is None or name.upper() == "KEY" or not _word_start(text, begin) or (
                text[begin - 1:begin] in (":", "/", "?", "&")):
            continue  # inside a word, an ARN, a path or a query (_parameters reads those)
        lead, value = _default(text, begin, given[2])
        quoted = given.re is ELEMENT or given[1].rstrip(" \t").endswith(("'", '"'))
        if not quoted:  # it ends where a query or an object goes on: `token=a1&next=/home`
            value = _GOES_ON.split(value)[0].rstrip(";,.!")
        start = given.start(2) + lead
        code = (_EXPRESSION.search(value) or _TYPE_NAME.fullmatch(value)
                or text[start + len(value):start + len(value) + 1] == "("  # `encode(bytes)`
                or (_COMPOUND.fullmatch(value)  # `password: 12-character minimum`
                    and _PROSE.match(text, start + len(value))))
        if (secret_name(name.replace("-", "_")) and _credential(value.replace("\\_", "_"))
                and (quoted or not code)):
            parts += [text[done:start], REDACTED]
            done = start + len(value)
    return "".join(parts) + text[done:] if parts else text


def _env_value(text: str, found: re.Match[str]) -> str:
    """The `value: …` ENV_VALUE found, redacted if the entry's name is a secret's."""
    start = found.start() - 1  # at its `v` or `V`
    name = ENV_NAME.search(text, max(0, start - 120), start)
    if (name and text[start:start + 1] in ("v", "V") and _word_start(text, start)
            and _SECRET_WORD.search(name[1]) and ((secret_name(name[1]) and _credential(found[1]))
                                                  or _short_secret(name[1], found[1]))):
        return found[0][:found.start(1) - found.start()] + REDACTED
    return found[0]


def _token_starts(text: str) -> list[int]:
    """Where a TOKEN may start in `text`: at one of TOKEN_STARTS, or at the `sk.` before a
    Mapbox token's `eyJ`."""
    escaped = _ESCAPED_STARTS if "\\_" in text else ()  # as Markdown escapes them
    starts = {index for start in (*TOKEN_STARTS, *escaped) for index in _finds(text, start)}
    return sorted(starts | {index - 3 for index in starts if text.endswith("sk.", 0, index)})


def _authorization_starts(text: str) -> list[int]:
    """Where an AUTHORIZATION may start in `text`: at `Bearer`, `bearer` or `Basic`, or after
    `Authorization: `."""
    return sorted({*(index - 1 for index in _finds(text, "earer") if index),
                   *_finds(text, "Basic"),
                   *(index + 15 for index in _finds(text, "Authorization: "))})


def _sub(pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str],
         starts: Iterable[int] | None = None) -> str:
    """`pattern.sub(replace, text)`, but `text` itself when no match changes (re.sub copies
    it: 12 MB more at the peak); with `starts` (sorted), matched only there, for a pattern
    whose matches start only there (a regex that does not start with a literal is slow to
    scan a whole text with)."""
    found_all = (pattern.finditer(text) if starts is None
                 else (pattern.match(text, index) for index in starts))
    parts: list[str] = []
    done = end = 0
    for found in found_all:
        if found is None or found.start() < end:
            continue
        end = found.end()
        new = replace(found)
        if new != found[0]:
            parts += [text[done:found.start()], new]
            done = end
    return "".join(parts) + text[done:] if parts else text


def _finds(text: str, word: str) -> Iterator[int]:
    """Where `word` occurs in `text`."""
    index = text.find(word)
    while index != -1:
        yield index
        index = text.find(word, index + 1)


def _assigned(text: str, found: re.Match[str]) -> str:
    """The `NAME: value` ASSIGNED found, its value redacted if NAME is a secret's."""
    begin = _name_start(text, found.start())
    name = text[begin:found.start(1)].replace("\\", "").strip("\"'")
    lead, value = _default(text, begin, found[2])
    value = value.rstrip(";,.!")
    quoted = found[1].rstrip(" \t").endswith(("'", '"'))
    number = _short_secret(name, value)  # `ADMIN_PIN: 918273`
    if (not _word_start(text, begin) or not value or not (secret_name(name) or number)
            or PLACEHOLDER.search(value) or "«" in value or value in TURNSTILE_TEST_SECRETS
            or (not quoted and _EXPRESSION.search(value))  # `os.environ['SECRET_KEY']`
            or (_not_a_value(value.replace("\\_", "_")) and not number)):
        return found[0]
    start = found.start(2) - found.start() + lead
    return found[0][:start] + REDACTED + found[0][start + len(value):]


def _name_start(text: str, index: int) -> int:
    """Where the upper-case name that holds `index` (the word that found it) starts."""
    head = _NAME_BEFORE.search(text, max(0, index - 100), index)
    return head.start() if head else index


def _short_given(found: re.Match[str]) -> str:
    """A _SHORT_GIVEN value, redacted when its name is a password's or a PIN's."""
    value = found[0][len(found[1]):]
    return found[1] + (REDACTED if _short_secret(found[2], value) else value)


def _number_or_phrase(text: str, found: re.Match[str]) -> str:
    """The _NUMBER_OR_PHRASE found, its value redacted if its name is a PIN's or a
    password's (a number) or a seed phrase's (words)."""
    begin = _name_start(text, found.start())
    found_name = _NAME.match(text, begin)  # `DOOR_PIN`, also as Markdown escapes it: `DOOR\_PIN`
    name, value = (found_name[0] if found_name else "").replace("\\_", "_"), found[1]
    secret = (_short_secret(name, value) if value.isdigit()
              else bool(_PHRASE_NAME.search(_snake(name))))
    if not (secret and _word_start(text, begin)):
        return found[0]
    start = found.start(1) - found.start()
    return found[0][:start] + REDACTED + found[0][start + len(value):]


def _default(text: str, begin: int, value: str) -> tuple[int, str]:
    """(where it starts, the value) of what a name starting at `begin` is given: in
    `${NAME:-default}`, its default."""
    if not text.endswith("${", 0, begin):
        return 0, value
    lead = int(value.startswith(("-", "=", "?", "+")))  # `:-`, `:=` (read as the separator)
    return lead, value[lead:].split("}")[0]


# A word given as a value, as a config or a command writes it: right after a quote (also
# escaped, in JSON text), `=`, `:` or `:-` (`--var KEY:staging`, `?env=staging&`, a shell
# default `${KEY:-staging}`), a name after `--var` or `<<<`, to a quote, a space, a line's
# end or `,;#&|)]}`; after `: ` or `= ` (any spaces: YAML, TOML), `[` or `{`, a diff's `+` or
# `-`, or as the whole of a line (of a multi-line string or a block, a list item; also after
# an escaped `\n`), to a quote, one of `,;#&|)]}` or a line's end (after spaces). Not a
# JSON key (`"a": 1`).
_ANY_END = r"(?=\\?[\"']|\\[ntr]|[\s,;#&|)\]}}]|$)"
_STRICT_END = r"(?=\\?[\"']|\\[ntr]|[ \t]*(?:[\r\n,;#&|)\]}}]|$))"
_GIVEN_WORD = (r"(?:(?P<at>(?<=[\"'=:])|(?<=:-)|--var[ \t]+[\w-]+[ \t]+|<<<[ \t]*){0}" + _ANY_END
               + r"|(?P<after>[:=][ \t]+|[\[{{][ \t]*|(?<=\\[ntr])|(?:(?<![^\r\n])|(?<=[\s;])[+-])"
               r"[ \t]*(?:[+-][ \t]*)?){0}" + _STRICT_END + r")(?!\\?\":)")
# A word anywhere, as a whole word: not in `[env.staging]`, `base-shop-staging` or a JSON key;
# a number wherever no digit goes on (`-p123456`).
_WORD = r"(?:(?<![\w.-])|(?<=\\[ntr])){0}(?![\w-])(?!\":)"
_NUMBER = r"(?<!\d){0}(?!\d)"
# A value too short to hide wherever it stands (a PIN, `4821`; a password, `r00t`), given to
# a name: `NAME = "4821"`, `NAME: 4821`, on the next line (`NAME = """`, JSON's `"NAME":`,
# also escaped in JSON text), and as the JSON output holds a var, `"name": "NAME", "value":
# "4821"`.
_SPACE_OR_TAB = r"(?:[ \t]|\\t)*"  # a tab also as JSON text escapes it
_SHORT_GIVEN = (r"((?<![\w-])([A-Za-z][\w-]{{0,63}})(?:\\{{0,3}}[\"'])?(?:" + _SPACE_OR_TAB + "[:=]"
                r"|,\s*\\{{0,3}}[\"']value\\{{0,3}}[\"']:)" + _SPACE_OR_TAB
                + r"(?:/\*[^*\r\n]{{0,80}}\*/" + _SPACE_OR_TAB + r")?(?:\\{{0,3}}[\"']){{0,3}}\\{{0,2}}"
                r"(?:\r?\n|\\r\\n|\\n)?" + _SPACE_OR_TAB + r"(?:\\{{0,3}}[\"'])?){0}"
                r"(?![\w./-]|[ \t]*:)")  # not a path's part, nor a key: `admin: true`


@functools.cache
def _own_words() -> frozenset[str]:
    """The words of six letters or more that auditlib itself writes (its messages, rules and
    documents), in lower case: read from its own source."""
    root = Path(__file__).parent
    return frozenset(word.lower() for path in (*root.glob("*.py"), *root.glob("rules/*.py"),
                                               *root.glob("notebooks/*.ipynb"))
                     for word in re.findall(r"[A-Za-z]{6,}", path.read_text(encoding="utf-8")))


# With this many secrets or more, a short text looks up its own pieces among the secrets'
# first four characters instead of looking for each secret in it: 1,000 secrets and 20,000
# table cells to redact took 88 s.
MANY_SECRETS = 64
SHORT_TEXT = 4096


def _present(text: str, secrets: frozenset[str]) -> tuple[str, ...]:
    """Those of `secrets` that `redact` looks for in `text`, the longest first: all of four
    characters or more, or with many secrets and a short text, those whose first four
    characters are in it."""
    ordered, by_start = _prepared(secrets)
    if len(ordered) < MANY_SECRETS or len(text) > SHORT_TEXT:
        return ordered
    found = {secret for index in range(len(text) - 3)
             for secret in by_start.get(text[index:index + 4], ())}
    return tuple(secret for secret in ordered if secret in found)


@functools.lru_cache(maxsize=8)  # an audit redacts each of thousands of texts with one set
def _prepared(secrets: frozenset[str]) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """`secrets` of four characters or more, the longest first (then alphabetically), and by
    their first four characters."""
    ordered = tuple(sorted((secret for secret in secrets if len(secret) >= 4),
                           key=lambda secret: (-len(secret), secret)))
    by_start: dict[str, list[str]] = {}
    for secret in ordered:
        by_start.setdefault(secret[:4], []).append(secret)
    return ordered, by_start


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value, every token- or key-shaped string, the password of a
    URL, a Bearer token, a credential in a query or connection string and the value given to
    a secret's name (`API_TOKEN: abc123…`)
    replaced by «redacted». A secret that is a word or a number (`sunflower`, `123456`) is
    replaced as a whole word, not in `[env.sunflower]` or a JSON key; one that auditlib
    itself writes (`secret`, `production`) only where it is given as a value (`"secret"`,
    `KEY: secret`), not in ``env `production` `` or `wrangler secret put`. One of four or
    five characters (a PIN, `4821`; a password, `r00t`) is replaced only where a password's
    or a PIN's name gives it."""
    for secret in _present(text, frozenset(secrets)):
        if len(secret) >= 6 and secret in text:
            if secret.isalpha() and secret.lower() in _own_words():
                text = re.sub(_GIVEN_WORD.format(re.escape(secret)),
                              rf"\g<at>\g<after>{REDACTED}", text)
            elif secret.isalpha() or secret.isdigit():
                text = re.sub((_WORD if secret.isalpha() else _NUMBER).format(re.escape(secret)),
                              REDACTED, text)
            else:
                text = text.replace(secret, REDACTED)
        elif len(secret) >= 4 and secret in text:  # a PIN, `1234`; a password, `admin`
            text = re.sub(_SHORT_GIVEN.format(re.escape(secret)), _short_given, text)
    text = _sub(TOKEN, text, lambda found: REDACTED, _token_starts(text))
    text = URL_PASSWORD.sub(lambda m: f"://{m[1]}{REDACTED}@", text)
    text = _sub(AUTHORIZATION, text, _authorization, _authorization_starts(text))
    for literal, option in OPTIONS:
        if literal in text:
            text = _sub(option, text, functools.partial(_option, text))
    if "hooks.slack.com" in text or "/api/webhooks/" in text:
        text = WEBHOOK.sub(lambda m: m[1] + REDACTED, text)
    text = _parameters(text)
    text = _sub(ASSIGNED, text, functools.partial(_assigned, text))
    text = _sub(_NUMBER_OR_PHRASE, text, functools.partial(_number_or_phrase, text))
    text = _given(text)
    if "alue" in text:
        text = _sub(ENV_VALUE, text, functools.partial(_env_value, text))
    text = _sub(UNQUOTED, text, functools.partial(_unquoted, text))
    text = _blocks(text)
    text = _on_secret_lines(text)
    return _sub(QUOTED, text, _random)


# Words that make a line about a secret (`# old CLOUDFLARE_API_TOKEN was Vv8K…`), found in
# the text made lower case; and a word that may be the secret, in any line's prose.
_LINE_WORDS = ("token", "secret", "password")
_LINE_REACH = 2000  # how far from its word a line is read
_UNICODE_ESCAPE = re.compile(r"u[0-9a-fA-F]{4}")
_BARE_WORD = re.compile(r"(?<![\w+/=.-])[A-Za-z0-9_+/-]{24,}={0,2}(?![\w+/=.-])")


def _on_secret_lines(text: str) -> str:
    """`text` with each random-looking word (`_random_looking`) redacted on a line that
    names a secret, as in a comment: `# rotated: old API_TOKEN was Vv8Kq2…`. Lines end at a
    line break or, in JSON text, at `\\n`."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter that lowers to two: lower only ASCII
        lowered = re.sub("[A-Z]+", lambda m: m[0].lower(), text)
    hits = sorted({index for word in _LINE_WORDS for index in _finds(lowered, word)})
    parts, done, end = [], 0, -1
    for index in hits:
        if index < end:
            continue  # a line already read
        first, last = max(0, index - _LINE_REACH), index + _LINE_REACH  # not the whole text
        start = max(first - 1, text.rfind("\n", first, index),
                    text.rfind("\\n", first, index) + 1) + 1
        end = min((found for found in (text.find("\n", index, last), text.find("\\n", index, last))
                   if found != -1), default=min(last, len(text)))
        for word in _BARE_WORD.finditer(text, start, end):
            begin = word.start()
            if text[begin - 1:begin] == "\\":  # after an escape of JSON text: `\nVv8…`, `\u00bbVv8…`
                begin += 5 if _UNICODE_ESCAPE.match(text, begin) else 1
            if begin >= done and _random_looking(text[begin:word.end()]):
                parts += [text[done:begin], REDACTED]
                done = word.end()
    return "".join(parts) + text[done:] if parts else text


def _unquoted(text: str, found: re.Match[str]) -> str:
    """The YAML value UNQUOTED found, redacted if it looks random and its key is a secret's."""
    return _random(found) if _secret_key(text, found.start()) else found[0]


def _secret_key(text: str, colon: int, plural: bool = True) -> bool:
    """Whether the YAML key before the colon at `colon` is a secret's or a k8s Secret's
    (unless `plural` a name ending in `s` (`secrets`) is none)."""
    end = colon - (text[colon - 1:colon] in ("'", '"'))  # `"password": |`
    end -= text[end - 1:end] == "\\"  # `\"password\": |` in JSON text
    begin = end
    while begin > max(0, end - 64) and (text[begin - 1] in "_.-" or text[begin - 1].isalnum()):
        begin -= 1
    name = text[begin:end]
    if text[begin - 1:begin] == "\\" and name[:1] in ("n", "r", "t"):
        name = name[1:]  # after JSON's `\n`
    if not _SECRET_WORD.search(name) and name not in _SECRET_KEYS:
        return False
    if not plural and name.lower().endswith("s") and not name.lower().endswith(("ss", "credentials")):
        return False
    return name in _SECRET_KEYS or secret_name(name.lstrip(".").replace(".", "_").replace("-", "_"))


def _blocks(text: str) -> str:
    """`text` with the lines of each YAML block scalar given to a secret's key redacted
    (`password: |`, then the lines indented more than the key's), but a reference, prose or
    a line that is no credential; in JSON text too, its lines ending at `\\n` and the string.
    A plural key (`secrets: |`, `secret-ids: |`) lists names, not values; a block inside a
    secret's block is redacted as its lines."""
    spans, covered = [], 0
    for header in BLOCK.finditer(text):
        colon = header.start()
        if colon < covered or not _secret_key(text, colon, plural=False):
            continue
        newline = header[1]
        line = text.rfind(newline, 0, colon)
        line = 0 if line == -1 else line + len(newline)
        if newline == "\\n":  # in JSON text, not before its string (`\"` is in it)
            quote = text.rfind('"', line, colon)
            while quote > line and text[quote - 1] == "\\":
                quote = text.rfind('"', line, quote - 1)
            line = max(line, quote + 1)
        # commented out, its lines are too, read after their `#`: `# password: |`
        commented = text[line:colon].lstrip(" \t").startswith("#")
        indent = _indent(text[line:colon].split("#", 1)[-1] if commented else text[line:colon])
        row = ROW[newline].match(text, header.end())
        while row:
            after = row[0].find("#") + 1 if commented else 0
            if commented and (not after or row[0][:after - 1].strip(" \t")):
                break
            body = row[0][after:]
            lead = after + _LEAD.match(body).end()  # type: ignore[union-attr]  # it matches ""
            content = row[0][lead:].rstrip(" \t\r").removesuffix("\\r").rstrip(" \t")
            if content and _indent(body) <= indent:
                break
            if (content and _credential(content) and not REFERENCE.search(content)
                    and not _WORDS_IN_A_ROW.search(content)):
                spans.append((row.start() + lead, len(content)))
            covered = row.end()
            row = ROW[newline].match(text, row.end() + len(newline)) if text.startswith(
                newline, row.end()) else None
    parts, done = [], 0
    for start, length in spans:
        parts += [text[done:start], REDACTED]
        done = start + length
    return "".join(parts) + text[done:] if parts else text


_LEAD = re.compile(r"(?:[ \t]|\\t)*")  # a tab of JSON text too
_WORDS_IN_A_ROW = re.compile(r"[A-Za-z][a-z]+ [a-z]{2,}")  # prose: `at least 12 characters`


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _random(found: re.Match[str]) -> str:
    """The string QUOTED or UNQUOTED found, redacted if it looks random."""
    return found[1] + REDACTED if _random_looking(found[2]) else found[0]


def secret_values(configs: Iterable[WranglerConfig]) -> set[str]:
    """The values of the secret-like vars of `configs`, also as the files spell them and as
    JSON escapes them: no output of the audit may show them."""
    found = {spelled for config in configs for scope in config.scopes() for var in scope.vars
             if secret_reason(var.name, var.value)
             for spelled in spellings(var.name, var.value, config.text)}
    # ... also as JSON escapes them (`C:\\Users`, `a\"b`), as messages quoting a value as JSON do
    return found | {json.dumps(spelled, ensure_ascii=False)[1:-1] for spelled in found}
