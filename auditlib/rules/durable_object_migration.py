"""CF008 durable-object-migration-missing.

## What it does
For every Durable Object binding that the config hosts itself (no `script_name`), checks
that its `class_name` is declared by the migrations, applied in order (`new_classes`,
`new_sqlite_classes`, the `to` of `renamed_classes` and `transferred_classes`), and not
deleted (`deleted_classes`) or renamed away since; or by the declarative `exports` field,
as a live `durable-object` export (not `deleted`, `renamed` or `transferred`). On a Pages
project, which cannot host Durable Object classes, a binding without `script_name` is
reported too, and so is a config (or environment) with Durable Object classes in both
`exports` and `migrations`, which Cloudflare does not take together. A binding without
`script_name` to a class that this Worker's code does not export but another Worker's of the
repository does is left to CF009, which says to bind that Worker's class with `script_name`:
a migration here would not deploy.

## Why is this bad?
`wrangler deploy` refuses a Durable Object class that no migration declares; on Pages a
binding without `script_name` points at no Worker, so the namespace does not exist.

## Example
```toml
[durable_objects]
bindings = [{ name = "CART_DO", class_name = "CartDurableObject" }]
# no [[migrations]]
```

## Fix
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["CartDurableObject"]
```
or, with the declarative form, `exports = { CartDurableObject = { type = "durable-object",
storage = "sqlite" } }`; in JSON, `"migrations": [{ "tag": "v1", "new_sqlite_classes":
["CartDurableObject"] }]`.
On Pages, set `script_name` to the Worker that exports the class.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scope_label, scoped
from .durable_object_class import Exports, exported_by_another_worker, javascript_worker


def migrated_classes(migrations: Any) -> set[str]:
    """The classes the migrations leave declared, applied in order: created (`new_classes`,
    `new_sqlite_classes`), renamed to or transferred to, and not deleted or renamed away."""
    declared: set[str] = set()
    for migration in migrations if isinstance(migrations, list) else ():
        if not isinstance(migration, dict):
            continue
        for key in ("new_classes", "new_sqlite_classes"):
            declared |= {str(name) for name in _listed(migration, key)}
        for renamed in _listed(migration, "renamed_classes"):
            if isinstance(renamed, dict):
                declared = (declared - {str(renamed.get("from"))}) | {str(renamed.get("to"))}
        declared |= {str(moved.get("to")) for moved in _listed(migration, "transferred_classes")
                     if isinstance(moved, dict)}
        declared -= {str(name) for name in _listed(migration, "deleted_classes")}
    return declared


def removed_by(migrations: Any, class_name: str) -> tuple[str, str | None] | None:
    """How the migrations took `class_name` away, if they declared it ("renamed to `New` in
    migration `v4`", "renamed to `New` in migration `v2`, then deleted in migration `v3`"),
    and its name now, if it still lives under another."""
    events: list[str] = []
    name: str | None = None  # what the class is called now, while it lives
    for migration in migrations if isinstance(migrations, list) else ():
        if not isinstance(migration, dict):
            continue
        tag = f" in migration {code(str(migration.get('tag')))}" if "tag" in migration else ""
        if any(class_name == str(new) for key in ("new_classes", "new_sqlite_classes")
               for new in _listed(migration, key)):
            events, name = [], class_name
        for renamed in _listed(migration, "renamed_classes"):
            if isinstance(renamed, dict) and name is not None and str(renamed.get("from")) == name:
                name = str(renamed.get("to"))
                events.append(f"renamed to {code(name)}{tag}")
        if name is not None and name in map(str, _listed(migration, "deleted_classes")):
            events.append(f"deleted{tag}")
            name = None
    return (", then ".join(events), name) if events else None


def _listed(migration: dict[str, Any], key: str) -> list[Any]:
    """A migration's list under `key`; `new_classes = 5` lists none."""
    found = migration.get(key)
    return found if isinstance(found, list) else []


# States of an `exports` entry whose class no longer lives in this Worker.
_GONE = ("deleted", "renamed", "transferred")


def exported_classes(exports: Any) -> set[str]:
    """The Durable Object classes the declarative `exports` field keeps live."""
    return {str(name) for name, entry in (exports.items() if isinstance(exports, dict) else ())
            if isinstance(entry, dict) and entry.get("type", "durable-object") == "durable-object"
            and entry.get("state") not in _GONE}


def _declares_classes(exports: Any) -> bool:
    """Whether the `exports` field has a Durable Object entry (live or not)."""
    return isinstance(exports, dict) and any(
        isinstance(entry, dict) and entry.get("type", "durable-object") == "durable-object"
        for entry in exports.values())


def _state(exports: Any, class_name: str) -> str | None:
    """The state an `exports` entry gives `class_name` when it is gone (`deleted`), or None."""
    entry = exports.get(class_name) if isinstance(exports, dict) else None
    state = entry.get("state") if isinstance(entry, dict) else None
    return state if state in _GONE else None


class DurableObjectMigrationMissing(Rule):
    id = "CF008"
    name = "durable-object-migration-missing"
    title = "Durable Object binding not deployable"
    severity = Severity.P0
    rationale = "The Durable Object namespace is not created, so the binding fails"
    remediation = "Declare the class in a migration, or point the binding at its Worker"
    status = "Not deployable"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        classes = functools.cache(lambda: Exports(facts))  # wanted only if a class is not declared
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                exports = scope.settings.get("exports")
                if (exports and scope.settings.get("migrations") and _declares_classes(exports)
                        and {"exports", "migrations"} & set(scope.declared)):
                    yield cls.finding(
                        location=scope.location_of("exports"), subject=scoped("exports", scope),
                        message=(f"{scope_label(wrangler_config, scope)} declares Durable Object"
                                 " classes in both `exports` and `migrations`: wrangler takes one"
                                 " of them, not both"),
                        remediation=("Keep `exports` and remove `migrations`, as Cloudflare's"
                                     " guide to moving from migrations to exports says"))
                declared = (migrated_classes(scope.settings.get("migrations"))
                            | exported_classes(exports))
                for binding in scope.bindings:
                    class_name = str(binding.properties.get("class_name", ""))
                    if binding.kind != "durable_objects" or binding.properties.get("script_name"):
                        continue
                    where = scope_label(wrangler_config, scope)
                    named = bool(class_name) and isinstance(binding.properties["class_name"], str)
                    if wrangler_config.target == "pages":
                        yield cls.finding(
                            location=binding.location, subject=scoped(binding.name, scope),
                            message=(f"{code(binding.name)} in {where} has no `script_name`, and a"
                                     f" Pages project cannot host {code(class_name)} itself"),
                            remediation=(f"Set `script_name` on {code(binding.name)} to the Worker"
                                         f" that exports {code(class_name)}, and verify the class"
                                         " name"))
                    elif class_name not in declared and (
                            named or not javascript_worker(scope.settings)):
                        # A JavaScript Worker's binding without a class name: CF009 says so;
                        # so it does of a class only another Worker exports (bind it with
                        # `script_name`: a migration here would not deploy).
                        if named and exported_by_another_worker(classes(), wrangler_config, scope,
                                                                class_name):
                            continue
                        state = _state(scope.settings.get("exports"), class_name)
                        removed = removed_by(scope.settings.get("migrations"), class_name)
                        yield cls.finding(
                            location=binding.location, subject=scoped(binding.name, scope),
                            message=(f"{code(class_name)} ({binding.name}) is exported as"
                                     f" {code(state)} in {where}" if state is not None else
                                     f"{code(class_name)} ({binding.name}) was {removed[0]} of"
                                     f" {where}, and no `exports` entry declares it" if removed else
                                     f"{code(class_name)} ({binding.name}) is in no migration"
                                     f" and no `exports` entry of {where}"),
                            remediation=(f"Set `class_name` of {code(binding.name)} to"
                                         f" {code(removed[1])}, its name since then" if removed
                                         and removed[1]
                                         else _add_migration(class_name, wrangler_config.path)))


def _add_migration(class_name: str, path: str) -> str:
    """The fix that declares `class_name` in a new migration, in the syntax of the config."""
    if path.endswith(".toml"):
        return (f"Add {code(class_name)} to `new_sqlite_classes` of a new `[[migrations]]` entry"
                f" in {code(path)}")
    return (f"Add {code(class_name)} to `new_sqlite_classes` of a new entry of `\"migrations\"`"
            f" in {code(path)}: "
            + code(f'{{ "tag": "…", "new_sqlite_classes": [{json.dumps(class_name)}] }}'))
