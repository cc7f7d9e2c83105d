"""auditlib.wrangler: values from TOML / JSONC, and the line each binding is declared on."""

from __future__ import annotations

import pytest

from auditlib.errors import ConfigParseError
from auditlib.wrangler import lines_of, load, parse, suppressions


def bindings(path: str, text: str) -> list[tuple[str, str, int | None]]:
    return [(b.kind, b.name, b.location.start_line) for b in load(path, text).bindings]


def all_bindings(path: str, text: str) -> list[tuple[str, str, str, int | None, int | None]]:
    """(environment, kind, name, line, line of `id`) for the top level and each environment."""
    return [(b.environment, b.kind, b.name, b.location.start_line, b.key_lines.get("id"))
            for scope in load(path, text).scopes() for b in scope.bindings]


def var_lines(path: str, text: str) -> list[tuple[str, str, int | None]]:
    return [(scope.name, var.name, var.location.start_line)
            for scope in load(path, text).scopes() for var in scope.vars]


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "shop"\npages_build_output_dir = ".vercel/output/static"\n', "pages"),
    ('name = "api"\nmain = "src/index.ts"\n', "worker"),
    ('name = "site"\n[assets]\ndirectory = "./public"\n', "worker"),
    ('name = "lib"\ncompatibility_date = "2025-01-01"\n', "unknown"),
    ('name = "api"\n[env.production]\nmain = "src/index.ts"\n', "worker"),  # an env's own entry
    ('name = "lib"\n[env.staging]\nvars = { A = "1" }\n', "unknown"),
])
def test_toml_target(text: str, expected: str) -> None:
    assert load("wrangler.toml", text).target == expected


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n  // Pages\n  "pages_build_output_dir": "out",\n}\n', "pages"),
    ('{\n  "main": "src/index.ts", /* worker */\n}\n', "worker"),
    ('{\n  "assets": { "directory": "public", },\n}\n', "worker"),
    ('{ "name": "lib" }', "unknown"),
])
def test_jsonc_target(text: str, expected: str) -> None:
    assert load("wrangler.jsonc", text).target == expected


@pytest.mark.parametrize(("text", "expected"), [
    ('main = "a.ts"\n[[queues.consumers]]\nqueue = "jobs"\n', True),
    ('main = "a.ts"\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n', False),
    ('main = "a.ts"\n# [[queues.consumers]]\n# queue = "jobs"\n', False),
    ('main = "a.ts"\n', False),
])
def test_queue_consumer(text: str, expected: bool) -> None:
    assert load("wrangler.toml", text).queue_consumer is expected


QUEUE_SAME_NAME = """\
main = "src/index.ts"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 10
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        'name = "w"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "abc123"\n',
        [("kv_namespaces", "CACHE", 4)], id="kv"),
    pytest.param(
        '[durable_objects]\nbindings = [\n'
        '  { name = "CART_DO", class_name = "Cart" },\n'
        '  { name = "SESSION_DO", class_name = "Session" },\n]\n',
        [("durable_objects", "CART_DO", 3), ("durable_objects", "SESSION_DO", 4)],
        id="durable-objects-inline-tables"),
    pytest.param(
        '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "db"\ndatabase_id = "abc"\n',
        [("d1_databases", "DB", 2)], id="d1"),
    pytest.param(
        'main = "a.ts"\n[[r2_buckets]]\nbinding = "IMAGES"\nbucket_name = "images"\n',
        [("r2_buckets", "IMAGES", 3)], id="r2"),
    pytest.param(
        '[[queues.producers]]\nbinding = "OUT"\nqueue = "out"\n\n'
        '[[queues.consumers]]\nqueue = "in"\n',
        [("queues.producers", "OUT", 2), ("queues.consumers", "in", 6)], id="queues"),
    pytest.param(
        QUEUE_SAME_NAME, [("queues.producers", "JOBS", 4), ("queues.consumers", "jobs", 8)],
        id="queue-produced-and-consumed"),
    pytest.param(
        '[[hyperdrive]]\nbinding = "PG"\nid = "abc"\n', [("hyperdrive", "PG", 2)],
        id="hyperdrive"),
    pytest.param('main = "a.ts"\n\n[ai]\nbinding = "AI"\n', [("ai", "AI", 4)],
                 id="ai-single-table"),
    pytest.param(
        '[[analytics_engine_datasets]]\nbinding = "METRICS"\n',
        [("analytics_engine_datasets", "METRICS", 2)], id="analytics-engine"),
    pytest.param(
        '# [[kv_namespaces]]\n# binding = "OLD"\n# id = "000"\nmain = "a.ts"\n', [],
        id="commented-out-not-collected"),
    pytest.param(
        '# [[kv_namespaces]]\n# binding = "CACHE"\n\n[[kv_namespaces]]\nbinding = "CACHE"\n',
        [("kv_namespaces", "CACHE", 5)], id="commented-out-line-skipped"),
    pytest.param(
        'main = "a.ts"\n\n[env.production]\nname = "w-prod"\n\n'
        '[[env.production.kv_namespaces]]\nbinding = "CACHE"\nid = "prod"\n\n'
        '[[kv_namespaces]]\nbinding = "CACHE"\nid = "dev"\n',
        [("kv_namespaces", "CACHE", 11)], id="env-section-not-top-level"),
])
def test_toml_bindings(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert bindings("wrangler.toml", text) == expected


JSONC_ALL = """\
{
  // a comment
  "name": "api",
  "main": "src/index.ts",
  "kv_namespaces": [
    { "binding": "CACHE", "id": "abc", },
  ],
  /* block comment */
  "durable_objects": {
    "bindings": [
      { "name": "CART_DO", "class_name": "Cart" },
    ],
  },
  "queues": {
    "consumers": [
      { "queue": "jobs" },
    ],
  },
  // "r2_buckets": [{ "binding": "OLD" }],
}
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(JSONC_ALL, [("kv_namespaces", "CACHE", 6), ("durable_objects", "CART_DO", 11),
                             ("queues.consumers", "jobs", 16)], id="comments-trailing-commas"),
    pytest.param(
        '{\n  "d1_databases": [{\n    "binding": "DB",\n    "database_id": "x",\n  }],\n'
        '  "ai": { "binding": "AI" },\n}\n',
        [("d1_databases", "DB", 3), ("ai", "AI", 6)], id="d1-and-ai"),
    pytest.param(
        '{\n  /*\n  "kv_namespaces": [{ "binding": "CACHE", "id": "000" }],\n  */\n'
        '  "kv_namespaces": [{ "binding": "CACHE", "id": "abc" }],\n}\n',
        [("kv_namespaces", "CACHE", 5)], id="block-commented-line-skipped"),
    pytest.param(
        '{\n  "env": {\n    "production": {\n'
        '      "kv_namespaces": [{ "binding": "CACHE", "id": "prod" }],\n    },\n  },\n'
        '  "kv_namespaces": [{ "binding": "CACHE", "id": "dev" }],\n}\n',
        [("kv_namespaces", "CACHE", 7)], id="env-object-not-top-level"),
])
def test_jsonc_bindings(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert bindings("wrangler.jsonc", text) == expected


DOTTED_ENV_ARRAY = """\
name = "x"
main = "src/index.ts"

env.production.kv_namespaces = [
  { binding = "KV1", id = "aaaa1111bbbb2222cccc3333dddd4444" },
  { binding = "KV2", id = "TODO" },
]
"""


# Lines inside multi-line strings look like headers and keys, and are neither.
MULTI_LINE_STRING = """\
name = "x"

[[env.production.kv_namespaces]]
binding = "A"
note = \"\"\"
[vars]
id = "p1"
\"\"\"
id = "p1"
TEMPLATE = '''[[kv_namespaces]]
binding = "A" '''
NOTE = "not a multi-line string: '''"
PEM = \"\"\"a \\\"\"\"
[vars]\"\"\"  # a comment
preview_id = "p2"

[[kv_namespaces]]
binding = "A"
id = "t1"
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(DOTTED_ENV_ARRAY, [
        ("production", "kv_namespaces", "KV1", 5, 5),
        ("production", "kv_namespaces", "KV2", 6, 6)], id="dotted-env-key-multi-line-array"),
    pytest.param(
        'env.production.kv_namespaces = [\n  { binding = "A", id = "p1" },\n]\n'
        '[[kv_namespaces]]\nbinding = "A"\nid = "t1"\n', [
            ("", "kv_namespaces", "A", 5, 6),
            ("production", "kv_namespaces", "A", 2, 2)], id="dotted-env-key-then-table"),
    pytest.param(
        'kv_namespaces = [\n  { binding = "A", id = "t1" },\n]\n'
        '[env.production]\nkv_namespaces = [\n  { binding = "A", id = "p1" },\n]\n', [
            ("", "kv_namespaces", "A", 2, 2),
            ("production", "kv_namespaces", "A", 6, 6)], id="top-level-then-env"),
    pytest.param(
        '\ufeff[[kv_namespaces]]\nbinding = "K"\nid = "TODO"\n',
        [("", "kv_namespaces", "K", 2, 3)], id="byte-order-mark"),
    pytest.param(MULTI_LINE_STRING, [
        ("", "kv_namespaces", "A", 18, 19),
        ("production", "kv_namespaces", "A", 4, 9)], id="multi-line-strings"),
    # a value written with an escape is found by its key, not at the entry before (QA s35b)
    pytest.param('[[kv_namespaces]]\nbinding = "ONE"\nid = "a1"\n\n[[kv_namespaces]]\n'
                 'binding = "T\\u0057O"\nid = "b\\u0032"\n', [
                     ("", "kv_namespaces", "ONE", 2, 3),
                     ("", "kv_namespaces", "TWO", 6, 7)], id="escaped-values"),
])
def test_toml_binding_lines_by_environment(
        text: str, expected: list[tuple[str, str, str, int, int]]) -> None:
    assert all_bindings("wrangler.toml", text) == expected


def test_toml_byte_order_mark() -> None:
    text = '\ufeff# auditlib: ignore[CF002] no backend\nname = "x"\n[placement]\nmode = "smart"\n'
    config = load("wrangler.toml", text)
    assert config.name == "x"
    assert config.top.key_lines == {"name": 2, "placement": 3}
    assert [(s.location.start_line, s.rules, s.own_line)
            for s in suppressions("wrangler.toml", text)] == [(1, ("CF002",), True)]
    with pytest.raises(ConfigParseError) as caught:  # line 1's column as an editor shows it
        parse("wrangler.toml", '\ufeffname = \n')
    assert (caught.value.line, caught.value.column) == (1, 8)


VARS_TOML = """\
name = "x"

[vars]
PLAIN = "plain"
DB_PASSWORD = "hunter2\\u0021longpass"
STRIPE_SECRET = { live = "abc" }
RETRIES = 3
HOSTS = [
  "a.example.com",
]
'QUOTED' = 'x'

[env.production.vars]
DB_PASSWORD = "hunter2\\u0021prod"
STRIPE_SECRET = { live = "def" }

[env.staging]
vars = { DB_PASSWORD = "s\\u0021", RETRIES = 1 }
"""

VARS_JSONC = """\
{
  "vars": {
    "A": "x\\/y",
    "B": "unicode\\u00e9x",
    "C": 5,
    "D": { "live": "abc" },
    "E": [
      1,
    ],
  },
  "env": {
    "production": {
      // the same values, in an environment
      "vars": {
        "A": "x\\/y",
        "B": "unicode\\u00e9x",
      },
    },
    "staging": { "vars": { "A": "x\\/y" } },
  },
}
"""


@pytest.mark.parametrize(("path", "text", "expected"), [
    pytest.param("wrangler.toml", VARS_TOML, [
        ("", "PLAIN", 4), ("", "DB_PASSWORD", 5), ("", "STRIPE_SECRET", 6), ("", "RETRIES", 7),
        ("", "HOSTS", 8), ("", "QUOTED", 11),
        ("production", "DB_PASSWORD", 14), ("production", "STRIPE_SECRET", 15),
        ("staging", "DB_PASSWORD", 18), ("staging", "RETRIES", 18)], id="toml"),
    pytest.param("wrangler.jsonc", VARS_JSONC, [
        ("", "A", 3), ("", "B", 4), ("", "C", 5), ("", "D", 6), ("", "E", 7),
        ("production", "A", 15), ("production", "B", 16), ("staging", "A", 19)], id="jsonc"),
    pytest.param("wrangler.toml", 'vars = { A = "a\\u0021", B = 2 }\n',
                 [("", "A", 1), ("", "B", 1)], id="inline-table"),
])
def test_var_lines(path: str, text: str, expected: list[tuple[str, str, int]]) -> None:
    """Each var is found on the line of its key, however its value is written."""
    assert var_lines(path, text) == expected


def test_binding_properties_and_top_level_facts() -> None:
    config = load("apps/api/wrangler.toml", (
        'name = "api"\nmain = "src/index.ts"\ncompatibility_date = "2025-06-20"\n'
        'compatibility_flags = ["nodejs_compat"]\n\n[placement]\nmode = "smart"\n\n'
        '[durable_objects]\nbindings = [{ name = "CART_DO", class_name = "Cart" }]\n\n'
        '[vars]\nCART_TTL = "60"\n\n[env.staging]\nname = "api-staging"\n'))
    assert (config.app, config.name, config.is_root) == ("apps/api", "api", False)
    assert config.compatibility_date == "2025-06-20"
    assert config.compatibility_flags == ("nodejs_compat",)
    assert config.placement == {"mode": "smart"}
    assert config.placement_location is not None
    assert config.placement_location.start_line == 6
    assert config.bindings[0].properties == {"name": "CART_DO", "class_name": "Cart"}
    assert [(v.name, v.value, v.location.start_line) for v in config.vars] == [
        ("CART_TTL", "60", 13)]
    assert [env.name for env in config.environments] == ["staging"]
    staging = config.environments[0]
    assert staging.settings["name"] == "api-staging"
    assert staging.settings["placement"] == {"mode": "smart"}  # inherited
    assert staging.bindings == () and staging.vars == ()  # not inherited


def test_a_table_declared_twice_is_named_as_the_file_writes_it() -> None:
    with pytest.raises(ConfigParseError) as caught:  # not tomllib's key tuple ('env', 'x')
        load("wrangler.toml", '[env.x]\nname = "a"\n\n[env.x]\n')
    assert (caught.value.line, caught.value.message) == (4, "Cannot declare [env.x] twice")


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "x"\n[[kv_namespaces]\nbinding = "A"\n', (2, 16)),
    ('name = "x"\nmain = \n', (2, 8)),
    ('name = "x"\nname = "y"\n', (2, 11)),
    ('[[kv_namespaces]]\nbinding = "A"\nid = "unterminated\n', (3, 19)),
], ids=["table-header", "missing-value", "duplicate-key", "unterminated-string"])
def test_malformed_toml(text: str, expected: tuple[int, int]) -> None:
    with pytest.raises(ConfigParseError) as caught:
        load("apps/x/wrangler.toml", text)
    assert (caught.value.path, caught.value.line, caught.value.column) == (
        "apps/x/wrangler.toml", *expected)
    assert caught.value.message
    assert "at line" not in caught.value.message  # the position is in line/column, not the text
    assert str(caught.value).startswith(f"apps/x/wrangler.toml:{expected[0]}:{expected[1]}: ")


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n  "name": "x",\n  "main": "a" "b"\n}\n', (3, 15)),
    ('{\n  // ok\n  "kv_namespaces": [1,,2],\n}\n', (3, 23)),
    ('{\n  "a": 1,\n}\n}\n', (4, 1)),
    ('["not", "an", "object"]', (1, 1)),
    ('{\n  "name": "a",\n  "x": "unterminated\n}\n', (3, 21)),
    ('\ufeff{"name" "a"}', (1, 9)),
    # left open to the end: just past the last text, not a line past the file's (QA s35b)
    ('{\n  "name": "w",\n  "main": "src/index.ts"\n\n', (3, 25)),
], ids=["missing-comma", "empty-array-item", "extra-brace", "top-level-array",
        "unterminated-string", "byte-order-mark", "open-at-the-end"])
def test_malformed_jsonc(text: str, expected: tuple[int, int]) -> None:
    with pytest.raises(ConfigParseError) as caught:
        parse("wrangler.jsonc", text)
    assert (caught.value.path, caught.value.line, caught.value.column) == (
        "wrangler.jsonc", *expected)
    assert caught.value.message
    assert len(str(caught.value).splitlines()) == 1  # a newline in the text is shown escaped


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n  "name": "x",\n  "main": "a" "b"\n}\n', "unexpected `\"`, expected `,`"),
    ('{"name": }', "unexpected `}`, expected a value"),
    ('{"name" "x"}', "unexpected `\"`, expected `:`"),
    ("{", "unexpected end of input, expected a property name in double quotes"),
    ('{"name": "x"} y', "unexpected `y`"),  # json expected nothing there
    ('{"name": "a`b" `}', "unexpected `` ` ``, expected `,`"),
    ('{"a": "x\n"}', "unexpected `\\n`"),
    ("", "the file is empty: no JSON object"),
    ("\ufeff \n", "the file is empty: no JSON object"),
], ids=["quote", "brace", "colon", "end", "extra", "backtick", "newline", "empty", "blank"])
def test_a_jsonc_error_says_what_was_unexpected_and_what_was_expected(
        text: str, expected: str) -> None:
    with pytest.raises(ConfigParseError) as caught:
        parse("wrangler.jsonc", text)
    assert caught.value.message == expected
    assert caught.value.line


@pytest.mark.parametrize(("text", "expected"), [
    ("{\n  // JSON5\n  name: 'a',\n}\n", (3, 3)),
    ('{\n  /* a\n  comment */ "name": \'a\'\n}\n', (3, 22)),
    ('{"limits": {"cpu_ms": 0x10}}', (1, 24)),
    ('{"flags": ["a",], "main": \'s.ts\'}', (1, 27)),  # after a trailing comma on its line
    ('{\n  "name": "NaN", // NaN\n  "limits": { "cpu_ms": NaN }\n}\n', (3, 25)),
    ('{"x": [1,], "y": "-Infinity", "limits": {"cpu_ms": -Infinity}}', (1, 52)),
    ('{"limits": {"cpu_ms": Infinity}}', (1, 23)),
], ids=["unquoted-key", "single-quotes-after-a-block-comment", "hexadecimal",
        "after-a-trailing-comma", "nan", "minus-infinity-after-a-trailing-comma", "infinity"])
def test_json5_that_wrangler_cannot_read_is_malformed(text: str, expected: tuple[int, int]) -> None:
    with pytest.raises(ConfigParseError) as caught:
        parse("wrangler.jsonc", text)
    assert (caught.value.line, caught.value.column) == expected
    assert "as wrangler reads it" in caught.value.message


def test_jsonc_trailing_commas_and_comments_are_read() -> None:
    text = '{\n  "a": [1, 2, /* two */ ],\n  "b": "x,]", // comma\n  "c": {"d": 1,},\n}\n'
    assert parse("wrangler.jsonc", text) == {"a": [1, 2], "b": "x,]", "c": {"d": 1}}


def test_a_pages_environment_keeps_the_project_s_name() -> None:
    pages = load("wrangler.toml", 'name = "blog"\npages_build_output_dir = "dist"\n[env.preview]\n')
    worker = load("wrangler.toml", 'name = "api"\nmain = "a.ts"\n[env.preview]\n')
    assert pages.environments[0].settings["name"] == "blog"
    assert worker.environments[0].settings["name"] == "api-preview"


@pytest.mark.parametrize(("path", "text"), [
    ("wrangler.toml", 'name = "a"  # a\u2028b\u0085c: no line ends here\n'
                      '[[kv_namespaces]]\nbinding = "K"\nid = "x"\n'),
    ("wrangler.jsonc", '{\n  "name": "a\u2028b", // c\u2029d\n'
                       '  "kv_namespaces": [{ "binding": "K", "id": "x" }]\n}\n'),
])
def test_lines_end_at_newlines_only(path: str, text: str) -> None:
    """TOML, JSON and ripgrep end a line at \\n: U+2028 or U+0085 in a comment or string
    moved every line after it."""
    [binding] = load(path, text).bindings
    assert binding.location.start_line == 3
    assert lines_of(text)[2].lstrip().startswith(("binding", '"kv_namespaces"'))


@pytest.mark.parametrize(("path", "text", "expected"), [
    pytest.param("wrangler.toml", 'id = "a#b"  # auditlib: ignore[CF001] r\n', [1], id="toml-comment"),
    pytest.param("wrangler.toml", 'id = "x # auditlib: ignore[CF001] r"\n', [], id="toml-string"),
    pytest.param("wrangler.toml", "id = 'x # auditlib: ignore[CF001] r'\n", [], id="toml-literal-string"),
    pytest.param("wrangler.toml", 'note = """\n# auditlib: ignore[CF001] r\n"""\nid = "TODO"'
                 "  # auditlib: ignore[CF001] r\n", [4], id="toml-multi-line-string"),
    pytest.param("wrangler.jsonc", '{ "id": "https://x//auditlib: ignore[CF001] r" }\n', [],
                 id="jsonc-string"),
    pytest.param("wrangler.jsonc", '{ "id": "/* auditlib: ignore[CF001] r */" }\n', [],
                 id="jsonc-string-of-a-block-comment"),
    pytest.param("wrangler.jsonc", '{ "id": "a//b" } // auditlib: ignore[CF001] r\n', [1],
                 id="jsonc-comment-after-a-string"),
    pytest.param("wrangler.jsonc", '{ /* "a" */ "id": "x" /* auditlib: ignore[CF001] r */ }\n', [1],
                 id="jsonc-second-block-comment"),
])
def test_suppressions_are_comments_only(path: str, text: str, expected: list[int]) -> None:
    """A suppression's text in a string value suppresses nothing."""
    assert [s.location.start_line for s in suppressions(path, text)] == expected


@pytest.mark.parametrize(("path", "text", "expected"), [
    pytest.param("wrangler.toml", ('name = "x"\n[[durable_objects]]\nname = "A"\nclass_name = "Alpha"\n'
                                   '[[durable_objects]]\nname = "B"\nclass_name = "Beta"\n'),
                 [("durable_objects", "A", 3), ("durable_objects", "B", 6)], id="array-of-tables"),
    pytest.param("wrangler.toml", '[durable_objects]\nname = "A"\nclass_name = "Alpha"\n',
                 [("durable_objects", "A", 2)], id="one-table-without-bindings"),
    pytest.param("wrangler.toml", '[durable_objects.bindings]\nname = "A"\nclass_name = "Alpha"\n',
                 [("durable_objects", "A", 2)], id="bindings-as-one-table"),
    pytest.param("wrangler.jsonc",
                 '{\n  "durable_objects": [\n    { "name": "A", "class_name": "Alpha" }\n  ]\n}\n',
                 [("durable_objects", "A", 3)], id="json-array"),
])
def test_durable_objects_in_a_shape_wrangler_refuses_are_read_as_meant(
        path: str, text: str, expected: list[tuple[str, str, int]]) -> None:
    """wrangler refuses these (CF020 says so), but what they bind is plain: CF008 and CF009
    still check the classes."""
    assert bindings(path, text) == expected


def refused(path: str, text: str) -> list[tuple[int | None, str]]:
    found: list[ConfigParseError] = []
    load(path, text, found)
    return [(error.line, error.message) for error in found]


@pytest.mark.parametrize(("path", "text", "line", "words"), [
    pytest.param("wrangler.toml", 'name = "x"\n[[durable_objects]]\nname = "A"\nclass_name = "Alpha"\n', 2,
                 "`durable_objects` is an array of tables, where wrangler expects a table with an"
                 " array `bindings` (`[[durable_objects.bindings]]`)", id="do-array-of-tables"),
    pytest.param("wrangler.toml", '[durable_objects]\nname = "A"\nclass_name = "Alpha"\n', 1,
                 "`durable_objects` has no `bindings`", id="do-without-bindings"),
    pytest.param("wrangler.toml", 'a = 1\n[durable_objects.bindings]\nname = "A"\nclass_name = "B"\n', 2,
                 "`durable_objects.bindings` is a table, where wrangler expects an array of tables"
                 " `[[durable_objects.bindings]]`", id="do-bindings-one-table"),
    pytest.param("wrangler.jsonc", '{\n  "durable_objects": [{ "name": "A", "class_name": "B" }]\n}\n', 2,
                 '`durable_objects` is an array of objects, where wrangler expects an object with an'
                 ' array `bindings` (`"durable_objects": { "bindings": [{ ... }] }`)', id="do-json-array"),
    pytest.param("wrangler.toml", 'name = "x"\n\n[kv_namespaces]\nbinding = "KV"\n', 3,
                 "`kv_namespaces` is a table, where wrangler expects an array of tables"
                 " `[[kv_namespaces]]`", id="kv-one-table"),
    pytest.param("wrangler.toml", 'kv_namespaces = ["CACHE"]\n', 1,
                 "`kv_namespaces` is an array with entries that are not tables", id="kv-strings"),
    pytest.param("wrangler.jsonc", '{\n  "d1_databases": { "binding": "DB" }\n}\n', 2,
                 '`d1_databases` is an object, where wrangler expects an array of objects'
                 ' `"d1_databases": [{ ... }]`', id="d1-json-object"),
    pytest.param("wrangler.jsonc",
                 '{\n  "name": "x",\n  "queues": [{ "queue": "q", "binding": "Q" }]\n}\n', 3,
                 '`queues` is an array of objects, where wrangler expects an object with arrays'
                 ' `producers` and `consumers`', id="queues-json-array"),
    pytest.param("wrangler.toml", '[queues.producers]\nbinding = "Q"\nqueue = "q"\n', 1,
                 "`queues.producers` is a table, where wrangler expects an array of tables"
                 " `[[queues.producers]]`", id="queue-producer-one-table"),
    pytest.param("wrangler.toml", 'name = "x"\n[[ai]]\nbinding = "AI"\n', 2,
                 "`ai` is an array of tables, where wrangler expects a table `[ai]`", id="ai-array"),
    pytest.param("wrangler.toml", ('name = "x"\n[env.production]\nname = "p"\n'
                                   '[env.production.kv_namespaces]\nbinding = "KV"\n'), 4,
                 "`env.production.kv_namespaces` is a table, where wrangler expects an array of"
                 " tables `[[env.production.kv_namespaces]]`", id="in-an-environment"),
    pytest.param("wrangler.jsonc", ('{\n  "env": {\n    "production": {\n'
                                    '      "durable_objects": [{ "name": "A", "class_name": "B" }]\n'
                                    '    }\n  }\n}\n'), 4,
                 "`env.production.durable_objects` is an array of objects", id="json-environment"),
    # JSON's null is no number, and an empty array no array of tables (QA s26c #11)
    pytest.param("wrangler.jsonc", '{\n  "kv_namespaces": null\n}\n', 2,
                 "`kv_namespaces` is null, where wrangler expects an array of objects", id="json-null"),
    pytest.param("wrangler.jsonc", '{\n  "ai": null\n}\n', 2, "`ai` is null, where", id="json-null-table"),
    pytest.param("wrangler.jsonc", '{\n  "queues": { "producers": null }\n}\n', 2,
                 "`queues.producers` is null, where", id="json-null-in-a-container"),
    pytest.param("wrangler.jsonc", '{\n  "durable_objects": []\n}\n', 2,
                 "`durable_objects` is an empty array, where wrangler expects an object",
                 id="json-empty-array"),
    pytest.param("wrangler.toml", 'name = "x"\n[env.production]\nname = "p"\nqueues = []\n', 4,
                 "`env.production.queues` is an empty array, where wrangler expects a table",
                 id="toml-empty-array"),
])
def test_a_binding_section_in_a_shape_wrangler_refuses(path: str, text: str, line: int,
                                                        words: str) -> None:
    [(found_line, message)] = refused(path, text)
    assert found_line == line
    assert words in message and "wrangler refuses the config" in message


@pytest.mark.parametrize("text", [
    '[[kv_namespaces]]\nbinding = "KV"\n[durable_objects]\nbindings = [{ name = "A", class_name = "B" }]\n'
    '[[queues.producers]]\nbinding = "Q"\nqueue = "q"\n[ai]\nbinding = "AI"\n'
    '[unsafe]\nmetadata = { a = 1 }\n[queues]\n',
    '[env.production]\nkv_namespaces = []\n[[env.production.durable_objects.bindings]]\nname = "A"\n'
    'class_name = "B"\n',
])
def test_binding_sections_in_wrangler_s_shape_are_not_refused(text: str) -> None:
    assert refused("wrangler.toml", text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ('[vars]\nAPI_URL = "https://x\nB = "b"\n', (2, 21, "line")),
    ("[vars]\nAPI_URL = 'https://x\nB = 'b'\n", (2, 21, "line")),
    ('[env."prod]\nname = "a"\n', (1, 12, "line")),
    ('[vars]\nB = "b"\nAPI_URL = "https://x', (3, 11, "file")),
    ("[vars]\nAPI_URL = 'https://x\n\n", (2, 11, "file")),
    ('[vars]\nNOTE = """two\nlines\n\n[[kv_namespaces]]\n', (2, 8, "file")),  # where it opens
    ("[vars]\nNOTE = '''two\nlines\n", (2, 8, "file")),
], ids=["basic", "literal", "quoted-key", "basic-at-end", "literal-at-end", "multi-line",
        "multi-line-literal"])
def test_a_quote_left_open_says_so_where_it_is(text: str, expected: tuple[int, int, str]) -> None:
    """QA s27c #7: one left open to the end of the file was reported at its last line."""
    with pytest.raises(ConfigParseError) as caught:  # not "Illegal character '\n'"
        load("wrangler.toml", text)
    line, column, end = expected
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.message.startswith(f"a quote is not closed before the end of the {end}")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param('name = "w"\nroutes = [\n  "a/*",\n  "b/*"\n', (2, 10, "an array (`[`) is not"
                 " closed before the end of the file"), id="to-the-end"),
    pytest.param('name = "w"\r\nroutes = [\r\n  "a/*",\r\n  "b/*"\r\n', (2, 10, "an array (`[`)"
                 " is not closed before the end of the file"), id="crlf"),
    pytest.param('routes = [ "a/[x]",\n  [1, 2]\n', (1, 10, "an array (`[`) is not closed before"
                 " the end of the file"), id="brackets-inside"),
    pytest.param('routes = [\n  "a/*"\n\n[vars]\nX = "1"\n', (4, 1, "an array (`[`) above is not"
                 " closed: a `]` is missing before this line"), id="before-a-table"),
    pytest.param('routes = [\n  "a/*",\n  """b\n', (3, 3, "a quote is not closed before the end"
                 " of the file"), id="a-string-in-it"),
    pytest.param("x = { a = 1\n", (1, 12, "an inline table (`{`) is not closed on its line: a `}`"
                 " is missing"), id="inline-table"),
    pytest.param('name = "w"\nvars = { A = "b"', (2, 8, "an inline table (`{`) is not closed before"
                 " the end of the file"), id="inline-table-at-the-end"),  # QA s27e #11
    pytest.param('name = "w"\nroutes = [\n' + '  "r.example.com/*",\n' * 19_999 + '  "r/*"\n', (20_002, 8,
                 "an array (`[`) is not closed before the end of the file"), id="too-long-to-scan"),
])
def test_an_array_left_open_says_where_it_opens(text: str, expected: tuple[int, int, str]) -> None:
    """QA s27d: at a line it is not on (a table's, CRLF), or after minutes of parsing."""
    with pytest.raises(ConfigParseError) as caught:
        load("wrangler.toml", text)
    assert (caught.value.line, caught.value.column, caught.value.message) == expected

