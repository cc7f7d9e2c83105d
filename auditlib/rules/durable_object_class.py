"""CF009 durable-object-class-not-found.

## What it does
For every Durable Object binding and Workflow binding without `script_name` in a Worker
config, looks for an export of that `class_name` in the Worker's TypeScript and JavaScript,
outside tests: `export class Cart`, an export list (`export { Cart }`, `export { CartDO as
Cart } from "./cart"`), or a value (`export const Cart = instrument(CartBase)`, as Sentry
wraps one); `export default class Cart` exports no name. The Worker's code is in its
config's folder, but not in the folder of another config within it, and in the folder of its
`main`; the entry (`main`) itself must export it, as wrangler refuses to deploy a Worker
whose entry does not (a class another module exports is reported with that module, when the
entry is in the repository): "Your Worker depends on the following Durable Objects [or
Workflows], which are not exported in your entrypoint file". A class exported only by
another Worker's code is named, with that Worker: bind it with `script_name`. Where the
Worker's entry (`main`) has an `export * from "…"`, its bindings are passed over (what it
exports is not looked into). A Python Worker (`main` is a `.py` file) or a Rust one (built
with `worker-build`) defines its classes in a language not searched, and a `main` that a
build writes (`.open-next/worker.js`, `dist/index.js`) is in a folder not searched: their
bindings are passed over, and so are those of a Worker whose `main` the settings exclude
(`exclude`). A `main` that is not in the repository (moved, not committed, or
git-ignored) is reported once, at the first binding whose class is not found, not once for
each binding of each environment.

## Why is this bad?
A binding whose class is not exported by the Worker fails at deploy time, or, after a
rename, silently binds to a class that no longer exists.

## Example
```toml
bindings = [{ name = "CART_DO", class_name = "CartDO" }]
```
while the code says `export class CartDurableObject`.

## Fix
Export the class under the configured name, or correct `class_name`.
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from ..blocks import code, listed
from ..config import AuditConfig, exclusion
from ..model import Binding, CodeClass, Environment, Facts, Finding, Severity, WranglerConfig
from ..repofiles import in_excluded_dir
from .base import Rule, deepest_app, scope_label, scoped


class DurableObjectClassNotFound(Rule):
    id = "CF009"
    name = "durable-object-class-not-found"
    title = "Durable Object or Workflow class not found in code"
    severity = Severity.P0
    rationale = "The binding names a class the Worker does not export"
    remediation = "Export the class under the configured name, or correct `class_name`"
    status = "Class missing"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        exports = Exports(facts)
        excluded = exclusion(config.exclude)
        for wrangler_config in facts.configs:
            if wrangler_config.target != "worker":
                continue
            # An entry not in the repository: said once, not as each class it would export.
            unchecked: dict[str, list[tuple[Environment, Binding]]] = defaultdict(list)
            for scope in wrangler_config.scopes():
                if not javascript_worker(scope.settings) or _built(scope.settings.get("main")):
                    continue
                entry_folder = _entry_folder(wrangler_config.app, scope.settings.get("main"))
                # The entry's `export * from "…"` may export any class: it is not looked into
                # (one in another module, a barrel of types, exports nothing from the entry).
                entry = wrangler_config.entry(scope)
                if entry is not None and excluded(entry) is not None:
                    continue  # the settings exclude its code: not read, so not checked
                star = entry in exports.starred
                for binding in scope.bindings:
                    class_name = binding.properties.get("class_name")
                    if binding.kind not in ("durable_objects", "workflows") or binding.properties.get(
                            "script_name"):
                        continue
                    where = f"{code(binding.name)} in {scope_label(wrangler_config, scope)}"
                    if not isinstance(class_name, str) or not class_name:
                        yield cls.finding(
                            location=binding.location, subject=scoped(binding.name, scope),
                            message=f"{where} has no `class_name`" if class_name in (None, "")
                            else (
                                f"{where} has a `class_name` that is not a string"
                                f" ({code(json.dumps(class_name, default=str))})"),
                            remediation=(f"Set `class_name` of {code(binding.name)} to the name"
                                         " of the class the Worker exports"))
                        continue
                    if star:
                        continue
                    if exports.owned(class_name, wrangler_config.app, entry_folder):
                        if (entry is not None and entry not in wrangler_config.missing_entries
                                and not exports.in_module(class_name, entry)):
                            yield _not_from_entry(cls, where, class_name, entry, exports.of_worker(
                                class_name, wrangler_config.app, entry_folder), binding, scope)
                        continue
                    others = exports.named(class_name)
                    if entry in wrangler_config.missing_entries and not others:
                        unchecked[entry].append((scope, binding))
                        continue
                    message, remediation = _elsewhere(
                        where, class_name, binding.name, others,
                        _named_worker(others, exports.worker_of),
                        wrangler_config.path.endswith(".toml"))
                    yield cls.finding(location=binding.location, subject=scoped(binding.name, scope),
                                      message=message, remediation=remediation)
            for entry, bound in unchecked.items():
                yield _missing_entry(cls, wrangler_config, entry, bound)


class Exports:
    """The named class exports of a repository (the runtime looks a class up by its name,
    not `export default`), by name and by the app whose code holds them, and its modules
    with an `export * from "…"`: read once for each audit, not once for each binding (4,000
    Workers may each export a `Counter`)."""

    def __init__(self, facts: Facts) -> None:
        self._by_name: dict[str, list[CodeClass]] = defaultdict(list)
        for code_class in sorted(facts.classes, key=lambda c: c.location.path):
            if not code_class.default:
                self._by_name[code_class.name].append(code_class)
        self._in_module = {(name, c.location.path) for name, found in self._by_name.items()
                           for c in found}
        self._apps = {c.app: c for c in facts.configs}
        self.starred = frozenset(location.path for location in facts.reexports)
        self._owner = functools.cache(lambda path: deepest_app(path, self._apps))
        self._owners = functools.cache(lambda name: {self._owner(c.location.path)
                                                     for c in self._by_name.get(name, ())})

    def named(self, class_name: str) -> list[CodeClass]:
        """The exports of `class_name`, by path."""
        return self._by_name.get(class_name, [])

    def owned(self, class_name: str, app: str, entry_folder: str | None) -> bool:
        """Whether the Worker of `app` exports `class_name`: code in its folder and in no
        other config's within it, or in the folder of its entry (`entry_folder`, outside
        `app`)."""
        return app in self._owners(class_name) or (entry_folder is not None and any(
            _within(c.location.path, entry_folder) for c in self.named(class_name)))

    def of_worker(self, class_name: str, app: str, entry_folder: str | None) -> list[CodeClass]:
        """The exports of `class_name` that make `owned` true: the Worker's own."""
        return [found for found in self.named(class_name)
                if self._owner(found.location.path) == app
                or (entry_folder is not None and _within(found.location.path, entry_folder))]

    def in_module(self, class_name: str, path: str) -> bool:
        """Whether the module at `path` exports `class_name` (defines it, or lists it)."""
        return (class_name, path) in self._in_module

    def worker_of(self, path: str) -> WranglerConfig | None:
        """The config of the app whose code `path` is."""
        return self._apps.get(self._owner(path) or "")


def exported_by_another_worker(exports: Exports, wrangler_config: WranglerConfig,
                               scope: Environment, class_name: str) -> WranglerConfig | None:
    """The other Worker of the repository whose code exports `class_name`, when the Worker
    of `scope` does not export it itself: CF009 then says to bind that Worker's class with
    `script_name`. None where CF009 looks at no code (a Python, Rust or built Worker, an
    entry with `export * from`)."""
    if (wrangler_config.target != "worker" or not javascript_worker(scope.settings)
            or _built(scope.settings.get("main"))):
        return None
    if wrangler_config.entry(scope) in exports.starred:
        return None
    named = exports.named(class_name)
    if not named or exports.owned(class_name, wrangler_config.app,
                                  _entry_folder(wrangler_config.app, scope.settings.get("main"))):
        return None
    found = _named_worker(named, exports.worker_of)
    return found[1] if found else None


def _named_worker(exports: list[CodeClass], worker_of: Callable[[str], WranglerConfig | None],
                  ) -> tuple[CodeClass, WranglerConfig] | None:
    """The first of `exports` in the code of a Worker with a `name` (what `script_name`
    binds), with that Worker (`worker_of` a path): not one of a config without a name."""
    for export in exports:
        other = worker_of(export.location.path)
        if other is not None and other.target == "worker" and other.name:
            return export, other
    return None


def _missing_entry(rule: type[Rule], wrangler_config: WranglerConfig, entry: str,
                   bound: list[tuple[Environment, Binding]]) -> Finding:
    """The finding on an entry (`main`) that is not in the repository, at the first binding
    whose class it would export (where an inline suppression of CF009 stays)."""
    scope, binding = bound[0]
    declared = scope if "main" in scope.key_lines else wrangler_config.top
    line = declared.key_lines.get("main")
    classes = ", ".join(code(name) for name in dict.fromkeys(
        str(b.properties["class_name"]) for _scope, b in bound))
    return rule.finding(
        location=binding.location, subject=scoped(binding.name, scope),
        message=(f"the entry {code(entry)} (`main`" + (f", line {line}" if line else "")
                 + f") of {scope_label(wrangler_config, declared)} is not in the repository, and no"
                 f" module of the Worker exports the classes its Durable Object and Workflow"
                 " bindings name"
                 f" ({classes})"),
        remediation=(f"Correct `main` in {code(wrangler_config.path)}; if a build writes"
                     f" {code(entry)}, export the classes from code the repository holds"))


def _not_from_entry(rule: type[Rule], where: str, class_name: str, entry: str,
                    exports: list[CodeClass], binding: Binding, scope: Environment) -> Finding:
    """The finding on a binding whose class the Worker's modules export but its entry does
    not re-export: wrangler refuses the deploy ("…not exported in your entrypoint file")."""
    return rule.finding(
        location=binding.location, subject=scoped(binding.name, scope),
        message=(f"{where} names {code(class_name)}, which {_places(exports)}"
                 f" {'exports' if len(exports) == 1 else 'export'}, but the Worker's entry"
                 f" {code(entry)} does not: wrangler refuses to deploy a Worker whose entry does"
                 " not export the Durable Object and Workflow classes it binds"),
        remediation=f"Export {code(class_name)} from {code(entry)} (`export {{ {class_name} }} from"
                    " \"…\"`)")


def _built(main: object) -> bool:
    """Whether `main` is a file a build writes, in a folder the audit does not search
    (`.open-next/worker.js`, `dist/index.js`)."""
    return isinstance(main, str) and in_excluded_dir(main)


def _entry_folder(app: str, main: object) -> str | None:
    """The folder of a Worker's `main` (`src`, `../../packages/worker/src`), when it is not
    the Worker's own folder, else None: its code is the Worker's, even in the folder of
    another config (a root config whose `main` is `worker/src/index.ts`, beside a dev
    `worker/wrangler.toml`)."""
    if not isinstance(main, str):
        return None
    entry = posixpath.dirname(posixpath.normpath(posixpath.join(app, main))) or "."
    return None if entry.startswith("..") or entry == app else entry


def _within(path: str, folder: str) -> bool:
    return folder == "." or path.startswith(folder + "/")


def _elsewhere(where: str, class_name: str, binding: str, exports: list[CodeClass],
               named: tuple[CodeClass, WranglerConfig] | None, toml: bool) -> tuple[str, str]:
    """The message and fix of a binding to a class its Worker does not export: no file does,
    or the code of another Worker with a name (`named`: its export and config; bind its
    class with `script_name`, written in the config's syntax: `toml`), or only modules
    outside the Worker's folder."""
    if not exports:
        return (f"{where} names {code(class_name)}, which no file exports",
                f"Export {code(class_name)} or correct `class_name` of {code(binding)}")
    if named is not None:
        export, other = named
        rest = [found for found in exports if found is not export]
        return (f"{where} names {code(class_name)}, which this Worker does not export:"
                f" {code(str(export.location))} does, in the Worker of {code(other.path)}"
                + (f" (so {'does' if len(rest) == 1 else 'do'} {_places(rest)})" if rest else ""),
                "Bind that Worker's class with "
                + code(("script_name = " if toml else '"script_name": ') + json.dumps(other.name))
                + f" on {code(binding)},"
                f" or export {code(class_name)} from this Worker")
    return (f"{where} names {code(class_name)}, which this Worker does not export: only"
            f" {_places(exports)} {'does' if len(exports) == 1 else 'do'}, outside its folder",
            f"Export {code(class_name)} from the Worker's entry (`export {{ {class_name} }} from"
            f" \"…\"`), or correct `class_name`")


def _places(exports: list[CodeClass]) -> str:
    """The places of `exports`: the first three, and how many more."""
    return listed([code(str(found.location)) for found in exports], most=3)


def javascript_worker(settings: Mapping[str, object]) -> bool:
    """Whether a Worker's classes are in TypeScript or JavaScript: not a Python Worker, nor a
    Rust one, whose `main` is a shim that worker-build generates."""
    build = settings.get("build")
    command = str(build.get("command", "")) if isinstance(build, dict) else ""
    main = str(settings.get("main", ""))
    return not (main.endswith((".py", "build/worker/shim.mjs")) or "worker-build" in command)
