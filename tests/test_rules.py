"""Each rule in auditlib.rules.RULES on failing and passing fixture repositories."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import auditlib
from auditlib.collect import collect
from auditlib.config import AuditConfig
from auditlib.evaluate import evaluate
from auditlib.model import Facts, Finding, Location, Outcome, Problem, Severity, WranglerConfig
from auditlib.report import audit_status
from auditlib.rules import RULES, Rule
from auditlib.rules.production_verification import names
from auditlib.rules.smart_placement import SmartPlacementMissing
from auditlib.wrangler import load

if TYPE_CHECKING:
    from conftest import MakeRepo

PLACED = '\n[placement]\nmode = "smart"\n'
KV = 'name = "shop"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "{}"\n'
REAL_ID = "0e0888a980cd46efa1d28aea3794b3ac"
METRICS_CODE = "export function record(env: Env) {\n  env.METRICS.writeDataPoint({});\n}\n"


def findings(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
             rule: str) -> list[Finding]:
    """Collect the fixture repository, evaluate every rule, keep the findings of `rule`."""
    found = evaluate(collect(make_repo(tmp_path, files)))
    assert all(f.outcome == Outcome.FAIL for f in found), found
    return [f for f in found if f.rule == rule]


def summary(found: list[Finding]) -> list[tuple[str, int | None, str]]:
    return [(f.location.path, f.location.start_line, f.subject) for f in found]


# CF001 placeholder-resource-id ------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "00000000000000000000000000000000", "00000000-0000-0000-0000-000000000000",
    "11111111111111111111111111111111", "", "REPLACE_ME", "TODO", "PLACEHOLDER", "xxxx",
    "<KV_ID>", "${KV_ID}", "$KV_ID",
])
def test_cf001_placeholder_shapes_fire(tmp_path: Path, make_repo: MakeRepo, value: str) -> None:
    found = findings(tmp_path, make_repo, {"wrangler.toml": KV.format(value) + PLACED}, "CF001")
    assert summary(found) == [("wrangler.toml", 6, "CACHE")]  # the id's line
    assert found[0].severity == Severity.P0
    assert "`id`" in found[0].message


def test_cf001_an_empty_account_id_is_ignored_by_wrangler(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": 'name = "w"\nmain = "a.ts"\naccount_id = ""\n'},
                       "CF001")
    assert (found.severity, found.location.start_line) == (Severity.P2, 3)
    assert found.message == "`wrangler.toml` has an empty `account_id`, which wrangler ignores with a warning"
    assert found.remediation == "Remove `account_id` from `w`, or set the real one"


@pytest.mark.parametrize(("table", "key"), [
    ('[[hyperdrive]]\nbinding = "HD"\n', "id"),  # BaseOut/baseout
    ('[[vectorize]]\nbinding = "HD"\n', "index_name"),
    ('[[services]]\nbinding = "HD"\n', "service"),
    ('[[mtls_certificates]]\nbinding = "HD"\n', "certificate_id"),
    ('[[pipelines]]\nbinding = "HD"\n', "stream` or `pipeline"),
    ('[[vpc_networks]]\nbinding = "HD"\n', "tunnel_id` or `network_id"),
    ('[[ai_search]]\nbinding = "HD"\n', "instance_name"),
    ('[[agent_memory]]\nbinding = "HD"\n', "namespace"),
])
def test_cf001_a_binding_without_what_wrangler_requires_is_reported(
        tmp_path: Path, make_repo: MakeRepo, table: str, key: str) -> None:
    config = 'name = "w"\nmain = "a.ts"\n[env.production]\n' + table.replace("[[", "[[env.production.")
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": config}, "CF001")
    assert (found.severity, found.location.start_line) == (Severity.P0, 5)
    assert found.subject == "HD (env production)"
    assert found.message.endswith(f"(env `production`) has no `{key}`, which wrangler requires: it refuses"
                                  " the config")


@pytest.mark.parametrize("table", [
    '[[queues.producers]]\nbinding = "Q"\n',  # created or found on deploy (workers-sdk #13352)
    '[[dispatch_namespaces]]\nbinding = "Q"\n',
    '[[pipelines]]\nbinding = "Q"\nstream = "events"\n',  # `pipeline` is the older name
    '[[vpc_networks]]\nbinding = "Q"\nnetwork_id = "n1"\n',
    '[[kv_namespaces]]\nbinding = "Q"\n',
])
def test_cf001_a_binding_wrangler_completes_on_deploy_is_not_reported(
        tmp_path: Path, make_repo: MakeRepo, table: str) -> None:
    assert findings(tmp_path, make_repo, {"wrangler.toml": 'name = "w"\nmain = "a.ts"\n' + table},
                    "CF001") == []


def test_cf001_a_binding_without_a_name_is_said_to_have_none(tmp_path: Path, make_repo: MakeRepo) -> None:
    config = 'name = "w"\nmain = "a.ts"\n[env.staging.vectorize]\nbinding = ""\n'  # QA s25c
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": config}, "CF001")
    assert found.message.startswith("Vectorize index (no name) in `wrangler.toml` (env `staging`) has no")


def test_cf001_says_what_an_id_looks_like(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": KV.format("__KV_ID__") + PLACED}, "CF001")
    assert found.message.endswith("(not shaped like an id, which is 32 hexadecimal digits)")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(KV.format(REAL_ID), [], id="real-id"),
    pytest.param(KV.format(REAL_ID) + '# id = "00000000000000000000000000000000"\n', [],
                 id="commented-out-placeholder"),
    pytest.param('main = "a.ts"\n[[kv_namespaces]]\nbinding = "CACHE"\n', [], id="no-id"),
    pytest.param(
        'main = "a.ts"\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "' + REAL_ID + '"\n'
        'preview_id = "TODO"\n', [(5, "CACHE preview_id", "preview_id")], id="kv-preview-id"),
    pytest.param(
        'main = "a.ts"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "db"\n'
        'database_id = "REPLACE_WITH_DB_ID"\n', [(6, "DB", "database_id")], id="d1-database-id"),
    pytest.param(
        'main = "a.ts"\n[[d1_databases]]\nbinding = "DB"\ndatabase_id = "' + REAL_ID + '"\n'
        'preview_database_id = "<PREVIEW>"\n', [(5, "DB preview_database_id", "preview_database_id")],
        id="d1-preview-database-id"),
    pytest.param(
        'main = "a.ts"\n[[hyperdrive]]\nbinding = "PG"\nid = "00000000-0000-0000-0000-000000000000"\n',
        [(4, "PG", "id")], id="hyperdrive-id"),
    pytest.param(
        'main = "a.ts"\n[[r2_buckets]]\nbinding = "IMG"\nbucket_name = "TODO"\n', [],
        id="not-an-id-key"),
    pytest.param(
        KV.format(REAL_ID) + '\n[env.production]\n[[env.production.kv_namespaces]]\n'
        'binding = "CACHE"\nid = "REPLACE_ME"\n', [(11, "CACHE (env production)", "id")],
        id="env-production-placeholder"),
    pytest.param('main = "a.ts"\n[[kv_namespaces]]\nbinding = "OAUTH_KV"\nid = "DEV_KV"\n',
                 [(4, "OAUTH_KV", "id")], id="a-name-is-no-kv-id"),
    pytest.param('main = "a.ts"\n[[d1_databases]]\nbinding = "DB"\n'
                 'database_id = "3b9f2c1e-7a4d-4e8b-9c6f-1d2e3f4a5b6c"\n', [], id="d1-uuid"),
    pytest.param('main = "a.ts"\n[[d1_databases]]\nbinding = "DB"\ndatabase_id = "local-db"\n',
                 [(4, "DB", "database_id")], id="a-name-is-no-d1-id"),
    pytest.param('main = "a.ts"\naccount_id = "your-account-id-here"\n', [(2, "account_id", "account_id")],
                 id="placeholder-account-id"),
    pytest.param('main = "a.ts"\naccount_id = "' + REAL_ID + '"\n', [], id="real-account-id"),
])
def test_cf001_cases(tmp_path: Path, make_repo: MakeRepo, text: str,
                     expected: list[tuple[int, str, str]]) -> None:
    found = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF001")
    assert [(f.location.start_line, f.subject) for f in found] == [e[:2] for e in expected]
    for finding, (_, _, key) in zip(found, expected, strict=True):
        assert f"placeholder `{key}`" in finding.message
        assert finding.location.path == "wrangler.toml"
        # A preview id is read by `wrangler dev` only: it breaks no deployment.
        preview = key.startswith("preview_")
        assert finding.severity == (Severity.P2 if preview else Severity.P0)
        assert ("only `wrangler dev` uses" in finding.message) == preview


DEPLOY = ("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: actions/checkout@v4\n      - run: {}\n{}"
          "      - run: npx wrangler deploy\n")


@pytest.mark.parametrize(("value", "run", "step", "filled"), [
    ("<KV_ID>", "sed -i \"s/<KV_ID>/${{{{ secrets.KV_ID }}}}/\" apps/a/wrangler.toml", "", {"a"}),
    ("00000000000000000000000000000000",
     "sed -i 's|00000000000000000000000000000000|'\"$KV_ID\"'|' wrangler.toml",
     "        working-directory: apps/b\n", {"b"}),
    ("${KV_ID}", "cd apps/a && envsubst < wrangler.toml > w.tmp && mv w.tmp wrangler.toml", "", {"a"}),
    ("${KV_ID}", "envsubst < wrangler.tpl.toml > ./apps/b/wrangler.toml", "", {"b"}),
    ("$KV_ID", "envsubst < wrangler.tpl.toml > ./apps/b/wrangler.toml", "", {"b"}),
    ("${KV_ID}", "envsubst '${KV_ID} ${D1_ID}' < t.toml > apps/b/wrangler.toml", "", {"b"}),
    ("${KV_ID}", "envsubst '${D1_ID}' < t.toml > apps/b/wrangler.toml", "", set()),  # not this one
    ("${KV_ID}", "sed -i.bak 's/\\${KV_ID}/x/' ../a/wrangler.toml", "        working-directory: apps/b\n",
     {"a"}),  # escaped in the expression
    ("<KV_ID>", "|\n          sed -i \\\n            -e \"s/<KV_ID>/$ID/\" \\\n"
     "            apps/a/wrangler.toml", "", {"a"}),  # over lines a backslash continues
    ("<KV_ID>", "|\n          cd apps/b\n          sed -i \"s/<KV_ID>/$ID/\" wrangler.toml", "", {"b"}),
    ("<KV_ID>", "(cd apps/b && sed -i \"s/<KV_ID>/$ID/\" wrangler.toml) && sed -i 's/<KV_ID>/x/'"
     " apps/a/wrangler.toml", "", {"a", "b"}),  # a subshell's cd ends with it
    ("${KV_ID}", "envsubst < other.toml > out.toml", "", set()),  # not a config
    ("${KV_ID}", "envsubst < apps/a/wrangler.toml > rendered.toml", "", set()),  # reads it
    ("<KV_ID>", "sed -i \"s/<KV_ID>/x/\" wrangler.toml", "", set()),  # the root's, not an app's
    ("<KV_ID>", "sed -n '/<KV_ID>/p' apps/a/wrangler.toml", "", set()),  # reads it
    ("REPLACE_ME", "sed -i s/REPLACE_ME_PROD/x/ apps/a/wrangler.toml", "", set()),  # another one
    ("<KV_ID>", "grep -q '<KV_ID>' apps/a/wrangler.toml && echo 'run sed first'", "", set()),
    ("<KV_ID>", "echo ok\n      # - run: sed -i s/<KV_ID>/x/ apps/a/wrangler.toml", "", set()),
    ("<KV_ID>", "sed -i \"s/<KV_ID>/x/\" apps/${{{{ matrix.app }}}}/wrangler.toml", "", set()),
])
def test_cf001_names_the_workflow_line_that_appears_to_fill_a_placeholder_in(
        tmp_path: Path, make_repo: MakeRepo, value: str, run: str, step: str, filled: set[str]) -> None:
    files = {f"apps/{app}/wrangler.toml": KV.format(value) + PLACED for app in "ab"}
    files[".github/workflows/deploy.yml"] = DEPLOY.format(run, step)
    found = findings(tmp_path, make_repo, files, "CF001")
    line = next(number for number, text in enumerate(files[".github/workflows/deploy.yml"].splitlines(), 1)
                if re.search(r"\b(?:sed|envsubst|grep)\b", text))
    assert {f.location.path.split("/")[1] for f in found} == {"a", "b"}
    for finding in found:
        app = finding.location.path.split("/")[1]
        assert finding.severity == Severity.P0  # still reported: the audit cannot prove what CI does
        assert ("`.github/workflows/deploy.yml:" in finding.message) == (app in filled), finding.message
    assert all(f"deploy.yml:{line}` rewrites this file, naming the placeholder, before a deploy" in f.message
               for f in found if f.location.path.split("/")[1] in filled)


@pytest.mark.parametrize("workflow", [
    pytest.param(DEPLOY.format("sed -i s/TODO/x/ wrangler.toml", "").replace(
        "npx wrangler deploy", "npx wrangler deploy --dry-run"), id="a-dry-run-only"),
    pytest.param("on: push\njobs:\n  prepare:\n    runs-on: ubuntu-latest\n    steps:\n"
                 "      - run: sed -i s/TODO/x/ wrangler.toml\n  deploy:\n    runs-on: ubuntu-latest\n"
                 "    steps:\n      - run: npx wrangler deploy\n", id="another-job"),
    pytest.param("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
                 "      - run: npx wrangler deploy\n      - run: sed -i s/TODO/x/ wrangler.toml\n",
                 id="after-the-deploy"),
    pytest.param("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
                 "          npx wrangler deploy\n          sed -i s/TODO/x/ wrangler.toml\n",
                 id="after-the-deploy-in-its-step"),
    pytest.param(DEPLOY.format("perl -Mstrict -ne 'exit 1 if /TODO/' wrangler.toml", ""), id="a-perl-guard"),
    pytest.param(DEPLOY.format("awk -i lib.awk '/TODO/' wrangler.toml", ""), id="an-awk-library"),
])
def test_cf001_a_fill_in_no_deploy_follows_in_its_job_is_none(
        tmp_path: Path, make_repo: MakeRepo, workflow: str) -> None:
    files = {"wrangler.toml": KV.format("TODO") + PLACED, ".github/workflows/deploy.yml": workflow}
    [found] = findings(tmp_path, make_repo, files, "CF001")
    assert "rewrites this file" not in found.message


def test_cf001_a_preview_id_a_workflow_rewrites_gets_no_note(tmp_path: Path, make_repo: MakeRepo) -> None:
    text = ('main = "a.ts"\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "' + REAL_ID
            + '"\npreview_id = "TODO"\n')
    files = {"wrangler.toml": text, ".github/workflows/deploy.yml": DEPLOY.format(
        "sed -i s/TODO/x/ wrangler.toml", "")}
    [found] = findings(tmp_path, make_repo, files, "CF001")
    assert found.severity == Severity.P2 and "rewrites this file" not in found.message  # no deploy reads it


def test_cf001_a_placeholder_account_id_a_workflow_fills_in_names_the_line(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": 'main = "a.ts"\naccount_id = "<ACCOUNT_ID>"\n',
             ".github/workflows/deploy.yml": DEPLOY.format("sed -i s/<ACCOUNT_ID>/$ID/ wrangler.toml", "")}
    [found] = findings(tmp_path, make_repo, files, "CF001")
    assert found.severity == Severity.P0 and "deploy.yml:7` rewrites this file" in found.message


@pytest.mark.parametrize(("kind", "entry", "key"), [
    ("mtls_certificates", 'binding = "CERT"\ncertificate_id = "00000000-0000-0000-0000-000000000000"',
     "certificate_id"),
    ("secrets_store_secrets", 'binding = "API_KEY"\nstore_id = "<STORE_ID>"\nsecret_name = "k"',
     "store_id"),
])
def test_cf001_other_id_keys(tmp_path: Path, make_repo: MakeRepo, kind: str, entry: str,
                             key: str) -> None:
    text = f'main = "a.ts"\n[[{kind}]]\n{entry}\n'
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF001")
    assert found.location.start_line == 4 and f"placeholder `{key}`" in found.message
    real = text.replace("00000000-0000-0000-0000-000000000000",
                        "3b9f2c1e-7a4d-4e8b-9c6f-1d2e3f4a5b6c").replace("<STORE_ID>", REAL_ID)
    (tmp_path / "real").mkdir()
    assert findings(tmp_path / "real", make_repo, {"wrangler.toml": real}, "CF001") == []


@pytest.mark.parametrize("value", ["${STORE_ID}", "$STORE_ID"])
def test_cf001_a_variable_to_fill_in_is_a_placeholder(tmp_path: Path, make_repo: MakeRepo,
                                                       value: str) -> None:
    """A Secrets Store id has no shape to check it by: a variable there is a marker."""
    text = f'main = "a.ts"\n[[secrets_store_secrets]]\nbinding = "API_KEY"\nstore_id = "{value}"\n'
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": text + 'secret_name = "k"\n'}, "CF001")
    assert found.location.start_line == 4 and "placeholder `store_id` (marker)" in found.message


# CF002 smart-placement-missing ------------------------------------------------------------

def test_cf002_an_entry_only_in_environments_asks_each_environment(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    text = ('name = "api"\n[env.staging]\nmain = "src/index.ts"\n[env.production]\nmain = "src/index.ts"\n'
            '[env.production.placement]\nmode = "smart"\n')
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": text}, "CF002")
    assert (found.subject, found.location.start_line) == ("placement (env staging)", 3)
    assert found.message == "`wrangler.toml` (env `staging`) has no Smart Placement"
    assert found.remediation == ("Add Smart Placement to the environment (`[env.staging.placement]`"
                                 ' with `mode = "smart"`)')


# A Pages site of static files: its output folder committed, no Functions, no `_worker.js`.
STATIC_PAGES = {"apps/site/wrangler.toml": 'name = "site"\npages_build_output_dir = "./public"\n',
                "apps/site/public/index.html": "<h1>Docs</h1>\n"}


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": KV.format(REAL_ID)}, [("wrangler.toml", None, "placement")],
                 id="no-placement"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + PLACED,
                  "apps/api/wrangler.jsonc": '{ "main": "a.ts" }'},
                 [("apps/api/wrangler.jsonc", None, "placement")], id="one-of-two"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + PLACED}, [], id="smart-placement"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "placement": { "mode": "smart" },\n}'},
                 [], id="jsonc-smart-placement"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '# [placement]\n# mode = "smart"\n'},
                 [("wrangler.toml", None, "placement")], id="commented-out-placement"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '[placement]\nmode = "off"\n'},
                 [("wrangler.toml", 7, "placement")], id="placement-turned-off"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '[placement]\nregion = "aws:us-east-1"\n'},
                 [], id="placement-hint"),
    pytest.param({"wrangler.jsonc": '{ "name": "site", "assets": { "directory": "./public" } }'},
                 [], id="static-assets-only-no-code-to-place"),
    pytest.param({"wrangler.toml": 'name = "site"\npages_build_output_dir = "dist"\n'},
                 [("wrangler.toml", None, "placement")], id="pages-functions-are-placed-too"),
    # QA s35a: a Pages site whose committed output holds no code runs none
    pytest.param(STATIC_PAGES, [], id="static-pages-site"),
    pytest.param({**STATIC_PAGES, "apps/site/functions/api/hello.ts": "export const onRequest = f;\n"},
                 [("apps/site/wrangler.toml", None, "placement")], id="pages-functions"),
    pytest.param({**STATIC_PAGES, "apps/site/public/_worker.js": "export default {};\n"},
                 [("apps/site/wrangler.toml", None, "placement")], id="pages-advanced-mode"),
    pytest.param({**STATIC_PAGES, "apps/site/public/_worker.js/index.js": "export default {};\n"},
                 [("apps/site/wrangler.toml", None, "placement")], id="pages-advanced-mode-folder"),
    pytest.param({**STATIC_PAGES, "functions/x.ts": "export const onRequest = f;\n"}, [],
                 id="functions-of-another-folder"),
    # QA s35c: the config's own folder as the output
    pytest.param({"wrangler.toml": 'name = "site"\npages_build_output_dir = "./"\n',
                  "index.html": "<h1>Docs</h1>\n"}, [], id="the-root-is-the-output"),
    pytest.param({"wrangler.toml": 'name = "site"\npages_build_output_dir = "."\n',
                  "index.html": "<h1>Docs</h1>\n", "_worker.js": "export default {};\n"},
                 [("wrangler.toml", None, "placement")], id="the-root-is-the-output-with-a-worker"),
    pytest.param({**STATIC_PAGES, "apps/site/functions/README.md": "Functions go here.\n"}, [],
                 id="functions-without-a-script"),
    pytest.param({"wrangler.toml": 'compatibility_date = "2024-08-06"\n[[d1_databases]]\nbinding = "DB"\n'},
                 [], id="a-config-that-deploys-nothing"),
    pytest.param({"wrangler.toml": 'name = "api"\ncompatibility_date = "2024-08-06"\n',
                  ".github/workflows/d.yml": "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
                  "    steps:\n      - run: npx wrangler deploy src/index.ts\n"},
                 [("wrangler.toml", None, "placement")], id="an-entry-given-by-the-deploy"),
])
def test_cf002(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
               expected: list[tuple[str, int | None, str]]) -> None:
    found = findings(tmp_path, make_repo, files, "CF002")
    assert summary(found) == expected
    assert all(f.severity == Severity.P1 for f in found)


@pytest.mark.parametrize(("extra", "expected"), [
    pytest.param({}, [], id="static"),
    pytest.param({"dist/_worker.js/index.js": "export {};\n"}, [("wrangler.toml", None, "placement")],
                 id="with-a-worker"),
])
def test_cf002_a_committed_output_folder_the_search_leaves_out(
        tmp_path: Path, make_repo: MakeRepo, commit_all: Callable[[Path], None],
        extra: dict[str, str], expected: list[tuple[str, int | None, str]]) -> None:
    """QA s35c: `dist`, `build` and `out` are left out of the listing, but git says what a
    committed one holds; not committed, it is a build's, which may write code."""
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "site"\npages_build_output_dir = "dist"\n',
                                "dist/index.html": "<h1>Docs</h1>\n", **extra})
    def placement() -> list[tuple[str, int | None, str]]:
        return summary([f for f in evaluate(collect(repo)) if f.rule == "CF002"])
    assert placement() == [("wrangler.toml", None, "placement")]
    commit_all(repo)
    assert placement() == expected


def test_cf002_names_the_environments_that_set_their_own(tmp_path: Path,
                                                          make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID)
             + '\n[env.production]\nname = "p"\n[env.production.placement]\nmode = "smart"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF002")
    assert found.message == ("`wrangler.toml` has no `[placement]` section at the top level"
                             " (only env `production` sets its own)")


def test_cf002_placement_turned_off(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID) + '[placement]\nmode = "off"\n',
             "apps/b/wrangler.jsonc": '{ "main": "a.ts" }\n'}
    found = findings(tmp_path, make_repo, files, "CF002")
    assert found[1].message == '`wrangler.toml` turns Smart Placement off (`mode = "off"`)'
    markdown = auditlib.run_audit(make_repo(tmp_path, files), "2026-11-27").markdown()
    assert ("Smart Placement is **not configured** in any wrangler config: `apps/b/wrangler.jsonc`,"
            ' `wrangler.toml`. `wrangler.toml:7` turns it off (`mode = "off"`).') in markdown
    assert "```jsonc\n// NOT PRESENT" in markdown  # for the config without a placement only
    assert "```toml\n# NOT PRESENT" not in markdown


def test_cf002_shows_what_to_add_in_each_syntax(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID), "apps/b/wrangler.jsonc": '{ "main": "a.ts" }\n'}
    markdown = auditlib.run_audit(make_repo(tmp_path, files), "2026-11-27").markdown()
    assert "```toml\n# NOT PRESENT" in markdown and "```jsonc\n// NOT PRESENT" in markdown


@pytest.mark.parametrize(("files", "message"), [
    ({"wrangler.toml": 'placement = "smart"\n' + KV.format(REAL_ID)},
     '`wrangler.toml` sets `placement = "smart"`, which is not a table'),
    ({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "placement": "smart",\n}'},
     '`wrangler.jsonc` sets `"placement": "smart"`, which is not an object'),
])
def test_cf002_a_placement_that_is_not_a_section(tmp_path: Path, make_repo: MakeRepo,
                                                 files: dict[str, str], message: str) -> None:
    [found] = findings(tmp_path, make_repo, files, "CF002")
    assert found.message == message and found.location.start_line is not None
    markdown = auditlib.run_audit(make_repo(tmp_path, files), "2026-11-27").markdown()
    assert f"`{found.location}` sets `placement` to a value that is not a section." in markdown
    assert "NOT PRESENT" not in markdown


@pytest.mark.parametrize(("files", "message", "where"), [
    ({"wrangler.toml": KV.format(REAL_ID) + "[placement]\nmode = 5\n"}, "(`mode = 5`)",
     "`wrangler.toml:7`"),
    ({"wrangler.toml": KV.format(REAL_ID) + '[placement]\nmode = "Smart"\n'},
     '(`mode = "Smart"`)', "`wrangler.toml:7`"),
    ({"wrangler.toml": KV.format(REAL_ID) + '[placement]\n# mode = "smart"\n'}, "(no `mode`)",
     "`wrangler.toml:7`"),
    ({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "placement": { "mode": "Smart" },\n}'},
     '(`"mode": "Smart"`)', "`wrangler.jsonc:3`"),
])
def test_cf002_a_placement_without_smart_mode_is_not_said_to_turn_it_off(
        tmp_path: Path, make_repo: MakeRepo, files: dict[str, str], message: str,
        where: str) -> None:
    [found] = findings(tmp_path, make_repo, files, "CF002")
    path = where.split(":")[0] + "`"
    assert found.message == f'{path} has a placement whose mode is not `"smart"` {message}'
    markdown = auditlib.run_audit(make_repo(tmp_path, files), "2026-11-27").markdown()
    assert f'{where} sets a placement whose mode is not `"smart"`.' in markdown
    assert "turns it off" not in markdown


def test_cf002_an_environment_that_turns_smart_placement_off(tmp_path: Path,
                                                             make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID) + PLACED + '\n[env.production]\nname = "p"\n'
             '[env.production.placement]\nmode = "off"\n\n[env.staging]\nname = "s"\n'}
    [found] = findings(tmp_path, make_repo, files, "CF002")
    assert found.message == ('`wrangler.toml` (env `production`) sets its own placement'
                             ' (`mode = "off"`), which replaces the top level\'s Smart Placement')
    assert found.location.start_line == files["wrangler.toml"].splitlines().index(
        "[env.production.placement]") + 1 and found.subject == "placement (env production)"
    markdown = auditlib.run_audit(make_repo(tmp_path, files), "2026-11-27").markdown()
    assert "Smart Placement is configured at the top level of every wrangler config." in markdown
    assert f"{found.message} (`wrangler.toml:{found.location.start_line}`)." in markdown


def test_cf002_speaks_the_file_s_syntax(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.jsonc": '{ "main": "a.ts" }\n'}, "CF002")
    assert found.message == '`wrangler.jsonc` has no `"placement"` object'
    assert found.remediation == 'Add Smart Placement (`"placement": { "mode": "smart" }`)'


# CF003 memory-fallback --------------------------------------------------------------------

MEMORY_FALLBACK = """\
export function createSessionStore(env: Env) {
  const provider = process.env.SESSION_STORE_PROVIDER;
  if ((provider === "cloudflare" || !provider) && env.SESSION_DO) {
    return new DurableSessionStore(env.SESSION_DO);
  }
  return new MemorySessionStore();
}
"""
NO_MEMORY = MEMORY_FALLBACK.replace("MemorySessionStore()", "RedisSessionStore(env.REDIS)")
MEMORY_ONLY_ON_REQUEST = """\
export function createSessionStore(env: Env) {
  const provider = process.env.SESSION_STORE_PROVIDER;
  if (provider === "memory") {
    return new MemorySessionStore();
  }
  if (provider === "cloudflare" && env.SESSION_DO) {
    return new DurableSessionStore(env.SESSION_DO);
  }
  throw new Error("SESSION_STORE_PROVIDER is not configured");
}
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(MEMORY_FALLBACK, [("src/session.ts", 2, 6, "SESSION_STORE_PROVIDER")],
                 id="memory-fallback"),
    pytest.param(NO_MEMORY, [], id="no-memory-store"),
    pytest.param(MEMORY_ONLY_ON_REQUEST, [], id="memory-only-when-requested"),
    pytest.param(  # QA s33a: both stores on one line; the second is the fallback
        "export function s(env: Env) {\n  const p = env.SESSION_STORE_PROVIDER; if (p === \"redis\")"
        " return new RedisSessionStore(); return new MemorySessionStore();\n}\n",
        [("src/session.ts", 2, 2, "SESSION_STORE_PROVIDER")], id="one-line"),
])
def test_cf003(tmp_path: Path, make_repo: MakeRepo, text: str,
               expected: list[tuple[str, int, int, str]]) -> None:
    found = findings(tmp_path, make_repo, {"src/session.ts": text}, "CF003")
    assert [(f.location.path, f.location.start_line, f.location.end_line, f.subject)
            for f in found] == expected
    assert all(f.severity == Severity.P1 and "MemorySessionStore" in f.message
               and "Redis" not in f.message for f in found)


@pytest.mark.parametrize("test_file", ["src/session.test.ts", "src/session.spec.tsx",
                                       "src/__tests__/session.ts", "test/session.ts",
                                       "packages/auth/tests/fixtures/session.ts"])
def test_tests_are_not_evidence_of_how_the_app_runs(tmp_path: Path, make_repo: MakeRepo,
                                                     test_file: str) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID), test_file: MEMORY_FALLBACK + METRICS_CODE}
    assert findings(tmp_path, make_repo, files, "CF003") == []  # not the app's fallback
    assert len(findings(tmp_path, make_repo, files, "CF005")) == 1  # nor its metrics


@pytest.mark.parametrize("fixture", ["test/fixtures/basic/wrangler.toml",
                                     "e2e/tests/app/wrangler.jsonc",
                                     "packages/x/__tests__/wrangler.toml",
                                     "packages/x/fixtures/wrangler.json"])
def test_a_wrangler_config_among_tests_is_no_app(tmp_path: Path, make_repo: MakeRepo,
                                                 fixture: str) -> None:
    files = {"wrangler.toml": KV.format(REAL_ID), "apps/api/wrangler.toml": KV.format(REAL_ID),
             fixture: KV.format("00000000000000000000000000000000") if fixture.endswith(".toml")
             else '{ "main": "a.ts", "kv_namespaces": [{ "binding": "C", "id": "<ID>" }] }'}
    facts = collect(make_repo(tmp_path, files))
    assert [c.path for c in facts.configs] == ["apps/api/wrangler.toml", "wrangler.toml"]
    assert not [f for f in evaluate(facts) if f.location.path == fixture]


def test_a_config_in_a_test_folder_is_skipped_as_its_code_is(tmp_path: Path,
                                                             make_repo: MakeRepo) -> None:
    """The code search passes over `test/` folders: a config there (vitest's
    `test/wrangler.toml`, even an app named so) would lack its classes and metrics."""
    repo = make_repo(tmp_path, {"apps/test/wrangler.toml": KV.format(REAL_ID),
                                "packages/x/test/wrangler.toml": KV.format(REAL_ID),
                                "apps/api/wrangler.toml": KV.format(REAL_ID)})
    (repo / "test/fixtures/broken").mkdir(parents=True)
    (repo / "test/fixtures/broken/wrangler.toml").symlink_to(repo / "nowhere.toml")
    facts = collect(repo)
    assert [c.path for c in facts.configs] == ["apps/api/wrangler.toml"]
    assert facts.problems == ()  # a broken fixture is none of the audit's business


# CF004 console-only-latency-monitoring ----------------------------------------------------

def latency(*body: str) -> str:
    return ("export async function call(env: Env) {\n  const duration = Date.now() - start;\n"
            "  if (duration > 200) {\n" + "".join(body) + "  }\n}\n")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n"),
                 [("src/call.ts", 3, 5, "duration")], id="console-only"),
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n",
                         "    env.METRICS.writeDataPoint({ doubles: [duration] });\n"),
                 [], id="write-data-point"),
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n").replace(
        "  if (duration", "  env.METRICS.writeDataPoint({ doubles: [duration] });\n  if (duration"),
                 [], id="recorded-beside-the-check"),
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n").replace(
        "  if (duration", "  env.METRICS.writeDataPoint({ doubles: [size] });\n  if (duration"),
                 [("src/call.ts", 4, 6, "duration")], id="another-value-recorded-beside"),
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n").replace(
        "  if (duration", "  env.METRICS.writeDataPoint({\n    blobs: [route],\n"
        "    doubles: [duration],\n  });\n  if (duration"),
                 [], id="recorded-beside-over-several-lines"),
    pytest.param(latency("    console.warn(`slow ${duration}ms`);\n").replace(
        "  if (duration", "  env.METRICS.writeDataPoint({\n    doubles: [size],\n  });\n"
        "  log(duration);\n  if (duration"),
                 [("src/call.ts", 7, 9, "duration")], id="another-value-recorded-over-lines"),
    pytest.param("export function headers(cacheDuration: number, maxLatency: number) {\n"
                 "  if (cacheDuration > 60) console.warn('long cache');\n"
                 "  if (maxLatency >= 100) console.warn('slow budget');\n"
                 "  if (duration > 0) console.warn('ran');\n}\n", [], id="settings-not-measurements"),
])
def test_cf004(tmp_path: Path, make_repo: MakeRepo, text: str,
               expected: list[tuple[str, int, int, str]]) -> None:
    found = findings(tmp_path, make_repo, {"src/call.ts": text}, "CF004")
    assert [(f.location.path, f.location.start_line, f.location.end_line, f.subject)
            for f in found] == expected
    assert all(f.severity == Severity.P2 and "the console" in f.message for f in found)


def test_cf004_a_check_keeps_its_identity_when_its_threshold_changes(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    check = latency("    console.warn(`slow ${duration}ms`);\n")
    [before] = findings(tmp_path, make_repo, {"src/call.ts": check}, "CF004")
    [after] = findings(tmp_path, make_repo, {"src/call.ts": check.replace("> 200", "> 500")},
                       "CF004")  # the same file, rewritten
    assert before.identity == after.identity == "CF004|src/call.ts|duration"
    assert "latency above 500 ms" in after.message


def test_cf004_each_check_on_a_line_is_named_by_its_own_variable(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """A bundle's line holds many checks of one threshold: each finding is its own, not the
    first check's again (one identity for all: one waiver, one change)."""
    line = "".join(f'if(wait{n}Duration>500){{console.log("slow")}};' for n in range(4))
    found = findings(tmp_path, make_repo, {"src/bundle.js": f"  {line}\n"}, "CF004")
    assert sorted(f.subject for f in found) == [f"wait{n}Duration" for n in range(4)]
    assert len({f.identity for f in found}) == 4


ASSETS_ONLY = '{\n  "name": "docs",\n  "assets": { "directory": "./dist" }\n}\n'


# CF005 no-scaling-metrics -----------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": KV.format(REAL_ID)}, [(".", None, "metrics")],
                 id="no-metrics"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID),
                  "src/log.ts": 'export const log = () => console.warn("slow");\n'},
                 [(".", None, "metrics")], id="console-is-not-metrics"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID),
                  "src/todo.ts": "// TODO: export request latency to prometheus\n"
                                 " * and writeDataPoint later\nexport {};\n"},
                 [(".", None, "metrics")], id="a-comment-is-not-metrics"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID)
                  + '\n[[analytics_engine_datasets]]\nbinding = "METRICS"\n'},
                 [], id="analytics-engine-binding"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID), "src/metrics.ts": "statsd.timing('x', 1)\n"},
                 [], id="metrics-sink-in-code"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '\n[[analytics_engine_datasets]]\n'
                  'binding = "METRICS"\n', "src/metrics.ts": METRICS_CODE}, [],
                 id="analytics-engine-bound-and-written"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '\n[env.production]\n'
                  '[[env.production.analytics_engine_datasets]]\nbinding = "METRICS"\n',
                  "src/metrics.ts": METRICS_CODE}, [], id="analytics-engine-bound-in-an-environment"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID), "src/metrics.ts": METRICS_CODE},
                 [("src/metrics.ts", 2, "writeDataPoint")], id="analytics-engine-written-unbound"),
    pytest.param({"README.md": "no cloudflare here\n"}, [], id="no-configs"),
    # QA s34b D10: a Worker that only serves static assets runs no code that scales
    pytest.param({"wrangler.jsonc": ASSETS_ONLY}, [], id="static-assets-only"),
    pytest.param({"wrangler.jsonc": ASSETS_ONLY, "apps/api/wrangler.toml": 'main = "a.ts"\n'},
                 [(".", None, "metrics")], id="static-assets-and-a-worker"),
    pytest.param(STATIC_PAGES, [], id="static-pages-site"),
])
def test_cf005(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
               expected: list[tuple[str, int | None, str]]) -> None:
    found = findings(tmp_path, make_repo, files, "CF005")
    assert summary(found) == expected
    assert all(f.severity == Severity.P1 for f in found)


@pytest.mark.parametrize(("files", "scaled"), [
    pytest.param({"wrangler.toml": KV.format(REAL_ID)}, "Worker", id="worker"),
    pytest.param({"wrangler.toml": 'name = "site"\npages_build_output_dir = "dist"\n'},
                 "Pages Functions", id="pages-only"),
    pytest.param({"wrangler.toml": KV.format(REAL_ID) + '\n[env.production]\n'
                  '[[env.production.durable_objects.bindings]]\nname = "CART"\n'
                  'class_name = "Cart"\n[[queues.consumers]]\nqueue = "orders"\n'},
                 "Worker, Durable Object and queue consumer", id="env-only-durable-object"),
])
def test_cf005_remediation_names_what_the_repository_deploys(
        tmp_path: Path, make_repo: MakeRepo, files: dict[str, str], scaled: str) -> None:
    [found] = findings(tmp_path, make_repo, files, "CF005")
    assert found.remediation == f"Set up a Cloudflare Analytics dashboard for {scaled} metrics"


# CF006 production-verification-missing ----------------------------------------------------

ALL_ASPECTS = (
    'name = "shop"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\n\n'
    '[durable_objects]\nbindings = [{ name = "CART_DO", class_name = "Cart" }]\n\n'
    '[[queues.consumers]]\nqueue = "jobs"\n')


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": ALL_ASPECTS}, [
        (".", None, "Cold start frequency"),
        (".", None, "DO latency in production"),
        (".", None, "KV replication lag"),
        (".", None, "Queue consumer scaling"),
    ], id="every-aspect"),
    pytest.param({"wrangler.toml": 'main = "a.ts"\n'},
                 [(".", None, "Cold start frequency")], id="workers-only"),
    pytest.param({"apps/api/wrangler.toml": 'main = "a.ts"\n[[kv_namespaces]]\nbinding = "KV"\n',
                  "wrangler.toml": 'main = "a.ts"\n[env.production.kv_namespaces]\nbinding = "KV"\n'},
                 [(".", None, "Cold start frequency"),
                  (".", None, "KV replication lag")], id="the-repository-s"),
    pytest.param({"wrangler.toml": ALL_ASPECTS, "src/metrics.ts": "\n".join(
        f'env.METRICS.writeDataPoint({{ blobs: ["{name}"] }});'
        for name in ("cart_do", "kv_lag", "jobs", "cold_start"))}, [], id="each-measured"),
    pytest.param({"src/metrics.ts": "export {};\n"}, [], id="no-configs"),
    pytest.param({"wrangler.jsonc": ASSETS_ONLY}, [], id="static-assets-only"),
    pytest.param({"wrangler.jsonc": ASSETS_ONLY, "apps/api/wrangler.toml": 'main = "a.ts"\n'},
                 [(".", None, "Cold start frequency")], id="static-assets-and-a-worker"),
    pytest.param(STATIC_PAGES, [], id="static-pages-site"),
    # QA s35c: the KV namespace a static site binds: no code of its own reads it
    pytest.param({**STATIC_PAGES, "apps/site/wrangler.toml": STATIC_PAGES["apps/site/wrangler.toml"]
                  + '[[kv_namespaces]]\nbinding = "KV"\n'}, [], id="static-pages-site-with-kv"),
])
def test_cf006(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
               expected: list[tuple[str, int | None, str]]) -> None:
    found = findings(tmp_path, make_repo, files, "CF006")
    assert sorted(summary(found), key=lambda s: s[2]) == expected
    assert all(f.severity == Severity.P2 for f in found)


def test_cf006_counts_each_resource_once_not_each_environment_s_binding(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    do = '[{ name = "A_DO", class_name = "A" }, { name = "B_DO", class_name = "B" }]'
    kv = '\n[[{}kv_namespaces]]\nbinding = "CACHE"\nid = "{}"\n'
    files = {"wrangler.toml": f'name = "w"\nmain = "a.ts"\ndurable_objects.bindings = {do}\n'
             + kv.format("", "a" * 32) + f'\n[env.production]\ndurable_objects.bindings = {do}\n'
             + kv.format("env.production.", "b" * 32)}
    found = {f.subject: f.message for f in findings(tmp_path, make_repo, files, "CF006")}
    assert found["DO latency in production"].endswith("(2 Durable Objects, declared 4 times, in 1 config)")
    assert found["KV replication lag"].endswith("(2 KV namespaces in 1 config)")  # two ids


# A Worker with a KV namespace and a Durable Object at the root, and a queue consumer app.
APPS = {"wrangler.toml": 'name = "shop"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\n'
        'binding = "CART_KV"\n\n[durable_objects]\n'
        'bindings = [{ name = "CART_DO", class_name = "CartObject" }]\n',
        "apps/worker/wrangler.toml": 'name = "worker"\nmain = "src/index.ts"\n\n'
        '[[queues.consumers]]\nqueue = "jobs"\n'}
UNMEASURED = {"Cold start frequency", "DO latency in production", "KV replication lag",
              "Queue consumer scaling"}
WRITE = "  env.METRICS.writeDataPoint({{ blobs: [{}], doubles: [ms] }});\n"


@pytest.mark.parametrize(("path", "code", "measured"), [
    pytest.param("src/cart.ts", "export class CartObject {\n  async fetch() {\n"
                 "    this.env.METRICS.writeDataPoint({\n      doubles: [ms],\n    });\n  }\n}\n",
                 "DO latency in production", id="in-the-durable-object-s-file"),
    pytest.param("src/client.ts", WRITE.format('"cart_do", op'), "DO latency in production",
                 id="names-the-durable-object"),
    pytest.param("src/lag.ts", WRITE.format('"kv_lag"'), "KV replication lag", id="names-kv"),
    pytest.param("src/lag.ts", WRITE.format('"CART_KV"'), "KV replication lag",
                 id="names-the-namespace"),
    pytest.param("apps/worker/src/index.ts", WRITE.format('"batch"'), "Queue consumer scaling",
                 id="in-the-consumer-app"),
    pytest.param("src/queue.ts", WRITE.format('"jobs_depth"'), "Queue consumer scaling",
                 id="names-the-queue"),
    pytest.param("src/index.ts", WRITE.format("coldStart ? 'cold' : 'warm'"),
                 "Cold start frequency", id="names-cold-starts"),
    pytest.param("src/metrics.ts", WRITE.format('"request"'), None, id="measures-none-of-them"),
    pytest.param("src/lag.ts", "env.METRICS.writeDataPoint({ // one data point\n"
                 '  blobs: ["kv_lag", region],\n  doubles: [lagMs],\n});\n', "KV replication lag",
                 id="a-call-over-several-lines"),
    pytest.param("src/lag.ts", 'env.METRICS.writeDataPoint({ blobs: ["request"] });\n'
                 'const kv_lag = await probe(env.CART_KV);\n', None,
                 id="a-closed-call-ends-on-its-line"),
    pytest.param("src/lag.ts", 'env.METRICS.writeDataPoint({ blobs: ["smile :-("] });\n'
                 'const kv_lag = await probe(env.CART_KV);\n', None,
                 id="a-parenthesis-in-a-string-opens-nothing"),
])
def test_cf006_a_metric_measures_only_its_aspect(tmp_path: Path, make_repo: MakeRepo, path: str,
                                                 code: str, measured: str | None) -> None:
    """A Durable Object latency metric does not show KV lag, queue depth or cold starts."""
    found = findings(tmp_path, make_repo, {**APPS, path: code}, "CF006")
    assert {f.subject for f in found} == UNMEASURED - {measured}


def test_cf006_a_call_over_several_lines_is_its_evidence(tmp_path: Path, make_repo: MakeRepo) -> None:
    """The metric's range is the call's; a call never closed stops 20 lines on."""
    code = ("\n\nenv.AE.writeDataPoint({\n  blobs: [\"cold_start\"],\n});\n"
            "histogram.observe((\n" + "  x,\n" * 30)
    facts = collect(make_repo(tmp_path, {**APPS, "src/metrics.ts": code}))
    assert [(m.location.start_line, m.location.end_line, m.groups.get("call"))
            for m in facts.metrics] == [
        (3, 5, 'env.AE.writeDataPoint({ blobs: ["cold_start"], });'),
        (6, 25, "histogram.observe((" + " x," * 19)]


@pytest.mark.parametrize(("text", "name", "expected"), [
    ('blobs: ["cart_do", op]', "CART_DO", True),
    ("env.cartDO.get(id)", "CART_DO", True),
    ('blobs: ["cart_door"]', "CART_DO", False),
    ('blobs: ["pipeline-jobs"]', "pipeline-jobs", True),
    ('blobs: ["pipeline"]', "pipeline-jobs", False),
])
def test_cf006_names(text: str, name: str, expected: bool) -> None:
    assert names(text, name) is expected


def test_cf006_counts_what_relies_on_it(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {f"apps/a{n}/wrangler.toml": 'main = "a.ts"\n[[kv_namespaces]]\nbinding = "KV"\n'
             '\n[[env.production.kv_namespaces]]\nbinding = "KV"\n' for n in range(3)}
    [lag] = [f for f in findings(tmp_path, make_repo, files, "CF006")
             if f.subject == "KV replication lag"]
    assert lag.message == "KV replication lag: no code measures it (6 KV namespaces in 3 configs)"


def test_cf006_an_http_pull_consumer_is_no_worker_consumer_to_scale(tmp_path: Path,
                                                                     make_repo: MakeRepo) -> None:
    """`type = "http_pull"`: messages are pulled over HTTP from outside, by no Worker that
    Cloudflare scales; only the Worker consumer counts, and the config is no Worker consumer."""
    pull = 'name = "a"\nmain = "a.ts"\n[[queues.consumers]]\nqueue = "events"\ntype = "http_pull"\n'
    files = {"a/wrangler.toml": pull,
             "b/wrangler.toml": 'name = "b"\nmain = "b.ts"\n[[queues.consumers]]\nqueue = "jobs"\n'}
    [scaling] = [f for f in findings(tmp_path, make_repo, files, "CF006")
                 if f.subject == "Queue consumer scaling"]
    assert scaling.message == ("Queue consumer scaling: no code measures it (1 queue consumer in"
                               " 1 config)")
    assert [c.queue_consumer for c in load_all(tmp_path)] == [False, True]
    del files["b/wrangler.toml"]
    (tmp_path / "2").mkdir()
    assert [f.subject for f in findings(tmp_path / "2", make_repo, files, "CF006")
            if f.subject == "Queue consumer scaling"] == []


def load_all(repo: Path) -> list[WranglerConfig]:
    return sorted(collect(repo).configs, key=lambda c: c.path)


# CF000 unreadable-input -------------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": 'name = "x"\n[[kv_namespaces]\nbinding = "A"\n'},
                 [("wrangler.toml", 2, "column 16", Severity.P0)], id="malformed-toml"),
    pytest.param({"apps/a/wrangler.jsonc": '{\n  "main": "a.ts"\n  "name": "a"\n}\n'},
                 [("apps/a/wrangler.jsonc", 3, "column 3", Severity.P0)], id="malformed-jsonc"),
    pytest.param({".github/workflows/ci.yml": "on: push\njobs:\n  a: [\n"},
                 [(".github/workflows/ci.yml", 3, "column 7", Severity.P1)], id="malformed-workflow"),
    pytest.param({"wrangler.toml": 'main = "a.ts"\n', "wrangler.json": "{}"},
                 [("wrangler.toml", None, "wrangler reads", Severity.P1)], id="a-config-wrangler-skips"),
    pytest.param({"wrangler.toml": 'main = "a.ts"\n'}, [], id="readable"),
    pytest.param({"wrangler.prod.jsonc": '{\n  "main": "a.ts",\n',
                  ".github/workflows/d.yml": ("on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n"
                                              "      - run: npx wrangler deploy -c wrangler.prod.jsonc\n")},
                 [("wrangler.prod.jsonc", 2, "column 18", Severity.P0)], id="the-config-a-deploy-names"),
])
def test_cf000(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
               expected: list[tuple[str, int | None, str, Severity]]) -> None:
    """A wrangler config that cannot be parsed is a P0: wrangler cannot deploy it either."""
    found = findings(tmp_path, make_repo, files, "CF000")
    assert [(f.location.path, f.location.start_line, f.subject) for f in found] == [
        (path, line, path) for path, line, _, _ in expected]
    for finding, (_, _, words, severity) in zip(found, expected, strict=True):
        assert finding.severity == severity
        assert words in finding.message


def test_cf020_a_binding_section_wrangler_refuses_is_a_p0_and_the_rest_is_audited(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """`[[durable_objects]]`: wrangler refuses the config. The finding gives the line; the
    other bindings are audited (CF001), the Durable Object's class too (CF008), and the audit
    read every input."""
    files = {"apps/api/wrangler.toml": (
        'name = "api"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\n'
        'id = "00000000000000000000000000000000"\n\n[[durable_objects]]\nname = "ROOM"\n'
        'class_name = "Room"\n')}
    audit = auditlib.run_audit(make_repo(tmp_path, files), date(2026, 11, 28))
    assert [f for f in audit.findings if f.rule == "CF000"] == []
    [shape] = [f for f in audit.findings if f.rule == "CF020"]
    assert (shape.location.path, shape.location.start_line, shape.severity, shape.subject) == (
        "apps/api/wrangler.toml", 8, Severity.P0, "durable_objects")
    assert shape.message == (
        "`durable_objects` is an array of tables, where wrangler"
        " expects a table with an array `bindings` (`[[durable_objects.bindings]]`): wrangler"
        " refuses the config, so it cannot be deployed")
    assert {(f.rule, f.location.start_line) for f in audit.findings
            if f.rule in ("CF001", "CF008")} == {("CF001", 6), ("CF008", 9)}
    assert audit_status(audit.facts, audit.findings) == "VERIFIED"


@pytest.mark.parametrize(("path", "folder", "config", "workflow"), [
    pytest.param("apps/api.shop.example", True, True, False, id="a-folder-with-a-dot"),
    pytest.param(".github/actions/deploy", True, True, True, id="a-local-action-s-folder"),
    pytest.param(".github/actions/deploy/action.yml", False, False, True, id="a-local-action"),
    pytest.param(".github/scripts/x.ts", False, False, False, id="a-script"),
    pytest.param("docs/a.md", False, False, False, id="a-document"),
])
def test_what_an_unread_input_may_hide(path: str, folder: bool, config: bool,
                                       workflow: bool) -> None:
    from auditlib.rules.base import unread_config, unread_workflow
    facts = Facts(repo="r", problems=(Problem(location=Location(path=path), column=None,
                                              message="unreadable", folder=folder),))
    assert (unread_config(facts), unread_workflow(facts)) == (config, workflow)


def test_a_config_read_with_a_replacement_character_is_read(tmp_path: Path,
                                                            make_repo: MakeRepo) -> None:
    """A byte that is not UTF-8 in a comment: a warning (P1), not a config unread (P0)."""
    repo = make_repo(tmp_path, {"docs/a.md": "x\n"})
    (repo / "wrangler.toml").write_bytes(b'name = "x"\nmain = "a.ts"  # caf\xe9\n')
    (repo / ".github/scripts").mkdir(parents=True)
    (repo / ".github/scripts/x.ts").write_bytes(b"export class Cart {}\n\x00\n")
    facts = collect(repo)
    assert [c.path for c in facts.configs] == ["wrangler.toml"]
    found = evaluate(facts)
    assert {(f.location.path, f.severity) for f in found if f.rule == "CF000"} == {
        ("wrangler.toml", Severity.P1), (".github/scripts/x.ts", Severity.P1)}
    assert "CF015" in {f.rule for f in found}  # a script that cannot be read deploys nothing


def test_an_unparsed_config_or_workflow_makes_nothing_missing(tmp_path: Path,
                                                               make_repo: MakeRepo) -> None:
    """What an unread file declares is unknown: no binding is said to be absent (DR009),
    no app to be deployed by no workflow (CF015)."""
    files = {"wrangler.toml": 'name = "x"\nmain = "a.ts"\n[[kv_namespaces]\nbinding = "CACHE"\n',
             "apps/b/wrangler.toml": 'name = "b"\nmain = "a.ts"\n',
             ".github/workflows/deploy.yml": "on: push\njobs:\n  a: [\n",
             "docs/inventory.md": ("Type: Reference\nStatus: Active\nDomain: Platform\n"
                                   "Last-reviewed: 2026-11-01\n\n# Inventory\n\n"
                                   "| Binding | Kind |\n|---|---|\n| `CACHE` | KV |\n")}
    found = {f.rule for f in evaluate(collect(make_repo(tmp_path, files)))}
    assert "CF000" in found and not {"DR009", "CF015"} & found
    del files[".github/workflows/deploy.yml"]
    files["wrangler.toml"] = 'name = "x"\nmain = "a.ts"\n'
    (tmp_path / "b").mkdir()
    found = {f.rule for f in evaluate(collect(make_repo(tmp_path / "b", files)))}
    assert {"DR009", "CF015"} <= found  # both read: both report


# The registry and evaluate ----------------------------------------------------------------

class Exploding(Rule):
    id = "CF999"
    name = "exploding"
    title = "Always raises"
    severity = Severity.P2
    rationale = "test"
    remediation = "test"
    status = "test"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        raise RuntimeError("boom")


def test_rule_that_raises_becomes_error_finding() -> None:
    facts = Facts(repo="r", configs=(load("wrangler.toml", 'main = "a.ts"\n'),))
    found = evaluate(facts, rules=(Exploding, SmartPlacementMissing))
    assert [(f.rule, f.outcome, f.severity, f.location, f.subject) for f in found] == [
        ("CF002", Outcome.FAIL, Severity.P1, Location(path="wrangler.toml"), "placement"),
        ("CF999", Outcome.ERROR, Severity.P2, Location(path="."), "exploding"),
    ]
    assert "CF999 (exploding) raised RuntimeError: boom" in found[1].message


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_documentation(rule: type[Rule]) -> None:
    doc = sys.modules[rule.__module__].__doc__ or ""
    assert doc.startswith(f"{rule.id} {rule.name}")
    headings = re.findall(r"^## (.+)$", doc, re.MULTILINE)
    assert headings == ["What it does", "Why is this bad?", "Example", "Fix"]
    for attribute in ("title", "rationale", "remediation", "status"):
        assert getattr(rule, attribute)
    assert isinstance(rule.severity, Severity)


def test_rule_ids_unique_and_in_order() -> None:
    ids = [rule.id for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    assert ids == sorted(ids)
