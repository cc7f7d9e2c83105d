"""Read AuditConfig from a TOML file; every mistake names the file, the key and its line."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import tempfile
import tomllib
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import codesearch, repofiles
from .blocks import counted
from .config import AuditConfig, Probe, Waiver, document_path_problem
from .errors import ConfigParseError
from .model import Severity
from .wrangler import lines_of

TOP_KEYS = {"doc_path", "repo_url", "compatibility_max_age_days", "latency_threshold_ms", "doc_max_age_days",
            "disable",
            "severity", "probes", "waivers", "related_terms"}
PROBE_KEYS = {"name", "regex", "globs", "groups"}
WAIVER_KEYS = {"rule", "path", "reason", "expires"}


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_TOML_ERROR = re.compile(r"\(at line (\d+), column (\d+)\)")


class _Reader:
    """Finds the line of a key, within the `[tool.auditlib]` tables when read from pyproject."""

    def __init__(self, path: str, text: str, section: str | None = None) -> None:
        self.path = path
        self.lines = lines_of(text)  # as tomllib numbers them: U+2028 ends no line
        self.inside = [section is None] * len(self.lines)
        if section is not None:
            header = ""
            for index, line in enumerate(self.lines):
                if found := _HEADER.match(line):
                    header = found[1]
                self.inside[index] = header == section or header.startswith(section + ".")

    def line(self, pattern: str, after: int = 0) -> int | None:
        compiled = re.compile(pattern)
        for number, text in enumerate(self.lines[after:], after + 1):
            if self.inside[number - 1] and compiled.search(text.split("#")[0]):
                return number
        return None

    def key_line(self, key: str, after: int = 0) -> int | None:
        """The line of `key = ...`, `[key]` or `{ key = ... }`."""
        name = re.escape(key)
        return self.line(rf"(?:^\s*\[*\s*(?:tool\.auditlib\.)?|[{{,]\s*){name}\s*(?:=|\])", after)

    def fail(self, message: str, key: str | None = None, after: int = 0) -> ConfigParseError:
        return ConfigParseError(self.path, self.key_line(key, after) if key else None, None,
                                message)


def _rule_ids() -> set[str]:
    from .rules import RULES

    return {rule.id for rule in RULES}


def _check_rule(reader: _Reader, rule: object, key: str) -> str:
    if not isinstance(rule, str) or rule not in _rule_ids():
        line = reader.line(re.escape(str(rule)))
        raise ConfigParseError(reader.path, line, None,
                               f"{key}: unknown rule id {rule!r} (see `auditlib rules`)")
    return rule


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _ripgrep_rejects(patterns: Sequence[str], globs: Sequence[str]) -> str | None:
    """ripgrep's one-line reason for rejecting `patterns` or `globs`, or None: run as the
    probes' search runs them, over an empty folder."""
    with tempfile.TemporaryDirectory() as empty:
        try:
            done = subprocess.run(repofiles.search_args(patterns, globs), cwd=empty,
                                  stdin=subprocess.DEVNULL, capture_output=True, check=False)
        except ValueError as exc:  # a NUL character, which no command line can hold
            return str(exc)
    if done.returncode in (0, 1):  # 1: nothing found
        return None
    lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
    # A regex error spans lines (the pattern, a marker); its reason is the `error:` line.
    reasons = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    return (reasons or lines or [f"exit code {done.returncode}"])[0].removeprefix("rg: ")


def _check_with_ripgrep(reader: _Reader, probes: Sequence[Probe], headers: Sequence[int]) -> None:
    """Reject the regexes and globs that ripgrep, which runs the probes, does not accept
    (Python's re accepts look-around and backreferences). One rg run checks them all; each
    probe is run alone only to find the one that failed."""
    every = (*codesearch.PROBES, *probes)
    reason = _ripgrep_rejects([probe.regex for probe in every],
                              tuple(dict.fromkeys(glob for probe in every for glob in probe.globs)))
    if reason is None:
        return
    for probe, after in zip(probes, headers, strict=True):
        if found := _ripgrep_rejects([probe.regex], ()):
            raise reader.fail(f"probe {probe.name!r}: regex: ripgrep: {found}", "regex", after)
        for glob in probe.globs:
            if found := _ripgrep_rejects([probe.regex], (glob,)):
                named = found if f"'{glob}'" in found else f"{glob!r}: {found}"
                raise reader.fail(f"probe {probe.name!r}: globs: ripgrep: {named}",
                                  "globs", after)
    raise reader.fail(f"probes: ripgrep, for all probes together: {reason}", "probes")


def _probes(reader: _Reader, entries: Any) -> tuple[Probe, ...]:
    if not isinstance(entries, list):
        raise reader.fail("probes must be an array of tables ([[probes]])", "probes")
    builtin = {probe.name for probe in codesearch.PROBES}
    probes: list[Probe] = []
    headers = []  # the line of each probe's [[probes]]
    after = 0
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        after = reader.line(r"^\s*\[\[\s*(?:tool\.auditlib\.)?probes\s*\]\]", after) or after
        if not isinstance(entry, dict):
            raise reader.fail("each of probes must be a table ([[probes]])", "probes")
        if unknown := sorted(set(entry) - PROBE_KEYS):
            raise reader.fail(f"[[probes]]: unknown key {unknown[0]!r} (known:"
                              f" {', '.join(sorted(PROBE_KEYS))})", unknown[0], after)
        if missing := sorted({"name", "regex"} - set(entry)):
            raise ConfigParseError(reader.path, after or reader.key_line("probes"), None,
                                   f"[[probes]]: `{missing[0]}` is required")
        for key in ("groups", "globs"):
            if not _strings(entry.get(key, [])):
                raise reader.fail(f"probe {name!r}: {key} must be a list of strings", key, after)
        if not isinstance(name, str) or not isinstance(entry["regex"], str):
            raise reader.fail("probe name and regex must be strings", "probes", after)
        if name in builtin:
            raise reader.fail(f"probe {name!r}: the name is taken by a built-in probe"
                              f" ({', '.join(sorted(builtin))})", "name", after)
        if any(probe.name == name for probe in probes):
            raise reader.fail(f"probe {name!r}: the name is used by an earlier probe", "name",
                              after)
        try:
            compiled = re.compile(entry["regex"])
        except (re.error, OverflowError, RecursionError) as exc:
            raise reader.fail(f"probe {name!r}: bad regex: {exc}", "regex", after) from exc
        groups = tuple(entry.get("groups", ()))
        if len(groups) != compiled.groups:
            raise reader.fail(f"probe {name!r}: {counted(compiled.groups, 'capture group')} but"
                              f" {counted(len(groups), 'group name')}",
                              "groups" if "groups" in entry else "regex", after)
        probes.append(Probe(name=str(name), regex=entry["regex"], groups=groups,
                            **({"globs": tuple(entry["globs"])} if "globs" in entry else {})))
        headers.append(after)
    if probes:
        _check_with_ripgrep(reader, probes, headers)
    return tuple(probes)


def _waivers(reader: _Reader, entries: Any) -> tuple[Waiver, ...]:
    if not isinstance(entries, list):
        raise reader.fail("waivers must be an array of tables ([[waivers]])", "waivers")
    waivers = []
    after = 0
    for entry in entries:
        line = reader.line(r"^\s*\[\[\s*(?:tool\.auditlib\.)?waivers\s*\]\]", after)
        after = line or after
        if not isinstance(entry, dict):
            raise reader.fail("each of waivers must be a table ([[waivers]])", "waivers")
        if unknown := sorted(set(entry) - WAIVER_KEYS):
            raise ConfigParseError(
                reader.path, reader.key_line(unknown[0], (line or 1) - 1) or line, None,
                f"waiver: unknown key {unknown[0]!r} (known: {', '.join(sorted(WAIVER_KEYS))})")
        for key in ("rule", "path", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigParseError(reader.path, reader.key_line(key, (line or 1) - 1) or line,
                                       None, f"waiver: `{key}` is required")
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            expires = expires.date()
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                expires = False
        if expires is not None and not isinstance(expires, date):
            raise reader.fail("waiver: `expires` must be a date (YYYY-MM-DD)", "expires",
                              (line or 1) - 1)
        waivers.append(Waiver(rule=_check_rule(reader, entry["rule"], "waivers"),
                              path=entry["path"], reason=entry["reason"], expires=expires,
                              line=line))
    return tuple(waivers)


def _toml(path: str, text: str) -> dict[str, Any]:
    """The TOML document; ConfigParseError with the line and column of a syntax error."""
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        found = _TOML_ERROR.search(str(exc))
        raise ConfigParseError(path, int(found[1]) if found else None,
                               int(found[2]) if found else None,
                               _TOML_ERROR.sub("", str(exc)).strip()) from exc


def parse_config(path: str, text: str, table: dict[str, Any] | None = None) -> AuditConfig:
    """Build AuditConfig from the text of `path` (or from `table`, its [tool.auditlib])."""
    reader = _Reader(path, text, None if table is None else "tool.auditlib")
    if table is None:
        table = _toml(path, text)
    for key in table:
        if key not in TOP_KEYS:
            raise reader.fail(f"unknown key {key!r} (known: {', '.join(sorted(TOP_KEYS))})", key)
    settings: dict[str, Any] = {"source": path}
    for key in ("doc_path", "repo_url"):
        if key in table:
            if not isinstance(table[key], str):
                raise reader.fail(f"{key} must be a string", key)
            settings[key] = table[key]
    if "doc_path" in settings and (problem := document_path_problem(settings["doc_path"])):
        raise reader.fail(f"doc_path {settings['doc_path']!r} {problem}", "doc_path")
    for key in ("compatibility_max_age_days", "latency_threshold_ms", "doc_max_age_days"):
        if key in table:
            if isinstance(table[key], bool) or not isinstance(table[key], int) or table[key] < 0:
                raise reader.fail(f"{key} must be a whole number >= 0", key)
            settings[key] = table[key]
    if "related_terms" in table:
        if not _strings(table["related_terms"]):
            raise reader.fail("related_terms must be a list of strings", "related_terms")
        settings["related_terms"] = tuple(table["related_terms"])
    if "disable" in table:
        if not isinstance(table["disable"], list):
            raise reader.fail("disable must be a list of rule ids", "disable")
        settings["disabled_rules"] = frozenset(
            _check_rule(reader, rule, "disable") for rule in table["disable"])
    if "severity" in table:
        if not isinstance(table["severity"], dict):
            raise reader.fail('severity must be a table, e.g. [severity] CF002 = "P2"', "severity")
        overrides = {}
        for rule, value in table["severity"].items():
            if not isinstance(value, str) or value not in {s.value for s in Severity}:
                raise reader.fail(f"severity.{rule}: {value!r} is not one of P0, P1, P2", rule)
            overrides[_check_rule(reader, rule, "severity")] = Severity(value)
        settings["severity_overrides"] = overrides
    if "probes" in table:
        settings["probes"] = _probes(reader, table["probes"])
    if "waivers" in table:
        settings["waivers"] = _waivers(reader, table["waivers"])
    return AuditConfig(**settings)


def _shown(path: Path) -> str:
    """`path` as a message names it: from the current folder when it is inside it (as the
    user would open it), else whole."""
    absolute = path.absolute()
    return str(absolute.relative_to(Path.cwd()) if absolute.is_relative_to(Path.cwd())
               else absolute)


def load_config(repo: Path | None, explicit: Path | None = None) -> AuditConfig:
    """The configuration: `explicit`, else the repository's auditlib.toml or pyproject.toml.
    An error names the file from the current folder (`pp/auditlib.toml:3:1: …`)."""
    candidates = [explicit] if explicit else (
        [repo / "auditlib.toml", repo / "pyproject.toml"] if repo else [])
    for candidate in candidates:
        if candidate is None or not candidate.is_file():
            if explicit is not None:
                raise ConfigParseError(str(explicit), None, None, "configuration file not found"
                                       + (" (a folder)" if explicit.is_dir() else ""))
            continue
        source = str(candidate.relative_to(repo)) if repo and candidate.is_relative_to(repo) \
            else str(candidate)
        try:
            config = _read_config(candidate, source)
        except ConfigParseError as exc:
            raise ConfigParseError(_shown(candidate), exc.line, exc.column, exc.message) from exc
        if config is not None and explicit is None and repo and candidate.name == "auditlib.toml":
            return dataclasses.replace(config, unread_source=_settings_in_pyproject(repo))
        if config is not None:
            return config
    return AuditConfig()


def _settings_in_pyproject(repo: Path) -> str | None:
    """Where the `[tool.auditlib]` settings of the repository's pyproject.toml start
    (`pyproject.toml:12`), or None when it has none (or cannot be read)."""
    try:
        text = (repo / "pyproject.toml").read_bytes().decode("utf-8")
        tool = tomllib.loads(text).get("tool") if "auditlib" in text else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(tool, dict) or not isinstance(tool.get("auditlib"), dict):
        return None
    line = _Reader("pyproject.toml", text, "tool.auditlib").line(r"^\s*\[+\s*tool\.auditlib\b")
    return "pyproject.toml" + (f":{line}" if line else "")


def _read_config(path: Path, source: str) -> AuditConfig | None:
    """The configuration in `path` (named `source` in outputs), or None for a pyproject.toml
    without `[tool.auditlib]`, broken or not: another tool's file."""
    try:
        data = path.read_bytes()
        if path.name == "pyproject.toml" and b"auditlib" not in data:
            return None
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigParseError(source, None, None, f"cannot be read: {exc}") from exc
    if path.name == "pyproject.toml":
        tool = _toml(source, text).get("tool", {})
        if not isinstance(tool, dict) or not isinstance(tool.get("auditlib"), dict):
            return None
        return parse_config(source, text, tool["auditlib"])
    return parse_config(source, text)
