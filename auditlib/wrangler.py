"""Collect wrangler configurations (wrangler.toml, wrangler.json, wrangler.jsonc).

Values come from tomllib and json5; line numbers come from locating each binding's
identifying `key = "value"` pair in the text, skipping commented-out lines.
"""

from __future__ import annotations

import datetime
import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, NoReturn

import json5

from .blocks import code
from .errors import ConfigParseError, in_text
from .model import Binding, Environment, Location, Suppression, Var, WranglerConfig

CONFIG_NAMES = ("wrangler.toml", "wrangler.json", "wrangler.jsonc")
_PRECEDENCE = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")  # wrangler's order of lookup


def used_configs(paths: Sequence[str]) -> dict[str, str]:
    """For each config path, the config wrangler reads in its folder: itself, or the one
    that comes first there (`wrangler.json`, then `wrangler.jsonc`, then `wrangler.toml`)."""
    first: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: _PRECEDENCE.index(PurePosixPath(p).name)):
        first.setdefault(posixpath.dirname(path), path)
    return {path: first[posixpath.dirname(path)] for path in paths}


@dataclass(frozen=True, slots=True)
class BindingKind:
    """Where a binding kind lives in the config, which of its keys name and identify it, and
    what a reader calls one."""

    kind: str
    path: tuple[str, ...]
    name_key: str
    label: str
    id_keys: tuple[str, ...] = ()
    single: bool = False  # one table (`[ai]`), not an array of tables (`[[kv_namespaces]]`)
    # What names its resource, without which wrangler refuses the config: it creates a KV
    # namespace, D1 database, R2 bucket, queue or dispatch namespace left without one (queues
    # and dispatch namespaces since July 2026, workers-sdk #13352); and keys of which one is.
    required: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()


BINDING_KINDS: tuple[BindingKind, ...] = (
    BindingKind("kv_namespaces", ("kv_namespaces",), "binding", "KV namespace",
                ("id", "preview_id")),
    BindingKind("durable_objects", ("durable_objects", "bindings"), "name", "Durable Object"),
    BindingKind("d1_databases", ("d1_databases",), "binding", "D1 database",
                ("database_id", "preview_database_id")),
    BindingKind("r2_buckets", ("r2_buckets",), "binding", "R2 bucket"),
    BindingKind("queues.producers", ("queues", "producers"), "binding", "queue producer"),
    BindingKind("queues.consumers", ("queues", "consumers"), "queue", "queue consumer"),
    BindingKind("services", ("services",), "binding", "service binding", required=("service",)),
    BindingKind("vectorize", ("vectorize",), "binding", "Vectorize index",
                required=("index_name",)),
    BindingKind("hyperdrive", ("hyperdrive",), "binding", "Hyperdrive config", ("id",),
                required=("id",)),
    BindingKind("analytics_engine_datasets", ("analytics_engine_datasets",), "binding",
                "Analytics Engine dataset"),
    BindingKind("ai", ("ai",), "binding", "Workers AI binding", single=True),
    BindingKind("browser", ("browser",), "binding", "Browser Rendering binding", single=True),
    BindingKind("workflows", ("workflows",), "binding", "Workflow"),
    BindingKind("ratelimits", ("ratelimits",), "name", "rate limiter"),
    BindingKind("tail_consumers", ("tail_consumers",), "service", "tail consumer"),
    BindingKind("send_email", ("send_email",), "name", "email binding"),
    BindingKind("dispatch_namespaces", ("dispatch_namespaces",), "binding", "dispatch namespace"),
    BindingKind("mtls_certificates", ("mtls_certificates",), "binding", "mTLS certificate",
                ("certificate_id",), required=("certificate_id",)),
    BindingKind("version_metadata", ("version_metadata",), "binding", "version metadata binding",
                single=True),
    BindingKind("pipelines", ("pipelines",), "binding", "pipeline", one_of=("stream", "pipeline")),
    BindingKind("secrets_store_secrets", ("secrets_store_secrets",), "binding",
                "Secrets Store secret", ("store_id",)),
    BindingKind("images", ("images",), "binding", "Images binding", single=True),
    BindingKind("media", ("media",), "binding", "Media Transformations binding", single=True),
    BindingKind("worker_loaders", ("worker_loaders",), "binding", "Worker Loader"),
    BindingKind("vpc_services", ("vpc_services",), "binding", "VPC service"),
    BindingKind("streaming_tail_consumers", ("streaming_tail_consumers",), "service",
                "streaming tail consumer"),
    BindingKind("vpc_networks", ("vpc_networks",), "binding", "VPC network",
                one_of=("tunnel_id", "network_id")),
    BindingKind("stream", ("stream",), "binding", "Stream binding", single=True),
    BindingKind("artifacts", ("artifacts",), "binding", "Artifacts namespace",
                required=("namespace",)),
    BindingKind("flagship", ("flagship",), "binding", "Flagship binding"),
    BindingKind("ai_search", ("ai_search",), "binding", "AI Search instance",
                required=("instance_name",)),
    BindingKind("ai_search_namespaces", ("ai_search_namespaces",), "binding",
                "AI Search namespace", required=("namespace",)),
    BindingKind("agent_memory", ("agent_memory",), "binding", "Agent Memory namespace",
                required=("namespace",)),
    # `[[unsafe.bindings]]`: a rate limiter before `ratelimits` existed, among others
    BindingKind("unsafe.bindings", ("unsafe", "bindings"), "name", "unsafe binding"),
)
KINDS_BY_NAME = {kind.kind: kind for kind in BINDING_KINDS}
# The sections that are a table of arrays of bindings (`[durable_objects]` holding
# `bindings`), with their arrays; wrangler requires `durable_objects.bindings`.
_CONTAINERS = {kind.path[0]: tuple(other.path[1] for other in BINDING_KINDS
                                   if other.path[0] == kind.path[0])
               for kind in BINDING_KINDS if len(kind.path) == 2}
_REQUIRED_ARRAY = {"durable_objects": "bindings"}

_TOML_KEY_TUPLE = re.compile(r"\((?:'(?:[^'\\]|\\.)*',\s*)+(?:'(?:[^'\\]|\\.)*')?\)")
_TOML_ERROR = re.compile(r"\(at line (\d+), column (\d+)\)")
_JSON5_ERROR = re.compile(r"^<string>:(\d+) (.*) at column (\d+)")
_TOML_HEADER = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$")  # no lazy group: linear
# Characters that would break a message onto another line (json5 quotes the one it did not
# expect, a newline included).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BOM = "\ufeff"  # wrangler reads past a byte order mark, as tomllib and json do not


# tomllib's words for a quote left open in a line; for a string or an array left open to the
# end of the file, with the marks that open it.
_OPEN_QUOTE = {"Illegal character '\\n'", "Found invalid character '\\n'"}
_OPEN_AT_END = {"Unterminated string": ('"""', '"'), 'Expected "\'"': ("'",),
                'Expected "\'\'\'"': ("'''",), "Unclosed array": ("[",),
                "Unclosed inline table": ("{",)}
_SCANNED = 1024 * 1024  # characters parsed again, at most, to find where that opens


def toml_error(path: str, text: str, exc: tomllib.TOMLDecodeError) -> ConfigParseError:
    """tomllib's error for the TOML `text` of `path`, in words and at the place a reader
    needs: where a string or an array left open to the end of the file opens (tomllib says
    "at end of document"), else just past the last text."""
    found = _TOML_ERROR.search(str(exc))
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    message = _TOML_ERROR.sub("", str(exc)).strip()
    at_end = message.endswith(" (at end of document)")
    opened = _OPEN_AT_END.get(message.removesuffix(" (at end of document)")) if at_end else None
    if message in _OPEN_QUOTE:
        message = ("a quote is not closed before the end of the line: close it (a string of"
                   ' several lines is written between `"""`)')
    elif message == "Unclosed array":  # a table's header read as an item of it
        message = "an array (`[`) above is not closed: a `]` is missing before this line"
    elif message == "Unclosed inline table":
        message = "an inline table (`{`) is not closed on its line: a `}` is missing"
    elif opened:
        message = ("an array (`[`) is not closed before the end of the file" if opened == ("[",)
                   else "an inline table (`{`) is not closed before the end of the file"
                   if opened == ("{",) else "a quote is not closed before the end of the file")
    if at_end:
        lines = text.rstrip().split("\n")
        line, column = _where_opened(lines, opened) if opened else (len(lines), len(lines[-1]) + 1)
    # tomllib names a table by its key tuple: "Cannot declare ('env', 'x') twice"
    message = _TOML_KEY_TUPLE.sub(lambda key: "[" + ".".join(
        re.findall(r"'((?:[^'\\]|\\.)*)'", key[0])) + "]", message)
    return ConfigParseError(path, line, column, message)


def _where_opened(lines: list[str], marks: tuple[str, ...]) -> tuple[int, int]:
    """The line and column of the mark (`[`, a quote) that opens what is left open to the
    end of the TOML text of `lines`; the end of the last line when that is too far back."""
    line = _opening_line(lines) or len(lines)
    if marks in (("[",), ("{",)):
        text = lines[line - 1]
        at = text.find(marks[0], text.find("=") + 1)  # the value's, not one inside it
    else:  # a string may open on a line after an array that holds it
        line = next((number for mark in marks for number in range(line, len(lines) + 1)
                     if mark in lines[number - 1]), line)
        at = next((found for mark in marks if (found := lines[line - 1].rfind(mark)) >= 0), -1)
    return line, (at + 1 if at >= 0 else len(lines[line - 1]) + 1)


def _opening_line(lines: list[str]) -> int | None:
    """The line that opens what is left open to the end of a TOML text of `lines`: every
    text from it on fails, the text before it does not (an error there would have been
    tomllib's first); None past _SCANNED characters."""
    spent = 0
    for before in range(len(lines) - 1, 0, -1):
        prefix = "\n".join(lines[:before]) + "\n"  # also after a `\r`: CRLF
        spent += len(prefix)
        if spent > _SCANNED:
            return None
        try:
            tomllib.loads(prefix)
        except tomllib.TOMLDecodeError:
            continue
        return before + 1
    return 1


def parse(path: str, text: str) -> dict[str, Any]:
    """Parse a wrangler config; raise ConfigParseError with the line and column on failure."""
    text = text.removeprefix(_BOM)  # one character of line 1: the positions stay right
    if path.endswith(".toml"):
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise toml_error(path, text, exc) from exc
        except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
            raise ConfigParseError(path, None, None, _unreadable(exc)) from exc
        # Dotted keys nest without brackets: `[t.t.t.…]` of 1,000 parts is 2 KB.
        _not_too_deep(path, text, parsed, ".[{")
        return parsed
    if not text.strip():  # json5 says only "Empty strings are not legal JSON5"
        raise ConfigParseError(path, 1, 1, "the file is empty: no JSON object")
    try:
        data = _json(text)
    except RecursionError as exc:
        raise ConfigParseError(path, None, None, _unreadable(exc)) from exc
    except (NotJsonc, BrokenJson) as exc:
        raise ConfigParseError(path, *in_text(text, exc.line, exc.column), str(exc)) from exc
    except ValueError as exc:  # json5's own (what _json reads without json)
        broken = BrokenJson(exc)
        raise ConfigParseError(path, *in_text(text, broken.line, broken.column), str(broken)) from exc
    if not isinstance(data, dict):
        raise ConfigParseError(path, 1, 1, "the top level is not an object")
    checked: dict[str, Any] = json_checked(path, text, data)
    return checked


MAX_DEPTH = 64  # a config nested deeper is no config (and no JSON output could hold it)
# An escaped UTF-16 surrogate: `"\ud83d"` alone is no character, and no output can write it.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def json_checked(path: str, text: str, data: Any) -> Any:
    """`data` read from the JSON `text`, with a lone surrogate replaced by U+FFFD; raise
    ConfigParseError if it is nested deeper than MAX_DEPTH."""
    _not_too_deep(path, text, data, "[{")
    if not _SURROGATE.search(text):
        return data
    return map_strings(data, lambda string: string.encode("utf-16", "surrogatepass").decode(
        "utf-16", "replace"))


def _not_too_deep(path: str, text: str, data: Any, marks: str) -> None:
    """Raise ConfigParseError if `data`, read from `text`, is nested deeper than MAX_DEPTH;
    each of `marks` can open a level (fewer than MAX_DEPTH of them: no need to look)."""
    if sum(map(text.count, marks)) > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise ConfigParseError(path, None, None, f"nested more than {MAX_DEPTH} levels deep:"
                                                 " not read")


def _depth(value: Any, depth: int = 0) -> int:
    """How deep `value` is nested, counted up to just past MAX_DEPTH."""
    items = (value.values() if isinstance(value, dict) else value if isinstance(value, list)
             else ())
    if depth > MAX_DEPTH or not items:
        return depth
    return max(_depth(item, depth + 1) for item in items)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` read from JSON with `change` made to each of its strings, keys too."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    if isinstance(value, dict):
        return {change(str(key)): map_strings(item, change) for key, item in value.items()}
    return value


def _one_line(message: str) -> str:
    return _CONTROL.sub(lambda found: ascii(found[0])[1:-1], message)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    return f"cannot be read: {exc}"


# A double-quoted JSON string (kept), or a comment (dropped).
# A string left open is taken whole too: else each of its `\"` would start another try.
_STRING_OR_COMMENT = re.compile(r'("(?:[^"\\\n]|\\.)*"?)|//[^\n]*|/\*.*?(?:\*/|\Z)', re.DOTALL)


_NOT_A_LINE_BREAK = re.compile(r"[^\n]")
# A double-quoted JSON string (kept), or a comma before `}` or `]` (dropped).
_STRING_OR_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*"?)|,(?=\s*[}\]])')
# A double-quoted JSON string, or a number JSON has not.
_STRING_OR_CONSTANT = re.compile(r'("(?:[^"\\\n]|\\.)*"?)|(-?Infinity|NaN)')


class NotJsonc(ValueError):
    """JSON5 that is no JSONC: wrangler's parser (jsonc-parser, trailing commas allowed)
    rejects single quotes, unquoted keys, hexadecimal numbers, ...; json's error at `line`,
    `column`."""

    def __init__(self, error: json.JSONDecodeError) -> None:
        super().__init__(f"not JSON with comments, as wrangler reads it (JSON5 syntax?): {error.msg}")
        self.line, self.column = error.lineno, error.colno


def _json(text: str) -> Any:
    """The value of a JSON or JSONC text (comments and trailing commas) as wrangler reads it;
    json5's error for a text that is neither, NotJsonc for JSON5 that is not JSONC.

    Without its comments (blanked: positions stay) a JSONC text is JSON, which
    the standard library reads, fast; then without trailing commas too. json5 (pure Python,
    slow) gives the error messages of broken text.
    """
    plain = _STRING_OR_COMMENT.sub(lambda found: found[1] or _NOT_A_LINE_BREAK.sub(" ", found[0]), text)
    try:
        try:
            return json.loads(plain, parse_constant=_no_constant)
        except json.JSONDecodeError:
            pass
        try:
            return json.loads(_STRING_OR_TRAILING_COMMA.sub(lambda found: found[1] or " ", plain),
                              parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            try:
                json5.loads(text)
            except ValueError as broken:  # broken for json5 too: its error, and json's words
                raise BrokenJson(broken, error) from None
            raise NotJsonc(error) from None
    except _Constant as constant:  # at the first one, outside strings
        where = next((found.start(2) for found in _STRING_OR_CONSTANT.finditer(plain) if found[2]), 0)
        raise NotJsonc(json.JSONDecodeError(f"{constant} is not a JSON value", plain, where)) from None


# What json says it expected, where json5 only says what it did not.
_EXPECTED = {"Expecting ',' delimiter": "`,`", "Expecting ':' delimiter": "`:`",
             "Expecting value": "a value",
             "Expecting property name enclosed in double quotes": "a property name in double quotes"}
_JSON5_UNEXPECTED = re.compile(r'^Unexpected "(.*)"$', re.DOTALL)


class BrokenJson(ValueError):
    """A text neither JSON nor JSON5: json5's error (`Unexpected "}"`) in words, at its
    `line` and `column` (None when json5 does not say), with what json expected there."""

    def __init__(self, broken: ValueError, error: json.JSONDecodeError | None = None) -> None:
        message = _one_line(str(broken))
        found = _JSON5_ERROR.match(message)
        if not found:
            super().__init__(message)
            self.line: int | None = None
            self.column: int | None = None
            return
        self.line, self.column = int(found[1]), int(found[3])
        what = found[2]
        character = _JSON5_UNEXPECTED.match(what)
        if character:  # json5 quotes the character in quote marks, `"` too: shown as code
            what = "unexpected " + ("space" if character[1] == " " else code(character[1]))
        elif what.startswith("Unexpected "):
            what = "unexpected " + what.removeprefix("Unexpected ")
        expected = _EXPECTED.get(error.msg) if error else None
        if expected and error and (error.lineno, error.colno) == (self.line, self.column):
            what += f", expected {expected}"
        super().__init__(what)


class _Constant(ValueError):
    """`NaN`, `Infinity` or `-Infinity`: json (and JSON5) reads them, wrangler does not."""


def _no_constant(name: str) -> NoReturn:
    raise _Constant(name)


# Keys an environment takes from the top level unless it sets them (wrangler's "inheritable").
INHERITABLE = frozenset({
    "name", "main", "compatibility_date", "compatibility_flags", "account_id", "workers_dev",
    "preview_urls", "route", "routes", "tsconfig", "jsx_factory", "jsx_fragment", "migrations",
    "triggers", "rules", "build", "no_bundle", "find_additional_modules", "base_dir",
    "preserve_file_names", "minify", "keep_names", "logpush", "limits", "observability",
    "upload_source_maps", "placement", "assets", "usage_model", "node_compat", "exports",
})
# An environment's settings are the inheritable keys it takes or sets, and the others it
# declares itself (`containers`, `define`, ...); not its bindings and vars, read apart.
_NOT_SETTINGS = frozenset({kind.path[0] for kind in BINDING_KINDS} | {"vars"})


# Per line of a config: the environment it belongs to ("" top level, None for comments and
# blank lines), and the keys it declares, each with the path of the table holding it.
Layout = tuple[list[str | None], list[list[tuple[str, tuple[str, ...]]]]]
_TOML_KEY = re.compile(r"^\s*([\w-]+|\"[^\"]*\"|'[^']*')"
                       r"((?:\s*\.\s*(?:[\w-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _env_of(path: Sequence[str]) -> str:
    return path[1] if len(path) > 1 and path[0] == "env" else ""


# What _open_string reads: multi-line string delimiters, one-line strings, a comment.
_TOML_TOKEN = re.compile(r"""\"\"\"|'''|"(?:[^"\\]|\\.)*"|'[^']*'|#""")
_TOML_CLOSE = {'"""': re.compile(r'(?<!\\)(?:\\\\)*"""'), "'''": re.compile("'''")}


def _open_string(line: str, delimiter: str | None) -> str | None:
    """The delimiter of the multi-line string still open at the end of `line`, given the
    one open at its start (None: none is)."""
    return _toml_comment(line, delimiter)[1]


def _toml_comment(line: str, delimiter: str | None) -> tuple[list[tuple[int, int]], str | None]:
    """The comment of a TOML `line` as a span ([] or one: a `#` in a string starts none),
    and the delimiter of the multi-line string still open at its end, given the one open at
    its start (None: none is)."""
    index = 0
    while True:
        if delimiter is not None:
            closed = _TOML_CLOSE[delimiter].search(line, index)
            if closed is None:
                return [], delimiter
            index, delimiter = closed.end(), None
            continue
        token = _TOML_TOKEN.search(line, index)
        if token is None or token[0] == "#":
            return [(token.start(), len(line))] if token else [], None
        index = token.end()
        if token[0] in _TOML_CLOSE:
            delimiter = token[0]


def _json_comments(line: str, in_comment: bool) -> tuple[list[tuple[int, int]], bool]:
    """The spans of the comments of a JSONC `line` (`//`, `/* */`; not in a string), and
    whether a block comment is still open at its end, given whether one is at its start."""
    spans: list[tuple[int, int]] = []
    start = index = 0
    while True:
        if in_comment:
            end = line.find("*/", index)
            if end < 0:
                return [*spans, (start, len(line))], True
            spans.append((start, end + 2))
            index, in_comment = end + 2, False
        token = _JSON_TOKEN.search(line, index)
        if token is None:
            return spans, False
        if token[0] == "//":
            return [*spans, (token.start(), len(line))], False
        start, index, in_comment = token.start(), token.end(), token[0] == "/*"


# A part of a dotted TOML key: quoted (`"eu.prod"`, a dot inside) or bare.
_KEY_PART = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^.\"']+")


def _dotted(text: str) -> tuple[str, ...]:
    """The parts of a dotted TOML key: `env."eu.prod".vars` is env, eu.prod, vars."""
    return tuple(part for found in _KEY_PART.findall(text)
                 if (part := found.strip().strip("\"'")) or found.strip())


def _toml_layout(lines: Sequence[str]) -> Layout:
    scopes: list[str | None] = []
    keys: list[list[tuple[str, tuple[str, ...]]]] = []
    header: tuple[str, ...] = ()
    opened: tuple[str, ...] = ()  # the table holding the last key, whose value may go on
    string: str | None = None  # the delimiter of a multi-line string that goes on
    for line in lines:
        declared: list[tuple[str, tuple[str, ...]]] = []
        if string is not None:  # inside a multi-line string: nothing here is a key or value
            string = _open_string(line, string)
            scopes.append(None)
            keys.append(declared)
            continue
        if '"""' in line or "'''" in line:
            string = _open_string(line, None)
        if line.lstrip().startswith("#") or not line.strip():
            scopes.append(None)
            keys.append(declared)
            continue
        if found := _TOML_HEADER.match(line):
            header = _dotted(found[1])
            path = opened = header
            declared = [(part, header[:index]) for index, part in enumerate(header)]
        elif key := _TOML_KEY.match(line):
            dotted = (key[1].strip("\"'"), *_dotted(key[2] or ""))
            opened = header + dotted[:-1]  # env.production.name = "x" is production's
            path = header + dotted  # so is `production = { ... }` under [env]
            declared = [(part, header + dotted[:index]) for index, part in enumerate(dotted)]
        else:  # neither a header nor a key: the next line of a multi-line array or string
            path = opened
        scopes.append(_env_of(path))
        keys.append(declared)
    return scopes, keys


# What _json_layout reads: comment starts, strings (to the end of the line when unclosed),
# brackets and commas, and runs of anything else.
_JSON_TOKEN = re.compile(r"""/\*|//|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[{}\[\],]|[^\s/"'{}\[\],]+|/""")


def _json_layout(lines: Sequence[str]) -> Layout:
    """The same for JSON/JSONC: tracks strings, comments and nesting.

    Values are json5's; this only tells where each key is written.
    """
    scopes: list[str | None] = []
    keys: list[list[tuple[str, tuple[str, ...]]]] = []
    stack: list[str] = []  # the key that opened each enclosing object or array ("" for none)
    key = ""
    in_comment = False
    for line in lines:
        scope: str | None = None
        declared: list[tuple[str, tuple[str, ...]]] = []
        index = 0
        if in_comment:
            end = line.find("*/")
            in_comment, index = (True, len(line)) if end < 0 else (False, end + 2)
        while not in_comment and (token := _JSON_TOKEN.search(line, index)) is not None:
            text, index = token[0], token.end()
            if text == "/*":
                end = line.find("*/", index)
                in_comment, index = (True, len(line)) if end < 0 else (False, end + 2)
                continue
            if text == "//":
                break
            scope = scope or _env_of(stack[1:])
            if text[0] in "\"'":
                if line[index:].lstrip().startswith(":"):
                    key = text[1:-1] if len(text) > 1 and text[-1] == text[0] else text[1:]
                    declared.append((key, tuple(stack[1:])))
            elif text in "{[":
                stack.append(key)
                key = ""
                scope = scope or _env_of(stack[1:])
            elif text in "}]":
                if stack:
                    stack.pop()
            elif text == ",":
                key = ""
        scopes.append(scope)
        keys.append(declared)
    return scopes, keys


def lines_of(text: str) -> list[str]:
    """A config's lines as tomllib, json and ripgrep number them: ended by `\\n` only
    (`str.splitlines` also ends one at U+2028, U+0085, a form feed or a lone `\\r`, which a
    TOML or JSON string or comment may hold), without the `\\r` of CRLF."""
    lines = text.removeprefix(_BOM).split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


class _Source:
    """Finds the line where a key or a binding is written, within one environment's lines."""

    def __init__(self, text: str, toml: bool) -> None:
        self.lines = lines_of(text)
        self.scopes, keys = _toml_layout(self.lines) if toml else _json_layout(self.lines)
        self.declared: dict[tuple[str, tuple[str, ...]], int] = {}
        for number, declared in enumerate(keys, 1):
            for found in declared:
                self.declared.setdefault(found, number)
        self.starts: dict[str | None, int] = {}  # each environment's first line
        for number, scope in enumerate(self.scopes, 1):
            self.starts.setdefault(scope, number)

    def start(self, scope: str) -> int | None:
        """The first line of an environment's section."""
        return self.starts.get(scope)

    def declaration(self, path: Sequence[str], scope: str) -> int | None:
        """The line that declares the table or key at `path` of an environment."""
        return self.declared.get((path[-1], (("env", scope) if scope else ()) + tuple(path[:-1])))

    def pair(self, key: str, value: object, scope: str, after: int = 0) -> int | None:
        """The line of `key = value` (TOML) or `"key": value` (JSON)."""
        shown = _value_text(value)
        for index in range(max(after, 0), len(self.lines)):
            line = self.lines[index]
            if (self.scopes[index] == scope and key in line and shown in line
                    and _holds_pair(line, key, shown, isinstance(value, str))):
                return index + 1
        return None

    def key(self, key: str, scope: str, after: int = 0) -> int | None:
        """The line of `key =` (TOML) or `"key":` (JSON), whatever its value."""
        for index in range(max(after, 0), len(self.lines)):
            line = self.lines[index]
            if self.scopes[index] == scope and key in line and _holds_pair(line, key, "", False):
                return index + 1
        return None


_AFTER_KEY = re.compile(r"[\"']?\s*[=:]\s*")
_QUOTES = ("\"", "'")


def _holds_pair(line: str, key: str, value: str, quoted: bool) -> bool:
    """Whether `line` matches `(?:^|[\\s{,"'])KEY["']?\\s*[=:]\\s*VALUE`, VALUE in quotes
    when `quoted` (else it is json.dumps text, which starts with no space), read without
    compiling a pattern for each key and value: thousands of configs hold thousands of
    distinct ids."""
    start = line.find(key)
    while start >= 0:
        separator = ((start == 0 or line[start - 1].isspace() or line[start - 1] in "{,\"'")
                     and _AFTER_KEY.match(line, start + len(key)))
        if separator:
            end = separator.end()
            if quoted and (line.startswith(_QUOTES, end) and line.startswith(value, end + 1)
                           and line.startswith(_QUOTES, end + 1 + len(value))):
                return True
            if not quoted and line.startswith(value, end):
                return True
        start = line.find(key, start + 1)
    return False


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


def _section(data: dict[str, Any], kind: BindingKind) -> Any:
    """What holds the entries of a binding kind: the array (or, for a single kind, the
    table) at its path; for Durable Objects written as wrangler refuses them but meant
    plainly (`[[durable_objects]]`, or `[durable_objects]` with `name` and `class_name`),
    what is written, so that their classes are still audited."""
    found = _dig(data, kind.path)
    written = data.get(kind.path[0])
    if found is None and kind.kind == "durable_objects" and (
            isinstance(written, list) or (isinstance(written, dict) and "class_name" in written)):
        return written
    return found


def _bindings(path: str, data: dict[str, Any], source: _Source,
              scope: str) -> tuple[Binding, ...]:
    found = []
    for kind in BINDING_KINDS:
        if kind.path[0] not in data:
            continue
        entries = list(_entries(_section(data, kind)))
        # Each entry is searched for after the previous one, from the kind's declaration.
        cursor = (source.declaration(kind.path, scope)
                  or source.declaration(kind.path[:1], scope)) if entries else None
        claimed: set[tuple[str, int]] = set()  # (key, line) taken by an earlier entry
        for entry in entries:
            after = (cursor or 1) - 1
            key_lines = {}
            for key, value in entry.items():
                if not isinstance(value, str | int | float | bool):
                    continue
                # By its value, else by its key: a value written otherwise (`"C\u0041RT"`).
                def find(start: int, key: str = key, value: object = value) -> int | None:
                    return source.pair(key, value, scope, start) or source.key(key, scope, start)
                line = find(after)
                if line is not None and (key, line) in claimed:  # the same `id = "0…0"` again
                    line = find(line)
                if line is not None:
                    key_lines[key] = line
            claimed.update(key_lines.items())
            name = _value_text(entry.get(kind.name_key, ""))
            line = key_lines.get(kind.name_key) or cursor
            # The next entry starts on this entry's last line at the earliest (one-line JSON).
            cursor = max(key_lines.values()) if key_lines else cursor
            found.append(Binding(kind=kind.kind, name=name, properties=dict(entry),
                                 environment=scope, key_lines=key_lines,
                                 location=Location(path=path, start_line=line and min(
                                     line, len(source.lines) or 1))))
    return tuple(found)


def _written(value: Any, toml: bool) -> str:
    """What a value is, in the words of its config's syntax: `an array of tables`, `an
    object`, `a string`, `null` (JSON's)."""
    table = "a table" if toml else "an object"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return table
    if isinstance(value, list):
        if not value:  # `[]`, where a table is expected
            return "an empty array"
        if all(isinstance(entry, dict) for entry in value):
            return "an array of " + table.split(" ", 1)[1] + "s"
        return "an array with entries that are not " + table.split(" ", 1)[1] + "s"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "a date" if isinstance(value, (datetime.date, datetime.time)) else "a number"


def _expected(key: str, scope: str, toml: bool) -> str:
    """The shape wrangler reads section `key` (`kv_namespaces`, `durable_objects.bindings`)
    in, as the config's syntax writes it."""
    header = f"env.{scope}.{key}" if scope else key
    if key in _CONTAINERS:
        arrays = _CONTAINERS[key]
        what = (f"{'a table' if toml else 'an object'} with"
                f" {'an array' if len(arrays) == 1 else 'arrays'} {' and '.join(map(code, arrays))}")
        if toml:
            return what + " (" + ", ".join(code(f"[[{header}.{array}]]") for array in arrays) + ")"
        return what + " (" + code(f'"{key}": {{ ' + ", ".join(
            f'"{array}": [{{ ... }}]' for array in arrays) + " }") + ")"
    leaf = key.rsplit(".", 1)[-1]
    if any(kind.single and kind.kind == key for kind in BINDING_KINDS):
        return ("a table " + code(f"[{header}]") if toml
                else "an object " + code(f'"{leaf}": {{ ... }}'))
    return ("an array of tables " + code(f"[[{header}]]") if toml
            else "an array of objects " + code(f'"{leaf}": [{{ ... }}]'))


def refused_sections(path: str, data: dict[str, Any], source: _Source,
                     scope: str) -> list[ConfigParseError]:
    """The binding sections of a scope written in a shape wrangler's validation refuses, as
    errors at their lines: it then refuses the whole config. `[[durable_objects]]` (wrangler
    reads a table with an array `bindings`), `[kv_namespaces]` as one table, `"queues":
    [...]`, `[[ai]]`, an array of strings."""
    toml = path.endswith(".toml")
    prefix = f"env.{scope}." if scope else ""
    refused = []

    def refuse(key: str, value: Any, missing: str = "") -> None:
        parts = tuple(key.split("."))
        line = (source.declaration(parts, scope) or source.declaration(parts[:1], scope)
                or source.start(scope))
        said = f"has no {code(missing)}" if missing else f"is {_written(value, toml)}"
        refused.append(ConfigParseError(path, line, None, (
            f"{code(prefix + key)} {said}, where wrangler expects {_expected(key, scope, toml)}:"
            " wrangler refuses the config, so it cannot be deployed")))

    for root in dict.fromkeys(kind.path[0] for kind in BINDING_KINDS):
        if root not in data:
            continue
        value = data[root]
        if root in _CONTAINERS:
            if not isinstance(value, dict):
                refuse(root, value)
                continue
            required = _REQUIRED_ARRAY.get(root)
            if required is not None and required not in value:
                refuse(root, value, missing=required)
            arrays = [(f"{root}.{array}", value[array]) for array in _CONTAINERS[root]
                      if array in value]
        elif KINDS_BY_NAME[root].single:
            if not isinstance(value, dict):
                refuse(root, value)
            continue
        else:
            arrays = [(root, value)]
        for key, entries in arrays:
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                refuse(key, entries)
    return refused


def worker_consumer(binding: Binding) -> bool:
    """Whether a binding is a queue's Worker consumer: a `[[queues.consumers]]` entry that is
    not an HTTP pull consumer (`type = "http_pull"`), which pulls over HTTP, from outside."""
    return binding.kind == "queues.consumers" and binding.properties.get("type") != "http_pull"


def _value_text(value: object) -> str:
    """A value as it is written: strings as they are, TOML dates and times as ISO text, others
    as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    try:
        return json.dumps(value, default=str)
    except ValueError:  # an integer past Python's 4,300-digit limit
        return "(a number too long to show)"


def _vars(path: str, data: dict[str, Any], source: _Source, scope: str) -> tuple[Var, ...]:
    values = data.get("vars")
    if not isinstance(values, dict):
        return ()
    cursor = source.declaration(("vars",), scope) or 1
    # By key first: the value as written may differ from its text ("\u0021", a table).
    return tuple(
        Var(name=name, value=_value_text(value),
            location=Location(path=path, start_line=source.declaration(("vars", name), scope)
                              or source.pair(name, value, scope, cursor - 1) or cursor))
        for name, value in values.items()
    )


def _target(data: dict[str, Any]) -> str:
    """"pages", "worker" (a `main` or `assets`, at the top level or only in its
    environments), or "unknown"."""
    if "pages_build_output_dir" in data:
        return "pages"
    envs = data.get("env")
    tables = [data, *(envs.values() if isinstance(envs, dict) else ())]
    if any(isinstance(table, dict) and ("main" in table or "assets" in table) for table in tables):
        return "worker"
    return "unknown"


def _environment(path: str, name: str, table: dict[str, Any], inherited: dict[str, Any],
                 source: _Source, pages: bool = False) -> Environment:
    own = {key: value for key, value in table.items()
           if key not in _NOT_SETTINGS and key != "env"}
    if name and "name" not in own and isinstance(inherited.get("name"), str) and not pages:
        # wrangler's name for a Worker's environment; a Pages project keeps its name
        own["name"] = f"{inherited['name']}-{name}"
    return Environment(
        name=name, location=Location(path=path, start_line=source.start(name) if name else 1),
        settings={**inherited, **own},
        bindings=_bindings(path, table, source, name), vars=_vars(path, table, source, name),
        declared=tuple(key for key in table if key != "env"),
        key_lines={key: line for key in table
                   if (line := source.declaration((key,), name)) is not None})


def load(path: str, text: str, refused: list[ConfigParseError] | None = None) -> WranglerConfig:
    """Build the facts of one config file. Raises ConfigParseError when it cannot be parsed;
    adds to `refused` the binding sections, of the top level and of each environment, in a
    shape wrangler refuses (refused_sections): the rest of the config is read on."""
    data = parse(path, text)
    source = _Source(text, toml=path.endswith(".toml"))
    top = _environment(path, "", data, {}, source)
    inherited = {key: value for key, value in top.settings.items() if key in INHERITABLE}
    tables = data.get("env")
    if refused is not None:
        refused += refused_sections(path, data, source, "")
        refused += [error for name, table in (tables.items() if isinstance(tables, dict) else ())
                    if isinstance(table, dict)
                    for error in refused_sections(path, table, source, str(name))]
    environments = tuple(
        _environment(path, str(env_name), table, inherited, source, _target(data) == "pages")
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
        queue_consumer=any(worker_consumer(binding) for binding in top.bindings),
        compatibility_date=(_value_text(data["compatibility_date"])
                            if "compatibility_date" in data else None),
        compatibility_flags=tuple(str(flag) for flag in flags) if isinstance(flags, list) else (),
        placement=placement if isinstance(placement, dict) else None,
        placement_location=top.location_of("placement") if placement is not None else None,
        top=top,
        environments=environments,
        text=text,
    )


_SUPPRESSION = re.compile(r"(?:#|//|/\*)\s*auditlib:\s*ignore\[([A-Za-z0-9_,\s-]+)\]\s*(.*)$")


def suppressions(path: str, text: str) -> list[Suppression]:
    """Inline `# auditlib: ignore[CF001,CF002] reason` comments (`//` or `/* */` in JSONC,
    `#` in TOML and YAML); the same text in a string value is none."""
    found: list[Suppression] = []
    if "auditlib" not in text:
        return found
    toml = not path.endswith((".json", ".jsonc"))
    string: str | None = None  # TOML: the delimiter of a multi-line string that goes on
    in_comment = False  # JSONC: whether a block comment goes on
    for number, line in enumerate(lines_of(text), 1):
        if toml:
            comments, string = _toml_comment(line, string)
        else:
            comments, in_comment = _json_comments(line, in_comment)
        match = next((hit for start, end in comments
                      if (hit := _SUPPRESSION.search(line, start, end))), None)
        if match:
            rules = tuple(rule.strip().upper() for rule in match[1].split(",") if rule.strip())
            found.append(Suppression(location=Location(path=path, start_line=number),
                                     rules=rules,
                                     reason=match[2].rstrip().removesuffix("*/").rstrip(),
                                     own_line=line.lstrip().startswith(("#", "//", "/*"))))
    return found
