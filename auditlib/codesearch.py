"""Collect code evidence with ripgrep: probes are data, one rg pass runs them all.

A probe names a regex, the files it looks in and what each capture group means.
Matches are then read into facts: provider selections (with their fallback chain),
latency monitors (threshold and where they report), exported classes and metrics sinks.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import repofiles
from .config import CODE_GLOBS, NOT_TESTS, Probe
from .model import (
    Branch,
    CodeClass,
    LatencyMonitor,
    Location,
    Match,
    ProviderSelection,
    Search,
)

PROBES: tuple[Probe, ...] = (
    Probe(name="provider-variable", regex=r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_PROVIDER)\b",
          groups=("variable",), globs=CODE_GLOBS + NOT_TESTS),
    Probe(name="latency-threshold",
          regex=r"\b(\w*(?:[dD]uration|[lL]atency|[eE]lapsed)\w*)\s*>=?\s*(\d+(?:_\d+)*)",
          groups=("variable", "threshold_ms"), globs=CODE_GLOBS + NOT_TESTS),
    Probe(name="exported-class",
          regex=r"\bexport\s+(?:default\s+)?(?:abstract\s+)?class\s+(\w+)", groups=("class",),
          globs=CODE_GLOBS + NOT_TESTS),
    # `export { A, B as C }`, and `export * from "./objects"`
    Probe(name="export-list", regex=r"\bexport\s*[{*]", groups=(), globs=CODE_GLOBS + NOT_TESTS),
    Probe(name="metrics-sink",
          regex=r"\b(writeDataPoint|statsd|prometheus|opentelemetry|histogram"
                r"|metrics\.(?:increment|gauge|timing|distribution|record))\b",
          groups=("api",), globs=CODE_GLOBS + NOT_TESTS),
)

METRICS_SINK = next(probe for probe in PROBES if probe.name == "metrics-sink")
_PATTERNS = {probe.name: re.compile(probe.regex) for probe in PROBES}

# Read inside a provider selection block, not searched repository-wide.
OPTION = re.compile(r"(?:===?\s*|\bcase\s+)[\"']([a-z][a-z0-9-]*)[\"']")
CONSTRUCTOR = re.compile(r"(?<!throw )\bnew\s+([A-Z]\w*)\s*\(")
# What the runtime constructs is no store: `return new Response(...)` ends a handler.
BUILT_INS = frozenset({
    "Response", "Request", "Headers", "URL", "URLSearchParams", "FormData", "Blob", "File",
    "Map", "Set", "WeakMap", "WeakSet", "Date", "Promise", "Array", "Object", "RegExp", "Proxy",
    "Uint8Array", "ArrayBuffer", "DataView", "TextEncoder", "TextDecoder", "AbortController",
    "ReadableStream", "WritableStream", "TransformStream", "WebSocket", "WebSocketPair",
    "Event", "CustomEvent", "EventTarget", "HTMLRewriter", "Intl", "Symbol", "BigInt"})
IF = re.compile(r"\bif\s*\(")
CASE = re.compile(r"\bcase\s+([\"'][a-z][a-z0-9-]*[\"'])\s*:")
DEFAULT = re.compile(r"(?:\?\?|\|\|)\s*[\"']([a-z][a-z0-9-]*)[\"']")
MEMORY = re.compile(r"memory", re.IGNORECASE)
# Where a latency check sends what it found.
METRICS = re.compile(METRICS_SINK.regex)
SINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("console", re.compile(r"\bconsole\.\w+")),
    ("metrics", METRICS),
)

# Searches shown in the report with their command and result.
SEARCHES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # not in a comment (`#`, `//`); a path's single `/` before it is fine (one-line JSON)
    "placement": ((r"^\s*(?:[^#/\s](?:[^#/]|/[^/#])*)?\bplacement\b",),
                  ("wrangler.toml", "wrangler.json", "wrangler.jsonc")),
    "metrics": ((METRICS_SINK.regex,), METRICS_SINK.globs),
}


def commented(line: str) -> bool:
    """Whether a line of code holds no code: a comment (`// TODO: export latency to
    prometheus`), comments only (`/* a */ // b`), or a line inside a block comment (`* …`);
    not a line with code after a comment (`/** @deprecated */ if (…)`, `*/ if (…)`)."""
    text = line.lstrip()
    if text.startswith("*") and not text.startswith("*/"):
        return True
    return not code_part(text.removeprefix("*/")).strip()


@functools.lru_cache(maxsize=16)  # a line of many matches (a bundle's) is read once
def code_part(line: str, quotes: str = "'\"`", loose: frozenset[int] = frozenset()) -> str:
    """`line` without its comments (`// …`, `/* … */`, JSX's `{/* … */}` left as `{ }`);
    what strings hold is kept (`"https://…"`), and so is what follows a backslash (a regex's
    escaped slashes, as in `/https?:` and two of them, start no comment). A comment left
    open ends the line. A quote that no quote closes on the line (JSX's text `Don't`, a
    regex's `/"/`) opens no string: the line is read again with it as a character (`loose`,
    by position), and past a few such quotes, with none of its kind opening a string."""
    if "/" not in line:
        return line
    kept: list[str] = []
    quote, index, opened = "", 0, 0
    # From one character that matters to the next: a bundle's line can be 400 KB long.
    while (found := _SPECIAL.search(line, index)) is not None:
        at = found.start()
        char = line[at]
        if not quote and line.startswith("//", at):
            kept.append(line[index:at])
            break
        if not quote and line.startswith("/*", at):
            kept.append(line[index:at])
            end = line.find("*/", at + 2)
            if end == -1:
                break
            kept.append(" ")
            index = end + 2
            continue
        # An escape, in a string or in a regex literal: an escaped `/` starts no comment
        end = at + 2 if char == "\\" else at + 1
        kept.append(line[index:end])
        index = end
        if quote:
            quote = "" if char == quote else quote
        elif char in quotes and at not in loose:
            quote, opened = char, at
    else:
        kept.append(line[index:])
    if not quote or quote == "`":  # a template literal may go on over the next lines
        return "".join(kept)
    # A string of the other quotes still holds `//`.
    return (code_part(line, quotes, loose | {opened}) if len(loose) < 4
            else code_part(line, quotes.replace(quote, ""), loose))


# What code_part looks at: the rest is kept as it is.
_SPECIAL = re.compile(r"[/\\\"'`]")


def in_code(match: Match) -> bool:
    """Whether a built-in probe's `match` is in the code of its line, not in a comment on
    it (`x(); // if (latencyMs > 800)`)."""
    pattern = _PATTERNS.get(match.probe)
    return not commented(match.text) and (pattern is None
                                          or bool(pattern.search(code_part(match.text))))


def run_probes(repo: Path, probes: Sequence[Probe] = PROBES) -> list[Match]:
    """One ripgrep pass for every probe; each matching line is attributed to its probes."""
    return probe_matches(probes, start_probes(repo, probes))


def start_probes(repo: Path, probes: Sequence[Probe]) -> repofiles.Matches:
    """Start the ripgrep pass of `probes` now; read its lines later with probe_matches (then
    its `problems` say what it could not read as it is)."""
    return repofiles.search(repo, [probe.regex for probe in probes], pass_globs(probes))


def pass_globs(probes: Sequence[Probe]) -> tuple[str, ...]:
    """The globs of one ripgrep pass for `probes`: every file one of them searches; it leaves
    out only what every probe leaves out (probe_matches sorts out the rest)."""
    every = tuple(dict.fromkeys(glob for probe in probes for glob in probe.globs))
    return tuple(glob for glob in every if not glob.startswith("!")
                 or all(glob in probe.globs for probe in probes))


def probe_matches(probes: Sequence[Probe], lines: Iterable[tuple[str, int, str]],
                  unmatched: list[tuple[str, int]] | None = None) -> list[Match]:
    """Each of the matching `lines` (path, line number, text) attributed to its probes: those
    whose regex matches it, in a file their globs select (as repofiles.select says). A line
    that no probe's regex matches here, though ripgrep matched it (a regex the two read
    differently), goes to `unmatched` as (path, line number)."""
    by_globs: dict[tuple[str, ...], list[tuple[Probe, re.Pattern[str]]]] = defaultdict(list)
    for probe in probes:
        by_globs[probe.globs].append((probe, re.compile(probe.regex)))
    selectors = [(repofiles.matcher(globs), members) for globs, members in by_globs.items()]
    every = [pattern for members in by_globs.values() for _probe, pattern in members]
    applicable: dict[str, list[tuple[Probe, re.Pattern[str]]]] = {}
    matches: list[Match] = []
    for path, line, text in sorted(lines):
        if path not in applicable:
            applicable[path] = [member for selects, members in selectors if selects(path)
                                for member in members]
        found_before = len(matches)
        stripped = text.strip()  # one string for all its matches, however long the line
        lead = len(text) - len(text.lstrip())
        for probe, pattern in applicable[path]:
            if pattern.search(text) is None:  # most probes: cheaper than finditer
                continue
            for found in pattern.finditer(text):
                matches.append(Match(
                    probe=probe.name, location=Location(path=path, start_line=line),
                    text=stripped, groups=dict(zip(probe.groups, found.groups(), strict=True)),
                    column=max(found.start() - lead, 0) + 1))
        # Rare: a line of a file that only other probes' globs select (a test file), or
        # whose CRLF ending ripgrep's `\s` matched and Python no longer sees.
        if (unmatched is not None and len(matches) == found_before
                and not any(pattern.search(text) or pattern.search(text + "\r")
                            for pattern in every)):
            unmatched.append((path, line))
    return matches


def search_texts(name: str, texts: dict[str, str]) -> Search:
    """Search `name` over the files it searches, already read (`texts`, by path): what
    ripgrep would find there (lines split at \\n, as it splits them), without another pass."""
    patterns, globs = SEARCHES[name]
    compiled = [re.compile(pattern) for pattern in patterns]
    found = tuple(
        Match(probe=name, location=Location(path=path, start_line=number), text=line.strip(),
              groups={})
        for path in repofiles.select(sorted(texts), globs)
        for number, line in enumerate(texts[path].split("\n"), 1)
        if any(pattern.search(line) for pattern in compiled))
    return Search(command=repofiles.search_command(patterns, globs), matches=found)


def _block_end(lines: Sequence[str], start: int, limit: int = 200) -> int:
    """Index of the line closing the block that encloses lines[start] (brace counting)."""
    depth = 0
    for index in range(start, min(len(lines), start + limit)):
        for brace in _BRACE.finditer(lines[index].split("//")[0]):  # not each of a bundle's characters
            depth += 1 if brace[0] == "{" else -1
            if depth < 0:
                return index
    return min(len(lines), start + limit) - 1


_BRACE = re.compile(r"[{}]")


# A string literal (its parentheses are no code's): "...", '...', `...`.
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`""")


@functools.lru_cache(maxsize=16)  # a line of many calls (a bundle's) is read once
def _depth(line: str) -> int:
    """How many parentheses a line of code opens, less those it closes, outside strings
    and a trailing comment."""
    code = _STRING.sub('""', line).split("//")[0]
    return code.count("(") - code.count(")")


def open_call(text: str) -> bool:
    """Whether a line leaves a call open (`env.AE.writeDataPoint({`): it goes on below."""
    return _depth(text) > 0


def call(match: Match, lines: Sequence[str], limit: int = 20) -> Match:
    """A metrics line that leaves its call open, with the call's lines (up to `limit`) as
    its range and their text joined as its `call` group: what the data point names."""
    start = (match.location.start_line or 1) - 1
    end = _call_end(lines, start, limit)
    text = " ".join(line.strip() for line in lines[start:end + 1])
    return Match(probe=match.probe, text=match.text, groups={**match.groups, "call": text},
                 column=match.column,
                 location=Location(path=match.location.path, start_line=start + 1,
                                   end_line=end + 1 if end > start else None))


def _call_end(lines: Sequence[str], start: int, limit: int = 20) -> int:
    """Index of the line where the call open at lines[start] closes (up to `limit` lines)."""
    depth, end = 0, start
    for end in range(start, min(len(lines), start + limit)):
        depth += _depth(lines[end])
        if depth <= 0:
            break
    return end


def _statement_end(lines: Sequence[str], start: int, limit: int = 8) -> int:
    """Index of the line where the statement starting at lines[start] closes its braces."""
    if "{" not in lines[start]:
        return start
    depth = 0
    for index in range(start, min(len(lines), start + limit)):
        depth += _braces(lines[index])
        if depth <= 0:
            return index
    return start


@functools.lru_cache(maxsize=16)  # a line of many checks (a bundle's) is read once
def _braces(line: str) -> int:
    return line.count("{") - line.count("}")


def _condition(text: str) -> str | None:
    """The condition of an `if (...)` or a `case "x":` on this line, without the brackets."""
    found = IF.search(text)
    if found is None:
        case = CASE.search(text)
        return f"case {case[1]}" if case else None
    depth, start = 0, found.end() - 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1:index].strip()
    return text[start + 1:].strip()


def provider_selection(path: str, lines: Sequence[str], variable: str,
                       line: int) -> ProviderSelection | None:
    """Read the selection block that starts where `variable` is read (1-based `line`).

    The chain is each condition followed by the store it constructs; the memory fallback is
    a memory store the chain ends in without asking for it by name.
    """
    start = line - 1
    end = _block_end(lines, start)
    options: list[str] = []
    chain: list[Branch] = []
    pending: tuple[str, str | None, int] | None = None  # condition, option, last line
    for index in range(start, end + 1):
        text = lines[index]
        if pending is not None and index > pending[2]:
            pending = None
        found = OPTION.findall(text)
        options += found
        condition = _condition(text)
        if condition is not None:
            pending = (condition, found[0] if found else None,
                       end if condition.startswith("case ") else _statement_end(lines, index, 40))
        for store in CONSTRUCTOR.findall(text):
            if store in BUILT_INS or store.endswith("Error"):
                continue
            condition_text, option = pending[:2] if pending else ("otherwise", None)
            chain.append(Branch(condition=condition_text, option=option, store=store,
                                location=Location(path=path, start_line=index + 1)))
            pending = None
    if not chain and not options:
        return None
    last = chain[-1] if chain else None
    fallback = (last.location if last and MEMORY.search(last.store) and last.option != "memory"
                else None)
    default = DEFAULT.search(lines[start])
    return ProviderSelection(
        variable=variable, options=tuple(dict.fromkeys(options)),
        default=default[1] if default else None, chain=tuple(chain), memory_fallback=fallback,
        location=Location(path=path, start_line=line,
                          end_line=last.location.start_line if last else line))


# Durations that are settings, not measurements: `cacheDuration > 0`, `maxLatency >= 100`.
NOT_MEASURED = re.compile(r"(?:(?:^|_)(?i:cache|ttl|timeout|max|min|retry|limit|budget)"
                          r"|Cache|Ttl|TTL|Timeout|Max|Min|Retry|Limit|Budget)(?=[A-Z_]|$)")


def is_latency_check(match: Match) -> bool:
    """Whether a latency-threshold match compares a measured duration with a threshold."""
    digits = match.groups["threshold_ms"].replace("_", "").lstrip("0")  # `> 00…0`, 5,000 digits
    return 0 < len(digits) <= 15 and not NOT_MEASURED.search(match.groups["variable"])


def latency_monitor(path: str, lines: Sequence[str], match: Match, near: int = 5) -> LatencyMonitor:
    """The check at `match` and where it reports: inside it, or a metric recording the same
    variable within `near` lines of it (recorded on every request, then checked)."""
    start = (match.location.start_line or 1) - 1
    end = _statement_end(lines, start, limit=40)
    indent = min((_indent(text) for text in lines[start:end + 1] if text and not text.isspace()),
                 default=0)
    snippet = "\n".join(text[indent:] for text in lines[start:end + 1])
    recorded = any(  # a metric call beside the check, over one line or several, naming it
        match.groups["variable"] in _metrics_call(tuple(lines[index:index + 20]))
        for index in [*range(max(start - near, 0), start), *range(end + 1, end + 1 + near)]
        if index < len(lines))
    found = _sinks(snippet)
    sinks = tuple(name for name, _pattern in SINKS
                  if name in found or (name == "metrics" and recorded))
    return LatencyMonitor(threshold_ms=int(match.groups["threshold_ms"]), sinks=sinks,
                          snippet=snippet,
                          column=match.column and match.column + _indent(lines[start]) - indent,
                          location=Location(path=path, start_line=start + 1, end_line=end + 1))


def _indent(line: str) -> int:
    """How many whitespace characters `line` starts with (not copying a bundle's line)."""
    found = _INDENT.match(line)
    return found.end() if found else 0


_INDENT = re.compile(r"\s*")


# Each cached: a bundle's line holds many checks, and many calls beside them.
@functools.lru_cache(maxsize=16)
def _sinks(snippet: str) -> frozenset[str]:
    """The SINKS a check's code reports to."""
    return frozenset(name for name, pattern in SINKS if pattern.search(snippet))


@functools.lru_cache(maxsize=16)
def _metrics_call(lines: tuple[str, ...]) -> str:
    """The metrics call on lines[0], its lines joined up to where it closes; "" if none."""
    return " ".join(lines[:_call_end(lines, 0) + 1]) if METRICS.search(lines[0]) else ""


# A line comment that is code left out (`// export const X = wrap(Y);`), not a description
# (`// let the runtime evict idle rooms; one per chat`): a declaration given a value, an
# export of a class, a function or names, an import, a call returned or awaited, or a
# statement that assigns or calls and ends as code does.
_COMMENTED_CODE = re.compile(
    r"//\s*(?:(?:export\s+)?(?:const|let|var)\s+[\w${}\[\],\s]+="
    r"|export\s+(?:default\s+|abstract\s+|async\s+)*(?:class|function)\s+\w|export\s*[{*]"
    r"|import\s+(?:[\"'].*[\"'];?$|.*\bfrom\s*[\"'])|(?:return|await)\s+(?:new\s+)?[\w.$]+\("
    r"|[^=(]*[=(].*[;{}]$)")  # not `.*[=(]`: a long line of `(` took minutes to try


def doc_summary(lines: Sequence[str], line: int) -> str | None:
    """The first sentence of the comment directly above the 1-based `line`, if any; none
    when the comment is code left out."""
    collected: list[str] = []
    index = line - 2
    while index >= 0 and lines[index].strip().startswith(("/*", "*", "//")):
        if _COMMENTED_CODE.match(lines[index].strip()):
            return None
        collected.insert(0, lines[index].strip())
        if lines[index].strip().startswith("/*"):
            break
        index -= 1
    words = " ".join(re.sub(r"^(/\*\*?|\*/|\*|//)\s?", "", text).removesuffix("*/")
                     for text in collected).split()
    if not words:
        return None
    return re.split(r"(?<=\.)\s", " ".join(words), maxsplit=1)[0]


_LINE_COMMENT = re.compile(r"//.*")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@functools.lru_cache(maxsize=16)  # a line of many exports (a bundle's) is read once
def line_exports(line: str) -> tuple[str, ...]:
    """The names an `export { … }` list on `line` alone exports (see export_names)."""
    return tuple(export_names([line], 1))


def export_names(lines: Sequence[str], line: int, limit: int = 50) -> list[str]:
    """The names an `export { A, B as C }` list starting at the 1-based `line` exports (its
    `as` names; types and `default` left out), the list read over up to `limit` lines."""
    text = "\n".join(lines[line - 1:line - 1 + limit])  # `export {\n  // Durable Objects\n`
    text = _LINE_COMMENT.sub(" ", _BLOCK_COMMENT.sub(" ", text)).replace("\n", " ")
    listed = text[text.find("{") + 1:text.find("}")] if "}" in text else ""
    names = [item.split(" as ")[-1].strip() for item in listed.split(",")
             if item.strip() and not item.strip().startswith("type ")]
    return [name for name in names if name.isidentifier() and name != "default"]


def code_classes(path: str, lines: Sequence[str], matches: Iterable[Match]) -> list[CodeClass]:
    return [CodeClass(name=m.groups["class"], location=m.location, file_lines=len(lines),
                      summary=doc_summary(lines, m.location.start_line or 1),
                      default=_default_export(m.text)) for m in matches]


STAR_EXPORT = re.compile(r"\bexport\s*\*(?!\s*as\b)")  # not `export * as ns`


@functools.lru_cache(maxsize=16)  # a line of many exports (a bundle's) is read once
def star_export(line: str) -> bool:
    """Whether a line of code exports all of another module's names (`export * from`)."""
    return bool(STAR_EXPORT.search(line)) and not commented(line)

DEFAULT_EXPORT = re.compile(r"\bexport\s+default\s+(?:abstract\s+)?class\b")


@functools.lru_cache(maxsize=16)  # a line of many classes (a bundle's) is read once
def _default_export(line: str) -> bool:
    return DEFAULT_EXPORT.search(line) is not None


def by_path(matches: Iterable[Match]) -> dict[str, list[Match]]:
    grouped: dict[str, list[Match]] = defaultdict(list)
    for match in matches:
        grouped[match.location.path].append(match)
    return grouped
