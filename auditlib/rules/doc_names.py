"""DR009 doc-name-drift.

## What it does
Checks the names a document gives in its tables (columns Binding, Class, ID, Queue,
Database, Bucket, Variable) and the binding-like names in its prose (`*_KV`, `*_DO`,
`*_PROVIDER`, ...) against the configuration and code, in every environment (an `[assets]`
binding counts as a binding).

A document with a Binding column lists bindings, so it is also checked for the bindings it
leaves out: those of the wrangler configs it covers, in every environment. It covers the
configs it names or links by path (`apps/api/wrangler.toml`, `apps/api/wrangler.toml:12`,
a glob such as `apps/xa*/wrangler.toml`, a quoted "Current wrangler.toml (root)" block; a
path is from the repository's root, `wrangler.toml` the root's config); the audit document
that the settings name (`doc_path`, default `docs/auto-scaling.md`) covers them all. A runbook
that lists the bindings of one app is not asked for the others', nor are the hand-written
notes of a document auditlib generated (its generated tables list them all).

A repository without wrangler configs is not checked, nor are names of secrets (set with
`wrangler secret put`, in no config): a name shaped as one (`*_TOKEN`, `*_SECRET`), one
on a line or table row that says `wrangler secret put`, and one that a wrangler config or
a workflow sets with `wrangler secret put NAME` (also after options: `secret put --env
production NAME`, across a line continuation, the name quoted or not), `secret bulk` (given
`{"NAME": …}` on its line) or the wrangler action's `secrets:` list. While a wrangler config
cannot be parsed, no name is said to be missing from the repository.

## Why is this bad?
A binding named in the document but removed from the configuration, or added without
the document saying so, makes the document's inventory wrong in both directions.

## Example
A table listing `SESSION_KV` after the binding was replaced by `SESSION_DO`.

## Fix
Update the tables to the present configuration, or regenerate the document.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase

from ..blocks import code
from ..claims import CONFIG_NAME, cited_name
from ..config import GLOB_CHARS, AuditConfig
from ..model import Binding, DocClaims, Facts, Finding, Severity, WranglerConfig
from ..secrets import secret_name
from ..wrangler import KINDS_BY_NAME
from .base import Rule, article, unread_config

# A binding named for its resource (`SESSION_TOKEN_KV`) is one, whatever else its name says.
RESOURCE_NAME = re.compile(r"_(?:KV|DO|DB|D1|R2|QUEUE|BUCKET|STORE|CACHE|PROVIDER)S?$")
# A secret a config's comment or a workflow sets: `wrangler secret put NAME` (also after
# wrangler's options: `secret put --env production NAME`, an option's value quoted or an
# expression with spaces, `--env ${{ inputs.environment }}`), and
# `echo '{"NAME": "…"}' | wrangler secret bulk`.
# Each part of a value starts with its own character: a value is read one way only. Words
# are apart also across a line continuation (`secret put \`), and a name may be quoted.
_OPTION_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|\$\{\{[^}\n]*\}\}|\$(?!\{\{)|[^\s$"'\\])+"""
_GAP = r"(?:\s|\\(?=\r?\n))+"
SECRET_PUT = re.compile(rf"\bsecret{_GAP}put{_GAP}(?:(?:--(?:env|name|config|cwd)|-[ec])(?:=|{_GAP})"
                        + _OPTION_VALUE + rf"{_GAP})*[\"']?([A-Za-z_]\w*)")
SECRET_BULK = re.compile(r"^.*\bsecret\s+bulk\b.*$", re.MULTILINE)
JSON_KEY = re.compile(r"\"([A-Za-z_]\w*)\"\s*:")


def put_secrets(facts: Facts) -> set[str]:
    """The names the repository's wrangler configs and workflows set as secrets, also with
    the wrangler action (`with: secrets:`)."""
    texts = [c.text for c in facts.configs] + [w.text for w in facts.workflows]
    return ({name for w in facts.workflows for name in w.uploaded}
            | {found[1] for text in texts for found in SECRET_PUT.finditer(text)}
            | {key for text in texts for line in SECRET_BULK.findall(text)
               for key in JSON_KEY.findall(line)})


def known_names(facts: Facts) -> dict[str, set[str]]:
    """What the repository holds, by the kind of name a document's column gives."""
    scopes = [scope for c in facts.configs for scope in c.scopes()]
    bindings = [b for scope in scopes for b in scope.bindings]
    variables = {v.name for scope in scopes for v in scope.vars}
    # `[assets] binding = "ASSETS"`: a binding, though wrangler reads `assets` as a setting.
    assets = {str(found) for scope in scopes if isinstance(scope.settings.get("assets"), dict)
              and (found := scope.settings["assets"].get("binding"))}

    def values(*keys: str) -> set[str]:
        return {str(b.properties[k]) for b in bindings for k in keys if k in b.properties}

    known = {
        "binding": {b.name for b in bindings if b.kind != "queues.consumers"} | assets,
        "class": values("class_name") | {c.name for c in facts.classes},
        "id": values(*{key for kind in KINDS_BY_NAME.values() for key in kind.id_keys}),
        "queue": values("queue"),
        "database": values("database_name"),
        "bucket": values("bucket_name"),
        "variable": {p.variable for p in facts.providers} | variables,
    }
    known["name"] = known["binding"] | known["variable"]
    return known


def covered(document: DocClaims, configs: tuple[WranglerConfig, ...],
            config: AuditConfig) -> list[WranglerConfig]:
    """The configs whose bindings `document` lists: all for the audit document; else those
    it names or links by path, a glob matching several (by folder: naming the
    `wrangler.toml` beside the `wrangler.jsonc` that wrangler reads names that one)."""
    if document.path == (config.inventory_path or config.doc_path):
        return list(configs)
    paths = [claim.target for claim in document.claims
             if claim.kind in ("link", "config-block") and claim.target]
    paths += [cited_name(document.path, claim.data["name"]) for claim in document.claims
              if claim.kind in ("name", "mention")]
    folders = {posixpath.dirname(found[1]) for path in paths if (found := CONFIG_NAME.match(path))}
    globs = [folder for folder in folders if GLOB_CHARS.search(folder)]  # the others: looked up
    return [c for c in configs if posixpath.dirname(c.path) in folders or any(
        fnmatchcase(posixpath.dirname(c.path), folder) for folder in globs)]


class DocNameDrift(Rule):
    id = "DR009"
    name = "doc-name-drift"
    title = "Document's names disagree with the configuration"
    severity = Severity.P1
    rationale = "The document's inventory of resources is wrong"
    remediation = "Update the document's tables to the configuration"
    status = "Drifted"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        if not facts.configs:
            return  # no Cloudflare configuration: a table of ids or classes is about other things
        known = known_names(facts)
        secrets = put_secrets(facts)
        unreadable = unread_config(facts)  # it may hold those names
        for document in facts.claims:
            names = [c for c in document.claims if c.kind == "name"]
            for claim in [] if unreadable else names:
                kind, name = claim.data["name_kind"], claim.data["name"]
                if kind in ("variable", "name", "binding") and (name in secrets or (
                        (claim.data.get("secret_put") or secret_name(name))
                        and not RESOURCE_NAME.search(name))):
                    continue  # set with `wrangler secret put`: not in any config
                if name not in known.get(kind, set()):
                    what, kinds = ("", "no binding or variable") if kind == "name" else (
                        f" as {article(kind)} {kind}", "none")
                    yield cls.finding(
                        location=claim.location, subject=name,
                        message=(f"{code(name)} is named{what} in the document, but the"
                                 f" repository has {kinds} of that name"),
                        remediation=f"Remove or correct {code(name)} at {code(claim.location)}")
            listed = [c for c in names if c.data["name_kind"] == "binding"]
            if not listed or document.generated:
                continue  # not an inventory of bindings: nothing to miss
            mentioned = {c.data["name"] for c in document.claims if c.kind in ("name", "mention")}
            for wrangler_config in covered(document, facts.configs, config):
                left_out: dict[str, Binding] = {}  # the first of each name: top level, then envs
                for scope in wrangler_config.scopes():
                    for binding in scope.bindings:
                        if binding.kind != "queues.consumers" and binding.name not in mentioned:
                            left_out.setdefault(binding.name, binding)
                for binding in left_out.values():
                    yield cls.finding(
                        location=listed[0].location, subject=binding.name,
                        message=(f"the document's bindings leave out {code(binding.name)}"
                                 f" ({KINDS_BY_NAME[binding.kind].label},"
                                 f" {code(binding.location)})"),
                        remediation=f"Add {code(binding.name)} to {code(document.path)}")
