"""Collect wrangler configurations (wrangler.toml, wrangler.json, wrangler.jsonc).

Values come from tomllib and json5; line numbers come from locating each binding's
identifying `key = "value"` pair in the text, skipping commented-out lines.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import json5

from .errors import ConfigParseError
from .model import Binding, Location, Var, WranglerConfig

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


class _Lines:
    """Finds where keys and bindings are declared, ignoring comments and [env.*] sections."""

    def __init__(self, text: str, toml: bool) -> None:
        self.lines = text.splitlines()
        self.top_level = [True] * len(self.lines)
        if toml:
            header = ""
            for index, line in enumerate(self.lines):
                found = _TOML_HEADER.match(line)
                if found:
                    header = found[1].strip().strip('"')
                self.top_level[index] = not header.startswith("env.")

    def _find(self, pattern: re.Pattern[str]) -> int | None:
        for index, line in enumerate(self.lines):
            if not self.top_level[index] or line.lstrip().startswith(("#", "//")):
                continue
            if pattern.search(line):
                return index + 1
        return None

    def pair(self, key: str, value: object) -> int | None:
        """The line of `key = "value"` (TOML) or `"key": "value"` (JSON)."""
        shown = re.escape(str(value))
        if isinstance(value, str):
            shown = f"[\"']{shown}[\"']"
        return self._find(re.compile(rf"[\"']?\b{re.escape(key)}[\"']?\s*[=:]\s*{shown}"))

    def key(self, key: str) -> int | None:
        """The line that declares a top-level key or table: `key =`, `[key]`, `"key":`."""
        name = re.escape(key)
        return self._find(re.compile(
            rf"^\s*(?:\[\[?\s*{name}\s*[\].]|[\"']?{name}[\"']?\s*[=:])"))


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


def _bindings(path: str, data: dict[str, Any], lines: _Lines) -> tuple[Binding, ...]:
    found = []
    for kind in BINDING_KINDS:
        for entry in _entries(_dig(data, kind.path)):
            name = str(entry.get(kind.name_key, ""))
            line = lines.pair(kind.name_key, name) if name else None
            if line is None:
                line = lines.key(kind.path[0])
            found.append(Binding(kind=kind.kind, name=name, properties=dict(entry),
                                 location=Location(path=path, start_line=line)))
    return tuple(found)


def _vars(path: str, data: dict[str, Any], lines: _Lines) -> tuple[Var, ...]:
    values = data.get("vars")
    if not isinstance(values, dict):
        return ()
    return tuple(
        Var(name=name, value=value if isinstance(value, str) else str(value),
            location=Location(path=path, start_line=lines.pair(name, value) or lines.key("vars")))
        for name, value in values.items()
    )


def _target(data: dict[str, Any]) -> str:
    if "pages_build_output_dir" in data:
        return "pages"
    if "main" in data or "assets" in data:
        return "worker"
    return "unknown"


def load(path: str, text: str) -> WranglerConfig:
    """Build the facts of one config file. Raises ConfigParseError when it cannot be parsed."""
    data = parse(path, text)
    lines = _Lines(text, toml=path.endswith(".toml"))
    folder = PurePosixPath(path).parent.as_posix()
    placement = data.get("placement")
    flags = data.get("compatibility_flags") or ()
    environments = data.get("env")
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
        placement_location=(Location(path=path, start_line=lines.key("placement"))
                            if placement is not None else None),
        bindings=_bindings(path, data, lines),
        vars=_vars(path, data, lines),
        environments=tuple(environments) if isinstance(environments, dict) else (),
        text=text,
    )
