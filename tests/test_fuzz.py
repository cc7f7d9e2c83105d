"""Property-based tests: every parser auditlib wrote or wrapped yields facts or ConfigParseError.

Each property feeds one parser arbitrary text and near-valid structured input. Every bug found
this way (and by reading the parsers) is pinned by a minimal regression test, the `test_bug_*`
tests, with the exact input that failed.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from types import FrameType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditlib import claims, codesearch, configfile, docs, placeholders, secrets, workflows, wrangler
from auditlib.config import AuditConfig
from auditlib.errors import ConfigParseError
from auditlib.model import Claim, LatencyMonitor, Location, Match, WranglerConfig
from auditlib.rules import RULES

Draw = Callable[[st.SearchStrategy[Any]], Any]


def fuzz(examples: int) -> settings:
    """Settings of one property: no deadline, no example database written into the project."""
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _known(call: Callable[[], object]) -> object:
    """The facts `call` returns, or None for its ConfigParseError; any other exception
    fails the property."""
    try:
        return call()
    except ConfigParseError:
        return None


def _facts_or_parse_error(call: Callable[[], object]) -> object:
    """What a regression test checks: the parser returns facts or raises ConfigParseError."""
    try:
        return call()
    except ConfigParseError as exc:
        return exc


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after `seconds` (the regex engine checks signals)."""
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _mutated(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Near-valid text: `base` with a few characters or lines deleted, inserted or duplicated."""
    @st.composite
    def mutate(draw: Draw) -> str:
        text: str = draw(base)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            edit = draw(st.sampled_from(["delete", "insert", "duplicate-line"]))
            if edit == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 4)):]
            elif edit == "insert":
                text = text[:at] + draw(st.text(max_size=4)) + text[at:]
            else:
                lines = text.split("\n")
                index = at % len(lines)
                text = "\n".join([*lines[:index + 1], *lines[index:]])
        return text

    return mutate()


# ---------------------------------------------------------------------------------------------
# Shared text pieces

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_one_line = st.text(st.characters(exclude_characters=_LINE_BREAKS), max_size=20)
# Runs of one short chunk: very long lines.
_long_text = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=3),
                       st.integers(100, 4000))
_bare_key = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)


def _mostly(*shaped: st.SearchStrategy[Any],
            otherwise: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A shaped value, or one from `otherwise` (often of a type the parser does not expect)."""
    return st.one_of(*shaped, otherwise)


def _syntax_text(alphabet: str) -> st.SearchStrategy[str]:
    """Arbitrary text dense in a format's punctuation, so it gets past the first character."""
    return st.text(st.one_of(st.sampled_from(alphabet), st.characters()), max_size=80)


# ---------------------------------------------------------------------------------------------
# TOML (wrangler.toml and auditlib.toml)

def _toml_basic(text: str, multiline: bool = False) -> str:
    """`text` as the body of a TOML basic string (escapes for quotes, backslashes, controls)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\n" if multiline else "\\n")
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


_LITERAL_CHARS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="'")
_toml_string = st.one_of(
    st.text().map(lambda text: f'"{_toml_basic(text)}"'),
    _long_text.map(lambda text: f'"{_toml_basic(text)}"'),
    st.text(_LITERAL_CHARS).map(lambda text: f"'{text}'"),
    st.lists(st.text(max_size=30), max_size=4).map(
        lambda lines: '"""\n' + _toml_basic("\n".join(lines), multiline=True) + '"""'),
    st.lists(st.text(_LITERAL_CHARS, max_size=30), max_size=4).map(
        lambda lines: "'''\n" + "\n".join(lines) + "'''"),
    # Weird quoting: quotes, backslashes and TOML punctuation inside quotes (often invalid).
    st.text(st.sampled_from("\"'\\ #=[]{}.,\t"), max_size=8).map(lambda text: f'"{text}"'),
)
_toml_scalar = st.one_of(
    _toml_string,
    st.integers().map(str),
    st.builds(lambda number, form: form(number), st.integers(0, 2**70),
              st.sampled_from([hex, oct, bin, lambda number: f"{number:_}"])),
    st.floats().map(repr),  # nan, inf, -inf and 1e+16 are TOML too
    st.booleans().map(lambda value: str(value).lower()),
    st.dates().map(date.isoformat),
    st.times().map(time.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.datetimes(timezones=st.sampled_from(
        [UTC, timezone(-timedelta(hours=7, minutes=30))])).map(
        lambda moment: moment.isoformat().replace("+00:00", "Z")),
)
_WRANGLER_KEYS = (
    "name", "main", "compatibility_date", "compatibility_flags", "account_id", "workers_dev",
    "route", "routes", "pages_build_output_dir", "assets", "placement", "mode", "directory",
    "binding", "id", "preview_id", "database_id", "database_name", "bucket_name", "class_name",
    "script_name", "queue", "service", "environment", "vars", "env", "kv_namespaces",
    "d1_databases", "r2_buckets", "durable_objects", "bindings", "queues", "producers",
    "consumers", "services", "ai", "hyperdrive", "triggers", "crons")
_toml_key = st.one_of(
    st.sampled_from(_WRANGLER_KEYS),
    _bare_key,
    st.text(max_size=12).map(lambda text: f'"{_toml_basic(text)}"'),
    st.text(_LITERAL_CHARS, max_size=12).map(lambda text: f"'{text}'"),
)
_dotted_key = st.builds(lambda parts, separator: separator.join(parts),
                        st.lists(_toml_key, min_size=1, max_size=3), st.sampled_from([".", " . "]))


def _toml_array(items: list[str], trailing_comma: bool, multiline: bool) -> str:
    if multiline:
        body = "".join(f"  {item},  # item\n" for item in items)
        return "[\n" + (body if trailing_comma else body.removesuffix(",  # item\n") + "\n") + "]"
    return "[" + ", ".join(items) + ("," if trailing_comma and items else "") + "]"


_toml_value = st.recursive(_toml_scalar, lambda inner: st.one_of(
    st.builds(_toml_array, st.lists(inner, max_size=4), st.booleans(), st.booleans()),
    st.lists(st.tuples(_toml_key, inner), max_size=3).map(
        lambda pairs: "{" + ", ".join(f"{key} = {value}" for key, value in pairs) + "}"),
), max_leaves=8)
_comment_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20)
_suppression = st.builds(
    lambda rules, reason: f"# auditlib: ignore[{rules}] {reason}",
    st.lists(st.sampled_from(["CF001", "cf002", "DR003", "X-1", ""]), min_size=1,
             max_size=3).map(", ".join),
    _comment_text)
_comment_suffix = st.one_of(st.just(""), _comment_text.map(lambda text: f"  # {text}"),
                            _suppression.map(lambda text: " " + text),
                            _long_text.filter(lambda text: "\n" not in text).map(
                                lambda text: f" # {_toml_basic(text)}"))
_toml_pair = st.builds(
    lambda key, equals, value, comment: f"{key}{equals}{value}{comment}",
    _dotted_key, st.sampled_from([" = ", "=", "  =\t", " " * 300 + "= "]), _toml_value,
    _comment_suffix)
_env_name = st.one_of(st.sampled_from(["production", "staging", "dev"]), _bare_key,
                      st.text(max_size=10).map(lambda text: f'"{_toml_basic(text)}"'))
_ARRAY_TABLES = ("kv_namespaces", "d1_databases", "r2_buckets", "queues.producers",
                 "queues.consumers", "services", "durable_objects.bindings", "vectorize",
                 "hyperdrive", "ratelimits", "tail_consumers", "routes", "workflows")
_PLAIN_TABLES = ("vars", "placement", "ai", "browser", "assets", "observability", "triggers",
                 "durable_objects", "queues", "build", "limits")


@st.composite
def _toml_header(draw: Draw) -> str:
    env = draw(st.one_of(st.just(""), _env_name.map(lambda name: f"env.{name}")))
    kind = draw(st.sampled_from(["array", "table", "env", "random"]))
    brackets = ("[[", "]]") if kind == "array" else ("[", "]")
    if kind == "array":
        name = ".".join(filter(None, (env, draw(st.sampled_from(_ARRAY_TABLES)))))
    elif kind == "table":
        name = ".".join(filter(None, (env, draw(st.sampled_from(_PLAIN_TABLES)))))
    elif kind == "env":
        name = env or "env"
    else:
        name = draw(_dotted_key)
        brackets = draw(st.sampled_from([("[", "]"), ("[[", "]]")]))
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return f"{brackets[0]}{pad}{name}{pad}{brackets[1]}{draw(_comment_suffix)}"


_binding_pair = st.builds(
    lambda key, value: f"{key} = {value}",
    st.sampled_from(["binding", "id", "preview_id", "name", "class_name", "database_id",
                     "queue", "service", "bucket_name", "script_name"]),
    st.one_of(st.from_regex(r"[A-Z_]{1,10}|[0-9a-f]{32}", fullmatch=True).map(
        lambda text: f'"{text}"'), _toml_value))


@st.composite
def _toml_documents(draw: Draw, top: st.SearchStrategy[list[str]] | None = None,
                   tables: st.SearchStrategy[list[str]] | None = None) -> str:
    """A TOML document: top-level pairs, then tables with their pairs, comments anywhere."""
    pairs = st.lists(st.one_of(_toml_pair, _binding_pair), max_size=4)
    lines: list[str] = draw(top if top is not None else pairs)
    for header in draw(tables if tables is not None else st.lists(_toml_header(), max_size=6)):
        lines.append(header)
        lines += draw(pairs)
    for _ in range(draw(st.integers(0, 4))):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.one_of(
            st.just(""), _comment_text.map(lambda text: f"# {text}"), _suppression)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


# ---------------------------------------------------------------------------------------------
# JSON / JSONC (wrangler.json, wrangler.jsonc)

_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
_json_key = st.one_of(st.sampled_from(_WRANGLER_KEYS), st.text(max_size=10))
_json_any = st.recursive(_json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_json_key, inner, max_size=4)), max_leaves=12)
_binding_entry = st.fixed_dictionaries({}, optional={
    key: _mostly(st.from_regex(r"[A-Z_]{1,10}|[0-9a-f]{32}", fullmatch=True),
                 otherwise=_json_any)
    for key in ("binding", "id", "preview_id", "name", "class_name", "database_id", "queue",
                "service", "bucket_name")})
_bindings = _mostly(st.lists(_mostly(_binding_entry, otherwise=_json_any), max_size=3),
                    otherwise=_json_any)
_wrangler_settings = st.fixed_dictionaries({}, optional={
    "name": _mostly(st.text(max_size=10), _long_text, otherwise=_json_any),
    "main": st.just("src/index.ts"),
    "pages_build_output_dir": st.just("out"),
    "compatibility_date": _mostly(st.dates().map(date.isoformat), otherwise=_json_any),
    "compatibility_flags": _mostly(st.lists(st.text(max_size=10), max_size=3),
                                   otherwise=_json_any),
    "placement": _mostly(st.just({"mode": "smart"}), otherwise=_json_any),
    "vars": _mostly(st.dictionaries(st.text(max_size=10), st.one_of(_json_any, _long_text),
                                    max_size=4), otherwise=_json_any),
    "kv_namespaces": _bindings,
    "d1_databases": _bindings,
    "services": _bindings,
    "ai": _mostly(_binding_entry, otherwise=_json_any),
    "durable_objects": _mostly(st.fixed_dictionaries({"bindings": _bindings}),
                               otherwise=_json_any),
    "queues": _mostly(st.fixed_dictionaries({}, optional={
        "producers": _bindings, "consumers": _bindings}), otherwise=_json_any),
})
_wrangler_json = st.one_of(
    st.builds(lambda settings, envs, extra: {**extra, **settings, "env": envs},
              _wrangler_settings,
              _mostly(st.dictionaries(st.one_of(st.sampled_from(["production", "staging"]),
                                                st.text(max_size=8)),
                                      _mostly(_wrangler_settings, otherwise=_json_any),
                                      max_size=3), otherwise=_json_any),
              st.dictionaries(_json_key, _json_any, max_size=3)),
    _wrangler_settings,
    _json_any,  # the top level need not be an object: a ConfigParseError
)
_jsonc_comment = st.one_of(
    st.text(st.characters(exclude_characters=_LINE_BREAKS), max_size=15).map(
        lambda text: f"// {text}\n"),
    st.text(max_size=15).filter(lambda text: "*/" not in text).map(lambda text: f"/* {text} */"),
)


@st.composite
def _jsonc(draw: Draw, value: object, depth: int = 0) -> str:
    """`value` written as JSONC/JSON5: random comments, trailing commas, quoting and layout."""
    def gap() -> str:
        comment = draw(st.one_of(st.just(""), _jsonc_comment))
        return comment + draw(st.sampled_from(["", " ", "\n" + "  " * (depth + 1)]))

    if isinstance(value, dict):
        items = [f"{gap()}{draw(_jsonc_key(key))}{gap()}:{gap()}{draw(_jsonc(item, depth + 1))}"
                 for key, item in value.items()]
        trailing = "," if items and draw(st.booleans()) else ""
        return "{" + ",".join(items) + trailing + gap() + "}"
    if isinstance(value, list):
        items = [gap() + draw(_jsonc(item, depth + 1)) for item in value]
        trailing = "," if items and draw(st.booleans()) else ""
        return "[" + ",".join(items) + trailing + gap() + "]"
    if isinstance(value, str) and draw(st.booleans()):
        return "'" + json.dumps(value)[1:-1].replace("\\\"", '"').replace("'", "\\'") + "'"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0 and draw(
            st.booleans()):
        return hex(value)
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


def _jsonc_key(key: str) -> st.SearchStrategy[str]:
    if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key):
        return st.sampled_from([json.dumps(key), key, f"'{key}'"])
    return st.just(json.dumps(key))


_jsonc_document = st.builds(lambda before, body, after: before + body + after,
                            st.one_of(st.just(""), _jsonc_comment), _wrangler_json.flatmap(_jsonc),
                            st.one_of(st.just(""), _jsonc_comment, st.just("\n")))


# ---------------------------------------------------------------------------------------------
# wrangler.load and wrangler.suppressions


def _check_wrangler(path: str, text: str) -> None:
    """Facts or ConfigParseError; every line the facts name is a line of the file."""
    config = _known(lambda: wrangler.load(path, text))
    if config is None:
        return
    assert isinstance(config, WranglerConfig)
    assert (config.path, config.text) == (path, text)
    last = max(len(text.splitlines()), 1)
    for environment in (config.top, *config.environments):
        assert 1 <= (environment.location.start_line or 1) <= last
        assert all(1 <= line <= last for line in environment.key_lines.values())
        assert all(1 <= (var.location.start_line or 1) <= last for var in environment.vars)
        for binding in environment.bindings:
            assert all(1 <= line <= last for line in binding.key_lines.values())
            assert 1 <= (binding.location.start_line or 1) <= last, binding


@fuzz(300)
@given(st.sampled_from(wrangler.CONFIG_NAMES),
       st.one_of(st.text(), _syntax_text('[]{}=."\'#\n ,:/*-_0123456789abcTZ+')))
def test_wrangler_load_arbitrary_text(path: str, text: str) -> None:
    _check_wrangler(path, text)


@fuzz(200)
@given(_toml_documents())
def test_wrangler_load_structured_toml(text: str) -> None:
    _check_wrangler("apps/api/wrangler.toml", text)


@fuzz(100)
@given(_mutated(_toml_documents()))
def test_wrangler_load_mutated_toml(text: str) -> None:
    _check_wrangler("wrangler.toml", text)


@fuzz(150)
@given(st.sampled_from(["wrangler.json", "apps/web/wrangler.jsonc"]),
       st.one_of(_jsonc_document, _wrangler_json.map(json.dumps)))
def test_wrangler_load_structured_jsonc(path: str, text: str) -> None:
    _check_wrangler(path, text)


@fuzz(60)
@given(st.sampled_from(["wrangler.json", "wrangler.jsonc"]), _mutated(_jsonc_document))
def test_wrangler_load_mutated_jsonc(path: str, text: str) -> None:
    _check_wrangler(path, text)


@fuzz(150)
@given(st.sampled_from(wrangler.CONFIG_NAMES),
       st.one_of(st.text(), _toml_documents(), _jsonc_document,
                 st.lists(st.one_of(_suppression, _suppression.map(lambda text: "// " + text[2:]),
                                    _one_line), max_size=6).map("\n".join)))
def test_wrangler_suppressions_never_raise(path: str, text: str) -> None:
    found = wrangler.suppressions(path, text)
    lines = text.splitlines()
    for suppression in found:
        assert suppression.location.path == path
        assert 1 <= (suppression.location.start_line or 0) <= len(lines)


# ---------------------------------------------------------------------------------------------
# workflows.collect

_RUN_LINES = ("npx wrangler deploy", "pnpm exec wrangler@3.90.0 pages deploy out --branch main",
              "wrangler versions deploy", "npx next-on-pages && npx next-on-pages deploy",
              "opennextjs-cloudflare deploy", "echo ${{ secrets.CLOUDFLARE_API_TOKEN }}", "npm ci")
_yaml_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=15), st.dates())
_yaml_any = st.recursive(_yaml_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=3)),
    max_leaves=6)
_secret_ref = st.from_regex(r"[A-Z_]{1,10}", fullmatch=True).map(
    lambda name: f"${{{{ secrets.{name} }}}}")
_run = st.lists(st.one_of(st.sampled_from(_RUN_LINES), st.text(max_size=20)), min_size=1,
                max_size=4).map("\n".join)
_step_extras = {
    "name": st.text(max_size=10),
    "env": st.dictionaries(st.text(max_size=8), _mostly(_secret_ref, otherwise=_yaml_any),
                           max_size=3),
}
_run_step = st.fixed_dictionaries(
    {"run": _mostly(_run, _run.map(lambda text: text + "\n"), otherwise=_yaml_any)},
    optional=_step_extras)
_uses_step = st.fixed_dictionaries(
    {"uses": _mostly(st.sampled_from(["cloudflare/wrangler-action@v3", "actions/checkout@v4",
                                      "./.github/workflows/deploy.yml"]), otherwise=_yaml_any)},
    optional={**_step_extras, "with": _mostly(st.fixed_dictionaries({}, optional={
        "command": _mostly(_run, otherwise=_yaml_any), "apiToken": _secret_ref}),
        otherwise=_yaml_any)})
_step = _mostly(_run_step, _uses_step, otherwise=_yaml_any)
_job = _mostly(
    st.fixed_dictionaries(
        {"steps": st.lists(_step, min_size=1, max_size=4)},
        optional={"runs-on": st.just("ubuntu-latest"),
                  "env": st.dictionaries(st.text(max_size=8), _secret_ref, max_size=2)}),
    st.fixed_dictionaries({"uses": _mostly(st.just("./.github/workflows/deploy.yml"),
                                           otherwise=_yaml_any)}),
    otherwise=_yaml_any)
_workflow = st.fixed_dictionaries(
    {"jobs": st.dictionaries(st.one_of(_bare_key, st.text(max_size=6)), _job, min_size=1,
                             max_size=3)},
    optional={"name": st.text(max_size=10), "on": st.just(["push"]),
              "env": st.dictionaries(st.text(max_size=8), _secret_ref, max_size=2)})


@cache
def _dumper(block_style: str | None) -> type[yaml.SafeDumper]:
    """A SafeDumper writing strings with line breaks in `block_style` (|, >) where it can."""
    def represent(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = block_style if "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    dumper = type(f"Dumper{block_style}", (yaml.SafeDumper,), {})
    dumper.add_representer(str, represent)
    return dumper


def _yaml_text(data: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """`data` dumped as YAML: block scalars or not, flow or block collections, any width."""
    return st.builds(
        lambda value, block, flow, width, unicode, start: yaml.dump(
            value, Dumper=_dumper(block), default_flow_style=flow, width=width,
            allow_unicode=unicode, sort_keys=False, explicit_start=start),
        data, st.sampled_from([None, "|", ">"]), st.sampled_from([False, None, True]),
        st.sampled_from([20, 80, 10_000]), st.booleans(), st.booleans())


_workflow_yaml = _yaml_text(_workflow)


def _check_workflow(path: str, text: str) -> None:
    """Facts or ConfigParseError; each deploy step is at a line of the file."""
    found = _known(lambda: workflows.collect(path, text))
    if found is None:
        return
    assert isinstance(found, tuple)
    workflow, steps = found
    assert workflow.path == path
    lines = len(text.splitlines())
    for step in steps:
        assert (step.location.path, step.workflow) == (path, path)
        assert 1 <= (step.location.start_line or 0) <= lines, step


@fuzz(300)
@given(st.one_of(st.text(), _syntax_text("-:|>[]{}#&*!?,'\"\n  "), _yaml_text(_yaml_any)))
def test_workflows_collect_arbitrary_text(text: str) -> None:
    _check_workflow(".github/workflows/ci.yml", text)


@fuzz(250)
@given(_workflow_yaml)
def test_workflows_collect_structured(text: str) -> None:
    _check_workflow(".github/workflows/deploy.yml", text)


@fuzz(80)
@given(_mutated(_workflow_yaml))
def test_workflows_collect_mutated(text: str) -> None:
    _check_workflow(".github/workflows/deploy.yml", text)


# ---------------------------------------------------------------------------------------------
# docs.read_header (docs.read_document is tested below, with the Markdown strategies)

_header_line = st.builds(lambda key, value: f"{key}: {value}",
                         st.from_regex(r"[A-Z][A-Za-z-]{0,10}", fullmatch=True), _one_line)


@fuzz(300)
@given(st.lists(st.one_of(_header_line, st.text()), max_size=8))
def test_docs_read_header_never_raises(lines: list[str]) -> None:
    header, header_lines, index = docs.read_header(lines)
    assert 0 <= index <= len(lines)
    assert set(header) == set(header_lines)
    assert all(1 <= number <= index for number in header_lines.values())


# ---------------------------------------------------------------------------------------------
# claims.read_claims

_md_text = st.text(st.characters(exclude_characters="\n\r"), max_size=15)
_line_number = st.integers(min_value=0)
_path_name = st.one_of(
    st.sampled_from(["cartStore.ts", "src/cartStore.ts", "apps/xa/wrangler.toml",
                     "wrangler.toml", "index.ts", "a.b.c.tsx", "x.ts"]),
    st.from_regex(r"[\w./-]{1,20}\.[A-Za-z]{1,5}", fullmatch=True))
_anchor = st.one_of(
    st.just(""), _line_number.map(lambda start: f"#L{start}"),
    st.builds(lambda start, end: f"#L{start}-L{end}", _line_number, _line_number),
    st.text(max_size=6).map(lambda text: "#" + text))
_href = st.one_of(
    st.builds(lambda prefix, name, anchor: prefix + name + anchor,
              st.sampled_from(["", "./", "../", "../../", "/", "docs/", "https://example.com/",
                               "mailto:", "#"]), _path_name, _anchor),
    st.text(st.characters(exclude_categories=("Cs", "Zs", "Cc"), exclude_characters=")"),
            min_size=1, max_size=20))
_link = st.builds(lambda text, href: f"[{text}]({href})", _md_text, _href)
_citation = st.builds(lambda name, start, end: f"{name}:{start}" + (f"-{end}" if end else ""),
                      _path_name, _line_number, st.none() | _line_number)
_inline_piece = st.one_of(
    _md_text, _link, _citation,
    st.builds(lambda link, count: f"{link} ({count} lines)", _link, _line_number),
    st.builds(lambda code: f"`{code}`", st.one_of(_md_text, st.sampled_from(
        ["CART_KV", "STORE_PROVIDER", "apps/xa/wrangler.toml", "SessionDO", "SESSIONS_DO"]))),
    st.sampled_from(["Smart Placement is not configured", "placement: not enabled",
                     "`wrangler.toml` placement not present", "**bold**", "<b>html</b>", "\\|",
                     "|", "`", "[", "](", "![img](x.png)"]),
)
_inline = st.lists(_inline_piece, max_size=5).map(" ".join)
_heading = st.builds(
    lambda level, text: "#" * level + " " + text, st.integers(1, 7), st.one_of(
        _inline,
        st.builds(lambda name, where: f"Current {name} ({where})",
                  st.sampled_from(["wrangler.toml", "apps/xa/wrangler.jsonc", "wrangler.json"]),
                  st.sampled_from(["root", "apps/xa", "`apps/b`", "", "../x"]))))
_column = st.one_of(st.sampled_from(["Binding", "Class", "ID", "Queue", "Variable", "Database",
                                     "Bucket", "Name", "Notes"]), _md_text)


def _md_table(columns: list[str], rows: list[list[str]], aligned: bool) -> str:
    separator = "|" + "|".join(":---:" if aligned else "---" for _ in columns) + "|"
    lines = ["| " + " | ".join(columns) + " |", separator]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


_table = st.builds(_md_table, st.lists(_column, min_size=1, max_size=4),
                   st.lists(st.lists(_inline, max_size=5), max_size=4), st.booleans())
_fence = st.builds(
    lambda marker, info, first, body, closed: "\n".join(
        [marker + info, first, *body, *([marker] if closed else [])]),
    st.sampled_from(["```", "~~~", "````"]), st.sampled_from(["", "toml", "json", "jsonc", "ts"]),
    st.one_of(st.builds(lambda comment, citation: f"{comment} {citation}",
                        st.sampled_from(["//", "#", "  //"]), _citation), _md_text),
    st.lists(_md_text, max_size=3), st.booleans())
_block = st.one_of(
    _heading, _table, _fence, _inline,
    _inline.map(lambda text: "- " + text), _inline.map(lambda text: "> " + text),
    _long_text.filter(lambda text: "\n" not in text), st.text())
_markdown = st.builds(
    lambda header, blocks, separator: separator.join(
        ["\n".join(header), *blocks] if header else blocks),
    st.lists(_header_line, max_size=4), st.lists(_block, max_size=8),
    st.sampled_from(["\n", "\n\n", "\r\n\r\n"]))
_files = st.lists(st.one_of(_path_name, st.sampled_from(
    ["src/cartStore.ts", "apps/xa/src/cartStore.ts", "apps/xa/wrangler.toml", "wrangler.toml"])),
    max_size=6)


@fuzz(200)
@given(st.one_of(st.text(), _markdown))
def test_docs_read_document_never_raises(text: str) -> None:
    document = docs.read_document("docs/audit.md", text)
    assert document.path == "docs/audit.md"
    assert document.summary is None or "\n" not in document.summary


def _check_claims(text: str, files: list[str]) -> list[Claim]:
    found = claims.read_claims("docs/audit.md", text, files)
    lines = text.splitlines()
    for claim in found:
        assert claim.location.path == "docs/audit.md"
        assert claim.location.start_line is not None
        assert 1 <= claim.location.start_line <= len(lines) + 1, claim
    return found


@fuzz(350)
@given(_markdown, _files)
def test_claims_structured_markdown(text: str, files: list[str]) -> None:
    _check_claims(text, files)


@fuzz(300)
@given(st.one_of(st.text(), _syntax_text("[]()#|`-:L.\n/ 0123456789"), _mutated(_markdown)),
       _files)
def test_claims_arbitrary_text(text: str, files: list[str]) -> None:
    _check_claims(text, files)


# ---------------------------------------------------------------------------------------------
# configfile.parse_config

_RULE_IDS = tuple(sorted(rule.id for rule in RULES))
_rule_id = st.sampled_from(_RULE_IDS).map(lambda rule: f'"{rule}"')
_raw_regex = st.text(st.sampled_from("ab()[]{}|*+?.\\^$,:-0123456789dws<>=!P"), max_size=14)
_regex = st.recursive(
    st.sampled_from(["a", "\\d", "[a-z]", ".", "\\w+", "\\b", ""]), lambda inner: st.one_of(
        inner.map(lambda part: f"({part})"), inner.map(lambda part: f"(?:{part})"),
        st.builds(lambda left, right: left + right, inner, inner),
        st.builds(lambda left, right: f"{left}|{right}", inner, inner),
        st.builds(lambda part, quantifier: part + quantifier, inner,
                  st.sampled_from(["*", "+", "?", "*?"])),
        st.builds(lambda part, times: f"{part}{{{times}}}", inner, st.integers(0, 2**34)),
    ), max_leaves=6)
_strings = st.lists(_toml_string, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")


def _toml_quoted(text: str) -> str:
    return f"'{text}'" if re.fullmatch(r"[^'\x00-\x1f\x7f]*", text) else f'"{_toml_basic(text)}"'


def _group_count(regex: str) -> int:
    try:
        return re.compile(regex).groups
    except Exception:
        return 0


@st.composite
def _probe(draw: Draw) -> dict[str, str]:
    """A well-formed [[probes]] table: a name, a regex, a name for each capture group."""
    regex = draw(_regex)
    probe = {"name": draw(st.from_regex(r"[a-z-]{1,10}", fullmatch=True).map(_toml_quoted)),
             "regex": _toml_quoted(regex),
             "groups": "[" + ", ".join(f'"g{index}"' for index in range(_group_count(regex))) + "]"}
    return probe | draw(st.fixed_dictionaries({}, optional={"globs": _strings}))


_waiver = st.fixed_dictionaries(
    {"rule": _rule_id, "path": st.just('"apps/*"'), "reason": st.just('"accepted"')},
    optional={"expires": st.one_of(st.dates().map(date.isoformat),
                                   st.dates().map(lambda day: f'"{day}"'),
                                   st.datetimes().map(datetime.isoformat))})
# What a key's value can be changed to: anything, and some near misses.
_wrong_value = st.one_of(_toml_scalar, _toml_value, _raw_regex.map(_toml_quoted),
                         st.sampled_from(['"2025-02-30"', '"  "', '"p1"', '"cf001"', "-1"]))


def _table_lines(header: str, pairs: dict[str, str]) -> list[str]:
    return [header, *(f"{key} = {value}" for key, value in pairs.items())]


def _inline_table(pairs: dict[str, str]) -> str:
    return "{" + ", ".join(f"{key} = {value}" for key, value in pairs.items()) + "}"


@st.composite
def _auditlib_toml(draw: Draw) -> str:
    """An auditlib.toml with the known keys, well formed but for up to three changes.

    A change gives a key of any table a value of any type (or a near miss), adds an unknown
    key, or drops a key. With few changes, most documents get past the early checks, so the
    later ones (probes, waivers) are reached too.
    """
    days = st.integers(0, 10**6).map(str)
    top: dict[str, str] = draw(st.fixed_dictionaries({}, optional={
        "doc_path": st.just('"docs/audit.md"'), "compatibility_max_age_days": days,
        "latency_threshold_ms": days, "doc_max_age_days": days, "related_terms": _strings,
        "disable": st.lists(_rule_id, max_size=3).map(lambda rules: "[" + ", ".join(rules) + "]"),
    }))
    severity: dict[str, str] = draw(st.dictionaries(
        _rule_id, st.sampled_from(['"P0"', '"P1"', '"P2"']), max_size=3))
    probes: list[dict[str, str]] = draw(st.lists(_probe(), max_size=3))
    waivers: list[dict[str, str]] = draw(st.lists(_waiver, max_size=3))
    tables = [top, severity, *probes, *waivers]
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from(tables))
        key = draw(st.sampled_from([*sorted(table), "severity", "probes", "waivers", "extra"]))
        if draw(st.booleans()):
            table[key] = draw(_wrong_value)
        else:
            table.pop(key, None)
    lines = [f"{key} = {value}" for key, value in top.items()]
    if "severity" not in top:
        lines += ([f"severity = {_inline_table(severity)}"] if draw(st.booleans())
                  else _table_lines("[severity]", severity))
    for probe in probes if "probes" not in top else ():
        lines += _table_lines("[[probes]]", probe)
    for waiver in waivers if "waivers" not in top else ():
        lines += _table_lines("[[waivers]]", waiver)
    return draw(_toml_documents(top=st.just(lines), tables=st.just([])))


def _compile_crashes(regex: str) -> bool:
    try:
        re.compile(regex)
    except re.error:
        return False
    except Exception:
        return True
    return False


def _check_config(text: str) -> None:
    config = _known(lambda: configfile.parse_config("auditlib.toml", text))
    assert config is None or isinstance(config, AuditConfig)


@fuzz(300)
@given(st.one_of(st.text(), _syntax_text('[]{}=."\'#\n ,_0123456789PCFDRabegilmnoprstuvwx')))
def test_configfile_arbitrary_text(text: str) -> None:
    _check_config(text)


@fuzz(250)
@given(_auditlib_toml())
def test_configfile_structured(text: str) -> None:
    _check_config(text)


@fuzz(80)
@given(_mutated(_auditlib_toml()))
def test_configfile_mutated(text: str) -> None:
    _check_config(text)


# ---------------------------------------------------------------------------------------------
# codesearch: provider_selection, latency_monitor, doc_summary

_option = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
_store = st.from_regex(r"[A-Z]\w{0,10}", fullmatch=True)
_ts_statement = st.one_of(
    st.sampled_from([
        "{", "}", "};", "} else {", "} else if (x) {", "default:", "break;", "", "   ", "\t",
        "// comment {", "/* start", " * middle.", " */", "/** Doc. More words. */",
        "const provider = env.STORE_PROVIDER ?? \"kv\";", "switch (env.STORE_PROVIDER) {",
        "const p = env.CACHE_PROVIDER || 'memory';", "if (duration >= 200) {",
        "if (elapsedMs > 1000) console.warn(\"slow\");", "console.warn(`slow ${duration}`);",
        "metrics.timing(\"latency\", duration);", "return new MemoryStore();",
        "throw new Error(\"unknown\");", "export class CartDO extends DurableObject {",
        "if ((a && (b)) {", "if (x", "case 'x' :", "new (", "})();"]),
    st.builds(lambda variable, op, option, tail: f"if ({variable} {op} \"{option}\"){tail}",
              st.sampled_from(["env.STORE_PROVIDER", "provider", "mode"]),
              st.sampled_from(["===", "==", "!=="]), _option,
              st.sampled_from([" {", "", " return new KvStore(env);", " { return new X(); }"])),
    st.builds(lambda option: f'case "{option}":', _option),
    st.builds(lambda store, args: f"return new {store}({args});", _store, st.text(max_size=5)),
    st.builds(lambda name, threshold: f"if ({name} >= {threshold}) {{", st.sampled_from(
        ["duration", "latencyMs", "elapsed"]), st.integers(0, 10**6)),
    st.text(st.sampled_from("{}()[];:=<>!?|&\"'`/* abcdefnwxyzifcase_PROVIDER.,0123456789\t"),
            max_size=30),
    st.text(max_size=10),
)
_ts_line = st.builds(lambda indent, text: indent + text,
                     st.sampled_from(["", "  ", "    ", "\t"]), _ts_statement)


@st.composite
def _ts_source(draw: Draw) -> tuple[list[str], int]:
    """TypeScript-like lines and a 1-based line inside them."""
    lines = draw(st.lists(_ts_line, min_size=1, max_size=40))
    return lines, draw(st.integers(1, len(lines)))


@fuzz(300)
@given(_ts_source(), st.sampled_from(["STORE_PROVIDER", "X_PROVIDER", ""]))
def test_codesearch_provider_selection_never_raises(source: tuple[list[str], int],
                                                    variable: str) -> None:
    lines, line = source
    selection = codesearch.provider_selection("src/store.ts", lines, variable, line)
    if selection is not None:
        assert selection.location.start_line == line
        assert all(1 <= (branch.location.start_line or 0) <= len(lines)
                   for branch in selection.chain)


@fuzz(300)
@given(_ts_source())
def test_codesearch_latency_monitor_never_raises(source: tuple[list[str], int]) -> None:
    lines, line = source
    match = Match(probe="latency-threshold", location=Location(path="src/a.ts", start_line=line),
                  text=lines[line - 1].strip(),
                  groups={"variable": "duration", "threshold_ms": "200"})
    monitor = _known(lambda: codesearch.latency_monitor("src/a.ts", lines, match))
    assert isinstance(monitor, LatencyMonitor)
    assert monitor.threshold_ms == 200
    assert monitor.location.start_line == line
    assert line <= (monitor.location.end_line or 0) <= len(lines)


@fuzz(300)
@given(_ts_source())
def test_codesearch_doc_summary_never_raises(source: tuple[list[str], int]) -> None:
    lines, line = source
    summary = codesearch.doc_summary(lines, line)
    assert summary is None or summary == summary.strip() != ""


# ---------------------------------------------------------------------------------------------
# Regression tests. First the exact falsifying examples the properties shrank to; then inputs
# found by reading the parsers, which the strategies do not generate (numbers past int()'s
# 4300-digit limit, deep nesting, long runs of spaces).

def _bug(text: str, raised: type[BaseException], what: str, name: str) -> Any:
    """A regression input; `raised` and `what` record the exception it once raised and why."""
    del raised, what  # the record is for the reader
    return pytest.param(text, id=name)


def test_bug_wrangler_toml_datetime_var() -> None:
    text = 'vars = {name = "", "" = 2000-01-01}'  # test_wrangler_load_structured_toml
    outcome = _facts_or_parse_error(lambda: wrangler.load("wrangler.toml", text))
    assert isinstance(outcome, WranglerConfig | ConfigParseError)


def test_bug_wrangler_bindings_on_one_line() -> None:
    text = '{"compatibility_date": null, "queues": {"producers": [{"name": false}, {}]}}'
    bindings = wrangler.load("wrangler.json", text).bindings  # test_wrangler_load_structured_jsonc
    assert [binding.location.start_line for binding in bindings] == [1, 1]


def test_bug_workflows_quoted_run_line() -> None:
    text = ('{jobs: {\'0\': {steps: [{run: npx wrangler deploy}, '
            '{run: "npm ci\\nnpx wrangler deploy"}]}}}\n')  # test_workflows_collect_structured
    _workflow, steps = workflows.collect(".github/workflows/a.yml", text)
    assert [step.location.start_line for step in steps] == [1, 1]


def test_bug_workflows_escape_past_unicode() -> None:
    text = ('jobs:\n  ? \'\'\n  : {uses: ./.github/workflows/deploy.yml}\n'
            '  A: {uses: ./.github/workflows/deploy.yml}\n  "\\x1F\\x1F\\x1F\\x1F":\n'
            '    steps:\n    - null\n    - uses: {? \'\' : null}\n      env: {}\n'
            '      name: "\\x1F\\x1F\\x1F\\x1F\\U00010000\\U00010000\\U00110000"\n'
            '    - {run: npx wrangler deploy}\n')  # test_workflows_collect_mutated
    outcome = _facts_or_parse_error(lambda: workflows.collect(".github/workflows/a.yml", text))
    assert isinstance(outcome, tuple | ConfigParseError)


@pytest.mark.parametrize("text", [  # test_configfile_structured, one bug at a time
    _bug('doc_path = "docs/audit.md"\ndisable = []\nrelated_terms = 0\ndoc_max_age_days = 0\n'
         'latency_threshold_ms = 0\ncompatibility_max_age_days = 0\n[severity]', TypeError,
         "configfile: tuple(str(term) for term in related_terms) with a non-iterable value",
         "related-terms-int"),
    _bug("[severity]\nseverity = []", TypeError,
         "configfile: an unhashable severity value tested for membership in a set",
         "severity-list"),
    _bug("[severity]\n[[probes]]\nname = 'a'\nregex = -1\ngroups = []", TypeError,
         "configfile._probes passes a non-string regex to re.compile", "probe-regex-int"),
    _bug("[severity]\n[[probes]]\nname = 'a'\nregex = 'a'\ngroups = -1", TypeError,
         "configfile._probes calls tuple() on non-iterable groups", "probe-groups-int"),
    _bug("[severity]\n[[probes]]\nname = 'a'\nregex = 'a'\ngroups = []\n[[probes]]\nname = 'a'\n"
         "regex = 'a'\ngroups = []\nglobs = -1", TypeError,
         "configfile._probes calls tuple() on non-iterable globs", "probe-globs-int"),
    _bug("[severity]\n[[probes]]\nname = 'a'\nregex = '(?:a{4294967295})'\ngroups = []",
         OverflowError, "configfile._probes: re.compile raises OverflowError for a huge repeat "
         "count; only re.error is caught", "probe-regex-huge-repeat"),
])
def test_bug_configfile(text: str) -> None:
    outcome = _facts_or_parse_error(lambda: configfile.parse_config("auditlib.toml", text))
    assert isinstance(outcome, AuditConfig | ConfigParseError)


def test_bug_latency_monitor_blank_line() -> None:
    lines = [""]  # test_codesearch_latency_monitor_never_raises
    match = Match(probe="latency-threshold", location=Location(path="a.ts", start_line=1),
                  text="", groups={"variable": "duration", "threshold_ms": "200"})
    assert codesearch.latency_monitor("a.ts", lines, match).threshold_ms == 200


_DEEP = 1000  # nesting levels: tomllib, PyYAML and re fail near 500, json5 near 60
_BIG = "1" * 4301  # one digit past int()'s default limit of 4300 digits
_HEX_BIG = "0x1" + "0" * 3572  # fits in hex, but has 4302 decimal digits


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("wrangler.toml", f"a = {_BIG}\n", id="toml-huge-int"),
    pytest.param("wrangler.toml", f"vars.a = {_HEX_BIG}\n", id="toml-huge-hex-var"),
    pytest.param("wrangler.jsonc", f'{{"compatibility_date": {_HEX_BIG}}}', id="json-huge-hex"),
    pytest.param("wrangler.toml", "a = " + "[" * _DEEP + "]" * _DEEP + "\n", id="toml-deep"),
    pytest.param("wrangler.jsonc", "[" * 100 + "1," + "]" * 100, id="json5-deep"),
    pytest.param("wrangler.jsonc", "[" * _DEEP + "]" * _DEEP, id="json-deep"),
])
def test_bug_wrangler_pathological(path: str, text: str) -> None:
    outcome = _facts_or_parse_error(lambda: wrangler.load(path, text))
    assert isinstance(outcome, WranglerConfig | ConfigParseError)


def test_bug_wrangler_toml_key_regex_is_cubic() -> None:
    text = 'a = """\nb.' + " " * 3000 + 'y\n"""\n'
    with _time_limit(1.0):
        config = wrangler.load("wrangler.toml", text)
    assert config.top.settings["a"].startswith("b.")


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("wrangler.toml", 'routes = [\n[' + " " * 3000 + '"a"], "b"\n]\n', id="toml-header"),
    pytest.param("wrangler.jsonc", '{\n  "name": "' + '\\"' * 30_000 + '\n}\n', id="open-string"),
])
def test_bug_wrangler_regexes_are_linear(path: str, text: str) -> None:
    with _time_limit(2.0):
        outcome = _facts_or_parse_error(lambda: wrangler.load(path, text))
    assert isinstance(outcome, WranglerConfig | ConfigParseError)


@pytest.mark.parametrize("call", [
    pytest.param(lambda: secrets.redact("Bearer a" + "A" * 1500 + "a" * 1500, []), id="bearer"),
    pytest.param(lambda: secrets.redact("echo " + "PASS" * 25_000, []), id="secret-name"),
    pytest.param(lambda: secrets.redact("echo " + "://a:" * 30_000, []), id="url-password"),
    pytest.param(lambda: secrets.redact("password:" * 20_000, []), id="lower-name"),
    pytest.param(lambda: secrets.redact("&token=" * 25_000 + "a1" * 50_000, []), id="parameter"),
    pytest.param(lambda: secrets.redact("?token=" + "a" * 100_000 + "(", []), id="value-call"),
    pytest.param(lambda: secrets.redact("Pwd=" * 20_000 + "(", []), id="values-before-a-call"),
    pytest.param(lambda: secrets.redact("redis-cli docker login " * 15_000, []), id="commands"),
    pytest.param(lambda: secrets.redact("".join(" " * i + "pwd: |\n" for i in range(2_000))
                                        + ("x" * 2_000 + "9\n") * 500, []), id="nested-blocks"),
    pytest.param(lambda: secrets.redact("Pwd={" * 20_000 + "}", []), id="open-braces"),
    pytest.param(lambda: secrets.redact("curl -u a:" * 20_000 + "login -p " * 20_000, []),
                 id="options"),
    pytest.param(lambda: secrets.redact('"Name": "API_KEY",\n Value: ' * 20_000, []), id="env-cased"),
    pytest.param(lambda: secrets.redact("tls.key:  " * 30_000 + "aB3" * 30_000, []), id="yaml-keys"),
    pytest.param(lambda: secrets.redact("- name: DB_PASSWORD\n value: " * 20_000, []), id="env"),
    pytest.param(lambda: secrets.redact("<password>" * 30_000 + "a1" * 50_000, []), id="element"),
    pytest.param(lambda: secrets.redact("<password " + "a" * 100_000, []), id="element-attributes"),
    pytest.param(lambda: secrets.redact("<password>" + "\n" * 100_000 + "a1", []), id="element-space"),
    pytest.param(lambda: secrets.redact("key=x #" * 30_000 + " value=" * 30_000, []), id="env-key"),
    pytest.param(lambda: secrets.redact("apiKey: string | undefined" * 10_000, []), id="typed"),
    pytest.param(lambda: secrets.redact((": " + "aB3" * 20) * 20_000, []), id="unquoted"),
    pytest.param(lambda: secrets.redact("-----BEGIN RSA PRIVATE KEY-----\n" * 5_000, []),
                 id="private-key-markers"),
    pytest.param(lambda: placeholders.placeholder_reason("0" * 100_000 + "z"), id="zeros"),
    pytest.param(lambda: docs.read_header(["Type: a" + " " * 60_000 + "b", "Status: Active"]),
                 id="header-line"),
    pytest.param(lambda: docs.read_document("docs/a.md", "# A\n\n" + "[" * 90_000 + "\n"),
                 id="open-brackets"),
    pytest.param(lambda: docs.read_document("docs/a.md", "# A\n\n" + "[a](" * 30_000 + "\n"),
                 id="open-links"),
    pytest.param(lambda: _facts_or_parse_error(lambda: wrangler.load(
        "wrangler.jsonc", '{"name": "w"}\n' + "/* " * 45_000)), id="open-comments"),
])
def test_bug_regexes_on_repeated_text_are_linear(call: Callable[[], object]) -> None:
    with _time_limit(2.0):
        call()


def test_bug_suppression_regex_is_linear() -> None:
    line = 'id = "0" # auditlib: ignore[CF001] created on first deploy' + " " * 40_000 + "."
    with _time_limit(2.0):
        [found] = wrangler.suppressions("wrangler.toml", line + "\n")
    assert found.rules == ("CF001",) and found.reason.startswith("created on first deploy")


def test_bug_latency_threshold_past_int_s_digit_limit() -> None:
    match = Match(probe="latency-threshold", location=Location(path="a.ts", start_line=1),
                  text="if (durationMs > " + _BIG + ")",
                  groups={"variable": "durationMs", "threshold_ms": _BIG})
    assert not codesearch.is_latency_check(match)


def test_bug_workflows_deep_nesting() -> None:
    text = "[" * _DEEP + "]" * _DEEP
    outcome = _facts_or_parse_error(lambda: workflows.collect(".github/workflows/a.yml", text))
    assert isinstance(outcome, tuple | ConfigParseError)


@pytest.mark.parametrize("text", [
    _bug(f'probes = [{{name = "p", regex = "{"(" * _DEEP}{")" * _DEEP}"}}]\n', RecursionError,
         "configfile._probes: re.compile raises RecursionError for deeply nested groups; only "
         "re.error is caught", "probe-regex-deep"),
    _bug(f"latency_threshold_ms = {_BIG}\n", ValueError,
         "tomllib raises a plain ValueError (int digit limit); parse_config catches only "
         "TOMLDecodeError", "huge-int"),
])
def test_bug_configfile_pathological(text: str) -> None:
    outcome = _facts_or_parse_error(lambda: configfile.parse_config("auditlib.toml", text))
    assert isinstance(outcome, AuditConfig | ConfigParseError)


@pytest.mark.parametrize("text", [
    _bug(f"[a](b.ts#L{_BIG})", ValueError, "claims: int() of a 4301-digit #L anchor",
         "link-anchor"),
    _bug(f"[a](b.ts) ({_BIG} lines)", ValueError, "claims: int() of a 4301-digit line count",
         "line-count"),
    _bug(f"a.ts:{_BIG}", ValueError, "claims: int() of a 4301-digit citation", "citation"),
    _bug(f"```\n// a.ts:{_BIG}\n```", ValueError, "claims: int() of a 4301-digit snippet line",
         "snippet"),
])
def test_bug_claims_huge_line_numbers(text: str) -> None:
    assert isinstance(_check_claims(text, ["b.ts"]), list)
