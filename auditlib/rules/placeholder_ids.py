"""CF001 placeholder-resource-id.

## What it does
Finds resource ids in active wrangler configuration (KV `id`/`preview_id`, D1
`database_id`/`preview_database_id`, Hyperdrive `id`, mTLS `certificate_id`, Secrets Store
`store_id`) that are placeholders: all zeros
(also UUID-shaped), all ones, all `x`, empty, or markers such as `REPLACE_ME`, `TODO`,
`PLACEHOLDER`, `<KV_ID>`; or that are not shaped like an id at all (a KV namespace or
Hyperdrive id is 32 hexadecimal digits, a D1 database id a UUID: `id = "DEV_KV"` is a
name). A placeholder `account_id` is reported too. Commented-out configuration is not
active and is not reported. A placeholder preview id (`preview_id`, `preview_database_id`),
which only `wrangler dev` reads, is reported at P2. So is a placeholder that a workflow fills
in before deploying: a `run:` command of it (`sed`, `perl`, `yq`, `jq`, `awk`) that names
the placeholder and the config's file, from the folder it runs in, or, for `${KV_ID}`,
`envsubst` writing that file. The finding names that line, as a deploy from anywhere else
gets the placeholder. A command in a script or a local action it runs is not followed.

## Why is this bad?
A binding with a placeholder id points at no real resource: the deployment fails, or the
feature behind the binding (rate limiting, a database) silently does not work.

## Example
```toml
[[kv_namespaces]]
binding = "LOGIN_RATE_LIMIT_KV"
id = "00000000000000000000000000000000"
```

## Fix
Create the resource (`wrangler kv namespace create`, `wrangler d1 create`) and put its
real id in the config, or omit the id and let wrangler create the resource on deploy.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, FileEdit, Finding, Location, Severity
from ..placeholders import id_reason
from ..wrangler import KINDS_BY_NAME
from .base import Rule, scoped


class PlaceholderResourceId(Rule):
    id = "CF001"
    name = "placeholder-resource-id"
    title = "Placeholder resource ID"
    severity = Severity.P0
    rationale = "The binding points at no real resource and will not work in production"
    remediation = "Replace the placeholder with the real resource ID"
    status = "Placeholder values"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        edits = [edit for workflow in facts.workflows for edit in workflow.edits]
        for wrangler_config in facts.configs:
            app = wrangler_config.label
            for scope in wrangler_config.scopes():
                where = f" (env {code(scope.name)})" if scope.name else ""
                owner = f"{code(app)}, env {code(scope.name)}" if scope.name else code(app)
                account = id_reason("account", scope.settings.get("account_id"))
                if "account_id" in scope.declared and account is not None:
                    filled = _filled_in(edits, wrangler_config.path, scope.settings["account_id"])
                    yield cls.finding(
                        location=scope.location_of("account_id"),
                        subject=scoped("account_id", scope),
                        message=(f"{code(wrangler_config.path)}{where} has a placeholder"
                                 f" `account_id` ({account}){_filled(filled)}"),
                        remediation=(f"Set the real `account_id` of {owner}, or remove it and"
                                     " set `CLOUDFLARE_ACCOUNT_ID` where it deploys"),
                        severity=Severity.P2 if filled else None)
                for binding in scope.bindings:
                    for key in KINDS_BY_NAME[binding.kind].id_keys:
                        reason = id_reason(binding.kind, binding.properties.get(key, None))
                        if key not in binding.properties or reason is None:
                            continue
                        label = KINDS_BY_NAME[binding.kind].label
                        preview = key.startswith("preview_")  # read by `wrangler dev` only
                        filled = _filled_in(edits, wrangler_config.path, binding.properties[key])
                        yield cls.finding(
                            location=binding.location_of(key),
                            subject=scoped(f"{binding.name} {key}" if preview else binding.name,
                                           scope),
                            message=(f"{label} {code(binding.name)} in {code(wrangler_config.path)}{where}"
                                     f" has a placeholder {code(key)} ({reason})"
                                     + (", which only `wrangler dev` uses" if preview else "")
                                     + _filled(filled)),
                            remediation=(f"Replace placeholder {label} {code(key)} for"
                                         f" {code(binding.name)} ({owner})"
                                         + (", or remove it" if preview else "")),
                            severity=Severity.P2 if preview or filled else None)


FILLED = "fills it in before deploying"


def _filled(where: Location | None) -> str:
    """What a finding's message says of the workflow line that fills its placeholder in."""
    return (f"; {code(where)} {FILLED}, a deploy from anywhere else gets the placeholder"
            if where else "")


# What envsubst fills in: `${KV_ID}`, `$KV_ID`.
_REFERENCE = re.compile(r"\$\{?\w+\}?")
_ENVSUBST = re.compile(r"(?:sudo\s+)?envsubst\b")
# A word of a command: quoted, or up to a space or a redirection.
_WORD = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s<>'"]+)""")


def _filled_in(edits: list[FileEdit], path: str, value: object) -> Location | None:
    """The first of the workflows' `edits` that fills in the placeholder `value` in the
    config at `path`: a command that names the file (from the folder it runs in) and the
    placeholder, or, for a reference, envsubst writing the file."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    reference = _REFERENCE.fullmatch(value)
    for edit in edits:
        command = edit.command.replace("\\", "")  # `s/\${KV_ID}/…/`
        if not (value in command or (reference and _ENVSUBST.match(command))):
            continue
        files = {posixpath.normpath(posixpath.join(edit.directory, "".join(word)))
                 for word in _WORD.findall(edit.command) if "$" not in "".join(word)}
        if path in files:
            return edit.location
    return None
