"""Collect wrangler configurations (wrangler.toml, wrangler.json, wrangler.jsonc).

Values come from tomllib and json5; line numbers come from locating each binding's
identifying `key = "value"` pair in the text, skipping commented-out lines.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import json5

from .errors import ConfigParseError
from .model import Binding, Environment, Location, Var, WranglerConfig

CONFIG_NAMES = ("wrangler.toml", "wrangler.json", "wrangler.jsonc")


@dataclass(frozen=True, slots=True)
class BindingKind:
    """Where a binding kind lives in the config and which of its keys name and identify it."""

    kind: str
    path: tuple[str, ...]
    name_key: str
    id_keys: tuple[str, ...] = ()


BINDING_KINDS: tuple[BindingKind, ...] = (
    BindingKind("kv_namespaces", ("kv_namespaces",), "binding", ("id", "preview_id")),
    BindingKind("durable_objects", ("durable_objects", "bindings"), "name"),
    BindingKind("d1_databases", ("d1_databases",), "binding",
                ("database_id", "preview_database_id")),
    BindingKind("r2_buckets", ("r2_buckets",), "binding"),
    BindingKind("queues.producers", ("queues", "producers"), "binding"),
    BindingKind("queues.consumers", ("queues", "consumers"), "queue"),
    BindingKind("services", ("services",), "binding"),
    BindingKind("vectorize", ("vectorize",), "binding"),
    BindingKind("hyperdrive", ("hyperdrive",), "binding", ("id",)),
    BindingKind("analytics_engine_datasets", ("analytics_engine_datasets",), "binding"),
    BindingKind("ai", ("ai",), "binding"),
    BindingKind("browser", ("browser",), "binding"),
    BindingKind("workflows", ("workflows",), "binding"),
    BindingKind("ratelimits", ("ratelimits",), "name"),
    BindingKind("tail_consumers", ("tail_consumers",), "service"),
    BindingKind("send_email", ("send_email",), "name"),
    BindingKind("dispatch_namespaces", ("dispatch_namespaces",), "binding"),
    BindingKind("mtls_certificates", ("mtls_certificates",), "binding"),
    BindingKind("version_metadata", ("version_metadata",), "binding"),
)
KINDS_BY_NAME = {kind.kind: kind for kind in BINDING_KINDS}

_TOML_ERROR = re.compile(r"\(at line (\d+), column (\d+)\)")
_JSON5_ERROR = re.compile(r"^<string>:(\d+) (.*) at column (\d+)")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def parse(path: str, text: str) -> dict[str, Any]:
    """Parse a wrangler config; raise ConfigParseError with the line and column on failure."""
    if path.endswith(".toml"):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_ERROR.search(str(exc))
            message = _TOML_ERROR.sub("", str(exc)).strip()
            line, column = (int(found[1]), int(found[2])) if found else (None, None)
            raise ConfigParseError(path, line, column, message) from exc
    try:
        data = json5.loads(text)
    except ValueError as exc:
        found = _JSON5_ERROR.match(str(exc))
        if found:
            raise ConfigParseError(path, int(found[1]), int(found[3]), found[2]) from exc
        raise ConfigParseError(path, None, None, str(exc)) from exc
    if not isinstance(data, dict):
        raise ConfigParseError(path, 1, 1, "the top level is not an object")
    return data


# Keys an environment takes from the top level unless it sets them (wrangler's "inheritable").
INHERITABLE = frozenset({
    "name", "main", "compatibility_date", "compatibility_flags", "account_id", "workers_dev",
    "preview_urls", "route", "routes", "tsconfig", "jsx_factory", "jsx_fragment", "migrations",
    "triggers", "rules", "build", "no_bundle", "find_additional_modules", "base_dir",
    "preserve_file_names", "minify", "keep_names", "logpush", "limits", "observability",
    "upload_source_maps", "placement", "assets", "usage_model", "node_compat",
})
# Keys an environment must declare again, or it does not have them.
NON_INHERITABLE = frozenset({kind.path[0] for kind in BINDING_KINDS} | {
    "vars", "define", "unsafe", "containers", "pipelines", "secrets_store_secrets", "images",
})


def _toml_scopes(lines: Sequence[str]) -> list[str | None]:
    """Per line: the environment whose section it is in ("" top level), None for comments."""
    scopes: list[str | None] = []
    header: list[str] = []
    for line in lines:
        if line.lstrip().startswith("#") or not line.strip():
            scopes.append(None)
            continue
        found = _TOML_HEADER.match(line)
        if found:
            header = [part.strip().strip("\"'") for part in found[1].split(".")]
        scopes.append(header[1] if len(header) > 1 and header[0] == "env" else "")
    return scopes


def _json_scopes(lines: Sequence[str]) -> list[str | None]:
    """The same for JSON/JSONC: tracks strings, comments and nesting to find "env" objects.

    Values are json5's; this only tells which environment each line belongs to.
    """
    scopes: list[str | None] = []
    stack: list[str | None] = []  # the key that opened each enclosing object or array
    key: str | None = None
    in_comment = False
    for line in lines:
        scope: str | None = None
        index = 0
        while index < len(line):
            if in_comment:
                end = line.find("*/", index)
                in_comment, index = (True, len(line)) if end < 0 else (False, end + 2)
                continue
            if line.startswith("/*", index):
                in_comment, index = True, index + 2
                continue
            char = line[index]
            if line.startswith("//", index):
                break
            if char.isspace():
                index += 1
                continue
            if scope is None or scope == "":
                scope = stack[2] if len(stack) > 2 and stack[1] == "env" else ""
            if char in "\"'":
                end = index + 1
                while end < len(line) and line[end] != char:
                    end += 2 if line[end] == "\\" else 1
                text, index = line[index + 1:end], end + 1
                key = text if line[index:].lstrip().startswith(":") else key
                continue
            if char in "{[":
                stack.append(key)
                key = None
                if len(stack) > 2 and stack[1] == "env":
                    scope = stack[2]
            elif char in "}]" and stack:
                stack.pop()
            elif char == ",":
                key = None
            index += 1
        scopes.append(scope)
    return scopes


class _Source:
    """Finds the line where a key or a binding is written, within one environment's lines."""

    def __init__(self, text: str, toml: bool) -> None:
        self.lines = text.splitlines()
        self.scopes = _toml_scopes(self.lines) if toml else _json_scopes(self.lines)

    def _find(self, pattern: re.Pattern[str], scope: str, after: int = 0) -> int | None:
        for index in range(max(after, 0), len(self.lines)):
            if self.scopes[index] == scope and pattern.search(self.lines[index]):
                return index + 1
        return None

    def start(self, scope: str) -> int | None:
        """The first line of an environment's section."""
        return next((i + 1 for i, found in enumerate(self.scopes) if found == scope), None)

    def declaration(self, key: str, scope: str, after: int = 0) -> int | None:
        """The line that declares `key`: `key =`, `[key]`, `[env.x.key]`, `"key":`."""
        return self._find(re.compile(rf"(?:^|[\s\[.{{,\"']){re.escape(key)}[\"']?\s*(?:\]|=|:)"),
                          scope, after)

    def pair(self, key: str, value: object, scope: str, after: int = 0) -> int | None:
        """The line of `key = value` (TOML) or `"key": value` (JSON)."""
        shown = re.escape(_value_text(value))
        if isinstance(value, str):
            shown = f"[\"']{shown}[\"']"
        return self._find(re.compile(
            rf"(?:^|[\s{{,\"']){re.escape(key)}[\"']?\s*[=:]\s*{shown}"), scope, after)


def _dig(data: dict[str, Any], path: Sequence[str]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _entries(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):  # single-table kinds: [ai], [browser], ...
        yield value
    elif isinstance(value, list):
        yield from (entry for entry in value if isinstance(entry, dict))


def _bindings(path: str, data: dict[str, Any], source: _Source,
              scope: str) -> tuple[Binding, ...]:
    found = []
    for kind in BINDING_KINDS:
        entries = list(_entries(_dig(data, kind.path)))
        cursor = source.declaration(kind.path[-1], scope) if entries else None
        for entry in entries:
            name = str(entry.get(kind.name_key, ""))
            line = source.pair(kind.name_key, name, scope, (cursor or 1) - 1) if name else None
            cursor = line or cursor
            found.append(Binding(kind=kind.kind, name=name, properties=dict(entry),
                                 environment=scope,
                                 location=Location(path=path, start_line=line or cursor)))
    return tuple(found)


def _value_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _vars(path: str, data: dict[str, Any], source: _Source, scope: str) -> tuple[Var, ...]:
    values = data.get("vars")
    if not isinstance(values, dict):
        return ()
    cursor = source.declaration("vars", scope) or 1
    return tuple(
        Var(name=name, value=_value_text(value),
            location=Location(path=path, start_line=source.pair(name, value, scope, cursor - 1)
                              or cursor))
        for name, value in values.items()
    )


def _target(data: dict[str, Any]) -> str:
    if "pages_build_output_dir" in data:
        return "pages"
    if "main" in data or "assets" in data:
        return "worker"
    return "unknown"


def _environment(path: str, name: str, table: dict[str, Any], inherited: dict[str, Any],
                 source: _Source) -> Environment:
    own = {key: value for key, value in table.items()
           if key not in NON_INHERITABLE and key != "env"}
    return Environment(
        name=name, location=Location(path=path, start_line=source.start(name) if name else 1),
        settings={**inherited, **own},
        bindings=_bindings(path, table, source, name), vars=_vars(path, table, source, name),
        declared=tuple(key for key in table if key != "env"),
        key_lines={key: line for key in table
                   if (line := source.declaration(key, name)) is not None})


def load(path: str, text: str) -> WranglerConfig:
    """Build the facts of one config file. Raises ConfigParseError when it cannot be parsed."""
    data = parse(path, text)
    source = _Source(text, toml=path.endswith(".toml"))
    top = _environment(path, "", data, {}, source)
    inherited = {key: value for key, value in top.settings.items() if key in INHERITABLE}
    tables = data.get("env")
    environments = tuple(
        _environment(path, str(env_name), table, inherited, source)
        for env_name, table in (tables.items() if isinstance(tables, dict) else ())
        if isinstance(table, dict))
    folder = PurePosixPath(path).parent.as_posix()
    placement = data.get("placement")
    flags = data.get("compatibility_flags") or ()
    name = data.get("name")
    return WranglerConfig(
        path=path,
        app="." if folder == "." else folder,
        name=name if isinstance(name, str) else None,
        target=_target(data),
        queue_consumer=bool(_dig(data, ("queues", "consumers"))),
        compatibility_date=str(data["compatibility_date"]) if "compatibility_date" in data else None,
        compatibility_flags=tuple(str(flag) for flag in flags) if isinstance(flags, list) else (),
        placement=placement if isinstance(placement, dict) else None,
        placement_location=top.location_of("placement") if placement is not None else None,
        top=top,
        environments=environments,
        text=text,
    )
