"""Rules CF007-CF020 on failing and passing fixture repositories (collect, then evaluate).

Each case lists the rule's findings as (path, line, subject); severity and outcome are
checked for every finding.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from auditlib.collect import collect
from auditlib.config import DEFAULT_CONFIG, AuditConfig
from auditlib.evaluate import evaluate
from auditlib.model import Finding, Outcome, Severity
from auditlib.rules import RULES
from auditlib.secrets import secret_reason

if TYPE_CHECKING:
    from conftest import MakeRepo

Files = dict[str, str]
Expected = list[tuple[str, int | None, str]]

WORKER = 'name = "shop"\nmain = "src/index.ts"\n'  # 2 lines
PAGES = 'name = "site"\npages_build_output_dir = "out"\n'  # 2 lines
DO_BINDING = '\n[durable_objects]\nbindings = [{ name = "CART_DO", class_name = "Cart" }]\n'  # line 5


def findings(tmp_path: Path, make_repo: MakeRepo, files: Files, rule: str,
             config: AuditConfig = DEFAULT_CONFIG) -> list[Finding]:
    """Collect the fixture repository, evaluate every rule, keep the findings of `rule`."""
    return [f for f in evaluate(collect(make_repo(tmp_path, files)), config=config)
            if f.rule == rule]


def check(found: list[Finding], expected: Expected, severity: Severity) -> None:
    assert [(f.location.path, f.location.start_line, f.subject) for f in found] == expected
    assert all(f.severity == severity and f.outcome == Outcome.FAIL for f in found), found


# CF007 observability-disabled -------------------------------------------------------------

def test_cf007_says_when_environments_turn_it_on_for_themselves(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s26b (ncsuguessr): the top level has none, the environments CI deploys do."""
    env = "\n[env.{0}]\nname = \"shop-{0}\"\n[env.{0}.observability]\nenabled = true\n"
    files = {"wrangler.toml": WORKER + env.format("staging") + env.format("production")}
    [found] = findings(tmp_path, make_repo, files, "CF007")
    assert found.message == ("observability is not enabled at the top level of `wrangler.toml`"
                             " (env `staging`, `production` turn it on for themselves)")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": WORKER}, [("wrangler.toml", None, "observability")],
                 id="worker-without-observability"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = false\n"},
                 [("wrangler.toml", 4, "observability")], id="disabled"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nhead_sampling_rate = 1\n"},
                 [("wrangler.toml", 4, "observability")], id="enabled-not-set"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = true\n"}, [],
                 id="enabled"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability.logs]\nenabled = true\n"}, [],
                 id="logs-enabled"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability.logs]\nenabled = false\n"},
                 [("wrangler.toml", 4, "observability")], id="logs-disabled"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = false\n"
                  "[observability.logs]\nenabled = true\n"},
                 [("wrangler.toml", 4, "observability")], id="logs-enabled-but-all-off"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = true\n\n"
                  '[env.production]\nname = "shop-prod"\n'}, [], id="inherited-by-env"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = true\n\n"
                  "[env.production.observability]\nenabled = false\n"},
                 [("wrangler.toml", 7, "observability (env production)")],
                 id="overridden-in-env"),
    pytest.param({"wrangler.toml": WORKER + "\n[observability]\nenabled = false\n\n"
                  "[env.production.observability]\nenabled = true\n"},
                 [("wrangler.toml", 4, "observability")], id="enabled-in-env-only"),
    pytest.param({"wrangler.toml": WORKER + '\n[env.staging]\nname = "shop-staging"\n'},
                 [("wrangler.toml", None, "observability"),
                  ("wrangler.toml", None, "observability (env staging)")],
                 id="missing-everywhere"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "observability": { "enabled": false },\n}\n'},
                 [("wrangler.jsonc", 3, "observability")], id="jsonc-disabled"),
    pytest.param({"wrangler.toml": PAGES}, [], id="pages-not-a-worker"),
    # QA s34b, s35a: requests for static assets run no Worker: nothing to log
    pytest.param({"wrangler.jsonc": '{"name": "docs", "assets": {"directory": "./public"}}'}, [],
                 id="static-assets-only"),
    pytest.param({"wrangler.toml": 'name = "docs"\n[assets]\ndirectory = "public"\n'
                  '[env.production]\nmain = "src/index.ts"\n'},
                 [("wrangler.toml", None, "observability (env production)")], id="code-in-an-env"),
    pytest.param({"wrangler.toml": 'name = "lib"\n'}, [], id="unknown-target"),
])
def test_cf007(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    check(findings(tmp_path, make_repo, files, "CF007"), expected, Severity.P2)


@pytest.mark.parametrize(("observability", "why"), [
    ("[observability]\nenabled = true\nhead_sampling_rate = 0\n",
     "`head_sampling_rate = 0`: no request is logged"),
    ("[observability]\nenabled = true\n[observability.logs]\nhead_sampling_rate = 0.0\n",
     "`head_sampling_rate = 0`: no request is logged"),
    ("[observability]\nenabled = true\n[observability.logs]\nenabled = false\n",
     "`logs.enabled = false`"),
    ("[observability]\nenabled = true\nhead_sampling_rate = 0.01\n", None),
])
def test_cf007_settings_that_keep_no_logs(tmp_path: Path, make_repo: MakeRepo, observability: str,
                                          why: str | None) -> None:
    found = findings(tmp_path, make_repo, {"wrangler.toml": WORKER + "\n" + observability}, "CF007")
    assert [f.message for f in found] == ([] if why is None else [f"`wrangler.toml` keeps no logs ({why})"])


@pytest.mark.parametrize(("path", "text", "fix"), [
    ("wrangler.toml", WORKER, "`[observability]` with `enabled = true`"),
    ("wrangler.jsonc", '{ "name": "shop", "main": "src/index.ts" }',
     '`"observability": { "enabled": true }`'),
])
def test_cf007_asks_for_the_setting_in_the_file_s_syntax(tmp_path: Path, make_repo: MakeRepo, path: str,
                                                        text: str, fix: str) -> None:
    [found] = findings(tmp_path, make_repo, {path: text}, "CF007")
    assert found.remediation == f"Enable Workers observability ({fix})"


def test_cf007_a_top_level_without_an_entry_deploys_nothing(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = ('name = "api"\n[env.staging]\nmain = "src/index.ts"\n[env.production]\nmain = "src/index.ts"\n'
            "[env.production.observability]\nenabled = true\n")
    found = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF007")
    assert [f.subject for f in found] == ["observability (env staging)"]


def test_cf007_asks_for_logs_where_observability_is_on(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = '{ "main": "a.ts", "observability": { "enabled": true, "logs": { "enabled": false } } }'
    [found] = findings(tmp_path, make_repo, {"wrangler.jsonc": text}, "CF007")
    assert found.remediation == ('Keep Workers Logs: `"logs": { "enabled": true }` and a'
                                 " `head_sampling_rate` above 0")
    assert found.message == '`wrangler.jsonc` keeps no logs (`"logs": { "enabled": false }`)'


def test_cf007_quotes_a_json_config_s_sampling_rate_in_its_syntax(tmp_path: Path,
                                                                 make_repo: MakeRepo) -> None:
    text = '{ "main": "a.ts", "observability": { "enabled": true, "head_sampling_rate": 0 } }'
    [found] = findings(tmp_path, make_repo, {"wrangler.json": text}, "CF007")
    assert found.message == ('`wrangler.json` keeps no logs (`"head_sampling_rate": 0`:'
                             " no request is logged)")


# CF008 durable-object-migration-missing ---------------------------------------------------

def migration(key: str, value: str) -> str:
    return f'\n[[migrations]]\ntag = "v1"\n{key} = {value}\n'


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": WORKER + DO_BINDING}, [("wrangler.toml", 5, "CART_DO")],
                 id="no-migrations"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_classes", '["Cart"]')},
                 [], id="new-classes"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_sqlite_classes", '["Cart"]')},
                 [], id="new-sqlite-classes"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration(
        "renamed_classes", '[{ from = "OldCart", to = "Cart" }]')}, [], id="renamed-to"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration(
        "renamed_classes", '[{ from = "Cart", to = "NewCart" }]')},
                 [("wrangler.toml", 5, "CART_DO")], id="renamed-from-does-not-count"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("deleted_classes", '["Cart"]')},
                 [("wrangler.toml", 5, "CART_DO")], id="deleted-does-not-count"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_classes", '["Session"]')},
                 [("wrangler.toml", 5, "CART_DO")], id="other-class-migrated"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_classes", '["Cart"]')
                  + migration("deleted_classes", '["Cart"]').replace('"v1"', '"v2"')},
                 [("wrangler.toml", 5, "CART_DO")], id="deleted-later"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_classes", '["Cart"]')
                  + migration("renamed_classes", '[{ from = "Cart", to = "NewCart" }]')
                  .replace('"v1"', '"v2"')},
                 [("wrangler.toml", 5, "CART_DO")], id="renamed-away-later"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration(
        "transferred_classes", '[{ from = "Cart", from_script = "old-worker", to = "Cart" }]')},
                 [], id="transferred-to"),
    pytest.param({"wrangler.toml": WORKER + '\n[durable_objects]\nbindings = [\n'
                  '  { name = "CART_DO", class_name = "Cart", script_name = "cart-worker" },\n]\n'},
                 [], id="script-name-exempts"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + migration("new_classes", '["Cart"]')
                  + '\n[env.production]\n[env.production.durable_objects]\n'
                  'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n'},
                 [], id="env-inherits-migrations"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + '\n[env.production.durable_objects]\n'
                  'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n'},
                 [("wrangler.toml", 5, "CART_DO"), ("wrangler.toml", 8, "CART_DO (env production)")],
                 id="env-without-migrations"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "durable_objects": {\n'
                  '    "bindings": [{ "name": "CART_DO", "class_name": "Cart" }],\n  },\n'
                  '  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Cart"] }],\n}\n'},
                 [], id="jsonc-migrated"),
    pytest.param({"wrangler.toml": PAGES + DO_BINDING + migration("new_classes", '["Cart"]')},
                 [("wrangler.toml", 5, "CART_DO")], id="pages-without-script-name"),
    pytest.param({"wrangler.toml": PAGES + '\n[durable_objects]\nbindings = [\n'
                  '  { name = "CART_DO", class_name = "Cart", script_name = "cart-worker" },\n]\n'},
                 [], id="pages-with-script-name"),
    pytest.param({"wrangler.json": '{"main": "a.ts", "durable_objects": {"bindings": [\n'
                  '  {"name": "CART_DO", "class_name": "Cart"}]},\n'
                  ' "exports": {"Cart": {"type": "durable-object", "storage": "sqlite"}}}\n'},
                 [], id="declared-by-exports"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING
                  + '\n[exports.Cart]\ntype = "durable-object"\nstate = "deleted"\n'},
                 [("wrangler.toml", 5, "CART_DO")], id="exports-deleted-does-not-count"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING
                  + '\n[exports.Cart]\ntype = "durable-object"\n'
                  '\n[env.production.durable_objects]\n'
                  'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n'},
                 [], id="env-inherits-exports"),
])
def test_cf008(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    found = findings(tmp_path, make_repo, files, "CF008")
    check(found, expected, Severity.P0)
    assert all("Cart" in f.message for f in found)


def test_cf008_a_deleted_export_says_so(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + DO_BINDING
             + '\n[exports.Cart]\ntype = "durable-object"\nstate = "deleted"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF008")
    assert found.message == "`Cart` (CART_DO) is exported as `deleted` in `wrangler.toml`"


@pytest.mark.parametrize(("migrations", "message", "remediation"), [
    ('[[migrations]]\ntag = "v1"\nnew_classes = ["Cart"]\n[[migrations]]\ntag = "v4"\n'
     'renamed_classes = [{ from = "Cart", to = "Basket" }]\n',
     "`Cart` (CART_DO) was renamed to `Basket` in migration `v4` of `wrangler.toml`, and no"
     " `exports` entry declares it", "Set `class_name` of `CART_DO` to `Basket`, its name since then"),
    ('[[migrations]]\ntag = "v1"\nnew_classes = ["Cart"]\n[[migrations]]\ntag = "v2"\n'
     'renamed_classes = [{ from = "Cart", to = "Basket" }]\n[[migrations]]\ntag = "v3"\n'
     'deleted_classes = ["Basket"]\n',
     "`Cart` (CART_DO) was renamed to `Basket` in migration `v2`, then deleted in migration `v3`"
     " of `wrangler.toml`, and no `exports` entry declares it", "Add `Cart` to `new_sqlite_classes`"
     " of a new `[[migrations]]` entry in `wrangler.toml`"),
    ('[[migrations]]\ntag = "v1"\nnew_classes = ["Cart"]\n[[migrations]]\ntag = "v2"\n'
     'deleted_classes = ["Cart"]\n',
     "`Cart` (CART_DO) was deleted in migration `v2` of `wrangler.toml`, and no `exports` entry"
     " declares it", "Add `Cart` to `new_sqlite_classes` of a new `[[migrations]]` entry in"
     " `wrangler.toml`"),
])
def test_cf008_a_class_renamed_or_deleted_says_so(tmp_path: Path, make_repo: MakeRepo, migrations: str,
                                                  message: str, remediation: str) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": WORKER + DO_BINDING + migrations}, "CF008")
    assert (found.message, found.remediation) == (message, remediation)


def test_cf008_pages_message_names_script_name(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": PAGES + DO_BINDING}, "CF008")
    assert "script_name" in found.message and "Pages" in found.message


def test_cf008_durable_object_classes_in_both_exports_and_migrations(tmp_path: Path,
                                                                       make_repo: MakeRepo) -> None:
    both = (WORKER + DO_BINDING + migration("new_sqlite_classes", '["Cart"]')
            + '\n[exports]\nCart = { type = "durable-object", storage = "sqlite" }\n'
            + '\n[env.production]\nname = "shop-prod"\n')  # inherits both: said once, at the top
    found = findings(tmp_path, make_repo, {"wrangler.toml": both}, "CF008")
    assert [(f.subject, f.location.start_line) for f in found] == [("exports", 11)]
    assert found[0].message == ("`wrangler.toml` declares Durable Object classes in both `exports`"
                                " and `migrations`: wrangler takes one of them, not both")
    entrypoints = both.replace('Cart = { type = "durable-object", storage = "sqlite" }',
                               'default = { type = "worker" }')
    (tmp_path / "2").mkdir()
    assert findings(tmp_path / "2", make_repo, {"wrangler.toml": entrypoints}, "CF008") == []


# CF009 durable-object-class-not-found -----------------------------------------------------

CART_CLASS = ('import { DurableObject } from "cloudflare:workers";\n\n'
              "export class Cart extends DurableObject {}\n")
OTHER_CLASS = CART_CLASS.replace("class Cart ", "class CartDurableObject ")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.ts": CART_CLASS}, [],
                 id="exported"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/cart.ts": "export class Cart {\n  fetch() { return new Response(); }\n}\n"},
                 [], id="exported-plain-class"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.ts": OTHER_CLASS},
                 [("wrangler.toml", 5, "CART_DO")], id="other-class-exported"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "class Cart extends DurableObject {}\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="not-exported"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "// export class Cart extends DurableObject {}\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="commented-out"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "class Cart extends DurableObject {}\n\nexport { Cart };\n"},
                 [], id="export-list"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": 'export { CartObject as Cart, type Env } from "./cart";\n'},
                 [], id="re-exported-as"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": 'export {\n  Session,\n  Cart,\n} from "./objects";\n'},
                 [], id="export-list-over-lines"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": 'export {\n  // Durable Objects\n  Session, // a session\n  Cart,'
                                  '\n  /* more\n  */ Room,\n} from "./objects";\n'},
                 [], id="export-list-with-comments"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "class CartBase extends DurableObject {}\n"
                                  "export const Cart = Sentry.instrumentDurableObjectWithSentry(\n"
                                  "  (env) => ({ dsn: env.DSN }), CartBase);\n"},
                 [], id="exported-as-a-const"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "// export const Cart = wrap(CartBase);\n"
                                  "export const CartObject = wrap(CartBase);\n"
                                  "export let Carts = [];\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="no-const-of-that-name"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "class Cart extends DurableObject {}\nexport default {};\n",
                  "src/components/Cart.tsx": "export const Cart = () => <div>cart</div>;\n",
                  "src/ui.ts": "export const Cart = memo(() => null);\nexport let Cart = async () => 1;\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="a-component-of-that-name-is-no-class"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "export const Cart: typeof CartBase = class extends DurableObject {};\n"},
                 [], id="a-class-expression"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.tsx": "export const Cart =\n"
                  "  Sentry.instrumentDurableObjectWithSentry((env: Env) => ({ dsn: env.DSN }), Base);\n"},
                 [], id="a-value-on-the-next-line-in-a-tsx-module"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.ts": "export const Cart = Base;\n"},
                 [], id="an-alias"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.ts":
                  "export const Cart: new (s: State, env: Env) => Base =\n"
                  "  wrap<Env, Map<string, number>>(Base);\n"},
                 [], id="a-constructor-type-and-nested-generics"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": 'export { Cart as default, type Cart as CartType } from "./c";\n'},
                 [("wrangler.toml", 5, "CART_DO")], id="default-and-type-exports-do-not-count"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "src/index.ts": "export default class Cart extends DurableObject {}\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="a-default-export-has-no-name"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING,
                  "test/index.ts": "class Cart {}\nexport { Cart };\n", "src/index.ts": "export {};\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="exported-by-a-test-only"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING, "src/index.ts": "export {};\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="no-class"),
    pytest.param({"wrangler.toml": WORKER + '\n[durable_objects]\nbindings = [\n'
                  '  { name = "CART_DO", class_name = "Cart", script_name = "cart-worker" },\n]\n'},
                 [], id="script-name-exempts"),
    pytest.param({"wrangler.toml": PAGES + DO_BINDING}, [], id="pages-not-checked"),
    pytest.param({"wrangler.toml": WORKER + DO_BINDING + '\n[env.production.durable_objects]\n'
                  'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n', "src/index.ts": "export {};\n"},
                 [("wrangler.toml", 5, "CART_DO"), ("wrangler.toml", 8, "CART_DO (env production)")],
                 id="missing-in-env-too"),
    pytest.param({"wrangler.toml": WORKER + '\n[env.production.durable_objects]\n'
                  'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n',
                  "src/cart.ts": "export class Cart {\n  fetch() { return new Response(); }\n}\n"},
                 [], id="env-only-binding-plain-class"),
    pytest.param({"wrangler.toml": 'name = "py"\nmain = "src/entry.py"\n' + DO_BINDING,
                  "src/entry.py": "class Cart(DurableObject):\n    pass\n"}, [], id="python-worker"),
    pytest.param({"wrangler.toml": 'name = "rs"\nmain = "build/worker/shim.mjs"\n' + DO_BINDING
                  + '\n[build]\ncommand = "make build"\n'}, [], id="rust-worker-built-otherwise"),
    pytest.param({"wrangler.toml": 'name = "rs"\nmain = "build/worker/shim.mjs"\n' + DO_BINDING
                  + '\n[build]\ncommand = "cargo install -q worker-build && worker-build --release"\n',
                  "src/lib.rs": "#[durable_object]\npub struct Cart {}\n"}, [], id="rust-worker"),
    pytest.param({"wrangler.toml": 'name = "next"\nmain = ".open-next/worker.js"\n' + DO_BINDING},
                 [], id="opennext-s-generated-entry"),
    pytest.param({"wrangler.toml": 'name = "w"\nmain = "./dist/index.js"\n' + DO_BINDING}, [],
                 id="a-built-entry"),
    pytest.param({"wrangler.toml": 'name = "w"\nmain = "src/dist.ts"\n' + DO_BINDING,
                  "src/dist.ts": "export {};\n"},
                 [("wrangler.toml", 5, "CART_DO")], id="a-source-file-named-like-a-build-folder"),
])
def test_cf009(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    found = findings(tmp_path, make_repo, files, "CF009")
    check(found, expected, Severity.P0)
    assert all("`Cart`" in f.message for f in found)


def test_cf009_a_missing_entry_is_reported_once(tmp_path: Path, make_repo: MakeRepo) -> None:
    config = (WORKER + '\n[durable_objects]\nbindings = [{ name = "CART_DO", class_name = "Cart" },'
              ' { name = "ROOM", class_name = "Room" }]\n'
              '\n[env.staging]\ndurable_objects.bindings = [{ name = "CART_DO", class_name = "Cart" }]\n'
              '\n[env.production]\nmain = "src/prod.ts"\n'
              'durable_objects.bindings = [{ name = "CART_DO", class_name = "Cart" }]\n')
    found = findings(tmp_path, make_repo, {"wrangler.toml": config, "src/room.ts": "export class Room {}\n",
                                           ".gitignore": "src/index.ts\n", "src/index.ts": "x\n"},
                     "CF009")
    # At the first binding whose class it would export, where a suppression of CF009 stays;
    # a git-ignored entry that a build made here is not in the repository either.
    assert [(f.location.start_line, f.subject, f.message) for f in found] == [
        (5, "CART_DO", "the entry `src/index.ts` (`main`, line 2) of `wrangler.toml` is not in the"
                       " repository, and no module of the Worker exports the classes its Durable"
                       " Object and Workflow bindings name (`Cart`)"),
        (12, "CART_DO (env production)", "the entry `src/prod.ts` (`main`, line 11) of `wrangler.toml`"
                                         " (env `production`) is not in the repository, and no module"
                                         " of the Worker exports the classes its Durable Object"
                                         " and Workflow bindings name (`Cart`)")]
    assert found[0].remediation == ("Correct `main` in `wrangler.toml`; if a build writes `src/index.ts`,"
                                    " export the classes from code the repository holds")
    assert found[0].severity == Severity.P0


def test_cf009_a_built_entry_is_not_missing(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "w"\nmain = "build/index.js"\n' + DO_BINDING})
    [config] = collect(repo).configs
    assert config.missing_entries == ()


def app(name: str, main: str = "src/index.ts") -> str:
    return f'name = "{name}"\nmain = "{main}"\n' + DO_BINDING  # the binding on line 5


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"apps/a/wrangler.toml": app("a"), "apps/a/src/index.ts": CART_CLASS,
                  "apps/b/wrangler.toml": app("b"), "apps/b/src/index.ts": "export {};\n"},
                 [("apps/b/wrangler.toml", 5, "CART_DO")], id="exported-by-another-app-only"),
    pytest.param({"wrangler.toml": app("root"), "src/index.ts": "export {};\n",
                  "apps/a/wrangler.toml": app("a"), "apps/a/src/index.ts": CART_CLASS},
                 [("wrangler.toml", 5, "CART_DO")], id="not-by-an-app-inside-the-root-s-folder"),
    pytest.param({"wrangler.toml": app("root", "index.ts"),
                  "apps/a/wrangler.toml": app("a"), "apps/a/src/index.ts": CART_CLASS},
                 [("wrangler.toml", 5, "CART_DO")], id="an-entry-in-the-root-folder-claims-nothing-more"),
    pytest.param({"apps/b/wrangler.toml": app("b"), "packages/do/src/cart.ts": CART_CLASS},
                 [("apps/b/wrangler.toml", 5, "CART_DO")], id="exported-by-a-shared-package-only"),
    pytest.param({"apps/b/wrangler.toml": app("b"), "packages/do/src/cart.ts": CART_CLASS,
                  "apps/b/src/index.ts": 'export { Cart } from "@acme/do";\n'},
                 [], id="re-exported-from-a-shared-package"),
    pytest.param({"apps/b/wrangler.toml": app("b"),
                  "apps/b/src/index.ts": 'export * from "@acme/objects";\n'},
                 [], id="export-star-is-not-looked-into"),
    pytest.param({"apps/b/wrangler.toml": app("b"),
                  "apps/b/src/index.ts": 'export * as objects from "@acme/objects";\n'},
                 [("apps/b/wrangler.toml", 5, "CART_DO")], id="export-star-as-a-namespace"),
    pytest.param({"apps/a/wrangler.toml": app("a"), "apps/a/src/index.ts": CART_CLASS,
                  "apps/b/wrangler.toml": app("b"), "apps/b/src/index.ts": 'export * from "./o";\n'},
                 [], id="export-star-of-this-worker-only"),
    pytest.param({"apps/b/wrangler.toml": app("b", "../../packages/worker/src/index.ts"),
                  "packages/worker/src/cart.ts": CART_CLASS}, [], id="in-the-folder-of-main"),
    pytest.param({"wrangler.toml": app("root", "worker/src/index.ts"), "worker/src/index.ts": CART_CLASS,
                  "worker/wrangler.toml": app("dev")}, [], id="main-in-another-config-s-folder"),
    pytest.param({"apps/b/wrangler.toml": app("b"), "apps/b/src/index.ts": "export {};\n",
                  "apps/b/src/types/index.ts": 'export * from "./env";\n'},
                 [("apps/b/wrangler.toml", 5, "CART_DO")], id="a-barrel-that-is-not-the-entry"),
    # The entry must export it: wrangler refuses the deploy otherwise (QA s33b)
    pytest.param({"apps/b/wrangler.toml": app("b"), "apps/b/src/index.ts": "export default {};\n",
                  "apps/b/src/cart.ts": CART_CLASS, "apps/a/wrangler.toml": app("a"),
                  "apps/a/src/index.ts": CART_CLASS},
                 [("apps/b/wrangler.toml", 5, "CART_DO")], id="another-module-only"),
    pytest.param({"apps/b/wrangler.toml": app("b") + '\n[env.staging]\nmain = "src/staging.ts"\n'
                  'durable_objects.bindings = [{ name = "CART_DO", class_name = "Cart" }]\n',
                  "apps/b/src/index.ts": 'export { Cart } from "./cart";\n',
                  "apps/b/src/staging.ts": "export default {};\n", "apps/b/src/cart.ts": CART_CLASS},
                 [("apps/b/wrangler.toml", 9, "CART_DO (env staging)")],
                 id="an-environment-s-own-entry"),
])
def test_cf009_looks_in_the_worker_s_own_code(tmp_path: Path, make_repo: MakeRepo, files: Files,
                                              expected: Expected) -> None:
    check(findings(tmp_path, make_repo, files, "CF009"), expected, Severity.P0)


WORKFLOW = 'name = "img"\nmain = "src/index.ts"\n\n[[workflows]]\nbinding = "RESIZE"\nname = "resize"\n'
FLOW_CLASS = ('import { WorkflowEntrypoint } from "cloudflare:workers";\n\n'
              "export class ResizeWorkflow extends WorkflowEntrypoint {}\n")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": WORKFLOW + 'class_name = "ResizeWorkflow"\n', "src/index.ts": FLOW_CLASS},
                 [], id="exported"),
    pytest.param({"wrangler.toml": WORKFLOW + 'class_name = "ResizeWorkflow"\n',
                  "src/index.ts": FLOW_CLASS.replace("ResizeWorkflow", "ResizeFlow")},
                 [("wrangler.toml", 5, "RESIZE")], id="another-name"),
    pytest.param({"wrangler.toml": WORKFLOW + 'class_name = "ResizeWorkflow"\n',
                  "src/index.ts": 'export default {};\n', "src/flow.ts": FLOW_CLASS},
                 [("wrangler.toml", 5, "RESIZE")], id="not-from-the-entry"),
    pytest.param({"wrangler.toml": WORKFLOW + 'class_name = "ResizeWorkflow"\nscript_name = "media"\n',
                  "src/index.ts": "export default {};\n"}, [], id="another-worker-s"),
])
def test_cf009_a_workflow_s_class_is_exported_by_the_entry(
        tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    """wrangler refuses a Workflow binding without `script_name` whose class the entry does
    not export, as it does a Durable Object's (QA s34b D6)."""
    check(findings(tmp_path, make_repo, files, "CF009"), expected, Severity.P0)


def test_cf009_names_the_module_that_exports_a_class_its_entry_does_not(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"apps/b/wrangler.toml": app("b"), "apps/b/src/index.ts": "export default {};\n",
             "apps/b/src/cart.ts": CART_CLASS, "apps/a/wrangler.toml": app("a"),
             "apps/a/src/index.ts": CART_CLASS}
    [found] = findings(tmp_path, make_repo, files, "CF009")
    assert found.message == (
        "`CART_DO` in `apps/b/wrangler.toml` names `Cart`, which `apps/b/src/cart.ts:3` exports,"
        " but the Worker's entry `apps/b/src/index.ts` does not: wrangler refuses to deploy a"
        " Worker whose entry does not export the Durable Object and Workflow classes it binds")
    assert found.remediation == 'Export `Cart` from `apps/b/src/index.ts` (`export { Cart } from "…"`)'
    # A second config of the folder, named by a deploy, names the same module
    files["apps/b/lib/cart.ts"] = files.pop("apps/b/src/cart.ts")  # outside main's folder
    files |= {"apps/b/wrangler.prod.toml": app("b"), ".github/workflows/d.yml": job(
        "run: npx wrangler deploy -c wrangler.prod.toml\n  working-directory: apps/b")}
    (tmp_path / "two").mkdir()
    assert [f.message.split(", but")[0].rsplit("which ", 1)[1]
            for f in findings(tmp_path / "two", make_repo, files, "CF009")] == [
        "`apps/b/lib/cart.ts:3` exports"] * 2


def test_cf009_names_the_worker_that_exports_the_class(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"apps/a/wrangler.toml": app("cart-worker"), "apps/a/src/index.ts": CART_CLASS,
             "apps/b/wrangler.toml": app("b"), "packages/do/src/cart.ts": CART_CLASS,
             "apps/c/wrangler.toml": app("c")}
    found = {f.location.path: f for f in findings(tmp_path, make_repo, files, "CF009")}
    assert found["apps/b/wrangler.toml"].message == (
        "`CART_DO` in `apps/b/wrangler.toml` names `Cart`, which this Worker does not export:"
        " `apps/a/src/index.ts:3` does, in the Worker of `apps/a/wrangler.toml` (so does"
        " `packages/do/src/cart.ts:3`)")
    assert found["apps/b/wrangler.toml"].remediation == (
        'Bind that Worker\'s class with `script_name = "cart-worker"` on `CART_DO`, or export'
        " `Cart` from this Worker")
    del files["apps/a/src/index.ts"]
    (tmp_path / "2").mkdir()
    found = {f.location.path: f for f in findings(tmp_path / "2", make_repo, files, "CF009")}
    assert found["apps/c/wrangler.toml"].message == (
        "`CART_DO` in `apps/c/wrangler.toml` names `Cart`, which this Worker does not export:"
        " only `packages/do/src/cart.ts:3` does, outside its folder")
    assert set(found) == {"apps/a/wrangler.toml", "apps/b/wrangler.toml", "apps/c/wrangler.toml"}


@pytest.mark.parametrize(("binding", "message"), [
    ('{ name = "CART_DO", class_name = ["Cart"] }',
     '`CART_DO` in `wrangler.toml` has a `class_name` that is not a string (`["Cart"]`)'),
    ('{ name = "CART_DO" }', "`CART_DO` in `wrangler.toml` has no `class_name`"),
    ('{ name = "CART_DO", class_name = 0 }',
     "`CART_DO` in `wrangler.toml` has a `class_name` that is not a string (`0`)"),
])
def test_cf009_a_class_name_that_is_no_name_is_said_so_once(
        tmp_path: Path, make_repo: MakeRepo, binding: str, message: str) -> None:
    files = {"wrangler.toml": WORKER + f"\n[durable_objects]\nbindings = [{binding}]\n",
             "src/index.ts": CART_CLASS}
    found = [f for f in evaluate(collect(make_repo(tmp_path, files)), config=DEFAULT_CONFIG)
             if f.rule in ("CF008", "CF009")]
    assert [(f.rule, f.message) for f in found] == [("CF009", message)]


def test_cf008_leaves_a_class_only_another_worker_exports_to_cf009(tmp_path: Path,
                                                                    make_repo: MakeRepo) -> None:
    """web binds `Room` without `script_name`; only counter-worker exports (and migrates) it.
    CF009 says to bind counter-worker's class; a migration in web would not deploy, so CF008
    says nothing. Once web exports `Room` itself, it needs its own migration: CF008, in JSON."""
    room = ('import { DurableObject } from "cloudflare:workers";\n'
            "export class Room extends DurableObject {}\n")
    binding = '  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] }'
    files = {"apps/counter/wrangler.jsonc": (
                 '{\n  "name": "counter-worker",\n  "main": "src/index.ts",\n' + binding + ',\n'
                 '  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }]\n}\n'),
             "apps/counter/src/index.ts": room,
             "apps/web/wrangler.jsonc": ('{\n  "name": "web",\n  "main": "src/index.ts",\n'
                                         + binding + '\n}\n'),
             "apps/web/src/index.ts": "export default {};\n"}

    def found(repo: Path) -> list[tuple[str, str, int | None, str]]:
        return [(f.rule, f.location.path, f.location.start_line, f.remediation)
                for f in evaluate(collect(make_repo(repo, files)), config=DEFAULT_CONFIG)
                if f.rule in ("CF008", "CF009")]

    assert found(tmp_path) == [("CF009", "apps/web/wrangler.jsonc", 4,
                                'Bind that Worker\'s class with `"script_name": "counter-worker"` on'
                                " `ROOM`, or export `Room` from this Worker")]
    files["apps/web/src/index.ts"] = room
    (tmp_path / "2").mkdir()
    assert found(tmp_path / "2") == [("CF008", "apps/web/wrangler.jsonc", 4,
                                      'Add `Room` to `new_sqlite_classes` of a new entry of'
                                      ' `"migrations"` in `apps/web/wrangler.jsonc`:'
                                      ' `{ "tag": "…", "new_sqlite_classes": ["Room"] }`')]


def test_cf008_cf009_a_worker_with_a_name_exports_the_class_after_one_without(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s26c #7: `apps/a` (no `name`, no Worker `script_name` can bind) exports `Room` first;
    `apps/counter` (counter-worker) exports and migrates it too: CF009 names counter-worker,
    and CF008 leaves web's binding to it."""
    room = "export class Room {}\n"
    binding = '  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] }'
    migrated = binding + ',\n  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }]\n}\n'
    files = {"apps/a/wrangler.jsonc": '{\n  "main": "src/index.ts",\n' + migrated,
             "apps/a/src/index.ts": room,
             "apps/counter/wrangler.jsonc": (
                 '{\n  "name": "counter-worker",\n  "main": "src/index.ts",\n' + migrated),
             "apps/counter/src/index.ts": room,
             "apps/web/wrangler.jsonc": ('{\n  "name": "web",\n  "main": "src/index.ts",\n'
                                         + binding + '\n}\n'),
             "apps/web/src/index.ts": "export default {};\n"}
    found = [(f.rule, f.location.path, f.message, f.remediation)
             for f in evaluate(collect(make_repo(tmp_path, files)), config=DEFAULT_CONFIG)
             if f.rule in ("CF008", "CF009")]
    assert found == [(
        "CF009", "apps/web/wrangler.jsonc",
        "`ROOM` in `apps/web/wrangler.jsonc` names `Room`, which this Worker does not export:"
        " `apps/counter/src/index.ts:1` does, in the Worker of `apps/counter/wrangler.jsonc`"
        " (so does `apps/a/src/index.ts:1`)",  # every Worker that exports it (QA s26d #6)
        'Bind that Worker\'s class with `"script_name": "counter-worker"` on `ROOM`, or export'
        " `Room` from this Worker")]
    files["apps/counter/wrangler.jsonc"] = files["apps/counter/wrangler.jsonc"].replace(
        '"name": "counter-worker",', "")  # no Worker with a name exports it
    [only] = [f.message for f in evaluate(collect(make_repo(tmp_path, files)), config=DEFAULT_CONFIG)
              if f.rule == "CF009"]
    assert only.endswith(": only `apps/a/src/index.ts:1` and `apps/counter/src/index.ts:1` do,"
                         " outside its folder")


def test_cf008_still_reports_a_binding_without_class_name_where_cf009_looks_at_no_code(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": 'name = "py"\nmain = "src/entry.py"\n'
             '\n[durable_objects]\nbindings = [{ name = "PYDO" }]\n'}
    found = [f for f in evaluate(collect(make_repo(tmp_path, files)), config=DEFAULT_CONFIG)
             if f.rule in ("CF008", "CF009")]
    assert [(f.rule, f.subject) for f in found] == [("CF008", "PYDO")]


# CF010 compatibility-date-stale -----------------------------------------------------------

AS_OF = AuditConfig(audit_date=date(2025, 7, 1), compatibility_max_age_days=30)


def dated(top: str | None, env: str | None = None) -> str:
    text = WORKER + (f'compatibility_date = "{top}"\n' if top else "")  # line 3
    if env is not None:
        text += '\n[env.production]\nname = "shop-prod"\n' + (
            f'compatibility_date = "{env}"\n' if env else "")  # env at line 5, date at line 7
    return text


@pytest.mark.parametrize(("files", "expected", "age"), [
    pytest.param({"wrangler.toml": dated("2025-06-01")}, [], None, id="exactly-at-limit"),
    pytest.param({"wrangler.toml": dated("2025-05-31")},
                 [("wrangler.toml", 3, "compatibility_date")], 31, id="one-day-over"),
    pytest.param({"wrangler.toml": dated("2025-05-31", env="")},
                 [("wrangler.toml", 3, "compatibility_date")], 31, id="inherited-reported-once"),
    pytest.param({"wrangler.toml": dated("2025-06-20", env="2024-01-01")},
                 [("wrangler.toml", 7, "compatibility_date (env production)")], 547,
                 id="stale-in-env-only"),
    pytest.param({"wrangler.toml": dated("2024-01-01", env="2025-06-20")},
                 [("wrangler.toml", 3, "compatibility_date")], 547, id="stale-at-top-only"),
    pytest.param({"wrangler.toml": WORKER + "compatibility_date = 2025-06-20\n"},
                 [("wrangler.toml", 3, "compatibility_date")], None, id="toml-date-literal"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "compatibility_date": "2025-01-01",\n}\n'},
                 [("wrangler.jsonc", 3, "compatibility_date")], 181, id="jsonc"),
    pytest.param({"wrangler.toml": dated(None)}, [("wrangler.toml", None, "compatibility_date")],
                 None, id="missing"),
    pytest.param({"wrangler.toml": dated("latest")}, [("wrangler.toml", 3, "compatibility_date")],
                 None, id="not-a-date"),
    pytest.param({"wrangler.toml": dated("20250601")}, [("wrangler.toml", 3, "compatibility_date")],
                 None, id="not-written-yyyy-mm-dd"),
    pytest.param({"wrangler.toml": dated("2025-07-01")}, [], None, id="the-audit-date"),
])
def test_cf010(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected,
               age: int | None) -> None:
    found = findings(tmp_path, make_repo, files, "CF010", AS_OF)
    check(found, expected, Severity.P2)
    for finding in found:
        assert (f"{age} days old (limit 30)" if age else "compatibility_date") in finding.message


def test_cf010_a_date_without_quotes_is_a_toml_date_wrangler_refuses(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": WORKER + "compatibility_date = 2025-06-20\n"},
                       "CF010", AS_OF)
    assert found.message == ("`wrangler.toml` writes `compatibility_date = 2025-06-20` without quotes:"
                             " a TOML date, which wrangler refuses (it expects a string)")
    assert found.remediation == 'Quote it: `compatibility_date = "2025-06-20"`'
    (tmp_path / "2").mkdir()
    config = collect(make_repo(tmp_path / "2", {"wrangler.toml": WORKER + 'compatibility_date = 2025-06-20\n'
                                                '[vars]\nRELEASED = 2025-06-20T10:00:00Z\n'})).configs[0]
    assert config.compatibility_date == "2025-06-20"  # ISO text, not JSON text with its quotes
    assert config.top.vars[0].value == "2025-06-20T10:00:00+00:00"


def test_cf010_shows_a_quoted_date_with_its_quotes(tmp_path: Path, make_repo: MakeRepo) -> None:
    # not as the TOML date the other message says wrangler refuses
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": dated("2025-05-31")}, "CF010", AS_OF)
    assert found.message.startswith('`compatibility_date = "2025-05-31"` in `wrangler.toml` is 31 days old')
    (tmp_path / "json").mkdir()
    [found] = findings(tmp_path / "json", make_repo, {
        "wrangler.jsonc": '{\n  "main": "a.ts",\n  "compatibility_date": "2025-05-31",\n}\n'}, "CF010", AS_OF)
    assert found.message.startswith('`"compatibility_date": "2025-05-31"` in `wrangler.jsonc` is 31 days')


def test_cf010_date_in_the_future(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": dated("2025-07-02")}, "CF010", AS_OF)
    assert found.location.start_line == 3
    assert "after the audit date (2025-07-01)" in found.message and "future" in found.message


def test_cf010_default_limit_is_180_days(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": dated("2025-01-02")}  # 180 days before 2025-07-01
    assert findings(tmp_path, make_repo, files, "CF010", AuditConfig(audit_date=date(2025, 7, 1))) == []
    assert len(findings(tmp_path, make_repo, files, "CF010",
                        AuditConfig(audit_date=date(2025, 7, 2)))) == 1


# CF011 secret-in-vars ---------------------------------------------------------------------

# Built from pieces so that no secret scanner mistakes this file for a leak.
STRIPE_LIKE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GITHUB_LIKE = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
JWT_LIKE = ("eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
            + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
RANDOM_LIKE = "Zx9qT4mL2vR8nB6kW1pY3sD7fG5h"


def with_var(name: str, value: str) -> Files:
    """A config with one var at line 4 (a value that is a table is written as one)."""
    written = value if value.startswith("{") else f'"{value}"'
    return {"wrangler.toml": f'main = "a.ts"\n\n[vars]\n{name} = {written}\n'}


@pytest.mark.parametrize(("name", "value", "why"), [
    ("API_TOKEN", "abc123xyz", "its name"),
    ("SESSION_SECRET", "hunter2", "its name"),
    ("DB_PASSWORD", "hunter2", "its name"),
    ("STRIPE_KEY", "hunter2", "its name"),
    ("PAYMENT_CONFIG", STRIPE_LIKE, "its value"),
    ("CI_HELPER", GITHUB_LIKE, "its value"),
    ("SESSION_SEED", JWT_LIKE, "its value"),
    ("UPSTREAM", RANDOM_LIKE, "its value"),
    ("PUBLIC_KEY", STRIPE_LIKE, "its value"),  # a public name does not excuse a secret value
    ("OAUTH", '{ client_id = "shop", client_secret = "hunter2-staple" }',
     "the name of a key in it"),  # QA s26b: not by its own name
])
def test_cf011_fires(tmp_path: Path, make_repo: MakeRepo, name: str, value: str, why: str) -> None:
    found = findings(tmp_path, make_repo, with_var(name, value), "CF011")
    check(found, [("wrangler.toml", 4, name)], Severity.P0)
    assert why in found[0].message
    for text in (found[0].message, found[0].subject, found[0].remediation):
        assert value not in text


@pytest.mark.parametrize(("name", "value"), [
    ("PUBLIC_KEY", "pk-demo"),
    ("STRIPE_PUBLISHABLE_KEY", "pk-demo"),
    ("API_URL", "https://api.example.com/v1"),
    ("MODE", "production"),
    ("CART_TTL", "60"),
    ("KV_ID", "0e0888a980cd46efa1d28aea3794b3ac"),
    ("GREETING", "Hello World from the 2025 Shop"),
    ("API_TOKEN", ""),
    ("API_TOKEN", "${API_TOKEN}"),  # variables to fill in, with braces or without
    ("STRIPE_SECRET", "$STRIPE_SECRET"),
])
def test_cf011_passes(tmp_path: Path, make_repo: MakeRepo, name: str, value: str) -> None:
    assert findings(tmp_path, make_repo, with_var(name, value), "CF011") == []


TURNSTILE_PASSES = "1x" + "0" * 31 + "AA"  # Cloudflare's, public: passes every token


def test_cf011_a_turnstile_test_secret_key_is_no_leak_but_checks_no_visitor(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s26b (redwoodjs/sdk): not "rotate it", nothing leaked; nor redacted."""
    [found] = findings(tmp_path, make_repo, with_var("TURNSTILE_SECRET_KEY", TURNSTILE_PASSES),
                       "CF011")
    assert (found.severity, found.location.start_line) == (Severity.P1, 4)
    assert found.message == ("`TURNSTILE_SECRET_KEY` in `wrangler.toml` is Cloudflare's Turnstile"
                             " test secret key, which passes every token: a Worker deployed with"
                             " it checks no visitor")
    assert found.remediation == ("Set the widget's own secret key with `wrangler secret put"
                                 " TURNSTILE_SECRET_KEY`, and keep the test key in `.dev.vars`"
                                 " for local development")
    assert secret_reason("TURNSTILE_SECRET_KEY", TURNSTILE_PASSES) is None
    assert found.quote == f'TURNSTILE_SECRET_KEY = "{TURNSTILE_PASSES}"'  # public: shown
    [fails] = findings(tmp_path, make_repo, with_var("TURNSTILE_SECRET_KEY", "2" + TURNSTILE_PASSES[1:]),
                       "CF011")
    assert fails.message.endswith("which fails every token: a Worker deployed with it refuses"
                                  " every visitor")


def test_cf011_env_vars(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": f'main = "a.ts"\n\n[env.production.vars]\nMODE = "prod"\n'
                              f'UPSTREAM = "{RANDOM_LIKE}"\n'}
    found = findings(tmp_path, make_repo, files, "CF011")
    check(found, [("wrangler.toml", 5, "UPSTREAM (env production)")], Severity.P0)
    assert RANDOM_LIKE not in found[0].message + found[0].subject + found[0].remediation
    assert found[0].message == ("`UPSTREAM` in `wrangler.toml` (env `production`) looks like a"
                                " secret by its value, which is not shown")


# CF012 binding-missing-in-environment -----------------------------------------------------

KV_TOP = WORKER + '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "dev-id"\n'  # binding at line 5
TRAP = (WORKER + '\n[env.production]\nname = "shop-prod"\n\n[env.production.vars]\nMODE = "prod"\n'
        '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "top-id"\n')  # env line 4, binding line 11


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": KV_TOP + '\n[env.production]\nvars = { MODE = "prod" }\n'},
                 [("wrangler.toml", 8, "CACHE (env production)")], id="env-redeclares-only-vars"),
    pytest.param({"wrangler.toml": TRAP}, [("wrangler.toml", 4, "CACHE (env production)")],
                 id="toml-trap"),
    pytest.param({"wrangler.toml": KV_TOP + '\n[[env.production.kv_namespaces]]\n'
                  'binding = "CACHE"\nid = "prod-id"\n'}, [], id="redeclared"),
    pytest.param({"wrangler.toml": KV_TOP + '\n[[env.production.kv_namespaces]]\n'
                  'binding = "STORE"\nid = "prod-id"\n'},
                 [("wrangler.toml", 8, "CACHE (env production)")], id="other-name"),
    pytest.param({"wrangler.toml": KV_TOP + '\n[env.staging]\nname = "s"\n\n[env.production]\nname = "p"\n'},
                 [("wrangler.toml", 8, "CACHE (env staging)"),
                  ("wrangler.toml", 11, "CACHE (env production)")], id="every-env"),
    pytest.param({"wrangler.toml": WORKER + '\n[vars]\nMODE = "dev"\nAPI_URL = "https://a"\n\n'
                  '[env.production.vars]\nMODE = "prod"\n'},
                 [("wrangler.toml", 8, "API_URL (env production)")], id="per-var"),
    pytest.param({"wrangler.toml": KV_TOP}, [], id="no-environments"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n'
                  '  "kv_namespaces": [{ "binding": "CACHE", "id": "dev" }],\n'
                  '  "env": {\n    "production": {\n      "vars": { "MODE": "prod" },\n    },\n  },\n}\n'},
                 [("wrangler.jsonc", 5, "CACHE (env production)")], id="jsonc"),
    pytest.param({"wrangler.toml": PAGES + '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "d"\n'
                  '\n[env.production]\ncompatibility_date = "2026-11-01"\n'}, [],
                 id="pages-env-inherits-when-it-sets-none"),
    pytest.param({"wrangler.toml": PAGES + '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "d"\n'
                  '\n[env.production.vars]\nMODE = "prod"\n'},
                 [("wrangler.toml", 8, "CACHE (env production)")],
                 id="pages-env-that-sets-one-sets-all"),
    pytest.param({"wrangler.toml": WORKER + '\n[[pipelines]]\nbinding = "EVENTS"\npipeline = "e"\n'
                  '\n[[secrets_store_secrets]]\nbinding = "API_KEY"\nstore_id = "s"\n'
                  '\n[images]\nbinding = "IMAGES"\n\n[env.production]\nname = "p"\n'},
                 [("wrangler.toml", 15, "API_KEY (env production)"),
                  ("wrangler.toml", 15, "EVENTS (env production)"),
                  ("wrangler.toml", 15, "IMAGES (env production)")], id="newer-binding-kinds"),
    pytest.param({"wrangler.toml": WORKER + '\n[[containers]]\nclass_name = "Box"\nimage = "./Dockerfile"\n'
                  '\n[env.production]\nname = "p"\n'},
                 [("wrangler.toml", 8, "containers (env production)")], id="containers-not-inherited"),
    pytest.param({"wrangler.toml": WORKER + '\n[[containers]]\nclass_name = "Box"\nimage = "./Dockerfile"\n'
                  '\n[[env.production.containers]]\nclass_name = "Box"\nimage = "./Dockerfile"\n'},
                 [], id="containers-redeclared"),
    pytest.param({"wrangler.toml": WORKER + "\n[define]\n__API__ = '\"https://a\"'\n"
                  '\n[env.production]\nname = "p"\n\n[env.staging.define]\n__API__ = "1"\n'},
                 [("wrangler.toml", 7, "define (env production)")], id="define-not-inherited"),
    pytest.param({"wrangler.toml": KV_TOP + '\n[env]\nstaging = { vars = { MODE = "s" } }\n'
                  'production = { kv_namespaces = [{ binding = "CACHE", id = "p" }] }\n'},
                 [("wrangler.toml", 9, "CACHE (env staging)")], id="inline-table-environments"),
    pytest.param({"wrangler.toml": WORKER + '\n[[unsafe.bindings]]\nname = "LIMITER"\ntype = "ratelimit"\n'
                  'namespace_id = "1001"\nsimple = { limit = 100, period = 60 }\n'
                  '\n[env.production]\nvars = { MODE = "prod" }\n'
                  '\n[[env.staging.unsafe.bindings]]\nname = "LIMITER"\ntype = "ratelimit"\n'
                  'namespace_id = "1002"\nsimple = { limit = 10, period = 60 }\n'},
                 [("wrangler.toml", 10, "LIMITER (env production)")], id="unsafe-bindings-not-inherited"),
    pytest.param({"wrangler.toml": WORKER + '\n[[unsafe.bindings]]\ntype = "metadata"\n'
                  '\n[[kv_namespaces]]\nid = "0e0888a980cd46efa1d28aea3794b3ac"\n'
                  '\n[env.production]\nname = "p"\n'},
                 [], id="no-name-to-declare-it-by"),
])
def test_cf012(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    check(findings(tmp_path, make_repo, files, "CF012"), expected, Severity.P1)


CONSUMER_TOP = WORKER + '\n[[queues.consumers]]\nqueue = "pipeline-jobs"\n'  # queue at line 5


def test_cf012_an_environment_s_own_queue_consumers_replace_the_top_level_s(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Declaring `pipeline-jobs` in staging would make staging consume the production queue."""
    files = {"wrangler.toml": CONSUMER_TOP + '\n[env.staging]\nname = "s"\n\n'
             '[[env.staging.queues.consumers]]\nqueue = "pipeline-jobs-staging"\n'}
    assert findings(tmp_path, make_repo, files, "CF012") == []


def test_cf012_an_environment_s_own_tail_worker_replaces_the_top_level_s(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '\ntail_consumers = [{ service = "tail" }]\n'
             '\n[env.production]\ntail_consumers = [{ service = "tail-production" }]\n'
             '\n[env.staging]\nname = "s"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    assert found.message == ("tail consumer `tail` is declared at the top level (line 4)"
                             " but `wrangler.toml` (env `staging`) declares no tail consumer")


def test_cf012_an_environment_without_queue_consumers_declares_its_own(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": CONSUMER_TOP + '\n[env.staging]\nname = "s"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    check([found], [("wrangler.toml", 7, "pipeline-jobs (env staging)")], Severity.P1)
    assert found.message == ("queue consumer `pipeline-jobs` is declared at the top level (line 5)"
                             " but `wrangler.toml` (env `staging`) declares no queue consumer")
    assert found.remediation == ("Declare the environment's own queue consumer in"
                                 " `[[env.staging.queues.consumers]]` of `wrangler.toml`")


def test_cf012_secret_var_is_set_with_wrangler_secret(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '\n[vars]\nAPI_TOKEN = "' + "ghp_" + "a1B2" * 6 + '"\n'
             '\n[env.production.vars]\nMODE = "prod"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    assert found.remediation == ("Set `API_TOKEN` with `wrangler secret put API_TOKEN --env"
                                 " production`, not in a config")


@pytest.mark.parametrize("placeholder", ["<PLACEHOLDER>", "${CLIENT_SECRET}", "$CLIENT_SECRET"])
def test_cf012_a_secret_s_placeholder_is_set_with_wrangler_secret(
        tmp_path: Path, make_repo: MakeRepo, placeholder: str) -> None:
    files = {"wrangler.toml": WORKER + f'\n[vars]\nCLIENT_SECRET = "{placeholder}"\n'
             '\n[env.staging.vars]\nMODE = "s"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    assert found.remediation.startswith("Set `CLIENT_SECRET` with `wrangler secret put")
    assert found.severity == Severity.P2  # the environment may have the secret: no file shows it
    assert found.message.endswith(": a placeholder for a secret, which the environment may get"
                                  " with `wrangler secret put`")
    files["wrangler.toml"] = files["wrangler.toml"].replace("CLIENT_SECRET", "CLIENT_REGION")
    (tmp_path / "2").mkdir()
    [found] = findings(tmp_path / "2", make_repo, files, "CF012")
    assert found.severity == Severity.P1  # a placeholder for a setting is missing all the same


def test_cf011_on_pages_gives_the_pages_command(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": PAGES + '\n[env.production.vars]\nSTRIPE_SECRET_KEY = "sk_'
             + 'live_' + "a1B2" * 6 + '"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF011")
    assert found.remediation == ("Move `STRIPE_SECRET_KEY` to `wrangler pages secret put"
                                 " STRIPE_SECRET_KEY --project-name site --env production` and"
                                 " rotate it")


def test_cf012_on_pages(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": PAGES + '\n[vars]\nAPI_TOKEN = "' + "ghp_" + "a1B2" * 6 + '"\n'
             '\n[[queues.consumers]]\nqueue = "jobs"\n\n[env.production.vars]\nMODE = "prod"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")  # the consumer is CF013's
    assert found.remediation == ("Set `API_TOKEN` with `wrangler pages secret put API_TOKEN"
                                 " --project-name site --env production`, not in a config")


def test_cf012_trap_message_points_at_the_top_level_line(tmp_path: Path, make_repo: MakeRepo) -> None:
    """And says why a table written below `[env.production]` is the top level's (QA s26b)."""
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": TRAP}, "CF012")
    assert found.message == (
        "KV namespace `CACHE` is declared at the top level (line 11, below `[env.production]`,"
        " where TOML still reads `[[kv_namespaces]]` as the top level's) but not in"
        " `wrangler.toml` (env `production`)")
    [above] = findings(tmp_path, make_repo, {"wrangler.toml": KV_TOP + "\n[env.production]\n"},
                       "CF012")
    assert "(line 5) but" in above.message  # written above every environment


def test_cf012_an_inline_environment_is_told_to_declare_it_inline(tmp_path: Path,
                                                                  make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '\n[ai]\nbinding = "AI"\n\n[env]\nstaging = { name = "s" }\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    assert found.remediation == ("Declare `AI` in the inline table of env `staging` (line 8) of"
                                 " `wrangler.toml`")


def test_cf012_a_single_table_kind_is_declared_as_one_table(tmp_path: Path,
                                                            make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '\n[ai]\nbinding = "AI"\n\n[env.production]\nname = "p"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF012")
    assert found.remediation == "Declare `AI` in `[env.production.ai]` of `wrangler.toml`"


@pytest.mark.parametrize(("files", "remediations"), [
    pytest.param({"wrangler.toml": WORKER + '\n[durable_objects]\n'
                  'bindings = [{ name = "D", class_name = "C" }]\n\n[vars]\nX = "1"\n\n'
                  '[env.production]\nname = "p"\n'},
                 ["Declare `D` in `[[env.production.durable_objects.bindings]]` of `wrangler.toml`",
                  "Declare `X` in `[env.production.vars]` of `wrangler.toml`"], id="toml"),
    pytest.param({"wrangler.jsonc": '{ "main": "a.ts", "kv_namespaces": [{ "binding": "K" }],'
                  ' "vars": { "X": "1" }, "env": { "staging": {} } }'},
                 ["Declare `K` in `env.staging.kv_namespaces` of `wrangler.jsonc`",
                  "Declare `X` in `env.staging.vars` of `wrangler.jsonc`"], id="jsonc"),
])
def test_cf012_remediation_in_the_file_s_own_syntax(tmp_path: Path, make_repo: MakeRepo,
                                                    files: Files, remediations: list[str]) -> None:
    found = findings(tmp_path, make_repo, files, "CF012")
    assert sorted(f.remediation for f in found) == remediations


# CF013 pages-config-invalid ---------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": PAGES + 'main = "src/index.ts"\n'},
                 [("wrangler.toml", 3, "main")], id="main-and-output-dir"),
    pytest.param({"wrangler.toml": PAGES + '\n[env.staging]\nname = "site-staging"\n'},
                 [("wrangler.toml", 4, "env.staging")], id="env-staging"),
    pytest.param({"wrangler.toml": PAGES + '\n[env.preview]\nmain = "src/index.ts"\n'},
                 [("wrangler.toml", 5, "main (env preview)")], id="main-in-an-environment"),
    pytest.param({"wrangler.toml": PAGES + '\n[env.preview.vars]\nMODE = "preview"\n'
                  '\n[env.production.vars]\nMODE = "prod"\n'}, [], id="preview-and-production"),
    pytest.param({"wrangler.jsonc": '{\n  "pages_build_output_dir": "out", "name": "site",\n'
                  '  "env": {\n    "staging": { "vars": {} },\n    "production": {},\n  },\n}\n'},
                 [("wrangler.jsonc", 4, "env.staging")], id="jsonc-env-staging"),
    pytest.param({"wrangler.toml": PAGES}, [], id="valid-pages"),
    pytest.param({"wrangler.toml": WORKER + '\n[env.staging]\nname = "s"\n'}, [],
                 id="worker-may-have-staging"),
    pytest.param({"wrangler.toml": PAGES + 'workers_dev = true\nroutes = ["a.com/*"]\n'
                  '\n[triggers]\ncrons = ["* * * * *"]\n\n[[queues.consumers]]\nqueue = "q"\n'
                  '\n[[queues.producers]]\nbinding = "Q"\nqueue = "q"\n'
                  '\n[env.production]\nroutes = ["b.com/*"]\n'},
                 [("wrangler.toml", 3, "workers_dev"), ("wrangler.toml", 4, "routes"),
                  ("wrangler.toml", 6, "triggers"), ("wrangler.toml", 10, "q"),
                  ("wrangler.toml", 17, "routes (env production)")], id="keys-pages-refuses"),
    pytest.param({"wrangler.toml": 'pages_build_output_dir = "out"\n'},
                 [("wrangler.toml", None, "name")], id="no-name"),
    pytest.param({"wrangler.toml": PAGES + DO_BINDING}, [], id="durable-object-is-cf008-s"),
    pytest.param({"wrangler.jsonc": '{\n  "$schema": "node_modules/wrangler/config-schema.json",\n'
                  '  "name": "site",\n  "pages_build_output_dir": "out",\n'
                  '  "compatibility_date": "2026-11-01",\n  "dev": { "port": 8788 },\n'
                  '  "no_bundle": true,\n}\n'}, [], id="supported-keys"),
    pytest.param({"wrangler.toml": PAGES + "[observability]\nenabled = true\nhead_sampling_rate = 1\n"},
                 [("wrangler.toml", 3, "observability")], id="observability-is-for-workers"),
    pytest.param({"wrangler.toml": PAGES + "[observability]\nenabled = false\n"},
                 [("wrangler.toml", 3, "observability")], id="observability-off"),
    # wrangler lets pass what equals its default (QA s35a): observability on, no cron
    pytest.param({"wrangler.toml": PAGES + "[observability]\nenabled = true\n[triggers]\n"
                  "[env.production.observability]\nenabled = true\n"}, [], id="defaults"),
    pytest.param({"wrangler.jsonc": '{"name": "site", "pages_build_output_dir": "out",\n'
                  ' "triggers": {"crons": []}}\n'}, [("wrangler.jsonc", 2, "triggers")],
                 id="not-the-default"),
    pytest.param({"wrangler.json": '{"name": "site", "pages_build_output_dir": "out",\n'
                  ' "send_email": [], "workflows": [], "dispatch_namespaces": [\n'
                  '  {"binding": "D", "namespace": "n"}]}\n'}, [("wrangler.json", 2, "dispatch_namespaces")],
                 id="empty-binding-sections"),
])
def test_cf013(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    check(findings(tmp_path, make_repo, files, "CF013"), expected, Severity.P1)


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": PAGES + '\n[env.staging]\nname = "site-staging"\n'},
                 "Rename or remove `[env.staging]` in `wrangler.toml`", id="toml"),
    pytest.param({"wrangler.jsonc": '{ "pages_build_output_dir": "out", "name": "site",'
                  ' "env": { "staging": {} } }'},
                 "Rename or remove `env.staging` in `wrangler.jsonc`", id="jsonc"),
])
def test_cf013_an_environment_pages_refuses_is_named_in_the_file_s_own_syntax(
        tmp_path: Path, make_repo: MakeRepo, files: Files, expected: str) -> None:
    [found] = findings(tmp_path, make_repo, files, "CF013")
    assert found.remediation == expected


# CF014 queue-consumer-without-dead-letter-queue -------------------------------------------

def consumer(*settings: str) -> Files:
    return {"wrangler.toml": WORKER + '\n[[queues.consumers]]\nqueue = "jobs"\n'  # queue at line 5
            + "".join(f"{line}\n" for line in settings)}


@pytest.mark.parametrize(("files", "expected", "reasons"), [
    pytest.param(consumer(), [("wrangler.toml", 5, "jobs")], ["no `dead_letter_queue`"],
                 id="no-dlq"),
    pytest.param(consumer("max_retries = 3"), [("wrangler.toml", 5, "jobs")],
                 ["no `dead_letter_queue`"], id="retries-without-dlq"),
    pytest.param(consumer("max_retries = 0", 'dead_letter_queue = "jobs-dlq"'), [], [],
                 id="retries-off-into-a-dead-letter-queue-loses-nothing"),
    pytest.param(consumer("max_retries = 0"), [("wrangler.toml", 5, "jobs")],
                 ["max_retries = 0", "no `dead_letter_queue`"], id="neither"),
    pytest.param(consumer("max_retries = 5", 'dead_letter_queue = "jobs-dlq"'), [], [],
                 id="both-set"),
    pytest.param({"wrangler.toml": WORKER + '\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n'},
                 [], [], id="producer-only"),
    pytest.param({"wrangler.toml": WORKER + '\n[[env.production.queues.consumers]]\nqueue = "jobs"\n'},
                 [("wrangler.toml", 5, "jobs (env production)")], ["no `dead_letter_queue`"],
                 id="env-consumer"),
    pytest.param({**consumer('dead_letter_queue = "jobs-dlq"'), "apps/dlq/wrangler.toml":
                  WORKER + '\n[[queues.consumers]]\nqueue = "jobs-dlq"\n'}, [], [],
                 id="consumer-of-a-dead-letter-queue"),
    pytest.param({**consumer('dead_letter_queue = "jobs-dlq"'), "apps/dlq/wrangler.toml":
                  WORKER + '\n[[queues.consumers]]\nqueue = "jobs-dlq"\nmax_retries = 0\n'},
                 [("apps/dlq/wrangler.toml", 5, "jobs-dlq")], ["max_retries = 0"],
                 id="dead-letter-consumer-without-retries"),
])
def test_cf014(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected,
               reasons: list[str]) -> None:
    found = findings(tmp_path, make_repo, files, "CF014")
    check(found, expected, Severity.P2)
    for finding in found:
        assert all(reason in finding.message for reason in reasons)


@pytest.mark.parametrize(("settings", "remediation"), [
    ((), "Give each queue consumer a dead-letter queue"),  # retries default to 3
    (("max_retries = 0",), "Give each queue consumer a dead-letter queue and retries"
                           " (`max_retries` above 0)"),
])
def test_cf014_remediation_asks_for_what_is_missing(
        tmp_path: Path, make_repo: MakeRepo, settings: tuple[str, ...], remediation: str) -> None:
    [found] = findings(tmp_path, make_repo, consumer(*settings), "CF014")
    assert found.remediation == remediation


def test_cf014_a_dead_letter_queues_consumer_is_asked_only_for_retries(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {**consumer('dead_letter_queue = "jobs-dlq"'), "apps/dlq/wrangler.toml":
             WORKER + '\n[[queues.consumers]]\nqueue = "jobs-dlq"\nmax_retries = 0\n'}
    [found] = findings(tmp_path, make_repo, files, "CF014")
    assert found.remediation == "Give each queue consumer retries (`max_retries` above 0)"


# CF015 app-not-deployed-by-ci -------------------------------------------------------------

# Folders the workflows below run in, which hold no wrangler config: a deploy running in a
# folder the repository does not hold is a finding of its own.
FOLDERS = {f"{folder}/README.md": "" for folder in (
    "apps/api", "apps/web-admin", "services/api", "services/web", "scripts/ci")}
WEB_APP = {"apps/web/wrangler.toml": 'name = "storefront"\nmain = "src/index.ts"\n', **FOLDERS}
NOT_DEPLOYED = [("apps/web/wrangler.toml", None, "deploy")]


def deploy_workflow(directory: str) -> str:
    return ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: npx wrangler deploy\n        working-directory: {directory}\n")


REUSABLE = ("on:\n  workflow_call:\n    inputs:\n      app-dir:\n        type: string\n"
            "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: npx wrangler deploy\n        working-directory: ${{ inputs.app-dir }}\n")


def caller(app_dir: str) -> str:
    return ("on: push\njobs:\n  web:\n    uses: ./.github/workflows/deploy-app.yml\n"
            f"    with:\n      app-dir: {app_dir}\n")


MATRIX = ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
          "        app: {apps}\n    steps:\n      - uses: cloudflare/wrangler-action@v3\n"
          "        with:\n          workingDirectory: apps/${{{{ matrix.app }}}}\n")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param(WEB_APP, NOT_DEPLOYED, id="no-workflows"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("apps/web")}, [],
                 id="working-directory"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("apps/web-admin")},
                 NOT_DEPLOYED, id="web-admin-is-not-web"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("apps/web-admin")
                  .replace("npx wrangler deploy", "npx wrangler deploy --name storefront")},
                 [], id="by-name"),
    pytest.param({**WEB_APP, ".github/workflows/test.yml": deploy_workflow("apps/web")
                  .replace("npx wrangler deploy", "pnpm test")}, NOT_DEPLOYED,
                 id="mentioned-by-a-workflow-that-does-not-deploy"),
    pytest.param({**WEB_APP, ".github/workflows/deploy-app.yml": REUSABLE,
                  ".github/workflows/release.yml": caller("apps/web")}, [],
                 id="reusable-workflow-call"),
    pytest.param({**WEB_APP, ".github/workflows/deploy-app.yml": REUSABLE,
                  ".github/workflows/release.yml": caller("apps/web-admin")}, NOT_DEPLOYED,
                 id="reusable-workflow-call-web-admin"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("./apps/web")}, [],
                 id="working-directory-dot-slash"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("apps/api")
                  + "# apps/web moves here next quarter\n"}, NOT_DEPLOYED,
                 id="mentioned-in-a-comment"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": MATRIX.format(apps="[api, web]")}, [],
                 id="matrix"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": MATRIX.format(
        apps="[api]\n        include:\n          - app: web")}, [], id="matrix-include"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": MATRIX.format(apps="[api, web-admin]")},
                 NOT_DEPLOYED, id="matrix-without-the-app"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": MATRIX.format(
        apps="[api, web]\n        group: [apps, services]").replace(
            "apps/${{ matrix.app }}", "${{ matrix.group }}/${{ matrix.app }}")}, [],
                 id="matrix-two-keys-on-a-line"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": MATRIX.format(apps="[api, web]").replace(
        "    steps:", "    defaults:\n      run:\n        working-directory: apps/${{ matrix.app }}\n"
        "    steps:")}, [], id="matrix-in-job-defaults"),
    pytest.param({**WEB_APP, ".github/workflows/deploy-app.yml": REUSABLE,
                  ".github/workflows/release.yml": caller("apps/${{ matrix.app }}").replace(
                      "    uses:", "    strategy:\n      matrix:\n        app: [web]\n    uses:")},
                 [], id="matrix-job-calls-a-reusable-workflow"),
    pytest.param({"wrangler.toml": WORKER, ".github/workflows/deploy.yml": MATRIX.format(
        apps='["."]').replace("apps/${{ matrix.app }}", "${{ matrix.app }}")}, [],
                 id="matrix-deploys-the-root"),
])
def test_cf015(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    check(findings(tmp_path, make_repo, files, "CF015"), expected, Severity.P2)


ROOT_APP = {"wrangler.toml": 'name = "solo"\nmain = "src/index.ts"\n'}
ROOT_NOT_DEPLOYED = [("wrangler.toml", None, "deploy")]
ACTION = ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: cloudflare/wrangler-action@v3\n        with:\n"
          "          apiToken: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n")


def root_deploy(command: str, directory: str | None = None, defaults: str | None = None) -> str:
    return ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
            + (f"    defaults:\n      run:\n        working-directory: {defaults}\n" if defaults else "")
            + f"    steps:\n      - run: {command}\n"
            + (f"        working-directory: {directory}\n" if directory else ""))


@pytest.mark.parametrize(("workflow", "expected"), [
    pytest.param(root_deploy("npx wrangler deploy"), [], id="run-in-the-root"),
    pytest.param(root_deploy("npx wrangler deploy", directory="."), [], id="working-directory-dot"),
    pytest.param(ACTION, [], id="wrangler-action"),
    pytest.param(root_deploy("npx wrangler deploy", directory="apps/web"), ROOT_NOT_DEPLOYED,
                 id="working-directory-elsewhere"),
    pytest.param(root_deploy("npx wrangler deploy", defaults="apps/web"), ROOT_NOT_DEPLOYED,
                 id="job-defaults-elsewhere"),
    pytest.param(root_deploy("cd apps/web && npx wrangler deploy"), ROOT_NOT_DEPLOYED,
                 id="cd-elsewhere"),
    pytest.param(root_deploy("npx wrangler deploy --config apps/web/wrangler.toml"),
                 ROOT_NOT_DEPLOYED, id="config-elsewhere"),
    pytest.param(ACTION + "          workingDirectory: apps/web\n", ROOT_NOT_DEPLOYED,
                 id="wrangler-action-elsewhere"),
    pytest.param(root_deploy("npx wrangler deploy").replace("run: npx wrangler deploy", "run: pnpm test"),
                 ROOT_NOT_DEPLOYED, id="no-deploy-step"),
])
def test_cf015_root_app_is_deployed_from_the_root(tmp_path: Path, make_repo: MakeRepo, workflow: str,
                                                   expected: Expected) -> None:
    """apps/web has its own config: a deploy there deploys it, not the root's."""
    files = {**ROOT_APP, **WEB_APP, ".github/workflows/deploy.yml": workflow}
    check([f for f in findings(tmp_path, make_repo, files, "CF015")
           if f.location.path == "wrangler.toml"], expected, Severity.P2)


def test_cf015_a_deploy_from_a_folder_without_a_config_deploys_the_one_above(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """wrangler looks for its config up from where it runs."""
    files = {**ROOT_APP, **FOLDERS, ".github/workflows/deploy.yml": root_deploy(
        "npx wrangler deploy", directory="scripts/ci")}
    assert findings(tmp_path, make_repo, files, "CF015") == []


def deploy_step(step: str, job: str = "") -> str:
    """A workflow whose job `deploy` runs `step` (YAML at the indent of a step's keys)."""
    return ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n" + job
            + "    steps:\n      - " + step.strip().replace("\n", "\n        ") + "\n")


DEPLOY_APP = {"apps/deploy/wrangler.toml": 'name = "deploy"\nmain = "src/index.ts"\n'}


@pytest.mark.parametrize("workflow", [
    pytest.param(deploy_workflow("apps/web"), id="working-directory"),
    pytest.param(deploy_step("run: |\n  cd apps/web\n  npx wrangler deploy"), id="cd-in-the-script"),
    pytest.param(deploy_step('run: cd "$APP_DIR" && npx wrangler deploy',
                             job="    env:\n      APP_DIR: apps/web\n"), id="env-variable"),
    pytest.param(deploy_step("run: npx wrangler deploy\nworking-directory: ${{ env.APP_DIR }}")
                 .replace("on: push\n", "on: push\nenv:\n  APP_DIR: apps/web\n"), id="env-expression"),
    pytest.param(deploy_step("uses: cloudflare/wrangler-action@v3\nwith:\n"
                             "  command: deploy --config apps/web/wrangler.toml"), id="action-config"),
    pytest.param(deploy_workflow("apps/web") + "    timeout-minutes: 2001-02-30\n",
                 id="a-value-that-is-not-a-date"),  # the step is read from the collector's facts
    pytest.param(deploy_step("run: npx wrangler deploy --name ${{ matrix.name }}",
                             job="    strategy:\n      matrix:\n        name: [storefront]\n"),
                 id="matrix-name"),
])
def test_cf015_a_deploying_workflow_names_only_the_apps_its_deploy_steps_deploy(
        tmp_path: Path, make_repo: MakeRepo, workflow: str) -> None:
    """`deploy` is the job's id and a word of `wrangler deploy`: neither deploys apps/deploy."""
    files = {**WEB_APP, **DEPLOY_APP, ".github/workflows/deploy.yml": workflow}
    check(findings(tmp_path, make_repo, files, "CF015"),
          [("apps/deploy/wrangler.toml", None, "deploy")], Severity.P2)


def test_a_json_config_s_settings_are_quoted_in_json(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.jsonc": '{\n  "main": "a.ts",\n  "placement": { "mode": "off" },\n'
                               '  "queues": { "consumers": [{ "queue": "q", "max_retries": 0 }] }\n}\n'}
    [placement] = findings(tmp_path, make_repo, files, "CF002")
    assert placement.message.endswith('turns Smart Placement off (`"mode": "off"`)')
    [consumer] = findings(tmp_path, make_repo, files, "CF014")
    assert 'retries are off (`"max_retries": 0`)' in consumer.message


def test_cf015_a_step_it_reads_with_its_matrix_is_not_one_that_may_deploy(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {**{f"w/{app}/wrangler.toml": f'name = "{app}"\nmain = "a.ts"\n' for app in "abc"},
             "package.json": '{"name": "root", "scripts": {'
                             '"deploy:a": "wrangler deploy -c w/a/wrangler.toml",'
                             ' "deploy:b": "wrangler deploy -c w/b/wrangler.toml"}}',
             ".github/workflows/d.yml": "on: push\njobs:\n  deploy:\n    runs-on: x\n"
             "    strategy:\n      matrix:\n        target: [a, b]\n    steps:\n"
             "      - run: npm run deploy:${{ matrix.target }}\n"
             "        env:\n          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n"}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.message == ("no CI workflow deploys `w/c/wrangler.toml` (`c` or `w/c` not named by a"
                             " deploy step)")


def test_cf015_reads_the_values_earlier_steps_write_to_github_env(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {**{f"w/{app}/wrangler.toml": f'name = "{app}"\nmain = "a.ts"\n' for app in ("api", "web", "x")},
             "package.json": '{"name": "root", "scripts": {'
                             '"deploy:prod": "wrangler deploy -c w/api/wrangler.toml",'
                             ' "deploy:dev": "wrangler deploy -c w/web/wrangler.toml"}}',
             ".github/workflows/d.yml": "on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n"
             "      - run: |\n          if [ -n \"$A\" ]; then\n"
             "            echo \"ENV=dev\" >> $GITHUB_ENV\n          else\n"
             "            echo ENV=prod >> \"$GITHUB_ENV\"\n          fi\n"
             "      - run: npm run deploy:${{ env.ENV }}\n"}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.location.path == "w/x/wrangler.toml"


@pytest.mark.parametrize("app", ["jobs", "steps", "runs-on", "ubuntu-latest"])
def test_cf015_yaml_keys_and_runner_labels_name_no_app(
        tmp_path: Path, make_repo: MakeRepo, app: str) -> None:
    files = {f"apps/{app}/wrangler.toml": f'name = "{app}"\nmain = "src/index.ts"\n', **FOLDERS,
             ".github/workflows/deploy.yml": ACTION + "          workingDirectory: apps/api\n"}
    check(findings(tmp_path, make_repo, files, "CF015"),
          [(f"apps/{app}/wrangler.toml", None, "deploy")], Severity.P2)


@pytest.mark.parametrize(("reusable", "release"), [
    pytest.param(REUSABLE, caller("apps/web").replace("  web:", "  deploy:"), id="with"),
    pytest.param(REUSABLE.replace("type: string", "type: string\n        default: apps/web"),
                 caller("").replace("    with:\n      app-dir: \n", ""), id="default"),
])
def test_cf015_reusable_workflow_deploys_what_its_callers_pass(
        tmp_path: Path, make_repo: MakeRepo, reusable: str, release: str) -> None:
    files = {**WEB_APP, **DEPLOY_APP, ".github/workflows/deploy-app.yml": reusable,
             ".github/workflows/release.yml": release}
    check(findings(tmp_path, make_repo, files, "CF015"),
          [("apps/deploy/wrangler.toml", None, "deploy")], Severity.P2)


def test_cf015_each_step_is_read_with_its_own_env(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Two wrangler-action steps in one job: each deploys the folder its own `env` names."""
    step = ("      - uses: cloudflare/wrangler-action@v3\n        env:\n          APP: apps/{}\n"
            "        with:\n          workingDirectory: ${{{{ env.APP }}}}\n")
    workflow = ("on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n"
                + step.format("web") + step.format("api"))
    files = {**WEB_APP, **DEPLOY_APP, "apps/api/wrangler.toml": 'name = "api"\nmain = "a.ts"\n',
             ".github/workflows/ship.yml": workflow}
    check(findings(tmp_path, make_repo, files, "CF015"),
          [("apps/deploy/wrangler.toml", None, "deploy")], Severity.P2)


MONOREPO = {
    **{f"apps/{app}/wrangler.toml": f'name = "{app}"\nmain = "src/index.ts"\n'
       for app in ("web", "api", "docs")},
    **{f"apps/{app}/package.json": json.dumps(
        {"name": f"@org/{app}", "scripts": {"deploy": "wrangler deploy", "test": "vitest"}})
       for app in ("web", "api", "docs")},
    "apps/web/workers/cron/wrangler.toml": 'name = "cron"\nmain = "src/index.ts"\n',
}


def flagged_apps(tmp_path: Path, make_repo: MakeRepo, files: Files) -> set[str]:
    """The folder names of the configs CF015 reports (`apps/web/wrangler.toml`: `web`), as
    no deploy reaching them; a deploy of the other kind (MONOREPO's Workers by `pages
    deploy`) reaches them too: test_cf015_a_deploy_of_the_other_kind_deploys_nothing."""
    return {f.location.path.split("/")[-2] for f in findings(tmp_path, make_repo, files, "CF015")
            if "only with" not in f.message}


def job(steps: str, head: str = "") -> str:
    """A workflow with one job whose steps are `steps` (YAML at a step's indent)."""
    return ("on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n" + head
            + "    steps:\n" + "".join(f"      - {line}\n" if not line.startswith(" ")
                                   else f"      {line}\n" for line in steps.strip().split("\n")))


@pytest.mark.parametrize(("workflow", "deployed"), [
    pytest.param(job("run: pnpm --filter @org/web run deploy"), {"web"}, id="pnpm-filter-package"),
    pytest.param(job("run: pnpm --filter @org/web deploy out"), set(), id="pnpm-s-own-deploy-command"),
    pytest.param(job("run: pnpm --filter web test -- --grep deploy"), set(),
                 id="a-word-after-the-script-is-no-script"),
    pytest.param(job("run: pnpm -F api run deploy"), {"api"}, id="pnpm-F-name"),
    pytest.param(job("run: npm run deploy --workspace apps/docs"), {"docs"}, id="npm-workspace"),
    pytest.param(job("run: yarn workspace @org/web deploy"), {"web"}, id="yarn-workspace"),
    pytest.param(job("run: npx nx run @org/api:deploy"), {"api"}, id="nx-run"),
    pytest.param(job("run: pnpm -r run deploy"), {"web", "api", "docs"}, id="every-package"),
    pytest.param(job("run: npx turbo run deploy --filter=@org/docs"), {"docs"}, id="turbo-filter"),
    pytest.param(job("run: pnpm -r test"), set(), id="a-script-that-does-not-deploy"),
    pytest.param(job("run: |\n    # npx wrangler deploy --config apps/web/wrangler.toml\n"
                     "    echo \"deploy apps/api by hand: npx wrangler deploy\""), set(),
                 id="comments-and-echo-deploy-nothing"),
    pytest.param(job("run: npx wrangler deploy --dry-run --outdir dist\n  working-directory: apps/web"),
                 set(), id="dry-run"),
    pytest.param(job("run: |\n    pnpm --filter api test\n    cd apps/web\n    npx wrangler deploy"),
                 {"web"}, id="only-the-cds-before-the-deploy-count"),
    pytest.param(job("run: npx wrangler deploy -c ../api/wrangler.toml",
                     head="    defaults:\n      run:\n        working-directory: apps/web\n"),
                 {"api"}, id="config-path-from-the-working-directory"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/web/workers/cron"),
                 {"cron"}, id="a-nested-app-is-not-its-parent"),
    pytest.param(job("run: app=web; cd apps/$app && npx wrangler deploy"), set(),
                 id="a-shell-variable-names-nothing"),
    pytest.param(job("run: |\n    cd apps/web\n    npx wrangler deploy\n    cd ../api\n"
                     "    npx wrangler deploy && npx wrangler deploy --config ../docs/wrangler.toml"),
                 {"web", "api", "docs"}, id="every-deploy-of-a-step"),
    pytest.param(job("run: pnpm --filter @org/shared build && npx wrangler deploy\n"
                     "  working-directory: apps/api"), {"api"}, id="a-build-names-nothing"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps\\docs"), {"docs"},
                 id="a-windows-path"),
    pytest.param(job("run: npx wrangler deploy --assets ../web/dist\n  working-directory: apps/api"),
                 {"api"}, id="an-option-s-value-is-no-target"),
    pytest.param(job('run: pnpm --filter "./apps/*" run deploy'), {"web", "api", "docs"},
                 id="a-folder-glob"),
    pytest.param(job("run: npx turbo run deploy --filter='@org/a*'"), {"api"}, id="a-name-glob"),
    pytest.param(job('run: pnpm --filter "./apps/web/*" run deploy'), set(),
                 id="a-glob-is-within-its-folders"),
    pytest.param(job('run: pnpm --filter "./**" run deploy'), {"web", "api", "docs"},
                 id="a-glob-across-folders"),
    pytest.param(job('run: pnpm -r --filter "!@org/a*" run deploy'), {"web", "docs"},
                 id="an-excluding-glob"),
    pytest.param(job("run: yarn workspaces foreach -A --exclude '@org/w*' run deploy"), {"api", "docs"},
                 id="yarn-exclude-glob"),
    pytest.param(job('run: pnpm --filter "' + "*a" * 20 + 'b" run deploy'), set(),
                 id="a-glob-that-would-backtrack"),
    pytest.param(job("run: npx wrangler " + "--ab " * 40 + "tail"), set(),
                 id="options-that-would-backtrack"),
    pytest.param(job("run: pnpm --filter ${{ matrix.pkg }} run deploy",
                     head="    strategy:\n      matrix:\n        pkg: ['@org/web', '@org/api']\n"),
                 {"web", "api"}, id="an-expression-with-spaces"),
    pytest.param(job("run: pnpm -F web exec wrangler deploy --env production"), {"web"},
                 id="pnpm-exec-wrangler"),
    pytest.param(job("run: npm exec -w apps/docs -- wrangler deploy"), {"docs"}, id="npm-exec-wrangler"),
    pytest.param(job("run: yarn workspace @org/api wrangler deploy"), {"api"},
                 id="yarn-workspace-wrangler"),
    pytest.param(job("run: pnpm turbo run deploy --filter=@org/web"), {"web"}, id="pnpm-turbo"),
    pytest.param(job("uses: cloudflare/wrangler-action@v3\n  with:\n    command: |\n"
                     "      deploy --config apps/api/wrangler.toml\n"
                     "      deploy --config apps/docs/wrangler.toml"), {"api", "docs"},
                 id="action-command-lines"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: ${{ matrix.app.path }}",
                     head="    strategy:\n      matrix:\n"
                          "        app: [{ path: apps/web }, { path: apps/api }]\n"),
                 {"web", "api"}, id="matrix-object-values"),
    pytest.param(job("run: yarn workspaces foreach -A --include @org/web run deploy"), {"web"},
                 id="yarn-foreach-include"),
    pytest.param(job("run: pnpm --filter docs run deploy"), {"docs"}, id="unscoped-filter"),
    pytest.param(job("run: pnpm -r --filter @org/web run deploy"), {"web"}, id="a-filter-narrows-r"),
    pytest.param(job("run: pnpm -r --filter '!@org/docs' run deploy"), {"web", "api"},
                 id="a-filter-that-excludes"),
    pytest.param(job("run: npx nx run-many -t deploy --exclude docs"), {"web", "api"},
                 id="nx-exclude"),
    pytest.param(job("run: pnpm --filter turbo-docs run deploy"), set(),
                 id="a-package-named-like-a-runner"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ matrix.app }}",
                     head="    strategy:\n      matrix:\n        app: [web, api, docs]\n"
                          "        exclude:\n          - app: docs\n"),
                 {"web", "api"}, id="matrix-exclude"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: ${{ matrix.app.path }}",
                     head="    strategy:\n      matrix:\n"
                          "        app: [{ path: apps/web }, { path: apps/docs }]\n"
                          "        exclude:\n          - app: { path: apps/docs }\n"),
                 {"web"}, id="matrix-exclude-an-object"),
    pytest.param(job("uses: Cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/docs"),
                 {"docs"}, id="action-name-in-any-case"),
    pytest.param(job("uses: cloudflare/pages-action@v1\n  with:\n    projectName: web\n"
                     "    directory: dist"), {"web"}, id="pages-action"),
    pytest.param(job("uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/web\n"
                     "    command: d1 migrations apply DB --remote\n    postCommands: |\n"
                     "      npx wrangler deploy --env production"), {"web"},
                 id="wrangler-action-post-commands"),
    pytest.param(job("uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/web\n"
                     "    command: whoami\n    preCommands: cd ../api && npx wrangler deploy"), {"api"},
                 id="wrangler-action-pre-commands"),
    pytest.param(job("run: cd apps/api && npx wrangler deploy --name api-preview"), {"api"},
                 id="a-name-given-deploys-the-folder-s-config"),
    pytest.param(job("run: npx wrangler deploy --name=web-prod\n  working-directory: apps/web"),
                 {"web"}, id="a-name-given-in-the-working-directory"),
    pytest.param(job("run: npx wrangler pages deploy --project-name docs-prod --branch main\n"
                     "  working-directory: apps/docs"), {"docs"}, id="a-project-name-given"),
    pytest.param(job("run: npx wrangler deploy --name web-prod -c apps/api/wrangler.toml"), {"api"},
                 id="a-name-given-with-a-config"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: ${{ matrix.dir }}",
                     head="    strategy:\n      matrix:\n        include:\n"
                          "          - { app: web, dir: apps/web }\n"
                          "          - { app: api, dir: apps/api }\n"),
                 {"web", "api"}, id="matrix-include-entries"),
    pytest.param(job("run: yarn workspaces foreach -A -p run deploy"), {"web", "api", "docs"},
                 id="yarn-foreach-flags"),
    pytest.param(job("run: npx turbo@latest run deploy --filter=@org/api"), {"api"},
                 id="a-versioned-runner"),
    pytest.param(job("run: npx turbo run deploy --filter=[HEAD^1]"), {"web", "api", "docs"},
                 id="changed-since-a-commit-may-be-any"),
    pytest.param(job("run: pnpm turbo run @org/docs#deploy"), {"docs"}, id="turbo-package-task"),
    pytest.param(job("run: npx lerna run deploy --scope @org/web"), {"web"}, id="lerna-scope"),
    pytest.param(job("run: npx lerna run deploy --ignore @org/web"), {"api", "docs"},
                 id="lerna-ignore"),
    pytest.param(job('run: pnpm --filter @org/api run "deploy"'), {"api"}, id="a-quoted-script"),
    pytest.param(job("run: cd apps/api/src && npm run deploy"), {"api"},
                 id="the-package-above-the-folder"),

    pytest.param(job("run: npx wrangler pages deploy --commit-dirty apps/docs/out"), {"docs"},
                 id="a-flag-before-the-directory"),
    pytest.param(job("run: npx turbo run build test deploy --filter=@org/api"), {"api"},
                 id="turbo-several-tasks"),
    pytest.param(job("run: npx nx affected -t lint deploy"), {"web", "api", "docs"},
                 id="nx-several-targets"),
    pytest.param(job("run: npx nx run-many --targets=build,deploy --projects=@org/docs"), {"docs"},
                 id="nx-targets-list"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ inputs.app || 'web' }}"),
                 {"web"}, id="an-input-or-a-default"),
    pytest.param(job("run: npx wrangler deploy --config"
                     " apps/${{github.event.inputs.app||'api'}}/wrangler.toml"),
                 {"api"}, id="an-event-input-or-a-default"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ vars.APP || 'web' }}"),
                 set(), id="a-variable-known-at-run-time-or-a-default"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ env.APP || 'web' }}"),
                 set(), id="an-env-set-by-an-earlier-step-or-a-default"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ env.APP || 'web' }}",
                     head="    env:\n      APP: docs\n"), {"docs"}, id="an-env-or-a-default"),
    pytest.param(job("run: npx wrangler deploy\n  working-directory: apps/${{ matrix.app || 'docs' }}",
                     head="    strategy:\n      matrix:\n        app: [web, api]\n"),
                 {"web", "api"}, id="a-matrix-value-or-a-default"),
    pytest.param(job("run: npx wrangler ${{ matrix.ship && 'deploy' || 'versions upload' }}\n"
                     "  working-directory: apps/${{ matrix.app }}",
                     head="    strategy:\n      matrix:\n        include:\n"
                          "          - { app: web, ship: true }\n          - { app: api, ship: false }\n"),
                 {"web"}, id="if-else-of-an-expression"),
])
def test_cf015_what_deploy_steps_deploy(tmp_path: Path, make_repo: MakeRepo, workflow: str,
                                        deployed: set[str]) -> None:
    files = {**MONOREPO, ".github/workflows/ship.yml": workflow}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "cron"} - flagged == deployed


@pytest.mark.parametrize(("scripts", "step", "deployed"), [
    pytest.param({"deploy": "turbo run deploy"}, "pnpm run deploy", {"web", "api", "docs"},
                 id="turbo-from-the-root"),
    pytest.param({"build": "tsc -b", "deploy:all": "pnpm run build && pnpm -r run deploy"},
                 "npm run deploy:all", {"web", "api", "docs"}, id="a-root-only-script-name"),
    pytest.param({"ship": "pnpm run ship:web", "ship:web": "pnpm --filter @org/web run deploy"},
                 "yarn ship", {"web"}, id="a-chain-of-root-scripts"),
    pytest.param({"deploy": "cd apps/api && wrangler deploy"}, "pnpm run deploy", {"api"},
                 id="a-root-script-with-cd"),
    pytest.param({"deploy": "turbo run build"}, "pnpm run deploy", set(), id="a-root-script-that-builds"),
    pytest.param({"a": "npm run b", "b": "npm run a && pnpm -F docs run deploy"}, "npm run a",
                 {"docs"}, id="scripts-that-call-each-other"),
    pytest.param({"deploy": "turbo run deploy"}, "pnpm run deploy\n  working-directory: apps/api",
                 {"api"}, id="run-in-an-app-its-own-script"),
    pytest.param({"deploy": "turbo run deploy"}, "pnpm --filter @org/web run deploy", {"web"},
                 id="a-filter-is-not-the-root"),
    pytest.param({"deploy": "turbo run deploy"}, "npm run deploy -- --filter=@org/web", {"web"},
                 id="arguments-passed-to-a-root-script"),
    pytest.param({"deploy": "wrangler deploy"}, "npm run deploy -- --config apps/api/wrangler.toml",
                 {"api"}, id="arguments-passed-to-wrangler"),
])
def test_cf015_root_package_scripts_are_followed(tmp_path: Path, make_repo: MakeRepo,
                                                 scripts: dict[str, str], step: str,
                                                 deployed: set[str]) -> None:
    """A step running a script of the root package.json deploys what that script runs."""
    files = {**MONOREPO, "package.json": json.dumps({"name": "mono", "scripts": scripts}),
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "cron"} - flagged == deployed


def test_cf015_root_scripts_that_all_call_each_other(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Each script is read once per step: 30 scripts each running all the others would
    otherwise be 30! paths."""
    names = [f"s{n}" for n in range(30)]
    scripts = {name: " && ".join(f"npm run {other}" for other in names if other != name)
               for name in names}
    scripts["s29"] += " && pnpm -r run deploy"
    files = {**MONOREPO, "package.json": json.dumps({"scripts": scripts}),
             ".github/workflows/ship.yml": job("run: npm run s0")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"cron"}


@pytest.mark.parametrize(("step", "root_deployed"), [
    ("pnpm -r run deploy", False),
    ("npm run deploy --workspaces", False),
    ("npx turbo run deploy", False),
    ("pnpm -r --include-workspace-root run deploy", True),
    ("npm run deploy --workspaces --include-workspace-root", True),
    ("yarn workspaces foreach --all run deploy", True),
])
def test_cf015_every_package_but_the_workspace_root(tmp_path: Path, make_repo: MakeRepo,
                                                    step: str, root_deployed: bool) -> None:
    files = {**ROOT_APP, **MONOREPO, "package.json": '{"scripts": {"deploy": "wrangler deploy"}}',
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = {f.location.path for f in findings(tmp_path, make_repo, files, "CF015")}
    assert flagged == ({"apps/web/workers/cron/wrangler.toml"}
                       | (set() if root_deployed else {"wrangler.toml"}))


@pytest.mark.parametrize(("step", "deployed"), [
    ("pnpm --filter web run deploy", {"web"}),  # pnpm: the scope may be left out
    ("npm run deploy -w web", set()),  # npm and yarn need the package's whole name
    ("yarn workspace web run deploy", set()),
    ("yarn workspace @org/web run deploy", {"web"}),
    ("pnpm --filter docs run deploy", set()),  # two packages are named docs: pnpm picks none
    ("pnpm --filter @legacy/docs run deploy", {"legacy"}),
])
def test_cf015_a_package_name_as_each_runner_reads_it(tmp_path: Path, make_repo: MakeRepo,
                                                      step: str, deployed: set[str]) -> None:
    files = {**MONOREPO, "apps/legacy/wrangler.toml": 'name = "old-docs"\nmain = "a.ts"\n',
             "apps/legacy/package.json": json.dumps(
                 {"name": "@legacy/docs", "scripts": {"deploy": "wrangler deploy"}}),
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "legacy", "cron"} - flagged == deployed


@pytest.mark.parametrize(("script", "deployed"), [
    ("wrangler deploy -c ../api/wrangler.toml", {"api"}),  # web's script deploys api's config
    ("cd workers/cron && wrangler deploy", {"cron"}),
    ("wrangler deploy -c wrangler.staging.toml", set()),  # another config file, not web's
    ("wrangler deploy --dry-run && echo wrangler deploy", set()),
    ("wrangler deploy", {"web"}),
])
def test_cf015_a_package_script_is_read_as_it_runs(tmp_path: Path, make_repo: MakeRepo,
                                                   script: str, deployed: set[str]) -> None:
    """A runner running web's `deploy` deploys what that script deploys, from web's folder."""
    files = {**MONOREPO, "apps/web/package.json": json.dumps(
                 {"name": "@org/web", "scripts": {"deploy": script}}),
             ".github/workflows/ship.yml": job("run: pnpm --filter @org/web run deploy")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "cron"} - flagged == deployed


@pytest.mark.parametrize(("step", "deployed"), [
    ("pnpm --filter '@org/*' --filter '!@org/docs' run deploy", {"web", "api", "api-docs"}),
    ("npx turbo run deploy --filter='./apps/*' --filter='!@org/api'", {"web", "docs", "api-docs"}),
    ("npx turbo run deploy\n  working-directory: apps/api", {"api"}),  # turbo 2 scopes to it
    ("pnpm --filter 'd*' run deploy", {"docs"}),  # one scoped package matches
    ("pnpm --filter 'a*' run deploy", set()),  # two do (api, api-docs): pnpm picks none
    ("npx run-s deploy:*", {"web", "api"}),  # npm-run-all run in the step
    ("pnpm --filter @org/web run release", {"api"}),  # web's release runs api's deploy
])
def test_cf015_runners_select_packages_as_they_do(tmp_path: Path, make_repo: MakeRepo, step: str,
                                                  deployed: set[str]) -> None:
    files = {**MONOREPO, "apps/api-docs/wrangler.toml": 'name = "api-docs"\nmain = "a.ts"\n',
             "apps/api-docs/package.json": json.dumps(
                 {"name": "@org/api-docs", "scripts": {"deploy": "wrangler deploy"}}),
             "apps/web/package.json": json.dumps({"name": "@org/web", "scripts": {
                 "deploy": "wrangler deploy", "release": "pnpm --filter @org/api run deploy"}}),
             "package.json": json.dumps({"scripts": {
                 "deploy:web": "pnpm --filter @org/web run deploy",
                 "deploy:api": "pnpm --filter @org/api run deploy"}}),
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "api-docs", "docs", "cron"} - flagged == deployed


@pytest.mark.parametrize(("script", "root_deployed"), [
    ("yarn workspaces foreach -A run deploy -- --env production", False),
    ("wrangler deploy && npm run deploy -- --x", True),
])
def test_cf015_a_script_that_runs_itself_with_arguments(tmp_path: Path, make_repo: MakeRepo,
                                                        script: str, root_deployed: bool) -> None:
    """Each script is read once, whatever arguments it is run with again (it hung)."""
    files = {**ROOT_APP, **MONOREPO, "package.json": json.dumps({"scripts": {"deploy": script}}),
             ".github/workflows/ship.yml": job("run: yarn deploy")}
    flagged = {f.location.path for f in findings(tmp_path, make_repo, files, "CF015")}
    assert ("wrangler.toml" not in flagged) is root_deployed


@pytest.mark.parametrize(("step", "deploys"), [
    ("npm run build --workspace apps/docs", True),
    ("npm run release --workspace apps/docs", True),
    ("pnpm --filter @org/docs run build", False),  # pnpm runs no pre and post scripts
])
def test_cf015_npm_runs_pre_and_post_scripts(tmp_path: Path, make_repo: MakeRepo, step: str,
                                             deploys: bool) -> None:
    files = {**MONOREPO, "apps/docs/package.json": json.dumps({"name": "@org/docs", "scripts": {
                 "build": "astro build", "postbuild": "wrangler deploy",
                 "prerelease": "wrangler deploy", "release": "echo done"}}),
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert ("docs" not in flagged) is deploys


@pytest.mark.parametrize(("target", "step", "deployed"), [
    ({"executor": "nx:run-commands", "options": {"command": "wrangler deploy", "cwd": "apps/api"}},
     "npx nx run api:deploy", {"api"}),
    ({"executor": "nx:run-commands", "options": {"commands": [
        "pnpm build", {"command": "wrangler deploy -c apps/api/wrangler.toml"}]}},
     "npx nx deploy api", {"api"}),  # run from the workspace's root without a cwd
    ({"command": "wrangler deploy", "options": {"cwd": "apps/api"}},
     "npx nx run-many -t deploy", {"api"}),
    ({"executor": "nx:run-commands", "options": {"command": "wrangler deploy --dry-run",
                                                 "cwd": "apps/api"}}, "npx nx run api:deploy", set()),
    ({"executor": "@nx/js:tsc", "options": {}}, "npx nx run api:deploy", set()),
])
def test_cf015_nx_targets_of_project_json(tmp_path: Path, make_repo: MakeRepo, target: object,
                                          step: str, deployed: set[str]) -> None:
    """An Nx project without package.json scripts: its run-commands targets are read."""
    files = {"apps/api/wrangler.toml": 'name = "api"\nmain = "src/index.ts"\n',
             "apps/api/project.json": "// the api Worker\n" + json.dumps(
                 {"name": "api", "targets": {"deploy": target}}),  # Nx reads comments
             ".github/workflows/ship.yml": job(f"run: {step}")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"api"} - flagged == deployed


@pytest.mark.parametrize(("step", "expected"), [
    pytest.param("run: npx wrangler deploy --config wrangler.production.toml\n"
                 "  working-directory: apps/web",
                 [(".github/workflows/ship.yml", 6, "apps/web/wrangler.production.toml")],
                 id="from-the-working-directory"),
    pytest.param("uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/web\n"
                 "    command: deploy -c wrangler.prod.jsonc",
                 [(".github/workflows/ship.yml", 6, "apps/web/wrangler.prod.jsonc")], id="action"),
    pytest.param("run: npx wrangler deploy -c apps/web/wrangler.toml", [], id="a-config-that-exists"),
    pytest.param("run: |\n    cd apps/web\n    envsubst < wrangler.tmpl.toml > wrangler.production.toml\n"
                 "    npx wrangler deploy --config wrangler.production.toml", [],
                 id="a-config-a-step-writes"),
])
def test_cf015_a_deploy_naming_a_config_that_is_not_there(
        tmp_path: Path, make_repo: MakeRepo, step: str, expected: Expected) -> None:
    """wrangler fails the deploy: it is reported at the step, as its app is not deployed."""
    files = {**WEB_APP, ".github/workflows/ship.yml": job(step)}
    found = [f for f in findings(tmp_path, make_repo, files, "CF015")
             if f.location.path != "apps/web/wrangler.toml"]
    check(found, expected, Severity.P2)
    assert all("is not in the repository" in f.message for f in found)


@pytest.mark.parametrize("write", [
    pytest.param("cat > wrangler.production.toml << EOF\n    name = \"web\"\n    EOF", id="heredoc"),
    pytest.param("cat <<'EOF' > wrangler.production.toml\n    name = \"web\"\n    EOF",
                 id="heredoc-redirected-after"),
    pytest.param("echo 'name = \"web\"' > wrangler.production.toml", id="echo"),
    pytest.param("printf 'name = \"%s\"\\n' web >> wrangler.production.toml", id="printf"),
    pytest.param("echo 'name = \"web\"' | tee -a wrangler.production.toml", id="tee"),
    pytest.param("cp wrangler.toml wrangler.production.toml", id="cp"),
    pytest.param("mv wrangler.ci.toml wrangler.production.toml", id="mv"),
    pytest.param("mkdir ci && cp -f wrangler.toml ci/", id="cp-into-a-folder"),
])
def test_cf015_a_config_an_earlier_step_writes_is_there(
        tmp_path: Path, make_repo: MakeRepo, write: str) -> None:
    """The first step (in apps/web) writes the config the second deploys: it is there."""
    config = "ci/wrangler.toml" if write.endswith("/") else "wrangler.production.toml"
    step = (f"run: |\n    {write}\n  working-directory: apps/web\n"
            f"run: npx wrangler deploy --config {config}\n  working-directory: apps/web")
    files = {**WEB_APP, ".github/workflows/ship.yml": job(step)}
    assert [f for f in findings(tmp_path, make_repo, files, "CF015")
            if "is not in the repository" in f.message] == []


def test_cf015_a_config_a_script_makes_is_reported(tmp_path: Path, make_repo: MakeRepo) -> None:
    step = ("run: ./scripts/make-config.sh wrangler.production.toml\n"
            "run: npx wrangler deploy --config wrangler.production.toml\n"
            "  working-directory: apps/web")
    files = {**WEB_APP, ".github/workflows/ship.yml": job(step)}
    assert [f.location.start_line for f in findings(tmp_path, make_repo, files, "CF015")
            if "is not in the repository" in f.message] == [7]


@pytest.mark.parametrize("deploy", [
    pytest.param("uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/web\n"
                 "    command: deploy --config dist/server/wrangler.json", id="vite-plugin-output"),
    pytest.param("run: npx wrangler deploy -c apps/web/build/worker/wrangler.json", id="build-folder"),
])
def test_cf015_a_config_a_build_writes_deploys_its_app(
        tmp_path: Path, make_repo: MakeRepo, deploy: str) -> None:
    """The Cloudflare Vite plugin writes `dist/<worker>/wrangler.json` from apps/web's
    config: no finding that wrangler fails, and apps/web is deployed."""
    files = {**WEB_APP, **DEPLOY_APP, ".github/workflows/ship.yml": job(
        "run: npm run build\n  working-directory: apps/web\n" + deploy)}
    check(findings(tmp_path, make_repo, files, "CF015"),
          [("apps/deploy/wrangler.toml", None, "deploy")], Severity.P2)


def test_cf015_a_config_a_build_writes_is_not_deployed_from_elsewhere(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """`apps/api/dist/…` deploys apps/api, which has no config: apps/web is not deployed."""
    files = {**WEB_APP, ".github/workflows/ship.yml": job(
        "run: npx wrangler deploy -c apps/api/dist/server/wrangler.json")}
    check(findings(tmp_path, make_repo, files, "CF015"), NOT_DEPLOYED, Severity.P2)


def test_cf015_another_config_of_the_folder_is_deployed(tmp_path: Path, make_repo: MakeRepo) -> None:
    """apps/web is deployed with `-c wrangler.worker.json`: its default config is not what
    runs, which the finding says, not that nothing names apps/web."""
    files = {**WEB_APP, "apps/web/wrangler.worker.toml": 'name = "storefront"\nmain = "w.ts"\n',
             ".github/workflows/ship.yml": job(
                 "uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/web\n"
                 "    command: deploy -c wrangler.worker.toml")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert (found.location.path, found.severity) == ("apps/web/wrangler.toml", Severity.P2)
    assert found.message == ("CI deploys `apps/web` with `apps/web/wrangler.worker.toml`"
                             " (`.github/workflows/ship.yml:6`), not with this config")
    assert "wrangler.worker.toml" in found.remediation


@pytest.mark.parametrize("steps", [
    pytest.param("run: |\n    cd apps/web\n    envsubst < wrangler.toml > wrangler.prod.toml\n"
                 "    npx wrangler deploy --config wrangler.prod.toml", id="envsubst"),
    pytest.param("run: |\n    cp apps/web/wrangler.toml apps/web/wrangler.prod.toml\n"
                 "    sed -i 's/x/y/' apps/web/wrangler.prod.toml\n"
                 "    npx wrangler deploy -c apps/web/wrangler.prod.toml", id="cp-then-sed"),
    pytest.param("run: cp wrangler.toml ci.toml\n  working-directory: apps/web\n"
                 "run: envsubst < apps/web/ci.toml > apps/web/wrangler.prod.toml\n"
                 "run: npx wrangler deploy -c apps/web/wrangler.prod.toml", id="a-chain-of-steps"),
])
def test_cf015_a_config_a_step_makes_the_deployed_one_from_is_deployed(
        tmp_path: Path, make_repo: MakeRepo, steps: str) -> None:
    """apps/web/wrangler.toml is the template of the config deployed: it is deployed, and
    not to be deleted (QA s25d A3)."""
    files = {**WEB_APP, ".github/workflows/ship.yml": job(steps)}
    assert findings(tmp_path, make_repo, files, "CF015") == []


def test_cf015_an_in_place_edit_of_several_configs_makes_none_of_the_others(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """`sed -i … a b` edits each file from itself: apps/api is not deployed (QA s25f)."""
    files = {**WEB_APP, "apps/api/wrangler.toml": 'name = "api"\nmain = "a.ts"\n',
             ".github/workflows/ship.yml": job(
                 "run: sed -i 's/x/y/' apps/web/wrangler.toml apps/api/wrangler.toml\n"
                 "run: npx wrangler deploy --config apps/web/wrangler.toml")}
    assert [f.location.path for f in findings(tmp_path, make_repo, files, "CF015")] == [
        "apps/api/wrangler.toml"]


def test_cf015_another_worker_deployed_from_the_folder(tmp_path: Path, make_repo: MakeRepo) -> None:
    """wrangler.cron.toml is another Worker (another name): the root's config is not deployed
    because no deploy names `api`, and is not to be deleted (QA s25d A3)."""
    files = {"wrangler.toml": 'name = "api"\nmain = "src/api.ts"\n',
             "wrangler.cron.toml": 'name = "cron-worker"\nmain = "src/cron.ts"\n',
             ".github/workflows/ship.yml": job("run: npx wrangler deploy --config wrangler.cron.toml")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert (found.location.path, found.message, found.remediation) == (
        "wrangler.toml", "CI deploys the repository's root with `wrangler.cron.toml`"
        " (`.github/workflows/ship.yml:6`), not with this config",
        "Deploy each app from a CI workflow")


def test_cf015_another_worker_deployed_from_an_app_s_folder(tmp_path: Path,
                                                            make_repo: MakeRepo) -> None:
    """QA s28a #8: it said `apps/web` was named by no deploy step, beside the one run there."""
    files = {**WEB_APP, "apps/web/wrangler.prod.toml": 'name = "web-prod"\nmain = "w.ts"\n',
             ".github/workflows/ship.yml": job(
                 "run: npx wrangler deploy --config wrangler.prod.toml\n"
                 "  working-directory: apps/web")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.message == (
        "CI deploys `apps/web` with `apps/web/wrangler.prod.toml` (`.github/workflows/ship.yml:6`),"
        " not with this config")


def test_cf015_a_config_a_workflow_reads_is_not_to_be_deleted(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {**WEB_APP, "apps/web/wrangler.worker.toml": 'name = "storefront"\nmain = "w.ts"\n',
             ".github/workflows/ship.yml": job(
                 "run: sed -n 1p apps/web/wrangler.toml > version.txt\n"
                 "run: npx wrangler deploy -c apps/web/wrangler.worker.toml")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.message.startswith("CI deploys `apps/web` with `apps/web/wrangler.worker.toml`")
    assert found.remediation == "Deploy `apps/web/wrangler.toml` from a CI workflow"


PLATFORM = {"apps/site/package.json": json.dumps({"name": "@x/site"}),
            "platforms/cf/wrangler.jsonc": '{"name": "nodejs-website", "main": "w.ts"}',
            "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - platforms/*\n"}
EXEC = "pnpm --filter=@x/site exec {tool} deploy --config ../../platforms/cf/wrangler.jsonc"


@pytest.mark.parametrize(("step", "script", "deployed"), [
    pytest.param(EXEC.format(tool="wrangler"), "", True, id="exec"),
    pytest.param(EXEC.format(tool="opennextjs-cloudflare"), "", True, id="exec-opennext"),
    pytest.param("pnpm -F @x/site exec wrangler deploy --cwd ../../platforms/cf", "", True,
                 id="exec-cwd"),
    pytest.param("pnpm --filter=@x/cf run deploy", EXEC.format(tool="wrangler"), True,
                 id="a-package-script"),
    pytest.param("pnpm --filter=@x/site exec wrangler deploy --config wrangler.jsonc", "", False,
                 id="a-config-of-the-package-run-in"),
])
def test_cf015_a_config_named_to_what_a_runner_runs_is_from_its_package(
        tmp_path: Path, make_repo: MakeRepo, step: str, script: str, deployed: bool) -> None:
    """pnpm runs `exec` in the package it selects (apps/site): `--config` is taken from
    there, as `cd apps/site && wrangler deploy --config …` takes it."""
    files = {**PLATFORM, "platforms/cf/package.json": json.dumps(
        {"name": "@x/cf", "scripts": {"deploy": script or "wrangler deploy"}}),
             ".github/workflows/ship.yml": job(f"run: {step}")}
    found = [f for f in findings(tmp_path, make_repo, files, "CF015")
             if f.location.path == "platforms/cf/wrangler.jsonc"]
    assert (found == []) is deployed


@pytest.mark.parametrize("workspace", [
    pytest.param({"pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n"}, id="pnpm"),
    pytest.param({"package.json": json.dumps({"workspaces": ["./apps/*", "!apps/legacy"]})},
                 id="workspaces"),
    pytest.param({"package.json": json.dumps({"workspaces": {"packages": ["apps/*", "!apps/legacy"]}})},
                 id="yarn-workspaces-packages"),
])
def test_cf015_a_runner_selects_only_the_workspace_packages(
        tmp_path: Path, make_repo: MakeRepo, workspace: Files) -> None:
    """examples/web and apps/legacy are also named `web`, but are not the workspace's: pnpm
    runs wrangler in apps/web only, where the config is (QA s25d A2)."""
    files = {**workspace, **{f"{folder}/package.json": json.dumps({"name": "web"})
                             for folder in ("apps/web", "apps/legacy", "examples/web")},
             "apps/web/wrangler.prod.toml": 'name = "web"\nmain = "src/index.ts"\n',
             ".github/workflows/ship.yml": job(
                 "run: pnpm --filter web exec wrangler deploy --config wrangler.prod.toml")}
    assert findings(tmp_path, make_repo, files, "CF015") == []


def test_cf015_a_config_missing_in_many_selected_packages_is_one_finding(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """The step runs wrangler in each of the five packages, and four lack the config: one
    finding at the step, not one a package (QA s25d A5: 2,999 findings at one line)."""
    files = {"pnpm-workspace.yaml": "packages:\n  - packages/*\n",
             **{f"packages/p{n}/package.json": json.dumps({"name": f"@org/p{n}"}) for n in range(5)},
             "packages/p1/wrangler.toml": 'name = "p1"\nmain = "src/index.ts"\n',
             ".github/workflows/ship.yml": job(
                 "run: |\n    for p in p0 p2; do\n"
                 "      pnpm --filter @org/$p exec wrangler deploy -c wrangler.toml\n    done\n"
                 "    pnpm --filter './packages/**' exec wrangler deploy -c wrangler.toml")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert (found.location.path, found.location.start_line, found.subject) == (
        ".github/workflows/ship.yml", 8, "wrangler.toml")
    assert found.message == (
        "the deploy at `.github/workflows/ship.yml:8` names `wrangler.toml`, which is not in the"
        " repository in 4 of the 5 packages it selects (`packages/p0/wrangler.toml`,"
        " `packages/p2/wrangler.toml`, `packages/p3/wrangler.toml` and 1 more): wrangler fails"
        " there, unless an earlier step makes it")


ACTION_IN = "uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: {folder}"


@pytest.mark.parametrize(("steps", "missing"), [
    pytest.param(ACTION_IN.format(folder="apps/legacy-api"), ["apps/legacy-api"],
                 id="a-folder-not-in-the-repository"),
    pytest.param(ACTION_IN.format(folder="apps/web"), [], id="an-app-folder"),
    pytest.param(ACTION_IN.format(folder="apps/web/dist"), [], id="a-build-output-folder"),
    pytest.param("run: mkdir -p gen && cp apps/web/wrangler.toml gen/wrangler.toml\n"
                 + ACTION_IN.format(folder="gen"), [], id="a-folder-a-step-writes-into"),
    pytest.param("uses: actions/checkout@v4\n  with:\n    repository: org/legacy\n"
                 "    path: apps/legacy-api\n" + ACTION_IN.format(folder="apps/legacy-api"), [],
                 id="a-repository-checked-out-into-it"),
    pytest.param(ACTION_IN.format(folder="Apps/Web"), ["Apps/Web"],
                 id="another-case-on-a-linux-runner"),
    pytest.param("run: npm run build\n" + ACTION_IN.format(folder="apps/legacy-api"),
                 ["apps/legacy-api"], id="a-build-does-not-make-an-app-folder"),
    pytest.param("run: mkdir -p other\n" + ACTION_IN.format(folder="gen"), ["gen"],
                 id="a-step-making-another-folder"),
    pytest.param("run: bun run build --filter=@org/legacy-api\n"
                 + ACTION_IN.format(folder="apps/legacy-api"), ["apps/legacy-api"],
                 id="a-step-naming-the-folder-s-name-not-its-path"),
    pytest.param(ACTION_IN.format(folder="gen") + "\nrun: mkdir -p gen", ["gen"],
                 id="a-step-making-it-after-the-deploy"),
    # QA s26d: a stale workflow names the old folder everywhere; naming is not making
    pytest.param("run: cd apps/legacy-api && npm ci\nrun: pnpm --filter ./apps/legacy-api build\n"
                 "run: echo \"Deploying apps/legacy-api\"\nuses: actions/setup-node@v4\n  with:\n"
                 "    cache-dependency-path: apps/legacy-api/package-lock.json\n"
                 + ACTION_IN.format(folder="apps/legacy-api"), ["apps/legacy-api"],
                 id="steps-that-only-name-it"),
    pytest.param("uses: actions/cache@v4\n  with:\n    key: ${{ runner.os }}-build-x\n"
                 "    path: node_modules\nrun: npm run build\n" + ACTION_IN.format(folder="workers"),
                 ["workers"], id="a-build-does-not-make-a-folder-not-named-as-an-output"),
])
def test_cf015_a_deploy_running_in_a_folder_the_repository_does_not_hold(
        tmp_path: Path, make_repo: MakeRepo, steps: str, missing: list[str]) -> None:
    """QA s26a #3: the step fails in CI, and deploys none of the apps."""
    files = {**MONOREPO, ".github/workflows/ship.yml": job(steps)}
    found = [f for f in findings(tmp_path, make_repo, files, "CF015")
             if f.location.path == ".github/workflows/ship.yml"]
    assert [f.subject for f in found] == missing
    assert all(f.message.endswith(f"runs in `{f.subject}`, which is not in the repository: it"
                                  " fails there, unless an earlier step makes it") for f in found)


RUN_IN = "run: npx wrangler deploy\n  working-directory: {folder}"


@pytest.mark.parametrize(("steps", "runner"), [
    pytest.param("uses: actions/download-artifact@v4\n  with:\n    name: worker\n"
                 "    path: deploy-bundle\n" + RUN_IN.format(folder="deploy-bundle"), "ubuntu-latest",
                 id="an-artifact-downloaded-into-it"),
    pytest.param("uses: actions/download-artifact@v4\n" + RUN_IN.format(folder="worker"),
                 "ubuntu-latest", id="artifacts-downloaded"),
    pytest.param("uses: actions/checkout@v4\n  with:\n    repository: org/infra\n"
                 + RUN_IN.format(folder="workers/edge"), "ubuntu-latest",
                 id="another-repository-checked-out"),
    pytest.param("run: cp -r apps/api deploy-copy\n" + RUN_IN.format(folder="deploy-copy"),
                 "ubuntu-latest", id="cp-r"),
    pytest.param("run: mkdir -p out3\n" + RUN_IN.format(folder="out3"), "ubuntu-latest",
                 id="mkdir"),
    pytest.param("run: cp -r apps/api ./apps/legacy-api\n" + RUN_IN.format(folder="apps/legacy-api"),
                 "ubuntu-latest", id="cp-r-into-an-app-folder"),
    pytest.param("run: node scripts/gen.js > generated/index.js\n"
                 + RUN_IN.format(folder="generated"), "ubuntu-latest", id="output-into-a-file-in-it"),
    pytest.param("run: mkdir -p generated/worker && node gen.js > generated/worker/index.js\n"
                 + RUN_IN.format(folder="generated/worker"), "ubuntu-latest", id="mkdir-and-node"),
    pytest.param("run: |\n    mkdir -p generated/worker\n    node gen.js > generated/worker/index.js\n"
                 + RUN_IN.format(folder="generated/worker"), "ubuntu-latest", id="in-a-block"),
    pytest.param("run: git clone https://github.com/org/worker worker-src\n"
                 + RUN_IN.format(folder="worker-src"), "ubuntu-latest", id="git-clone"),
    pytest.param("run: tar xzf bundle.tgz -C unpacked\n" + RUN_IN.format(folder="unpacked"),
                 "ubuntu-latest", id="tar-C"),
    pytest.param("run: unzip worker.zip -d unzipped\n" + RUN_IN.format(folder="unzipped"),
                 "ubuntu-latest", id="unzip-d"),
    pytest.param("run: npm create cloudflare@latest -- my-app --type hello-world\n"
                 + RUN_IN.format(folder="my-app"), "ubuntu-latest", id="create-cloudflare"),
    pytest.param("run: npm ci && npm run build\n  working-directory: apps/api\n"
                 + RUN_IN.format(folder="apps/api/.output/server"), "ubuntu-latest",
                 id="a-generated-build-output"),
    pytest.param("run: npm run build\n" + RUN_IN.format(folder="storybook-static"), "ubuntu-latest",
                 id="a-build-output-in-the-root"),
    pytest.param("run: npm run build\n  working-directory: apps/web\n"
                 + RUN_IN.format(folder="apps/web/storybook-static"), "ubuntu-latest",
                 id="a-build-output-in-a-package"),
    pytest.param(RUN_IN.format(folder="Apps/Web"), "windows-latest", id="another-case-on-windows"),
    pytest.param(RUN_IN.format(folder="Apps/Web"), "${{ matrix.os }}\n    strategy:\n      matrix:\n"
                 "        os: [windows-2022]", id="a-windows-runner-of-a-matrix"),
])
def test_cf015_quiet_for_a_folder_an_earlier_step_may_make(
        tmp_path: Path, make_repo: MakeRepo, steps: str, runner: str) -> None:
    """QA s26c #6: the folder is there when the deploy runs."""
    files = {**MONOREPO, ".github/workflows/ship.yml": job(steps).replace("ubuntu-latest", runner)}
    assert [f.message for f in findings(tmp_path, make_repo, files, "CF015")
            if f.location.path == ".github/workflows/ship.yml"] == []


RUN_TIME = ("no deploy step the audit reads deploys `apps/{app}/wrangler.toml` (`{app}` or"
            " `@org/{app}` or `apps/{app}` not named by a deploy step); it does not read which"
            " app `{command}` (`.github/workflows/ship.yml:{line}`) deploys, known only at run"
            " time, which may deploy it")


@pytest.mark.parametrize(("step", "command", "line"), [
    pytest.param("run: pnpm --filter @org/${{ matrix.pkg }} run deploy",
                 "pnpm --filter @org/${{ matrix.pkg }} run deploy", 9, id="fromJSON-matrix"),
    pytest.param("run: for app in apps/*; do (cd \"$app\" && npx wrangler deploy); done",
                 'for app in apps/*; do (cd "$app" && npx wrangler deploy); done', 9,
                 id="a-loop-over-a-glob"),
    pytest.param("uses: cloudflare/wrangler-action@v3\n  with:\n"
                 "    workingDirectory: apps/${{ matrix.pkg }}",
                 "cloudflare/wrangler-action@v3: wrangler deploy", 9, id="action"),
])
def test_cf015_a_deploy_known_only_at_run_time_may_deploy_it(
        tmp_path: Path, make_repo: MakeRepo, step: str, command: str, line: int) -> None:
    files = {**MONOREPO, ".github/workflows/ship.yml": job(
        step, head="    strategy:\n      matrix:\n        pkg: ${{ fromJSON(needs.a.outputs.apps) }}\n")}
    found = {f.location.path: f.message for f in findings(tmp_path, make_repo, files, "CF015")}
    assert found["apps/web/wrangler.toml"] == RUN_TIME.format(app="web", command=command, line=line)
    assert set(found) == {f"apps/{app}/wrangler.toml" for app in ("web", "api", "docs")} | {
        "apps/web/workers/cron/wrangler.toml"}


def test_cf015_a_script_not_read_and_a_deploy_known_at_run_time(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {**WEB_APP, ".github/workflows/ship.yml": job(
        "run: make deploy\nrun: npx wrangler deploy --config \"$CONFIG\"")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.message.endswith(
        "; it does not read what `make deploy` (`.github/workflows/ship.yml:6`) runs, nor which app"
        ' `npx wrangler deploy --config "$CONFIG"` (`.github/workflows/ship.yml:7`) deploys, known'
        " only at run time, which may deploy it")


@pytest.mark.parametrize("step", [
    "run: for app in web api; do (cd apps/$app && npx wrangler deploy); done",
    "run: |\n    for app in web api\n    do\n      cd apps/${app}\n      npx wrangler deploy\n"
    "      cd -\n    done",
    "run: |\n    for group in apps; do\n      for app in web api; do\n"
    "        npx wrangler deploy --config $group/$app/wrangler.toml\n      done\n    done",
    pytest.param("run: |\n    for app in web api; do\n      echo \"deploying $app for production\"\n"
                 "      (cd apps/$app && npx wrangler deploy)\n    done", id="for-in-quotes"),
    pytest.param("run: |\n    for app in web api; do\n      # each in turn, done when all are\n"
                 "      npx wrangler deploy --cwd apps/$app\n    done", id="done-in-a-comment"),
    pytest.param("run: |\n    for app in web api; do\n      npx wrangler deploy --cwd apps/$app\n"
                 "      echo 'done with '$app\n    done", id="done-in-quotes"),
])
def test_cf015_a_loop_over_words_deploys_each(tmp_path: Path, make_repo: MakeRepo, step: str) -> None:
    files = {**MONOREPO, ".github/workflows/ship.yml": job(step)}
    assert flagged_apps(tmp_path, make_repo, files) == {"docs", "cron"}


def test_cf015_a_workspace_glob_with_braces(tmp_path: Path, make_repo: MakeRepo) -> None:
    """`{apps,services}/*` is apps/* and services/*, as pnpm reads it: services/api is the
    workspace's, and lacks the config its step names (QA s25f)."""
    files = {"pnpm-workspace.yaml": "packages:\n  - '{apps,services}/*'\n",
             "services/api/package.json": json.dumps({"name": "api"}),
             ".github/workflows/ship.yml": job(
                 "run: pnpm --filter api exec wrangler deploy --config wrangler.prod.toml")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert "`services/api/wrangler.prod.toml`, which is not in the repository" in found.message


def test_cf015_a_loop_with_a_long_body_is_read_once_per_word(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Thirty words and a 40-line body are 1,200 lines, within the limit (QA s25f)."""
    body = "".join(f'    echo "step {n} of $app"\n' for n in range(40))
    step = f"run: |\n    for app in web api docs cron {' '.join(f'x{n}' for n in range(26))}; do\n{body}" \
           "    npx wrangler deploy --cwd apps/$app\n    done"
    # apps/cron is no app: the cron Worker is apps/web/workers/cron
    assert flagged_apps(tmp_path, make_repo, {**MONOREPO, ".github/workflows/ship.yml": job(step)}) == {
        "cron"}


def test_cf015_loops_past_the_limit_are_known_only_at_run_time(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Four loops of ten words inside a loop over the apps would be 20,000 commands: past
    10,000, the outer loop is not read once per word, and which app it deploys is known only
    at run time (the QA's six loops of ten words had taken 72 s and 716 MB)."""
    loops = "".join(f"for {name} in {' '.join(f'w{n}' for n in range(10))}; do\n    "
                    for name in "wxyz")
    step = (f"run: |\n    for app in web api; do\n    {loops}"
            "npx wrangler deploy --cwd apps/$app --env $w$x$y$z\n" + "    done\n" * 4 + "    done")
    found = findings(tmp_path, make_repo, {**MONOREPO, ".github/workflows/ship.yml": job(step)},
                     "CF015")
    assert {f.location.path.split("/")[-2] for f in found} == {"web", "api", "docs", "cron"}
    assert all("npx wrangler deploy --cwd apps/$app --env $w$x$y$z" in f.message
               and "known only at run time" in f.message for f in found)


def test_cf015_a_root_app_without_a_name(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": 'main = "src/index.ts"\n'}, "CF015")
    assert found.message == ("no CI workflow deploys `wrangler.toml` (no deploy step runs in the"
                             " repository's root, and it has no name)")


def test_cf015_a_long_chain_of_root_scripts(tmp_path: Path, make_repo: MakeRepo) -> None:
    """3,000 scripts each running the next: read without recursion, once each."""
    scripts = {f"s{n}": f"npm run s{n + 1}" for n in range(3000)}
    scripts["s3000"] = "turbo run deploy"
    files = {**MONOREPO, "package.json": json.dumps({"scripts": scripts}),
             ".github/workflows/ship.yml": job("run: npm run s0")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"cron"}


def test_cf015_an_app_script_that_runs_its_own_deploy_script(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """web's `release` builds and then runs its own `deploy:prod`; api's `release` runs
    another package's script, which is not api's own deploy."""
    files = {**MONOREPO,
             "apps/web/package.json": json.dumps({"name": "@org/web", "scripts": {
                 "release": "npm run build && npm run deploy:prod",
                 "deploy:prod": "wrangler deploy --env production"}}),
             "apps/api/package.json": json.dumps({"name": "@org/api", "scripts": {
                 "release": "pnpm --filter @org/web run deploy:prod"}}),
             "apps/docs/package.json": json.dumps({"name": "@org/docs", "scripts": {
                 "deploy": "wrangler deploy", "release": "tsc && npm run deploy -- --dry-run"}}),
             ".github/workflows/ship.yml": job("run: pnpm -r run release")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"api", "docs", "cron"}


@pytest.mark.parametrize(("release", "deploys"), [
    ("run-s build deploy", True),
    ('npm-run-all --serial build "deploy:*"', True),
    ('run-p "deploy:* -- --env production"', True),
    ("run-s build lint", False),
    ("run-s build d*r", False),  # `*` stays within one part of a name: deploy:worker is two
    ("run-s --print-label build deploy --silent", True),
])
def test_cf015_npm_run_all_runs_the_package_s_scripts(tmp_path: Path, make_repo: MakeRepo,
                                                      release: str, deploys: bool) -> None:
    files = {**MONOREPO,
             "apps/web/package.json": json.dumps({"name": "@org/web", "scripts": {
                 "release": release, "build": "vite build", "lint": "eslint .",
                 "deploy": "wrangler deploy", "deploy:worker": "wrangler deploy"}}),
             ".github/workflows/ship.yml": job("run: pnpm --filter @org/web run release")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert ("web" not in flagged) is deploys


def test_cf015_an_input_with_a_default_in_the_expression(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Run by hand with `app` chosen, or on push with no input: `|| 'web'` is the push."""
    workflow = ("on:\n  push:\n  workflow_dispatch:\n    inputs:\n      app:\n"
                "        type: choice\n        options: [api]\njobs:\n  d:\n"
                "    runs-on: ubuntu-latest\n    steps:\n      - run: npx wrangler deploy\n"
                "        working-directory: apps/${{ inputs.app || 'web' }}\n")
    files = {**MONOREPO, ".github/workflows/ship.yml": workflow}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"docs", "cron"}


DEPLOY_ACTION = """name: Deploy
inputs:
  app-dir:
    description: The app's folder
    default: apps/api
  token:
    required: true
runs:
  using: composite
  steps:
    - run: pnpm install
      shell: bash
    - run: npx wrangler deploy
      shell: bash
      working-directory: ${{ inputs.app-dir }}
      env:
        CLOUDFLARE_API_TOKEN: ${{ inputs.token }}
"""


@pytest.mark.parametrize(("action", "step", "deployed"), [
    pytest.param(DEPLOY_ACTION, "uses: ./.github/actions/deploy\n  with:\n    app-dir: apps/web\n"
                 "    token: ${{ secrets.CLOUDFLARE_API_TOKEN }}", {"web"}, id="an-input-passed"),
    pytest.param(DEPLOY_ACTION, "uses: ./.github/actions/deploy", {"api"}, id="an-input-s-default"),
    pytest.param(DEPLOY_ACTION, "uses: ./.github/actions/deploy/\n  with:\n"
                 "    app-dir: apps/${{ matrix.app }}", {"web", "docs"}, id="the-caller-s-matrix"),
    pytest.param(DEPLOY_ACTION.replace("default: apps/api", "default: ''").replace(
        "${{ inputs.app-dir }}", "${{ env.APP_DIR }}"), "uses: ./.github/actions/deploy\n"
        "  env:\n    APP_DIR: apps/docs", {"docs"}, id="the-caller-s-env"),
    pytest.param(DEPLOY_ACTION.replace("    - run: npx wrangler deploy\n",
                                       "    - if: false\n      run: npx wrangler deploy\n"),
                 "uses: ./.github/actions/deploy", set(), id="a-step-that-never-runs"),
    pytest.param(DEPLOY_ACTION.replace("using: composite", "using: node20\n  main: index.js"),
                 "uses: ./.github/actions/deploy", set(), id="not-a-composite-action"),
    pytest.param("runs:\n  using: composite\n  steps:\n"
                 "    - uses: cloudflare/wrangler-action@v3\n      with:\n"
                 "        workingDirectory: ${{ inputs.dir }}\n",
                 "uses: ./.github/actions/deploy\n  with:\n    dir: apps/docs", {"docs"},
                 id="the-wrangler-action-inside"),
    pytest.param(DEPLOY_ACTION, "uses: ./.github/actions/other", set(), id="no-action-there"),
])
def test_cf015_a_local_composite_action_deploys(tmp_path: Path, make_repo: MakeRepo, action: str,
                                                step: str, deployed: set[str]) -> None:
    files = {**MONOREPO, ".github/actions/deploy/action.yml": action,
             ".github/workflows/ship.yml": job(step, head="    strategy:\n      matrix:\n"
                                                          "        app: [web, docs]\n")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "cron"} - flagged == deployed


def test_cf015_each_deploy_step_of_a_local_action(tmp_path: Path, make_repo: MakeRepo) -> None:
    action = ("runs:\n  using: composite\n  steps:\n" + "".join(
        f"    - run: npx wrangler deploy\n      shell: bash\n      working-directory: apps/{app}\n"
        for app in ("web", "api")))
    files = {**MONOREPO, ".github/actions/deploy/action.yml": action,
             ".github/workflows/ship.yml": job("uses: ./.github/actions/deploy")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"docs", "cron"}


def test_cf015_a_local_action_run_by_another(tmp_path: Path, make_repo: MakeRepo) -> None:
    """deploy runs wr with its own input; loop runs itself, which deploys nothing and ends."""
    files = {**MONOREPO,
             ".github/actions/deploy/action.yml": (
                 "inputs:\n  app: {default: apps/api}\nruns:\n  using: composite\n  steps:\n"
                 "    - uses: ./.github/actions/setup\n    - uses: ./.github/actions/wr\n"
                 "      with:\n        dir: ${{ inputs.app }}\n"),
             ".github/actions/setup/action.yml": "runs:\n  using: composite\n  steps:\n"
                                                 "    - run: pnpm install\n      shell: bash\n",
             ".github/actions/wr/action.yml": (
                 "inputs:\n  dir: {required: true}\nruns:\n  using: composite\n  steps:\n"
                 "    - run: npx wrangler deploy\n      shell: bash\n"
                 "      working-directory: ${{ inputs.dir }}\n"),
             ".github/actions/loop/action.yml": "runs:\n  using: composite\n  steps:\n"
                                                "    - uses: ./.github/actions/loop\n",
             ".github/workflows/ship.yml": job(
                 "uses: ./.github/actions/deploy\n  with:\n    app: apps/web\n"
                 "uses: ./.github/actions/loop")}
    facts = collect(make_repo(tmp_path, files))
    assert [(s.location.start_line, s.actions) for s in facts.deploy_steps] == [
        (6, ((".github/actions/deploy/action.yml", 1), (".github/actions/wr/action.yml", 0)))]
    assert facts.deployed.folders == ("apps/web",)


def test_cf015_local_actions_that_each_run_the_next_many_times(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """a0 runs a1 ten times, a1 runs a2 ten times... 10**9 paths: read up to a budget."""
    files = {f".github/actions/a{n}/action.yml": "runs:\n  using: composite\n  steps:\n"
             + f"    - uses: ./.github/actions/a{n + 1}\n" * 10 for n in range(9)}
    files[".github/actions/a9/action.yml"] = ("runs:\n  using: composite\n  steps:\n"
                                              "    - run: npx wrangler deploy --cwd apps/docs\n")
    files |= {**MONOREPO, ".github/workflows/ship.yml": job("uses: ./.github/actions/a0")}
    facts = collect(make_repo(tmp_path, files))
    assert 0 < len(facts.deploy_steps) < 1000  # the paths to a deploy read within the budget
    assert facts.deployed.folders == ("apps/docs",)


def test_cf015_a_local_action_s_deploy_is_reported_at_its_uses_line(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """The step is listed with the workflow's line and secrets; an action.yaml is read, and
    a local action that is not valid YAML is a problem with its line, not a stopped audit."""
    workflow = job("uses: ./.github/actions/deploy\n  with:\n    app-dir: apps/web\n"
                   "    token: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n"
                   "uses: ./.github/actions/broken")
    files = {**MONOREPO, ".github/actions/deploy/action.yaml": DEPLOY_ACTION,
             ".github/actions/broken/action.yml": "runs:\n  using: composite\n  steps: [\n",
             ".github/workflows/ship.yml": workflow}
    facts = collect(make_repo(tmp_path, files))
    assert [(s.location.path, s.location.start_line, s.tool, s.secrets, s.actions)
            for s in facts.deploy_steps] == [
        (".github/workflows/ship.yml", 6, "wrangler deploy", ("CLOUDFLARE_API_TOKEN",),
         ((".github/actions/deploy/action.yaml", 1),))]
    assert [(p.location.path, p.location.start_line) for p in facts.problems] == [
        (".github/actions/broken/action.yml", 3)]  # where its text ends, not past it
    assert facts.deployed.folders == ("apps/web",)


REUSABLE_COMMAND = """on:
  workflow_call:
    inputs:
      command: {type: string, default: whoami}
      dir: {type: string, default: .}
jobs:
  action:
    runs-on: ubuntu-latest
    steps:
      - uses: cloudflare/wrangler-action@v3
        with:
          workingDirectory: ${{ inputs.dir }}
          command: ${{ inputs.command }}
  shell:
    runs-on: ubuntu-latest
    steps:
      - run: ${{ inputs.command }}
        working-directory: ${{ inputs.dir }}
"""


def reusable_caller(name: str, **given: str) -> str:
    return (f"  {name}:\n    uses: ./.github/workflows/reusable.yml\n    with:\n"
            + "".join(f"      {key}: {value}\n" for key, value in given.items()))


@pytest.mark.parametrize(("callers", "deployed"), [
    pytest.param(reusable_caller("web", command="deploy", dir="apps/web"), {"web"},
                 id="the-action-s-command"),
    pytest.param(reusable_caller("api", command="npx wrangler deploy --config apps/api/wrangler.toml"),
                 {"api"}, id="a-run-command"),
    pytest.param(reusable_caller("docs", command="pages deploy dist --project-name docs")
                 + reusable_caller("web", command="deploy", dir="apps/web"), {"docs", "web"},
                 id="each-caller-its-command"),
    pytest.param(reusable_caller("web", command="'deploy --dry-run'", dir="apps/web")
                 + reusable_caller("api", dir="apps/api"), set(), id="commands-that-deploy-nothing"),
])
def test_cf015_a_reusable_workflow_given_its_command(tmp_path: Path, make_repo: MakeRepo,
                                                     callers: str, deployed: set[str]) -> None:
    """The deploy command is an input of the reusable workflow (`command: ${{ inputs.command
    }}`): each caller's command is read, in the folder it passes."""
    files = {**MONOREPO, ".github/workflows/reusable.yml": REUSABLE_COMMAND,
             ".github/workflows/main.yml": f"on: push\njobs:\n{callers}"}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert {"web", "api", "docs", "cron"} - flagged == deployed


def test_cf015_a_command_passed_on_through_callers(tmp_path: Path, make_repo: MakeRepo) -> None:
    """main passes the app to _deploy, which passes a command to _run, which hands it to a
    local action; a matrix value passed to the action is filled in too."""
    files = {**MONOREPO,
             ".github/workflows/main.yml": "on: push\njobs:\n" + "".join(
                 f"  {app}:\n    uses: ./.github/workflows/_deploy.yml\n    with: {{app: '@org/{app}'}}\n"
                 for app in ("web", "api")),
             ".github/workflows/_deploy.yml": (
                 "on:\n  workflow_call:\n    inputs:\n      app: {type: string}\njobs:\n  go:\n"
                 "    uses: ./.github/workflows/_run.yml\n    with:\n"
                 "      command: pnpm --filter ${{ inputs.app }} run deploy\n"),
             ".github/workflows/_run.yml": (
                 "on:\n  workflow_call:\n    inputs:\n      command: {type: string}\njobs:\n"
                 "  run:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/run\n"
                 "        with:\n          command: ${{ inputs.command }}\n"),
             ".github/workflows/docs.yml": job(
                 "uses: ./.github/actions/run\n  with:\n    command: ${{ matrix.cmd }}",
                 head="    strategy:\n      matrix:\n"
                      "        cmd: ['npx wrangler deploy --cwd apps/docs']\n"),
             ".github/actions/run/action.yml": (
                 "inputs:\n  command: {default: whoami}\nruns:\n  using: composite\n  steps:\n"
                 "    - run: ${{ inputs.command }}\n      shell: bash\n")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"cron"}


def test_cf015_a_composite_action_given_its_command(tmp_path: Path, make_repo: MakeRepo) -> None:
    action = ("inputs:\n  command: {required: true}\nruns:\n  using: composite\n  steps:\n"
              "    - run: ${{ inputs.command }}\n      shell: bash\n")
    files = {**MONOREPO, ".github/actions/run/action.yml": action,
             ".github/workflows/ship.yml": job(
                 "uses: ./.github/actions/run\n  with:\n    command: pnpm install\n"
                 "uses: ./.github/actions/run\n  with:\n"
                 "    command: npx wrangler deploy -c apps/docs/wrangler.toml")}
    facts = collect(make_repo(tmp_path, files))
    assert [(s.location.start_line, s.tool) for s in facts.deploy_steps] == [(9, "wrangler deploy")]
    assert facts.deployed.folders == ("apps/docs/wrangler.toml",)


def test_cf015_a_package_s_own_script_must_deploy(tmp_path: Path, make_repo: MakeRepo) -> None:
    """api's `deploy` builds only, web's is a dry run: neither deploys, whatever others do."""
    files = {**MONOREPO,
             "apps/api/package.json": '{"name": "@org/api", "scripts": {"deploy": "vite build"}}',
             "apps/web/package.json":
                 '{"name": "@org/web", "scripts": {"deploy": "wrangler deploy --dry-run"}}',
             ".github/workflows/ship.yml": job("run: pnpm --filter @org/api --filter @org/web"
                                               " --filter @org/docs run deploy")}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"web", "api", "cron"}


@pytest.mark.parametrize("step", [
    "run: npx wrangler deploy\n  working-directory: ${{ matrix.app.path }}",
    "run: for app in apps/*; do (cd \"$app\" && npx wrangler deploy); done",
    "run: npx wrangler deploy --config apps/$APP/wrangler.toml",
])
def test_cf015_a_target_known_only_at_run_time_deploys_no_app(
        tmp_path: Path, make_repo: MakeRepo, step: str) -> None:
    files = {**ROOT_APP, **WEB_APP, ".github/workflows/ship.yml": job(
        step, head="    strategy:\n      matrix:\n        app: ${{ fromJSON(needs.a.outputs.apps) }}\n")}
    assert len(findings(tmp_path, make_repo, files, "CF015")) == 2


def test_cf015_a_reusable_workflow_without_inputs_deploys_nothing_at_the_root(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    reusable = ("on:\n  workflow_call:\n    inputs:\n      app: {type: string}\njobs:\n  d:\n"
                "    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: |\n          cd apps/${{ inputs.app }}\n          npx wrangler deploy\n")
    main = ("on: push\njobs:\n  w:\n    uses: ./.github/workflows/deploy.yml\n"
            "    with:\n      app: web\n")
    files = {**ROOT_APP, **WEB_APP, ".github/workflows/deploy.yml": reusable,
             ".github/workflows/main.yml": main}
    check(findings(tmp_path, make_repo, files, "CF015"), ROOT_NOT_DEPLOYED, Severity.P2)


def test_cf015_each_caller_s_inputs_go_together(tmp_path: Path, make_repo: MakeRepo) -> None:
    """40 callers pass (group, app) pairs; crossing them would name 1,600 folders."""
    apps = {f"apps/a{n}/wrangler.toml": f'name = "a{n}"\nmain = "src/index.ts"\n' for n in range(40)}
    callers = "".join(f"  c{n}:\n    uses: ./.github/workflows/deploy.yml\n    with:\n"
                      f"      group: apps\n      app: a{n}\n" for n in range(40))
    reusable = ("on:\n  workflow_call:\n    inputs:\n      group: {type: string}\n"
                "      app: {type: string}\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: npx wrangler deploy --config"
                " ${{ inputs.group }}/${{ inputs.app }}/wrangler.toml\n")
    files = {**apps, ".github/workflows/deploy.yml": reusable,
             ".github/workflows/main.yml": f"on: push\njobs:\n{callers}"}
    repo = make_repo(tmp_path, files)
    facts = collect(repo)
    assert len(facts.deployed.folders) == 40
    assert [f for f in evaluate(facts) if f.rule == "CF015"] == []


@pytest.mark.parametrize(("script", "deployed"), [
    pytest.param("cd apps/docs && npm run build && cd -\n    npx wrangler deploy", {"."}, id="cd-back"),
    pytest.param("(cd apps/docs && npm run build)\n    npx wrangler deploy", {"."}, id="subshell"),
    pytest.param("npx wrangler deploy \\\n      --config apps/api/wrangler.toml \\\n"
                 "      --env production", {"api"}, id="line-continuation"),
    pytest.param("pushd apps/api\n    npx wrangler deploy\n    popd\n    npx wrangler deploy",
                 {"api", "."}, id="pushd-popd"),
    pytest.param("cat >> $GITHUB_STEP_SUMMARY <<EOF\n    To roll back: npx wrangler deploy\n    EOF",
                 set(), id="heredoc-text"),
    pytest.param("npm run build --workspace apps/docs  # TODO: wrangler deploy apps/docs too",
                 set(), id="trailing-comment"),
    pytest.param('curl -d "{\\"text\\": \\"wrangler deploy failed, see apps/api\\"}" "$HOOK"',
                 set(), id="quoted-text"),
    pytest.param('echo "by hand: npm ci && npx wrangler deploy -c apps/docs/wrangler.toml"', set(),
                 id="and-inside-quotes"),
    pytest.param("url=$(cd apps/web && npx wrangler deploy | tail -1)", {"web"},
                 id="command-substitution"),
    pytest.param("pushd apps/api > /dev/null\n    npx wrangler deploy", {"api"}, id="pushd-redirect"),
    pytest.param("cd -P apps/docs && npx wrangler deploy", {"docs"}, id="cd-P"),
    pytest.param("npx wrangler deploy -c wrangler.cron.toml", set(), id="another-config-file"),
    pytest.param("npx wrangler deploy --commit-message 'see apps/api/README'", {"."},
                 id="a-quoted-value-is-no-path"),
    pytest.param("cd $GITHUB_WORKSPACE/apps/api && npx wrangler deploy", {"api"}, id="workspace"),
    pytest.param("npx wrangler deploy --help\n    grep -q wrangler deploy.sh", set(), id="help-and-grep"),
    pytest.param("pnpm --filter ...@org/web run deploy", {"web"}, id="filter-with-dependents"),
    pytest.param("pnpm --filter '[origin/main]' run deploy", {"web", "api", "docs"},
                 id="filter-since-a-commit"),  # any package may have changed
    pytest.param("pnpm --filter '{apps/docs}[HEAD~1]' run deploy", {"docs"}, id="filter-folder-since"),
    pytest.param("pnpm -r --filter '!./apps/docs' run deploy", {"web", "api"}, id="exclude-a-folder"),
    pytest.param("npx nx run-many -t deploy --exclude=docs,api", {"web"}, id="nx-exclude-list"),
    pytest.param("npx turbo run deploy --dry=json", set(), id="turbo-dry"),
    pytest.param("npx wrangler \\\n      deploy --cwd apps/api\n    pnpm --filter @org/web \\\n"
                 "      run deploy", {"api", "web"}, id="continued-lines"),
    pytest.param("cd apps/api && npx wrangler deploy 2>&1 | tee /tmp/deploy.log", {"api"},
                 id="a-pipe-to-a-log"),
    pytest.param("npx wrangler deploy > apps/api/deploy.log", {"."}, id="a-redirect-is-no-target"),
    pytest.param('cd apps/web\n    curl -d "text=now run yarn deploy soon" https://hooks.example.com',
                 set(), id="a-runner-in-quoted-text"),
    pytest.param("pnpm --filter apps/web run deploy", set(), id="a-filter-without-dot-is-a-name"),
    pytest.param("# cd apps/web && \\\n    npx wrangler deploy", {"."},
                 id="a-comment-does-not-go-on"),
    pytest.param('read a b <<< "web api"\n    npx wrangler deploy --cwd apps/docs', {"docs"},
                 id="a-here-string-is-no-heredoc"),
    pytest.param("npx nx run-many -t deploy --projects=@org/web,@org/api", {"web", "api"},
                 id="nx-projects-list"),
    pytest.param("npx nx run-many -t lint deploy -p @org/web api --parallel 2", {"web", "api"},
                 id="nx-lists-by-words"),
    pytest.param("npx nx run-many -p docs -t lint", set(), id="nx-a-project-is-no-target"),
    pytest.param("cd apps/api && npm run deploy --filter=@org/web", {"api"},
                 id="npm-filter-is-a-setting"),
])
def test_cf015_a_script_is_read_as_the_shell_runs_it(tmp_path: Path, make_repo: MakeRepo,
                                                     script: str, deployed: set[str]) -> None:
    files = {**ROOT_APP, **MONOREPO, ".github/workflows/ship.yml": job(f"run: |\n    {script}")}
    flagged = {f.location.path.rpartition("/")[0] or "." for f in
               findings(tmp_path, make_repo, files, "CF015")}
    apps = {".", "apps/web", "apps/api", "apps/docs", "apps/web/workers/cron"}
    assert {app.rpartition("/")[2] if app != "." else "." for app in apps - flagged} == deployed


def test_cf015_a_reusable_workflow_deploys_what_its_callers_ask(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Its input's default is no deploy when every caller passes another value, and a
    reusable workflow nothing calls deploys nothing."""
    reusable = ("on:\n  workflow_call:\n    inputs:\n      app: {type: string, default: docs}\n"
                "jobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: npx wrangler deploy\n        working-directory: apps/${{ inputs.app }}\n")
    uncalled = reusable.replace("default: docs", "default: api")
    files = {**MONOREPO, ".github/workflows/deploy.yml": reusable,
             ".github/workflows/uncalled.yml": uncalled,
             ".github/workflows/main.yml": "on: push\njobs:\n  w:\n"
                                           "    uses: ./.github/workflows/deploy.yml\n"
                                           "    with:\n      app: web\n"}
    found = findings(tmp_path, make_repo, files, "CF015")
    assert {f.location.path.split("/")[-2] for f in found} == {"api", "docs", "cron"}


def test_cf015_a_script_runs_in_its_own_package(tmp_path: Path, make_repo: MakeRepo) -> None:
    """packages/docs has a deploy script but no wrangler config: running it deploys no app."""
    files = {**ROOT_APP, "package.json": '{"scripts": {"deploy": "wrangler deploy"}}',
             "packages/docs/package.json": '{"name": "docs", "scripts": {"deploy": "vercel deploy"}}',
             ".github/workflows/ship.yml": job("run: pnpm --filter ./packages/docs run deploy")}
    check(findings(tmp_path, make_repo, files, "CF015"), ROOT_NOT_DEPLOYED, Severity.P2)


def test_cf015_only_workflows_github_runs_deploy(tmp_path: Path, make_repo: MakeRepo) -> None:
    """A job that never runs, a workflow in a folder under .github/workflows, a merge key
    that merges itself: none deploys, and none stops the audit."""
    reusable = ("on:\n  workflow_call:\n    inputs:\n      app: {type: string}\njobs:\n  d:\n"
                "    runs-on: ubuntu-latest\n    steps:\n      - run: npx wrangler deploy\n"
                "        working-directory: apps/${{ inputs.app }}\n")
    files = {**MONOREPO, ".github/workflows/deploy.yml": reusable,
             ".github/workflows/main.yml": "on: push\njobs:\n  w:\n    if: false\n"
                                           "    uses: ./.github/workflows/deploy.yml\n"
                                           "    with:\n      app: web\n",
             ".github/workflows/archive/old.yml": job("run: npx wrangler deploy\n"
                                                      "  working-directory: apps/api"),
             ".github/workflows/loop.yml": "on: push\njobs:\n  d: &j\n    <<: *j\n"
                                           "    runs-on: ubuntu-latest\n    steps:\n"
                                           "      - run: npx wrangler deploy\n"
                                           "        working-directory: apps/docs\n"}
    found = findings(tmp_path, make_repo, files, "CF015")
    assert {f.location.path.split("/")[-2] for f in found} == {"web", "api", "cron"}


def test_cf015_a_merge_key_keeps_its_deploy_step(tmp_path: Path, make_repo: MakeRepo) -> None:
    workflow = ("on: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - &deploy { run: npx wrangler deploy, working-directory: apps/web }\n"
                "  two:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - <<: *deploy\n        working-directory: apps/api\n")
    files = {**MONOREPO, ".github/workflows/ship.yml": workflow}
    flagged = flagged_apps(tmp_path, make_repo, files)
    assert flagged == {"docs", "cron"}


def test_cf015_message_says_where_it_looked(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, WEB_APP, "CF015")
    assert found.message == ("no CI workflow deploys `apps/web/wrangler.toml` (`storefront` or"
                             " `apps/web` not named by a deploy step)")


@pytest.mark.parametrize(("step", "hint"), [
    pytest.param("run: ./scripts/deploy.sh web", "`./scripts/deploy.sh web` (`.github/workflows/ship.yml:6`)",
                 id="a-script"),
    pytest.param("run: make deploy-web", "`make deploy-web` (`.github/workflows/ship.yml:6`)", id="make"),
    pytest.param("run: |\n    pnpm install\n    bash -e scripts/release.sh",
                 "`bash -e scripts/release.sh` (`.github/workflows/ship.yml:8`)", id="bash-a-script"),
    pytest.param("run: python -m pytest && node --version", "", id="no-script-of-the-repository"),
])
def test_cf015_names_the_scripts_the_audit_does_not_read(
        tmp_path: Path, make_repo: MakeRepo, step: str, hint: str) -> None:
    """A step may deploy through a script or a Makefile, which the audit does not read: the
    finding says so, rather than that no workflow deploys the app."""
    [found] = findings(tmp_path, make_repo, {**WEB_APP, ".github/workflows/ship.yml": job(step)}, "CF015")
    head = ("no CI workflow deploys `apps/web/wrangler.toml` (`storefront` or `apps/web` not named"
            " by a deploy step)")
    assert found.message == (head if not hint else head.replace(
        "no CI workflow deploys", "no deploy step the audit reads deploys")
        + f"; it does not read what {hint} runs, which may deploy it")


def test_cf015_names_another_repository_s_reusable_workflow(tmp_path: Path, make_repo: MakeRepo) -> None:
    """A job may deploy by another repository's reusable workflow, which the audit cannot read."""
    called = ("on: push\njobs:\n  ship:\n    uses: org/platform/.github/workflows/deploy.yml@v1\n"
              "    with:\n      app: apps/web\n")
    [found] = findings(tmp_path, make_repo, {**WEB_APP, ".github/workflows/ship.yml": called}, "CF015")
    assert found.message.endswith("; it does not read what `uses: org/platform/.github/workflows/"
                                  "deploy.yml@v1` (`.github/workflows/ship.yml:4`) runs, which may"
                                  " deploy it")


# CF016 suppression-without-reason ---------------------------------------------------------

KV_PLACEHOLDER = WORKER + '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "{id}"{comment}\n'  # id at 6


NO_REASON, UNKNOWN = "gives no reason", "names unknown rule CF999"


@pytest.mark.parametrize(("comment", "expected", "messages"), [
    pytest.param("  # auditlib: ignore[CF001]", [("wrangler.toml", 6, "CF001")], [NO_REASON],
                 id="no-reason"),
    pytest.param("  # auditlib: ignore[CF999] created on first deploy",
                 [("wrangler.toml", 6, "CF999")], [UNKNOWN], id="unknown-rule"),
    pytest.param("  # auditlib: ignore[CF999]", [("wrangler.toml", 6, "CF999")] * 2,
                 [UNKNOWN, NO_REASON], id="unknown-rule-and-no-reason"),
    pytest.param("  # auditlib: ignore[CF001, CF002]", [("wrangler.toml", 6, "CF001,CF002")],
                 [NO_REASON], id="two-rules-no-reason"),
    pytest.param("  # auditlib: ignore[CF001] created on first deploy", [], [], id="with-reason"),
])
def test_cf016(tmp_path: Path, make_repo: MakeRepo, comment: str, expected: Expected,
               messages: list[str]) -> None:
    files = {"wrangler.toml": KV_PLACEHOLDER.format(id="TODO", comment=comment)}
    found = findings(tmp_path, make_repo, files, "CF016")
    check(found, expected, Severity.P2)
    assert all(message in f.message for f, message in zip(found, messages, strict=True))


def test_cf016_jsonc(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.jsonc": '{\n  "main": "a.ts", // auditlib: ignore[CF002]\n}\n'}
    found = findings(tmp_path, make_repo, files, "CF016")
    check(found, [("wrangler.jsonc", 2, "CF002")], Severity.P2)
    assert NO_REASON in found[0].message


BROKEN_WORKFLOW = ("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo hi\n"
                   "     # auditlib: ignore[CF000] known broken\n     - run: bad\n")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({**WEB_APP, ".github/workflows/broken.yml": BROKEN_WORKFLOW},
                 [(".github/workflows/broken.yml", 7, "CF000")], id="workflow-not-parsed"),
    pytest.param({**WEB_APP, ".github/workflows/deploy.yml": deploy_workflow("apps/web")
                  + "# auditlib: ignore[CF015] deployed by hand\n"},
                 [(".github/workflows/deploy.yml", 8, "CF015")], id="workflow"),
    pytest.param({"wrangler.toml": '# auditlib: ignore[CF000] fixed next week\nname = "x\n'},
                 [("wrangler.toml", 1, "CF000")], id="config-not-parsed"),
    pytest.param({"wrangler.toml": 'name = "x" # auditlib: ignore[CF002] no backend\n'}, [],
                 id="config-parsed"),
])
def test_cf016_a_suppression_where_none_is_read(tmp_path: Path, make_repo: MakeRepo, files: Files,
                                                expected: Expected) -> None:
    """Only wrangler configs that parse are read for suppressions: elsewhere one is
    reported, and waives nothing."""
    found = findings(tmp_path, make_repo, files, "CF016")
    check(found, expected, Severity.P2)
    assert all("has no effect" in f.message for f in found)
    assert not any(f.outcome == Outcome.WAIVED for f in evaluate(collect(tmp_path / "repo")))


def test_cf015_a_package_json_with_a_byte_order_mark_is_read(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """npm reads past a byte order mark; so does the audit (it used to report the file
    unreadable, and the app as deployed by nothing)."""
    files = {**MONOREPO, "apps/api/package.json": "\ufeff" + MONOREPO["apps/api/package.json"],
             ".github/workflows/ship.yml": job("run: pnpm --filter @org/api run deploy")}
    assert flagged_apps(tmp_path, make_repo, files) == {"web", "docs", "cron"}
    assert findings(tmp_path, make_repo, files, "CF000") == []


# CF017 queue-consumed-twice ---------------------------------------------------------------

def consumes(queue: str, name: str = "mailer", extra: str = "") -> str:
    return f'name = "{name}"\nmain = "src/index.ts"\n{extra}\n[[queues.consumers]]\nqueue = "{queue}"\n'


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"apps/a/wrangler.toml": consumes("jobs", "a"),
                  "apps/b/wrangler.toml": consumes("jobs", "b")},
                 [("apps/a/wrangler.toml", 5, "jobs"), ("apps/b/wrangler.toml", 5, "jobs")],
                 id="two-apps"),
    pytest.param({"wrangler.toml": consumes("jobs") + '[env.staging]\n[[env.staging.queues.consumers]]\n'
                  'queue = "jobs"\n'},
                 [("wrangler.toml", 5, "jobs"), ("wrangler.toml", 8, "jobs (env staging)")],
                 id="top-level-and-environment"),
    pytest.param({"wrangler.toml": consumes("jobs") + '[env.staging]\n[[env.staging.queues.consumers]]\n'
                  'queue = "jobs-staging"\n'}, [], id="own-queues"),
    pytest.param({"wrangler.toml": consumes("jobs") + '[env.production]\nname = "mailer"\n'
                  '[[env.production.queues.consumers]]\nqueue = "jobs"\n'}, [],
                 id="an-environment-that-deploys-the-same-worker"),
    pytest.param({"apps/a/wrangler.toml": consumes("jobs", "a", f'account_id = "{"a" * 32}"'),
                  "apps/b/wrangler.toml": consumes("jobs", "b", f'account_id = "{"b" * 32}"')}, [],
                 id="different-accounts"),
    pytest.param({"apps/a/wrangler.toml": consumes("jobs", "a", f'account_id = "{"a" * 32}"'),
                  "apps/b/wrangler.toml": consumes("jobs", "b")},
                 [("apps/a/wrangler.toml", 5, "jobs"), ("apps/b/wrangler.toml", 5, "jobs")],
                 id="an-account-given-at-deploy-time-may-be-the-same"),
    pytest.param({"apps/a/wrangler.toml": consumes("jobs", "a"),
                  "apps/b/wrangler.toml": 'name = "b"\nmain = "s.ts"\n[[queues.producers]]\n'
                  'binding = "JOBS"\nqueue = "jobs"\n'}, [], id="a-producer-and-a-consumer"),
])
def test_cf017(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    found = findings(tmp_path, make_repo, files, "CF017")
    check(found, expected, Severity.P1)


def test_cf017_names_the_other_consumers(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"apps/a/wrangler.toml": consumes("jobs", "a"), "apps/b/wrangler.toml": consumes("jobs", "b"),
             "apps/c/wrangler.toml": consumes("jobs", "c")}
    first = findings(tmp_path, make_repo, files, "CF017")[0]
    assert first.message == ("`jobs` is consumed by `apps/a/wrangler.toml` and by"
                             " `apps/b/wrangler.toml`, `apps/c/wrangler.toml`: a queue has one"
                             " consumer, a Worker or an HTTP pull consumer")


def test_cf017_names_five_other_consumers_and_counts_the_rest(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Eight Workers consume `jobs`; `h` deploys to its own account, so it shares the queue
    only with those whose account is given at deploy time, and `g`, to another, with none
    but those."""
    accounts = {"g": "g" * 32, "h": "h" * 32}
    files = {f"apps/{app}/wrangler.toml": consumes("jobs", app, f'account_id = "{accounts[app]}"'
                                                   if app in accounts else "")
             for app in "abcdefgh"}
    found = {f.location.path: f.message for f in findings(tmp_path, make_repo, files, "CF017")}
    def others(*apps: str) -> str:
        return ", ".join(f"`apps/{app}/wrangler.toml`" for app in apps)
    end = ": a queue has one consumer, a Worker or an HTTP pull consumer"
    assert found["apps/a/wrangler.toml"] == (
        f"`jobs` is consumed by `apps/a/wrangler.toml` and by {others(*'bcdef')} and 2 more{end}")
    assert found["apps/f/wrangler.toml"] == (
        f"`jobs` is consumed by `apps/f/wrangler.toml` and by {others(*'abcde')} and 2 more{end}")
    assert found["apps/h/wrangler.toml"] == (
        f"`jobs` is consumed by `apps/h/wrangler.toml` and by {others(*'abcde')} and 1 more{end}")
    assert len(found) == 8


def test_cf017_names_each_other_worker_once(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = (consumes("jobs") + '[env.production]\nname = "mailer"\n[[env.production.queues.consumers]]\n'
            'queue = "jobs"\n[env.staging]\n[[env.staging.queues.consumers]]\nqueue = "jobs"\n')
    found = {f.subject: f.message for f in findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF017")}
    assert found["jobs (env staging)"].endswith(
        "by `wrangler.toml` (env `staging`) and by `wrangler.toml`: a queue has one consumer, a Worker"
        " or an HTTP pull consumer")
    assert found["jobs"].endswith("and by `wrangler.toml` (env `staging`): a queue has one consumer,"
                                  " a Worker or an HTTP pull consumer")


def test_cf017_says_which_consumer_pulls_over_http(tmp_path: Path, make_repo: MakeRepo) -> None:
    """A queue has one consumer of either type: the conflict stands, and the message says
    that `a`'s is an HTTP pull consumer, not a Worker's."""
    files = {"apps/a/wrangler.toml": consumes("jobs", "a") + 'type = "http_pull"\n',
             "apps/b/wrangler.toml": consumes("jobs", "b")}
    found = {f.location.path: f.message for f in findings(tmp_path, make_repo, files, "CF017")}
    assert found == {
        "apps/a/wrangler.toml": ("`jobs` is consumed by `apps/a/wrangler.toml` (an HTTP pull consumer)"
                                 " and by `apps/b/wrangler.toml`: a queue has one consumer, a Worker"
                                 " or an HTTP pull consumer"),
        "apps/b/wrangler.toml": ("`jobs` is consumed by `apps/b/wrangler.toml` and by"
                                 " `apps/a/wrangler.toml` (an HTTP pull consumer): a queue has one"
                                 " consumer, a Worker or an HTTP pull consumer")}


# CF018 binding-name-conflict --------------------------------------------------------------

def kv(name: str, env: str = "") -> str:
    """A KV namespace (4 lines, its name on the third)."""
    table = f"env.{env}.kv_namespaces" if env else "kv_namespaces"
    return f'\n[[{table}]]\nbinding = "{name}"\nid = "0e0888a980cd46efa1d28aea3794b3ac"\n'


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": WORKER + kv("KV") + kv("KV")}, [("wrangler.toml", 9, "KV")],
                 id="two-kv-namespaces"),
    pytest.param({"wrangler.toml": WORKER + kv("CART_DO") + DO_BINDING}, [("wrangler.toml", 9, "CART_DO")],
                 id="kv-namespace-and-durable-object"),
    pytest.param({"wrangler.toml": WORKER + '\n[vars]\nKV = "cache"\n' + kv("KV")},
                 [("wrangler.toml", 8, "KV")], id="var-and-binding"),
    pytest.param({"wrangler.toml": WORKER + kv("AI") + '\n[ai]\nbinding = "AI"\n'},
                 [("wrangler.toml", 9, "AI")], id="kv-namespace-and-workers-ai"),
    pytest.param({"wrangler.toml": WORKER + "\n[env.production]\n" + kv("KV", "production")
                  + kv("KV", "production")},
                 [("wrangler.toml", 11, "KV (env production)")], id="in-one-environment"),
    pytest.param({"wrangler.toml": WORKER + kv("KV") + "\n[env.production]\n" + kv("KV", "production")
                  + '\n[env.production.vars]\nMODE = "live"\n'}, [],
                 id="environment-declares-the-top-level-s-binding-again"),
    pytest.param({"wrangler.toml": WORKER + kv("KV") + '\n[[r2_buckets]]\nbinding = "BUCKET"\n'
                  'bucket_name = "b"\n\n[vars]\nMODE = "live"\n'}, [], id="unique-names"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  // the cache\n  "kv_namespaces": [\n'
                  '    { "binding": "CACHE", "id": "0e0888a980cd46efa1d28aea3794b3ac" },\n  ],\n'
                  '  "r2_buckets": [{ "binding": "CACHE", "bucket_name": "cache" }],\n}\n'},
                 [("wrangler.jsonc", 7, "CACHE")], id="jsonc"),
    pytest.param({"wrangler.toml": WORKER + '\n[[queues.consumers]]\nqueue = "jobs"\n'
                  '\n[[queues.consumers]]\nqueue = "jobs"\n' + kv("jobs")
                  + '\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n'}, [],
                 id="queue-consumers-are-no-env-bindings"),
    pytest.param({"wrangler.toml": WORKER + '\n[[tail_consumers]]\nservice = "TAIL"\n\n[vars]\nTAIL = "x"\n'},
                 [], id="tail-consumers-are-no-env-bindings"),
    pytest.param({"wrangler.toml": WORKER + '\n[[kv_namespaces]]\nid = "0e0888a980cd46efa1d28aea3794b3ac"\n'
                  '\n[[r2_buckets]]\nbucket_name = "b"\n'}, [], id="bindings-without-names"),
])
def test_cf018(tmp_path: Path, make_repo: MakeRepo, files: Files, expected: Expected) -> None:
    assert "CF018" in {rule.id for rule in RULES}  # else no finding proves nothing
    check(findings(tmp_path, make_repo, files, "CF018"), expected, Severity.P1)


def test_cf018_names_each_declaration(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = WORKER + "\n[env.production]\n" + kv("KV", "production") + kv("KV", "production")
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF018")
    assert (found.location.path, found.location.start_line, found.subject) == (
        "wrangler.toml", 11, "KV (env production)")
    assert found.message == ("`KV` is declared twice in `wrangler.toml` (env `production`): as a KV namespace"
                             " (line 7) and a KV namespace (line 11); wrangler refuses a config whose"
                             " bindings share a name")
    assert found.remediation == ("Rename one of the declarations of `KV` in `wrangler.toml` (env"
                                 " `production`), and its uses in code (`env.KV`)")


def test_cf018_one_finding_for_a_name_declared_three_times(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = (WORKER + kv("STORE") + '\n[[r2_buckets]]\nbinding = "STORE"\nbucket_name = "b"\n'
            '\n[vars]\nSTORE = "s"\n')
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF018")
    assert found.location.start_line == 9
    assert found.message == ("`STORE` is declared 3 times in `wrangler.toml`: as a KV namespace (line 5),"
                             " an R2 bucket (line 9) and a var (line 13); wrangler refuses a config whose"
                             " bindings share a name")


# CF019 legacy-config-key --------------------------------------------------------------------

def test_cf019_wrangler_1_keys_are_reported_with_what_they_lose(tmp_path: Path, make_repo: MakeRepo) -> None:
    config = ('name = "old"\ntype = "webpack"\nkv-namespaces = [\n  { binding = "CACHE", id = "'
              + "0e0888a980cd46efa1d28aea3794b3ac" + '" },\n]\n[build.upload]\nformat = "service-worker"\n'
              '[env.production]\nkv-namespaces = [{ binding = "A" }, { binding = "B" }]\n')
    found = findings(tmp_path, make_repo, {"wrangler.toml": config}, "CF019")
    assert sorted((f.location.start_line, f.severity, f.subject) for f in found) == [
        (2, Severity.P2, "type"), (3, Severity.P1, "kv-namespaces"), (6, Severity.P2, "build.upload"),
        (9, Severity.P1, "kv-namespaces (env production)")]
    found.sort(key=lambda f: f.location.start_line or 0)
    assert found[1].message == ("`wrangler.toml` declares `kv-namespaces`, which wrangler 2 and later do not"
                                " read: `CACHE` is not bound")
    assert found[3].message.endswith("`A`, `B` are not bound")
    assert found[2].remediation.startswith("Replace `build.upload` with `main`")
    assert found[1].remediation == "Rename `kv-namespaces` to `kv_namespaces`"


@pytest.mark.parametrize(("path", "config", "line", "message", "fix"), [
    pytest.param("wrangler.toml", 'main = "a.ts"\n\n[[rate_limits]]\nname = "LOGIN_LIMITER"\n'
                 'namespace_id = "1001"\nsimple = { limit = 10, period = 60 }\n', 3,
                 "`wrangler.toml` declares `rate_limits`, which wrangler does not read: it warns"
                 ' "Unexpected fields" and deploys without `LOGIN_LIMITER`',
                 "Rename `rate_limits` to `ratelimits`", id="rate-limits"),
    pytest.param("wrangler.jsonc", '{\n  "main": "a.ts",\n  "d1-databases": [\n    {"binding": "DB"},'
                 ' {"binding": "LOGS"}\n  ]\n}\n', 3, "deploys without `DB` and `LOGS`",
                 "Rename `d1-databases` to `d1_databases`", id="a-dash-in-json"),
    pytest.param("wrangler.toml", 'main = "a.ts"\n[env.staging]\n[[env.staging.queue.producers]]\n'
                 'binding = "JOBS"\nqueue = "jobs"\n', 3, "`wrangler.toml` (env `staging`) declares"
                 " `queue`, which wrangler does not read: it warns \"Unexpected fields\" and deploys"
                 " without `JOBS`", "Rename `queue` to `queues`", id="singular-in-an-environment"),
    pytest.param("wrangler.toml", 'main = "a.ts"\nKV_Namespace = 1\n', 2, "deploys without its bindings",
                 "Rename `KV_Namespace` to `kv_namespaces`", id="no-binding-in-it"),
])
def test_cf019_a_binding_section_spelt_otherwise_is_not_bound(
        tmp_path: Path, make_repo: MakeRepo, path: str, config: str, line: int, message: str,
        fix: str) -> None:
    [found] = findings(tmp_path, make_repo, {path: config}, "CF019")
    assert (found.location.start_line, found.severity, found.remediation) == (line, Severity.P1, fix)
    assert message in found.message


@pytest.mark.parametrize(("path", "config", "line", "fix"), [
    pytest.param("wrangler.toml", 'name = "logdrain"\nmain = "a.ts"\nnode_compat = true\n', 3,
                 'Remove `node_compat` from `wrangler.toml`, and set'
                 ' `compatibility_flags = ["nodejs_compat"]`', id="toml"),
    pytest.param("wrangler.jsonc", '{\n  "main": "a.ts",\n  "node_compat": true\n}\n', 3,
                 'Remove `node_compat` from `wrangler.jsonc`, and set'
                 ' `"compatibility_flags": ["nodejs_compat"]`', id="jsonc"),
    pytest.param("wrangler.toml", ('main = "a.ts"\ncompatibility_flags = ["nodejs_compat"]\n'
                                   '[env.production]\nnode_compat = true\n'), 4,
                 "Remove `node_compat` from `wrangler.toml` (env `production`): its"
                 " `compatibility_flags` have `nodejs_compat` already", id="flag-set-environment"),
    pytest.param("wrangler.toml",
                 'main = "a.ts"\ncompatibility_flags = ["nodejs_als"]\nnode_compat = true\n', 3,
                 'Remove `node_compat` from `wrangler.toml`, and add `"nodejs_compat"` to its'
                 " `compatibility_flags`", id="other-flags"),
])
def test_cf019_node_compat_which_wrangler_4_refuses(tmp_path: Path, make_repo: MakeRepo, path: str,
                                                    config: str, line: int, fix: str) -> None:
    [found] = findings(tmp_path, make_repo, {path: config}, "CF019")
    assert (found.location.path, found.location.start_line, found.severity) == (path, line, Severity.P1)
    assert "wrangler 4 refuses" in found.message and found.remediation == fix


def test_legacy_env_of_a_pages_config_is_reported_once(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": PAGES + "legacy_env = true\n"}  # QA s35c: by CF013 and CF019
    found = [f for f in evaluate(collect(make_repo(tmp_path, files))) if f.subject == "legacy_env"]
    assert [f.rule for f in found] == ["CF019"]


@pytest.mark.parametrize(("config", "fix"), [
    pytest.param('name = "site"\nmain = "a.ts"\nlegacy_env = true\n',
                 "Remove `legacy_env` from `wrangler.toml`: `true` was the default, so what"
                 " deploys stays the same", id="true"),
    pytest.param('name = "site"\nmain = "a.ts"\nlegacy_env = false\n',
                 "Remove `legacy_env` from `wrangler.toml`: each environment then deploys as a"
                 " Worker of its own (`<name>-<environment>`), not as a service environment",
                 id="service-environments"),
])
def test_cf019_legacy_env_which_current_wrangler_refuses(tmp_path: Path, make_repo: MakeRepo,
                                                         config: str, fix: str) -> None:
    # QA s35a: workers-sdk #14620 (July 2026) refuses the field whatever its value
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": config}, "CF019")
    assert (found.location.start_line, found.severity, found.subject) == (3, Severity.P1, "legacy_env")
    assert "no longer supported" in found.message and found.remediation == fix


def test_cf019_current_keys_are_not_reported(tmp_path: Path, make_repo: MakeRepo) -> None:
    assert "CF019" in {rule.id for rule in RULES}  # else no finding proves nothing
    config = ('name = "new"\nmain = "a.ts"\nnode_compat = false\n[build]\ncommand = "npm run build"\n'
              '[[kv_namespaces]]\nbinding = "CACHE"\n[[ratelimits]]\nname = "L"\nnamespace_id = "1"\n'
              '[[unsafe.bindings]]\nname = "U"\ntype = "ratelimit"\n[ai]\nbinding = "AI"\n'
              '[[queues.consumers]]\nqueue = "q"\n[[durable_objects.bindings]]\nname = "D"\n'
              'class_name = "D"\n[[containers]]\nclass_name = "D"\nimage = "./Dockerfile"\n')
    assert findings(tmp_path, make_repo, {"wrangler.toml": config}, "CF019") == []


# CF020 binding-section-refused: assets that need a Worker script ---------------------------

@pytest.mark.parametrize(("path", "config", "expected"), [
    pytest.param("wrangler.jsonc", '{\n  "name": "site",\n  "assets": {\n    "directory": "./dist",\n'
                 '    "binding": "ASSETS"\n  }\n}\n', [(3, "assets", '`binding = "ASSETS"`')], id="binding"),
    pytest.param("wrangler.toml", 'name = "site"\n[assets]\ndirectory = "dist"\nrun_worker_first = true\n',
                 [(2, "assets", "`run_worker_first = true`")], id="run-worker-first"),
    pytest.param("wrangler.toml", 'name = "site"\n[assets]\ndirectory = "dist"\n'
                 'run_worker_first = ["/api/*"]\n', [(2, "assets", '`run_worker_first = ["/api/*"]`')],
                 id="a-list-of-paths"),
    pytest.param("wrangler.toml", 'name = "site"\n[assets]\ndirectory = "dist"\n'
                 'run_worker_first = false\n', [], id="false"),
    pytest.param("wrangler.toml", 'name = "site"\nmain = "src/index.ts"\n[assets]\ndirectory = "dist"\n'
                 'binding = "ASSETS"\nrun_worker_first = true\n', [], id="with-main"),
    pytest.param("wrangler.toml", 'name = "site"\n[assets]\ndirectory = "dist"\n[env.staging]\n'
                 'assets = { directory = "dist", binding = "ASSETS" }\n[env.production]\nmain = "a.ts"\n'
                 'assets = { directory = "dist", binding = "ASSETS" }\n',
                 [(5, "assets (env staging)", '`binding = "ASSETS"`')], id="an-environment-s-own"),
])
def test_cf020_an_assets_only_worker_has_no_binding_nor_runs_first(
        tmp_path: Path, make_repo: MakeRepo, path: str, config: str,
        expected: list[tuple[int, str, str]]) -> None:
    """QA s34b D3: wrangler refuses these, so the deploy fails."""
    found = findings(tmp_path, make_repo, {path: config}, "CF020")
    assert [(f.location.start_line, f.subject) for f in found] == [line[:2] for line in expected]
    assert all(f.severity == Severity.P0 and f"set {line[2]}, but the Worker has no `main`" in f.message
               for f, line in zip(found, expected, strict=True))


ENVS = 'name = "w"\nmain = "a.ts"\n\n[env.staging]\n\n[env.production]\n'


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": ENVS, ".github/workflows/ship.yml": job(
        "run: npx wrangler deploy -e ${{ matrix.env }}",
        head="    strategy:\n      matrix:\n        env: [staging, prod]\n")},
        [(".github/workflows/ship.yml", 9, "prod")], id="a-matrix"),
    pytest.param({"apps/w/wrangler.toml": ENVS, ".github/workflows/ship.yml": job(
        "uses: cloudflare/wrangler-action@v3\n  with:\n    workingDirectory: apps/w\n"
        "    environment: prod")},
        [(".github/workflows/ship.yml", 6, "prod")], id="the-wrangler-action-s-environment"),
    pytest.param({"apps/w/wrangler.toml": ENVS, "apps/w/package.json":
                  '{"name": "w", "scripts": {"deploy": "wrangler deploy"}}',
                  ".github/workflows/ship.yml": job(
                      "run: npm run deploy -- --env=prod\n  working-directory: apps/w")},
        [(".github/workflows/ship.yml", 6, "prod")], id="passed-to-a-package-script"),
    pytest.param({"wrangler.toml": ENVS, "wrangler.prod.toml": 'name = "w"\nmain = "a.ts"\n',
                  ".github/workflows/ship.yml": job(
                      "run: npx wrangler deploy --env production\n"
                      "run: npx wrangler deploy --env staging --config wrangler.toml\n"
                      "run: npx wrangler deploy -c wrangler.prod.toml --env production\n"
                      "run: npx wrangler deploy --env-file .env --env \"$TARGET\"\n"
                      "run: npx wrangler pages deploy dist --env prod")},
        [], id="defined-unknown-or-not-wrangler-deploy"),
    # QA s35e: the action adds its `environment` only to a command without `--env`
    pytest.param({"wrangler.toml": ENVS, ".github/workflows/ship.yml": job(
        "uses: cloudflare/wrangler-action@v3\n  with:\n    environment: prod\n"
        "    command: deploy --env staging")}, [], id="the-action-s-environment-and-the-command-s"),
    pytest.param({"wrangler.toml": 'name = "w"\nmain = "a.ts"\n', ".github/workflows/ship.yml": job(
        "run: npx wrangler deploy --env prod")}, [], id="no-environments-only-a-warning"),
    # QA s34b D1: a step another combination of the matrix runs
    pytest.param({"api/wrangler.toml": ENVS.replace("staging", "canary"), "web/wrangler.toml": ENVS,
                  ".github/workflows/ship.yml": job(
                      "run: npx wrangler deploy --env canary\n  if: matrix.app == 'api'\n"
                      "  working-directory: ${{ matrix.app }}\n"
                      "run: npx wrangler deploy --env staging\n  if: ${{ matrix.app != 'API' }}\n"
                      "  working-directory: ${{ matrix.app }}\n"
                      "run: npx wrangler deploy --env prod\n"
                      "  if: matrix.app == 'web' && github.ref == 'refs/heads/main'\n"
                      "  working-directory: ${{ matrix.app }}\n"
                      "run: npx wrangler deploy --env canary\n"
                      "  if: matrix.app == 'api' || matrix.app == 'docs'\n"
                      "  working-directory: ${{ matrix.app }}",
                      head="    strategy:\n      matrix:\n        app: [api, web]\n")},
        [(".github/workflows/ship.yml", 15, "prod")], id="if-a-matrix-value"),
])
def test_cf015_a_deploy_to_an_environment_the_config_does_not_define(
        tmp_path: Path, make_repo: MakeRepo, files: Files, expected: list[tuple[str, int, str]]) -> None:
    """wrangler stops with "No environment found in configuration with name …" when the
    config defines environments but not that one (QA s33b)."""
    found = [f for f in findings(tmp_path, make_repo, files, "CF015")  # Pages': below
             if "--env" in f.message and not f.subject.startswith("pages")]
    assert [(f.location.path, f.location.start_line, f.subject.rsplit(" ", 1)[-1])
            for f in found] == expected
    assert all(f"with `--env {env}`, which it does not define (it defines `staging` and"
               " `production`): wrangler stops there" in f.message for *_rest, env in expected
               for f in found)


@pytest.mark.parametrize(("steps", "expected"), [
    pytest.param("run: npx wrangler pages deploy site/dist --config site/wrangler.toml",
                 [(6, "pages deploy --config")], id="config"),
    pytest.param("run: npx wrangler pages deploy dist --project-name site --env staging\n"
                 "  working-directory: site", [(6, "pages deploy --env")], id="env"),
    pytest.param("uses: cloudflare/wrangler-action@v3\n  with:\n    apiToken: x\n"
                 "    environment: production\n    workingDirectory: site\n"
                 "    command: pages deploy dist --project-name=site", [(6, "pages deploy --env")],
                 id="the-wrangler-action-s-environment"),
    pytest.param("run: npx wrangler pages deploy dist --branch main\n  working-directory: site", [],
                 id="branch"),
    # QA s35e: a `-c` quoted, a wrapper's own options, a runner, wrangler's alias
    pytest.param("run: npx wrangler pages deploy dist --commit-message \"revert -c flag\"\n"
                 "  working-directory: site", [], id="quoted"),
    pytest.param("run: npx dotenv -e .env -- npx wrangler pages deploy dist\n  working-directory: site\n"
                 "run: doppler run -p site -c prd -- npx wrangler pages deploy dist\n"
                 "  working-directory: site", [], id="a-wrapper-s-options"),
    pytest.param("run: pnpm -F site exec wrangler pages deploy dist --config wrangler.toml",
                 [(6, "pages deploy --config")], id="through-a-runner"),
    pytest.param("run: npx wrangler pages deployment create dist -e production\n  working-directory: site",
                 [(6, "pages deploy --env")], id="deployment-create"),
])
def test_cf015_a_pages_deploy_wrangler_refuses(tmp_path: Path, make_repo: MakeRepo, steps: str,
                                               expected: list[tuple[int, str]]) -> None:
    """QA s35d: wrangler's `pages deploy` throws for `--config` and `--env`, whatever they
    name (the wrangler action passes its `environment` as `--env`)."""
    files = {"site/wrangler.toml": 'name = "site"\npages_build_output_dir = "dist"\n'
                                   '[env.production.vars]\nMODE = "prod"\n',
             ".github/workflows/ship.yml": job(steps)}
    found = [f for f in findings(tmp_path, make_repo, files, "CF015") if f.subject.startswith("pages")]
    assert [(f.location.start_line, f.subject) for f in found] == expected
    assert all("which wrangler refuses for Pages" in f.message for f in found)


@pytest.mark.parametrize(("config", "steps", "expected"), [
    pytest.param('name = "site"\npages_build_output_dir = "dist"\n',
                 "uses: cloudflare/wrangler-action@v3\n  with:\n    apiToken: x",
                 "only with `wrangler deploy`",
                 id="pages-by-wrangler-deploy"),
    pytest.param('name = "api"\nmain = "src/index.ts"\n',
                 "run: npx wrangler pages deploy dist --project-name site",
                 "only with `wrangler pages deploy`",
                 id="worker-by-pages-deploy"),
    pytest.param('name = "site"\npages_build_output_dir = "dist"\n',
                 "run: npx wrangler pages deploy dist", "", id="pages-by-pages-deploy"),
    pytest.param('name = "site"\npages_build_output_dir = "dist"\n',
                 "run: npx wrangler deploy\nrun: npx wrangler pages deploy dist", "",
                 id="pages-by-both"),
    pytest.param('name = "api"\nmain = "src/index.ts"\n', "run: npx wrangler deploy", "",
                 id="worker-by-wrangler-deploy"),
    # QA s35e: a Pages project that shares the Worker's name, deployed by name
    pytest.param('name = "site"\nmain = "src/index.ts"\n',
                 "run: npx wrangler pages deploy public --project-name site\n"
                 "run: cp wrangler.toml wrangler.prod.toml && npx wrangler deploy -c wrangler.prod.toml",
                 "", id="a-worker-named-as-a-pages-project"),
])
def test_cf015_a_deploy_of_the_other_kind_deploys_nothing(
        tmp_path: Path, make_repo: MakeRepo, config: str, steps: str, expected: str) -> None:
    """QA s35d: wrangler refuses a Pages project to `wrangler deploy` ("It looks like you've
    run a Workers-specific command in a Pages project"), and `pages deploy` ignores a config
    without `pages_build_output_dir`."""
    files = {"wrangler.toml": config, ".github/workflows/ship.yml": job(steps)}
    found = [f.message for f in findings(tmp_path, make_repo, files, "CF015")]
    assert [message for message in found if "only with" in message] == (
        [message for message in found if expected in message] if expected else [])
    assert len(found) == bool(expected)


def test_cf015_a_worker_reached_only_by_a_pages_project_s_name_says_so(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s35e #6: nothing deploys the Worker; a Pages deploy gives its name to another app."""
    files = {"apps/api/wrangler.toml": 'name = "acme"\nmain = "src/index.ts"\n',
             "apps/web/wrangler.toml": 'name = "acme"\npages_build_output_dir = "dist"\n',
             ".github/workflows/ship.yml": job("run: npx wrangler pages deploy dist --project-name acme\n"
                                               "  working-directory: apps/web")}
    [found] = findings(tmp_path, make_repo, files, "CF015")
    assert found.location.path == "apps/api/wrangler.toml"
    assert found.message.startswith("CI deploys `apps/api/wrangler.toml` only with `wrangler pages"
                                    " deploy` (by its name `acme`, which that deploy gives another app)")
