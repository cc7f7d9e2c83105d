"""Read AuditConfig from a TOML file; every mistake names the file, the key and its line."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import posixpath
import re
import subprocess
import tempfile
import tomllib
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import codesearch, repofiles
from .blocks import counted
from .config import AuditConfig, Probe, Waiver, document_path_problem, normal_document_path
from .errors import ConfigParseError
from .model import Severity
from .wrangler import lines_of, toml_error

TOP_KEYS = {"doc_path", "repo_url", "compatibility_max_age_days", "latency_threshold_ms", "doc_max_age_days",
            "disable", "exclude",
            "severity", "probes", "waivers", "related_terms"}
PROBE_KEYS = {"name", "regex", "globs", "groups"}
WAIVER_KEYS = {"rule", "path", "reason", "expires"}


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What a TOML value's brackets are counted past: strings and comments, which may hold any.
_TOKEN = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
                    r"|#[^\n]*|[\[\]{}]", re.DOTALL)


class _Reader:
    """Finds the line of a key, within the `[tool.auditlib]` tables when read from pyproject."""

    def __init__(self, path: str, text: str, section: str | None = None) -> None:
        self.path = path
        self.section = section
        self.text = text
        self.lines = lines_of(text)  # as tomllib numbers them: U+2028 ends no line
        # where each line starts in `text`
        self.starts = [0, *(found.end() for found in re.finditer("\n", text))]
        self.inside = [section is None] * len(self.lines)
        if section is not None:
            header = ""
            for index, line in enumerate(self.lines):
                if found := _HEADER.match(line):
                    header = found[1]
                self.inside[index] = header == section or header.startswith(section + ".")

    def line(self, pattern: str, after: int = 0, last: int | None = None) -> int | None:
        """The first line after line `after` (up to line `last`) that `pattern` finds."""
        compiled = re.compile(pattern)
        for number, text in enumerate(self.lines[after:last], after + 1):
            if self.inside[number - 1] and compiled.search(text.split("#")[0]):
                return number
        return None

    def key_line(self, key: str, after: int = 0, last: int | None = None) -> int | None:
        """The line of `key = ...`, `[key]` or `{ key = ... }`."""
        name = re.escape(key)
        return self.line(rf"(?:^\s*\[*\s*(?:tool\.auditlib\.)?|[{{,]\s*){name}\s*(?:=|\])", after,
                         last)

    def fail(self, message: str, key: str | None = None, after: int = 0) -> ConfigParseError:
        return ConfigParseError(self.path, self.key_line(key, after) if key else None, None,
                                message)

    def entries(self, key: str) -> list[tuple[int, int]]:
        """Where each table of the array `key` is written, as (first line, last line): each
        `[[key]]` up to the next table header, or each `{ ... }` of `key = [ ... ]`."""
        headers = [number for number, text in enumerate(self.lines, 1) if _HEADER.match(text)]
        own = re.compile(rf"^\s*\[\[\s*(?:tool\.auditlib\.)?{re.escape(key)}\s*\]\]")
        tables = [number for number in headers
                  if self.inside[number - 1] and own.match(self.lines[number - 1])]
        if tables:
            return [(number, next((header - 1 for header in headers if header > number),
                                  len(self.lines))) for number in tables]
        line = self.key_line(key)
        if line is None:
            return []
        spans: list[tuple[int, int]] = []
        open_brackets: list[str] = []
        for token in _TOKEN.finditer(self.text, self.starts[line - 1]):
            if token[0] in ("[", "{"):
                open_brackets.append(token[0])
                if open_brackets == ["[", "{"]:  # a table of the array opens
                    spans.append((self._line_at(token.start()),) * 2)
            elif token[0] in ("]", "}") and open_brackets:
                if open_brackets == ["[", "{"]:
                    spans[-1] = (spans[-1][0], self._line_at(token.start()))
                open_brackets.pop()
                if not open_brackets:
                    break
        return spans

    def _line_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def within(self, span: tuple[int, int] | None, key: str | None, array: str) -> int | None:
        """The line of `key` in the table of `array` at `span` (see `entries`), else the
        table's first line; without a span, the line of `array`."""
        if span is None:
            return self.key_line(array)
        return (self.key_line(key, span[0] - 1, span[1]) if key else None) or span[0]

    def fail_within(self, span: tuple[int, int] | None, array: str, message: str,
                    key: str | None = None) -> ConfigParseError:
        return ConfigParseError(self.path, self.within(span, key, array), None, message)


def _rule_ids() -> set[str]:
    from .rules import RULES

    return {rule.id for rule in RULES}


def _misplaced(reader: _Reader, key: str, table: str, array: bool = False) -> str:
    """A hint for a top-level `key` that TOML read into `table`, as it is written below its
    header; "" for another key."""
    if key not in TOP_KEYS:
        return ""
    name = f"{reader.section}.{table}" if reader.section else table
    header = f"[[{name}]]" if array else f"[{name}]"
    return (f"; `{key}` is a top-level key, but written below {header} it is read into that"
            f" table: move it above {'the first ' if array else ''}{header}")


def _check_rule(reader: _Reader, rule: object, key: str, line: int | None) -> str:
    """`rule`, a known rule id; else ConfigParseError at `line`."""
    if not isinstance(rule, str) or rule.upper() not in _rule_ids():  # `cf001`, as inline
        raise ConfigParseError(reader.path, line, None,
                               f"{key}: unknown rule id {rule!r} (see `auditlib rules`)")
    return rule.upper()


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


def _check_with_ripgrep(reader: _Reader, probes: Sequence[Probe],
                        spans: Sequence[tuple[int, int] | None]) -> None:
    """Reject the regexes and globs that ripgrep, which runs the probes, does not accept
    (Python's re accepts look-around and backreferences). One rg run checks them all; each
    probe is run alone only to find the one that failed."""
    every = (*codesearch.PROBES, *probes)
    reason = _ripgrep_rejects([probe.regex for probe in every],
                              tuple(dict.fromkeys(glob for probe in every for glob in probe.globs)))
    if reason is None:
        return
    for probe, span in zip(probes, spans, strict=True):
        if found := _ripgrep_rejects([probe.regex], ()):
            raise ConfigParseError(reader.path, reader.within(span, "regex", "probes"), None,
                                   f"probe {probe.name!r}: regex: ripgrep: {found}")
        for glob in probe.globs:
            if found := _ripgrep_rejects([probe.regex], (glob,)):
                named = found if f"'{glob}'" in found else f"{glob!r}: {found}"
                raise ConfigParseError(reader.path, reader.within(span, "globs", "probes"), None,
                                       f"probe {probe.name!r}: globs: ripgrep: {named}")
    raise reader.fail(f"probes: ripgrep, for all probes together: {reason}", "probes")


# Set operations inside a class: ripgrep's (`&&`, `--`, `~~`), and those Python's re warns
# it may read so one day (`||`).
_SET_OPERATIONS = ("&&", "--", "~~", "||")


def _read_differently(regex: str) -> str | None:
    """Why ripgrep and Python's re, which both accept `regex`, read it differently (ripgrep
    finds the lines, re then reads each one: the probe would miss them), or None."""
    in_class = False
    index = 0
    while index < len(regex):
        pair = regex[index:index + 2]
        if pair in ("\\<", "\\>") and not in_class:
            return (f"`{pair}` is a word boundary to ripgrep, a literal `{pair[1]}` to Python's"
                    " re: write `\\b`")
        if regex.startswith("\\b{", index) and not in_class:
            return ("`\\b{...}` is a word boundary to ripgrep, `\\b` and a literal `{...}` to"
                    " Python's re: write `\\b`")
        if pair[0] == "\\":
            index += 2
            continue
        if in_class and pair in _SET_OPERATIONS:
            return (f"`{pair}` inside a class: a set operation to ripgrep or to a later Python,"
                    f" literal characters to Python's re now: write the class out, or escape"
                    f" one of them (`\\{pair[0]}`)")
        if in_class and pair[0] == "[":
            return ("`[` inside a class is a nested class (or a POSIX class, `[:alpha:]`) to"
                    " ripgrep, a literal `[` to Python's re: write the class out (`[a-zA-Z]`),"
                    " or `\\[`")
        if in_class and pair[0] == "]":
            in_class = False
        elif pair[0] == "[" and not in_class:
            in_class = True
            index += 1 + regex.startswith("^", index + 1)
            index += regex.startswith("]", index)  # `[]a]`, `[^]a]`: a literal `]` first
            continue
        index += 1
    return None


def _probes(reader: _Reader, entries: Any) -> tuple[Probe, ...]:
    if not isinstance(entries, list):
        raise reader.fail("probes must be an array of tables ([[probes]])", "probes")
    builtin = {probe.name for probe in codesearch.PROBES}
    probes: list[Probe] = []
    spans = reader.entries("probes")  # where each probe is written
    for number, entry in enumerate(entries):
        fail = functools.partial(reader.fail_within, _nth(spans, number), "probes")
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            raise fail("each of probes must be a table ([[probes]])")
        if unknown := sorted(set(entry) - PROBE_KEYS):
            raise fail(f"[[probes]]: unknown key {unknown[0]!r} (known:"
                       f" {', '.join(sorted(PROBE_KEYS))})"
                       + _misplaced(reader, unknown[0], "probes", array=True), unknown[0])
        if missing := sorted({"name", "regex"} - set(entry)):
            raise fail(f"[[probes]]: `{missing[0]}` is required")
        for key in ("groups", "globs"):
            if not _strings(entry.get(key, [])):
                raise fail(f"probe {name!r}: {key} must be a list of strings", key)
        for glob in entry.get("globs", []):
            if why := _glob_problem(glob):
                raise fail(f"probe {name!r}: globs: `{glob}` {why}", "globs")
        if not isinstance(name, str) or not isinstance(entry["regex"], str):
            raise fail("probe name and regex must be strings")
        if not name.strip():
            raise fail("[[probes]]: `name` is empty: the report names the probe's evidence by it",
                       "name")
        if not entry["regex"]:
            raise fail(f"probe {name!r}: regex is empty: it would match every line", "regex")
        if name in builtin:
            raise fail(f"probe {name!r}: the name is taken by a built-in probe"
                       f" ({', '.join(sorted(builtin))})", "name")
        if any(probe.name == name for probe in probes):
            raise fail(f"probe {name!r}: the name is used by an earlier probe", "name")
        if reason := _read_differently(entry["regex"]):
            raise fail(f"probe {name!r}: regex: {reason}", "regex")
        try:
            with warnings.catch_warnings():  # "Possible nested set": never a raw warning
                warnings.simplefilter("error", FutureWarning)
                compiled = re.compile(entry["regex"])
        except FutureWarning as exc:
            raise fail(f"probe {name!r}: regex: ripgrep and Python's re may read it"
                       f" differently: {exc}", "regex") from exc
        except (re.error, OverflowError, RecursionError) as exc:
            raise fail(f"probe {name!r}: bad regex: {exc}", "regex") from exc
        groups = tuple(entry.get("groups", ()))
        if len(groups) != compiled.groups:
            raise fail(f"probe {name!r}: {counted(compiled.groups, 'capture group')} but"
                       f" {counted(len(groups), 'group name')}",
                       "groups" if "groups" in entry else "regex")
        probes.append(Probe(name=str(name), regex=entry["regex"], groups=groups,
                            **({"globs": tuple(entry["globs"])} if "globs" in entry else {})))
    if probes:
        _check_with_ripgrep(reader, probes, [_nth(spans, number) for number in range(len(probes))])
    return tuple(probes)


def _glob_problem(glob: str) -> str | None:
    """Why a probe's `glob` selects no files, or not the same ones in ripgrep, which searches
    them, and in repofiles.select (fnmatch), which sorts the lines out to the probes; None
    when it is fine."""
    pattern = glob.removeprefix("!")
    if not pattern:
        return "is empty: a glob names files (`*.ts`, `src/**`)"
    if pattern.endswith("/"):
        return f"names a folder, not files: write `{glob}**`"
    if "{" in pattern:
        return ("has `{`: ripgrep reads `{a,b}` as either, the audit's own file selection as"
                " literal braces: write one glob for each")
    if "[^" in pattern:
        return "has `[^`: write `[!` (ripgrep reads both, the audit's own file selection `[!` only)"
    if "\\" in pattern:
        return ("has a backslash: an escape to ripgrep, a literal `\\` to the audit's own file"
                " selection (write `[*]` for a literal `*`)")
    return None


def _nth(spans: Sequence[tuple[int, int]], number: int) -> tuple[int, int] | None:
    """Where the table `number` of an array is written (see _Reader.entries), if found."""
    return spans[number] if number < len(spans) else None


def _waivers(reader: _Reader, entries: Any) -> tuple[Waiver, ...]:
    if not isinstance(entries, list):
        raise reader.fail("waivers must be an array of tables ([[waivers]])", "waivers")
    waivers: list[Waiver] = []
    spans = reader.entries("waivers")  # where each waiver is written
    for number, entry in enumerate(entries):
        span = _nth(spans, number)
        fail = functools.partial(reader.fail_within, span, "waivers")
        if not isinstance(entry, dict):
            raise fail("each of waivers must be a table ([[waivers]])")
        if unknown := sorted(set(entry) - WAIVER_KEYS):
            raise fail(f"waiver: unknown key {unknown[0]!r} (known:"
                       f" {', '.join(sorted(WAIVER_KEYS))})"
                       + _misplaced(reader, unknown[0], "waivers", array=True), unknown[0])
        for key in ("rule", "path", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise fail(f"waiver: `{key}` is required", key)
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            expires = expires.date()
        if isinstance(expires, str):  # `20270131` and `2027-W05` are ISO too, and not asked for
            try:
                expires = date.fromisoformat(expires) if _DAY.fullmatch(expires) else False
            except ValueError:
                expires = False
        if expires is not None and not isinstance(expires, date):
            raise fail("waiver: `expires` must be a date (YYYY-MM-DD)", "expires")
        rule = _check_rule(reader, entry["rule"], "waivers", reader.within(span, "rule", "waivers"))
        path = re.sub(r"^(?:\./)+", "", entry["path"]) or "."  # `./apps/*` is `apps/*`
        if path.startswith("/"):
            raise fail(f"waiver: path `{path}` starts with `/`: a path is relative to the"
                       f" repository's root (`{path.lstrip('/') or '.'}`)", "path")
        if same := next((w for w in waivers if (w.rule, w.path) == (rule, path)), None):
            raise fail("waiver: the same rule and path as the waiver"
                       + (f" at line {same.line}" if same.line else " before it")
                       + ": only the first one applies; keep one")
        waivers.append(Waiver(rule=rule, path=path, reason=entry["reason"],
                              expires=expires, line=span[0] if span else None))
    return tuple(waivers)


def _exclude(reader: _Reader, patterns: Any) -> tuple[str, ...]:
    """The `exclude` globs, relative to the repository's root as a waiver's path is."""
    if not _strings(patterns):
        raise reader.fail('exclude must be a list of paths or globs, e.g. ["templates/**"]',
                          "exclude")
    found = []
    after = (reader.key_line("exclude") or 1) - 1
    for pattern in patterns:
        line = reader.line(rf"([\"']){re.escape(pattern)}\1", after) or after + 1
        normal = posixpath.normpath(pattern) if pattern.strip() else ""  # `./a/`, `a/../b`
        why = ("is empty: name a folder or a glob (`templates/**`)" if not normal.strip()
               else "starts with `/`: a path is relative to the repository's root"
               f" (`{normal.lstrip('/') or '.'}`)" if normal.startswith("/")
               else "names the whole repository: nothing would be audited" if normal in (".", "**")
               else "leads outside the repository" if normal.split("/")[0] == ".." else None)
        if why:
            raise ConfigParseError(reader.path, line, None, f"exclude: `{pattern}` {why}")
        found.append(normal)
    return tuple(dict.fromkeys(found))


def _toml(path: str, text: str) -> dict[str, Any]:
    """The TOML document; ConfigParseError with the line and column of a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(path, text, exc) from exc
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        raise ConfigParseError(path, None, None, str(exc)) from exc


def parse_config(path: str, text: str, table: dict[str, Any] | None = None) -> AuditConfig:
    """Build AuditConfig from the text of `path` (or from `table`, its [tool.auditlib])."""
    reader = _Reader(path, text, None if table is None else "tool.auditlib")
    if table is None:
        table = _toml(path, text)
    for key in table:
        if key not in TOP_KEYS:
            hint = ("; [tool.auditlib] is read only from a file named pyproject.toml: here, leave"
                    " out `[tool.auditlib]`, and `tool.auditlib.` in table headers" if key == "tool"
                    and isinstance(table[key], dict) and "auditlib" in table[key] else "")
            raise ConfigParseError(  # `key = …`, `[key]`, or a header `[key.sub]`
                path, reader.key_line(key) or reader.line(rf"^\s*\[+\s*{re.escape(key)}\s*\."),
                None, f"unknown key {key!r} (known: {', '.join(sorted(TOP_KEYS))}){hint}")
    settings: dict[str, Any] = {"source": path}
    for key in ("doc_path", "repo_url"):
        if key in table:
            if not isinstance(table[key], str):
                raise reader.fail(f"{key} must be a string", key)
            settings[key] = table[key]
    if settings.get("repo_url") and not re.fullmatch(r"(?i)https?://[^/\s]+(?:/\S*)?",
                                                     settings["repo_url"]):
        raise reader.fail(f"repo_url {settings['repo_url']!r} is no http(s) address: write the"
                          " repository's, as `https://github.com/org/repo`, or leave it empty"
                          " for relative links", "repo_url")
    if "doc_path" in settings:
        if problem := document_path_problem(settings["doc_path"]):
            raise reader.fail(f"doc_path {settings['doc_path']!r} {problem}", "doc_path")
        settings["doc_path"] = normal_document_path(settings["doc_path"])
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
        where = reader.key_line("disable") or 1
        settings["disabled_rules"] = frozenset(
            _check_rule(reader, rule, "disable",  # the line of the id, the whole quoted string
                        reader.line(rf"([\"']){re.escape(str(rule))}\1", where - 1) or where)
            for rule in table["disable"])
    if "severity" in table:
        if not isinstance(table["severity"], dict):
            raise reader.fail('severity must be a table, e.g. [severity] CF002 = "P2"', "severity")
        overrides = {}
        after = (reader.key_line("severity") or 1) - 1
        for rule, value in table["severity"].items():
            if not isinstance(value, str) or value not in {s.value for s in Severity}:
                raise reader.fail(f"severity.{rule}: {value!r} is not one of P0, P1, P2"
                                  + _misplaced(reader, rule, "severity"), rule, after)
            line = reader.key_line(rule) or reader.key_line("severity")
            known = _check_rule(reader, rule, "severity", line)
            if known in overrides:  # `cf007` and `CF007`: TOML keeps both
                raise ConfigParseError(reader.path, line, None, f"severity.{rule}: {known} is"
                                       " set twice (rule ids are read in any case): keep one")
            overrides[known] = Severity(value)
        settings["severity_overrides"] = overrides
    if "exclude" in table:
        settings["exclude"] = _exclude(reader, table["exclude"])
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
                raise ConfigParseError(str(explicit), None, None, "not a regular file"
                                       if explicit.exists() and not explicit.is_dir() else
                                       "configuration file not found"
                                       + (" (a folder)" if explicit.is_dir() else ""))
            continue
        if explicit is None and repo and not candidate.resolve().is_relative_to(repo.resolve()):
            continue  # a link out of the repository, not followed (CF000 says so)
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
        if explicit is not None:  # named to be read: its settings must not be lost unseen
            raise ConfigParseError(_shown(candidate), None, None, "holds no [tool.auditlib]"
                                   " table: there are no settings to read in it")
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
    except UnicodeDecodeError as exc:  # where, as for every other error of the settings
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigParseError(source, line, column, f"not UTF-8 (byte {data[exc.start]:#04x}):"
                                                     " save the file as UTF-8") from exc
    except OSError as exc:
        raise ConfigParseError(source, None, None, f"cannot be read: {exc}") from exc
    if path.name == "pyproject.toml":
        tool = _toml(source, text).get("tool", {})
        if not isinstance(tool, dict) or not isinstance(tool.get("auditlib"), dict):
            return None
        return parse_config(source, text, tool["auditlib"])
    return parse_config(source, text)
