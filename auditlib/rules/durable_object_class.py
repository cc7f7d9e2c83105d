"""CF009 durable-object-class-not-found.

## What it does
For every Durable Object binding without `script_name` in a Worker config, looks for an
export of that `class_name` in the repository's TypeScript and JavaScript, outside tests:
`export class Cart`, or an export list (`export { Cart }`, `export { CartDO as Cart } from
"./cart"`); `export default class Cart` exports no name. A Python Worker (`main` is a
`.py` file) or a Rust one (built with `worker-build`) defines its classes in a language not
searched: its bindings are passed over.

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

import json
from collections.abc import Iterator, Mapping

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scope_label, scoped


class DurableObjectClassNotFound(Rule):
    id = "CF009"
    name = "durable-object-class-not-found"
    title = "Durable Object class not found in code"
    severity = Severity.P0
    rationale = "The binding names a class the Worker does not export"
    remediation = "Export the class under the configured name, or correct `class_name`"
    status = "Class missing"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        # named exports only: the runtime looks a class up by its name, not `export default`
        exported = {code_class.name for code_class in facts.classes if not code_class.default}
        for wrangler_config in facts.configs:
            if wrangler_config.target != "worker":
                continue
            for scope in wrangler_config.scopes():
                if not javascript_worker(scope.settings):
                    continue
                for binding in scope.bindings:
                    class_name = binding.properties.get("class_name")
                    if binding.kind != "durable_objects" or binding.properties.get("script_name"):
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
                    if class_name in exported:
                        continue
                    yield cls.finding(
                        location=binding.location, subject=scoped(binding.name, scope),
                        message=f"{where} names {code(class_name)}, which no file exports",
                        remediation=(f"Export {code(class_name)} or correct `class_name` of"
                                     f" {code(binding.name)}"))


def javascript_worker(settings: Mapping[str, object]) -> bool:
    """Whether a Worker's classes are in TypeScript or JavaScript: not a Python Worker, nor a
    Rust one, whose `main` is a shim that worker-build generates."""
    build = settings.get("build")
    command = str(build.get("command", "")) if isinstance(build, dict) else ""
    main = str(settings.get("main", ""))
    return not (main.endswith((".py", "build/worker/shim.mjs")) or "worker-build" in command)
