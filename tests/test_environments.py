"""auditlib.wrangler.load: how environments resolve, in TOML and in JSONC.

Inheritable keys flow from the top level into each `[env.NAME]` unless it overrides them;
bindings and vars belong only to the scope that declares them.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditlib.model import Environment, WranglerConfig
from auditlib.wrangler import load

TOML = """\
name = "shop"
main = "src/index.ts"
compatibility_date = "2025-01-15"

[placement]
mode = "smart"

[observability]
enabled = true

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Cart"]

[vars]
MODE = "dev"

[[kv_namespaces]]
binding = "CACHE"
id = "dev-id"

[env.production]
name = "shop-prod"
compatibility_date = "2025-06-01"

[env.production.observability]
enabled = false

[env.production.vars]
MODE = "prod"

[env.staging]
main = "src/staging.ts"
"""

JSONC = """\
{
  // the shop Worker
  "name": "shop",
  "main": "src/index.ts",
  "compatibility_date": "2025-01-15",
  "placement": { "mode": "smart" },
  "kv_namespaces": [
    { "binding": "CACHE", "id": "dev-id" }, // dev
  ],
  "vars": { "MODE": "dev", },
  /* environments */
  "env": {
    "production": {
      "name": "shop-prod",
      "kv_namespaces": [
        { "binding": "CACHE", "id": "prod-id", },
      ],
      "vars": {
        "MODE": "prod",
      },
    },
    "staging": {
      // nothing but a comment and a date
      "compatibility_date": "2025-03-01",
    },
  },
  "r2_buckets": [
    { "binding": "IMAGES", "bucket_name": "images" },
  ],
}
"""

# The real bug of DOMAIN.md: bindings at the top level, production redeclares only vars.
ONLY_VARS = """\
name = "shop"
main = "src/index.ts"

[[kv_namespaces]]
binding = "CACHE"
id = "dev-id"

[env.production]
vars = { MODE = "prod" }
"""

# The TOML trap: the [[kv_namespaces]] after [env.production.vars] is top level.
TRAP = """\
name = "shop"
main = "src/index.ts"

[env.production]
name = "shop-prod"

[env.production.vars]
MODE = "prod"

[[kv_namespaces]]
binding = "CACHE"
id = "top-id"
"""

# Valid TOML, rarely written: the environment declared with dotted keys, no table header.
DOTTED = ('name = "shop"\nmain = "src/index.ts"\n'
          'env.production.name = "shop-prod"\nenv.production.vars = { MODE = "prod" }\n')
QUOTED_DOT = ('name = "shop"\n\n[env."eu.prod"]\nname = "shop-eu"\n[[env."eu.prod".kv_namespaces]]\n'
              'binding = "KV"\nid = "a1b2"\n[env."eu.prod".vars]\nMODE = "eu"\n')


def scope(config: WranglerConfig, name: str) -> Environment:
    return {env.name: env for env in config.scopes()}[name]


def resolved(env: Environment) -> dict[str, Any]:
    """What a test compares: bindings and vars with their lines, and where the env starts."""
    return {
        "location": (env.location.path, env.location.start_line),
        "bindings": [(b.kind, b.name, b.location.start_line, b.environment) for b in env.bindings],
        "vars": [(v.name, v.value, v.location.start_line) for v in env.vars],
    }


@pytest.mark.parametrize(("path", "text", "env", "key", "expected"), [
    # TOML: inherited from the top level
    ("wrangler.toml", TOML, "production", "main", "src/index.ts"),
    ("wrangler.toml", TOML, "production", "placement", {"mode": "smart"}),
    ("wrangler.toml", TOML, "production", "migrations", [{"tag": "v1", "new_sqlite_classes": ["Cart"]}]),
    ("wrangler.toml", TOML, "staging", "compatibility_date", "2025-01-15"),
    ("wrangler.toml", TOML, "staging", "observability", {"enabled": True}),
    # TOML: overridden by the environment
    ("wrangler.toml", TOML, "production", "compatibility_date", "2025-06-01"),
    ("wrangler.toml", TOML, "production", "observability", {"enabled": False}),
    ("wrangler.toml", TOML, "staging", "main", "src/staging.ts"),
    # JSONC
    ("wrangler.jsonc", JSONC, "production", "compatibility_date", "2025-01-15"),
    ("wrangler.jsonc", JSONC, "production", "placement", {"mode": "smart"}),
    ("wrangler.jsonc", JSONC, "staging", "main", "src/index.ts"),
    ("wrangler.jsonc", JSONC, "staging", "compatibility_date", "2025-03-01"),
    # the top level keeps its own values
    ("wrangler.toml", TOML, "", "compatibility_date", "2025-01-15"),
    ("wrangler.toml", TOML, "", "observability", {"enabled": True}),
])
def test_inheritable_settings(path: str, text: str, env: str, key: str, expected: object) -> None:
    assert scope(load(path, text), env).settings[key] == expected


@pytest.mark.parametrize(("path", "text", "env", "expected"), [
    ("wrangler.toml", TOML, "", "shop"),
    ("wrangler.toml", TOML, "production", "shop-prod"),  # set by the env
    ("wrangler.toml", TOML, "staging", "shop-staging"),  # wrangler appends the env name
    ("wrangler.jsonc", JSONC, "production", "shop-prod"),
    ("wrangler.jsonc", JSONC, "staging", "shop-staging"),
])
def test_effective_name(path: str, text: str, env: str, expected: str) -> None:
    assert scope(load(path, text), env).settings["name"] == expected


@pytest.mark.parametrize(("path", "text"), [("wrangler.toml", TOML), ("wrangler.jsonc", JSONC),
                                            ("wrangler.toml", ONLY_VARS), ("wrangler.toml", TRAP)])
def test_bindings_and_vars_are_not_settings(path: str, text: str) -> None:
    for env in load(path, text).scopes():
        assert not {"vars", "kv_namespaces", "r2_buckets", "env"} & set(env.settings), env.name


@pytest.mark.parametrize(("path", "text", "env", "expected"), [
    pytest.param("wrangler.toml", TOML, "", {
        "location": ("wrangler.toml", 1),
        "bindings": [("kv_namespaces", "CACHE", 19, "")],
        "vars": [("MODE", "dev", 16)]}, id="toml-top"),
    pytest.param("wrangler.toml", TOML, "production", {
        "location": ("wrangler.toml", 22),
        "bindings": [],
        "vars": [("MODE", "prod", 30)]}, id="toml-production"),
    pytest.param("wrangler.toml", TOML, "staging", {
        "location": ("wrangler.toml", 32), "bindings": [], "vars": []}, id="toml-staging-inherits-none"),
    pytest.param("wrangler.toml", ONLY_VARS, "", {
        "location": ("wrangler.toml", 1),
        "bindings": [("kv_namespaces", "CACHE", 5, "")], "vars": []}, id="only-vars-top"),
    pytest.param("wrangler.toml", ONLY_VARS, "production", {
        "location": ("wrangler.toml", 8),
        "bindings": [], "vars": [("MODE", "prod", 9)]}, id="only-vars-production"),
    pytest.param("wrangler.toml", TRAP, "", {
        "location": ("wrangler.toml", 1),
        "bindings": [("kv_namespaces", "CACHE", 11, "")], "vars": []}, id="trap-top-has-the-kv"),
    pytest.param("wrangler.toml", TRAP, "production", {
        "location": ("wrangler.toml", 4),
        "bindings": [], "vars": [("MODE", "prod", 8)]}, id="trap-production-lacks-the-kv"),
    pytest.param("wrangler.jsonc", JSONC, "", {
        "location": ("wrangler.jsonc", 1),
        "bindings": [("kv_namespaces", "CACHE", 8, ""), ("r2_buckets", "IMAGES", 28, "")],
        "vars": [("MODE", "dev", 10)]}, id="jsonc-top"),
    pytest.param("wrangler.jsonc", JSONC, "production", {
        "location": ("wrangler.jsonc", 13),
        "bindings": [("kv_namespaces", "CACHE", 16, "production")],
        "vars": [("MODE", "prod", 19)]}, id="jsonc-production"),
    pytest.param("wrangler.jsonc", JSONC, "staging", {
        "location": ("wrangler.jsonc", 22), "bindings": [], "vars": []}, id="jsonc-staging"),
    pytest.param("wrangler.toml", DOTTED, "production", {
        "location": ("wrangler.toml", 3), "bindings": [], "vars": [("MODE", "prod", 4)]},
        id="toml-dotted-keys"),
    pytest.param("wrangler.toml", QUOTED_DOT, "eu.prod", {
        "location": ("wrangler.toml", 3), "bindings": [("kv_namespaces", "KV", 6, "eu.prod")],
        "vars": [("MODE", "eu", 9)]}, id="toml-environment-name-with-a-dot"),
])
def test_scope_bindings_vars_and_location(path: str, text: str, env: str,
                                          expected: dict[str, Any]) -> None:
    assert resolved(scope(load(path, text), env)) == expected


def test_trap_values_stay_apart() -> None:
    config = load("wrangler.toml", TRAP)
    assert config.bindings[0].properties == {"binding": "CACHE", "id": "top-id"}
    production = scope(config, "production")
    assert production.declared == ("name", "vars")
    assert "kv_namespaces" not in production.declared
    assert config.top.declared == ("name", "main", "kv_namespaces")


@pytest.mark.parametrize(("path", "text", "env", "declared", "key_lines"), [
    ("wrangler.toml", TOML, "production", ("name", "compatibility_date", "observability", "vars"),
     {"name": 23, "compatibility_date": 24, "observability": 26, "vars": 29}),
    ("wrangler.toml", TOML, "staging", ("main",), {"main": 33}),
    ("wrangler.jsonc", JSONC, "production", ("name", "kv_namespaces", "vars"),
     {"name": 14, "kv_namespaces": 15, "vars": 18}),
    ("wrangler.jsonc", JSONC, "staging", ("compatibility_date",), {"compatibility_date": 24}),
])
def test_declared_keys_and_lines(path: str, text: str, env: str, declared: tuple[str, ...],
                                 key_lines: dict[str, int]) -> None:
    found = scope(load(path, text), env)
    assert found.declared == declared
    assert found.key_lines == key_lines
    assert found.location_of(declared[0]).start_line == key_lines[declared[0]]


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n  "name": "shop",\n  "durable_objects": {\n'
     '    "bindings": [{ "name": "CART_DO", "class_name": "Cart" }],\n  },\n}\n', 2),
    ('{\n  "durable_objects": {\n    "bindings": [{ "name": "CART_DO", "class_name": "Cart" }],\n'
     '  },\n  "name": "shop",\n}\n', 5),
], ids=["name-first", "nested-name-first"])
def test_jsonc_key_line_is_the_top_level_key(text: str, expected: int) -> None:
    assert load("wrangler.jsonc", text).top.key_lines["name"] == expected
