"""CF001 placeholder-resource-id.

## What it does
Finds resource ids in active wrangler configuration (KV `id`/`preview_id`, D1
`database_id`/`preview_database_id`, Hyperdrive `id`, mTLS `certificate_id`, Secrets Store
`store_id`) that are placeholders: all zeros
(also UUID-shaped), all ones, all `x`, empty, or markers such as `REPLACE_ME`, `TODO`,
`PLACEHOLDER`, `<KV_ID>`, or a variable to fill in (`${KV_ID}`, `$KV_ID`); or that are not
shaped like an id at all (a KV namespace or Hyperdrive id is 32 hexadecimal digits, a D1
database id a UUID: `id = "DEV_KV"` is a name). A placeholder `account_id` is reported
too; an empty one, which wrangler ignores with a warning, at P2. Commented-out
configuration is not active and is not reported. A placeholder preview id (`preview_id`,
`preview_database_id`), which only `wrangler dev` reads, is reported at P2.

A binding that leaves out what names its resource is reported too, where wrangler refuses
the config without it: a Hyperdrive config's `id`, a Vectorize index's `index_name`, a
service binding's `service`, an mTLS certificate's `certificate_id`, a pipeline's `stream`
(or `pipeline`), a VPC network's `tunnel_id` or `network_id`, the `namespace` of Artifacts,
an AI Search namespace or Agent Memory, an AI Search instance's `instance_name`. A KV
namespace, D1 database, R2 bucket, queue or dispatch namespace may leave it out: wrangler
creates or finds it on deploy (queues and dispatch namespaces since July 2026).

A placeholder that a workflow may fill in before deploying is still reported (a deploy
from anywhere else gets the placeholder, and the audit cannot prove what CI does), and the
finding names the workflow line: a `run:` command (`sed -i`, `perl -pi`, `yq -i`, `awk -i
inplace`, or any of them redirected and moved there) that names the placeholder and writes
the config's file, from the folder it runs in, or, for `${KV_ID}` or `$KV_ID`, `envsubst`
writing that file; with a deploy step after it in its job (of any app). Waive the finding
if that is how the repository is meant to deploy. A command in a script or a local action
the step runs is not followed.

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

import re
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import DeployStep, Facts, FileEdit, Finding, Location, Severity
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
                if "account_id" in scope.declared and scope.settings["account_id"] == "":
                    # wrangler ignores it, with a warning (a wrangler v1 template's)
                    yield cls.finding(
                        location=scope.location_of("account_id"), severity=Severity.P2,
                        subject=scoped("account_id", scope),
                        message=(f"{code(wrangler_config.path)}{where} has an empty `account_id`,"
                                 " which wrangler ignores with a warning"),
                        remediation=(f"Remove `account_id` from {owner}, or set the real one"))
                elif "account_id" in scope.declared and account is not None:
                    filled = _filled_in(facts, edits, wrangler_config.path,
                                        scope.settings["account_id"])
                    yield cls.finding(
                        location=scope.location_of("account_id"),
                        subject=scoped("account_id", scope),
                        message=(f"{code(wrangler_config.path)}{where} has a placeholder"
                                 f" `account_id` ({account}){_filled(filled)}"),
                        remediation=(f"Set the real `account_id` of {owner}, or remove it and"
                                     " set `CLOUDFLARE_ACCOUNT_ID` where it deploys"))
                for binding in scope.bindings:
                    label = KINDS_BY_NAME[binding.kind].label
                    named = f"{label} {code(binding.name)}" if binding.name else f"{label} (no name)"
                    kind = KINDS_BY_NAME[binding.kind]
                    lacking = [code(key) for key in kind.required if key not in binding.properties]
                    one_of = " or ".join(map(code, kind.one_of))
                    if kind.one_of and not set(kind.one_of) & binding.properties.keys():
                        lacking.append(one_of)
                    for key in lacking:
                        yield cls.finding(
                            location=binding.location, subject=scoped(binding.name, scope),
                            message=(f"{named} in {code(wrangler_config.path)}{where} has no {key},"
                                     " which wrangler requires: it refuses the config"),
                            remediation=f"Set {key} of {named} ({owner})",
                            action="Set what names each binding's resource")
                    for key in KINDS_BY_NAME[binding.kind].id_keys:
                        reason = id_reason(binding.kind, binding.properties.get(key, None))
                        if key not in binding.properties or reason is None:
                            continue
                        preview = key.startswith("preview_")  # read by `wrangler dev` only
                        filled = None if preview else _filled_in(  # no deploy reads a preview id
                            facts, edits, wrangler_config.path, binding.properties[key])
                        yield cls.finding(
                            location=binding.location_of(key),
                            subject=scoped(f"{binding.name} {key}" if preview else binding.name,
                                           scope),
                            message=(f"{named} in {code(wrangler_config.path)}{where}"
                                     f" has a placeholder {code(key)} ({reason})"
                                     + (", which only `wrangler dev` uses" if preview else "")
                                     + _filled(filled)),
                            remediation=(f"Replace placeholder {label} {code(key)} for"
                                         f" {code(binding.name)} ({owner})"
                                         + (", or remove it" if preview else "")),
                            severity=Severity.P2 if preview else None)


FILLED = "rewrites this file, naming the placeholder, before a deploy in its job"


def _filled(where: Location | None) -> str:
    """What a finding's message says of the workflow line that may fill its placeholder in."""
    return (f"; {code(where)} {FILLED} (if CI fills it in there, a deploy from anywhere else"
            " still gets the placeholder: waive this finding if that is intended)" if where else "")


# What envsubst fills in: `${KV_ID}`, `$KV_ID`; which it fills in when told (`envsubst
# '${KV_ID} ${D1_ID}'`).
_REFERENCE = re.compile(r"\$\{?(\w+)\}?")
_ENVSUBST = re.compile(r"(?:sudo\s+)?envsubst\s")
_SHELL_FORMAT = re.compile(r"""envsubst\s+(?:-\S+\s+)*(['"])([^'"]*\$[^'"]*)\1""")


def _filled_in(facts: Facts, edits: list[FileEdit], path: str, value: object) -> Location | None:
    """The first of the workflows' `edits` that fills in the placeholder `value` of the
    config at `path`, in a job that deploys after it: a command that writes the file and
    names the placeholder (a whole word), or, for a reference, envsubst writing the file
    (with that variable, when it is given a list)."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    reference = _REFERENCE.fullmatch(value)
    named = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])")
    for edit in edits:
        if path not in edit.writes or not any(_after(step, edit) for step in facts.deploy_steps):
            continue
        command = edit.command.replace("\\", "")  # `s/\${KV_ID}/…/`
        listed = _SHELL_FORMAT.search(command)
        if (named.search(command) and not _ENVSUBST.match(command)) or (
                reference and _ENVSUBST.match(command) and (
                    not listed or reference[1] in _REFERENCE.findall(listed[2]))):
            return edit.location
    return None


def _after(step: DeployStep, edit: FileEdit) -> bool:
    """Whether a deploy step comes after an edit in its job (a later step, or a later line
    of the same step)."""
    return step.workflow == edit.location.path and step.job == edit.job and (
        (step.step, step.location.start_line or 0) >= (edit.step, edit.location.start_line or 0))
