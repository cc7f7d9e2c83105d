"""auditlib.collect.collect on small fixture repositories."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import auditlib
from auditlib import codesearch, repofiles
from auditlib.collect import MAX_BRACES, _braces, _folder_matcher, collect
from auditlib.config import DEFAULT_CONFIG, glob_match
from auditlib.errors import RepositoryError
from auditlib.evaluate import evaluate
from auditlib.model import Location, Problem

if TYPE_CHECKING:
    from conftest import MakeRepo

WORKER = 'name = "w"\nmain = "src/index.ts"\n'
DEPLOY_WORKFLOW = (
    "on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: npx wrangler deploy\n")


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({}, ["apps/api/wrangler.toml", "wrangler.toml"], id="baseline"),
    pytest.param({".gitignore": "ignored/\n", "ignored/wrangler.toml": WORKER},
                 ["apps/api/wrangler.toml", "wrangler.toml"], id="gitignored-folder"),
    pytest.param({"apps/api/.gitignore": "legacy/\n", "apps/api/legacy/wrangler.toml": WORKER},
                 ["apps/api/wrangler.toml", "wrangler.toml"], id="nested-gitignore"),
    pytest.param({"node_modules/pkg/wrangler.toml": WORKER},
                 ["apps/api/wrangler.toml", "wrangler.toml"], id="node_modules"),
    pytest.param({"apps/web/.vercel/output/wrangler.json": "{}"},
                 ["apps/api/wrangler.toml", "wrangler.toml"], id="vercel"),
    pytest.param({"apps/web/wrangler.jsonc": "{ // web\n}"},
                 ["apps/api/wrangler.toml", "apps/web/wrangler.jsonc", "wrangler.toml"],
                 id="not-ignored-is-found"),
])
def test_config_files_listed(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
                             expected: list[str]) -> None:
    repo = make_repo(tmp_path, {"wrangler.toml": WORKER, "apps/api/wrangler.toml": WORKER,
                                **files})
    facts = collect(repo)
    assert [c.path for c in facts.configs] == expected
    assert facts.problems == ()
    assert facts.repo == "repo"


def test_workflows_in_hidden_github_folder(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {".github/workflows/deploy.yml": DEPLOY_WORKFLOW,
                                ".github/workflows/notes.txt": DEPLOY_WORKFLOW})
    facts = collect(repo)
    assert [w.path for w in facts.workflows] == [".github/workflows/deploy.yml"]
    assert [(s.location.path, s.location.start_line, s.job) for s in facts.deploy_steps] == [
        (".github/workflows/deploy.yml", 6, "ship")]


def test_malformed_files_become_problems(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {
        "wrangler.toml": WORKER,
        "apps/broken/wrangler.toml": 'name = "b"\n\n[[kv_namespaces]\nbinding = "KV"\n',
        "apps/ok/wrangler.jsonc": '{ "main": "a.ts", }',
        ".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n",
        ".github/workflows/deploy.yml": DEPLOY_WORKFLOW,
    })
    facts = collect(repo)
    assert [c.path for c in facts.configs] == ["apps/ok/wrangler.jsonc", "wrangler.toml"]
    assert [s.location.path for s in facts.deploy_steps] == [".github/workflows/deploy.yml"]
    assert [(p.location, p.column) for p in facts.problems] == [
        (Location(path="apps/broken/wrangler.toml", start_line=3), 16),
        (Location(path=".github/workflows/bad.yml", start_line=3), 7),
    ]
    assert all(isinstance(p, Problem) and p.message for p in facts.problems)


def test_wrangler_reads_one_config_per_folder_and_so_does_the_audit(tmp_path: Path,
                                                                     make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {
        "apps/a/wrangler.toml": WORKER, "apps/a/wrangler.jsonc": '{ "main": "a.ts" }',
        "apps/a/wrangler.json": '{ "main": "b.ts" }',
        "apps/b/wrangler.toml": WORKER, "apps/b/wrangler.jsonc": '{ "main": "a.ts" }',
        "apps/c/wrangler.toml": WORKER,
    })
    facts = collect(repo)
    assert [c.path for c in facts.configs] == [
        "apps/a/wrangler.json", "apps/b/wrangler.jsonc", "apps/c/wrangler.toml"]
    assert [(p.location.path, p.ignored, p.message.split("`")[1]) for p in facts.problems] == [
        ("apps/a/wrangler.jsonc", True, "wrangler.json"),
        ("apps/a/wrangler.toml", True, "wrangler.json"),
        ("apps/b/wrangler.toml", True, "wrangler.jsonc")]


def test_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError):
        collect(tmp_path / "absent")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(RepositoryError):
        collect(tmp_path / "file")


AUTO_DETECT = """\
import { MemoryCartStore } from "./memory";

export function createCartStore(env: Env): CartStore {
  const provider = process.env.CART_STORE_PROVIDER;
  if (provider === "memory") {
    return new MemoryCartStore();
  }
  if ((provider === "cloudflare" || !provider) && env.CART_DO) {
    return new DurableCartStore(env.CART_DO);
  }
  return new MemoryCartStore();
}
"""

EXPLICIT_DEFAULT = """\
export function createCache(env: Env) {
  const provider = env.CACHE_PROVIDER ?? "redis";
  if (provider === "kv") {
    return new KvCache(env.KV);
  }
  if (provider === "redis") {
    return new RedisCache(env.REDIS_URL);
  }
  return null;
}
"""

ENV_INTERFACE_FIRST = """\
export interface Env {
  CACHE_PROVIDER?: string;
}

export function createCache(env: Env) {
  const provider = env.CACHE_PROVIDER ?? "redis";
  if (provider === "redis") {
    return new RedisCache();
  }
  return new MemoryCache();
}
"""

ONE_LINE_IF = """\
export function createCartStore(env: Env) {
  const provider = process.env.CART_STORE_PROVIDER;
  if (provider === "cloudflare" && env.CART_DO) return new DurableCartStore(env.CART_DO);
  return new MemoryCartStore();
}
"""

A_HANDLER = """\
export default {
  async fetch(request: Request, env: Env) {
    const provider = env.STORE_PROVIDER || "memory";
    if (provider === "kv") {
      const url = new URL(request.url);
      return new Response(await env.KV.get(url.pathname));
    }
    if (!env.KV) throw new Error("no KV");
    return new Response("ok", { headers: new Headers() });
  },
};
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(A_HANDLER, {
        "variable": "STORE_PROVIDER", "options": ("kv",), "default": "memory", "chain": [],
        "memory_fallback": None, "lines": (3, 3)}, id="what-the-runtime-constructs-is-no-store"),
    pytest.param(AUTO_DETECT, {
        "variable": "CART_STORE_PROVIDER", "options": ("memory", "cloudflare"), "default": None,
        "chain": [('provider === "memory"', "memory", "MemoryCartStore", 6),
                  ('(provider === "cloudflare" || !provider) && env.CART_DO', "cloudflare",
                   "DurableCartStore", 9),
                  ("otherwise", None, "MemoryCartStore", 11)],
        "memory_fallback": 11, "lines": (4, 11)}, id="auto-detect-memory-fallback"),
    pytest.param(EXPLICIT_DEFAULT, {
        "variable": "CACHE_PROVIDER", "options": ("kv", "redis"), "default": "redis",
        "chain": [('provider === "kv"', "kv", "KvCache", 4),
                  ('provider === "redis"', "redis", "RedisCache", 7)],
        "memory_fallback": None, "lines": (2, 7)}, id="default-no-memory"),
    pytest.param(ENV_INTERFACE_FIRST, {
        "variable": "CACHE_PROVIDER", "options": ("redis",), "default": "redis",
        "chain": [('provider === "redis"', "redis", "RedisCache", 8),
                  ("otherwise", None, "MemoryCache", 10)],
        "memory_fallback": 10, "lines": (6, 10)}, id="variable-first-in-env-interface"),
    pytest.param(ONE_LINE_IF, {
        "variable": "CART_STORE_PROVIDER", "options": ("cloudflare",), "default": None,
        "chain": [('provider === "cloudflare" && env.CART_DO', "cloudflare",
                   "DurableCartStore", 3),
                  ("otherwise", None, "MemoryCartStore", 4)],
        "memory_fallback": 4, "lines": (2, 4)}, id="one-line-if"),
])
def test_provider_selection(tmp_path: Path, make_repo: MakeRepo, text: str,
                            expected: dict[str, Any]) -> None:
    facts = collect(make_repo(tmp_path, {"src/store.ts": text}))
    assert len(facts.providers) == 1
    selection = facts.providers[0]
    assert selection.variable == expected["variable"]
    assert selection.options == expected["options"]
    assert selection.default == expected["default"]
    assert [(b.condition, b.option, b.store, b.location.start_line)
            for b in selection.chain] == expected["chain"]
    fallback = selection.memory_fallback
    assert (fallback and fallback.start_line) == expected["memory_fallback"]
    assert selection.location == Location(path="src/store.ts", start_line=expected["lines"][0],
                                          end_line=expected["lines"][1])


def test_a_default_given_where_the_variable_is_read_without_a_choice(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """The selection reads the variable bare; the handler defaults it (QA s26a #4: the
    document said "Auto-detect")."""
    facts = collect(make_repo(tmp_path, {
        "src/store.ts": A_HANDLER.replace(' || "memory"', ""),
        "src/index.ts": 'export const provider = (env: Env) => env.STORE_PROVIDER ?? "memory";\n'}))
    assert [(p.variable, p.default, p.location.path) for p in facts.providers] == [
        ("STORE_PROVIDER", "memory", "src/store.ts")]


@pytest.mark.parametrize(("elsewhere", "default"), [
    pytest.param({"src/a.ts": 'export const a = (env: Env) => env.STORE_PROVIDER ?? "memory";\n',
                  "src/b.ts": 'export const b = (env: Env) => env.STORE_PROVIDER || "memory";\n'},
                 "memory", id="the-same-default-twice"),
    pytest.param({"src/a.ts": 'export const a = (env: Env) => env.STORE_PROVIDER ?? "redis";\n',
                  "src/b.ts": 'export const b = (env: Env) => env.STORE_PROVIDER || "kv";\n'},
                 None, id="two-defaults"),
    pytest.param({"src/a.ts": ('export const a = (env: Env) => env.STORE_PROVIDER ?? "redis";\n'
                               'export const b = (env: Env) => env.STORE_PROVIDER || "kv";\n')},
                 None, id="two-defaults-in-one-file"),
])
def test_defaults_given_where_the_variable_is_read_that_disagree(
        tmp_path: Path, make_repo: MakeRepo, elsewhere: dict[str, str], default: str | None) -> None:
    """QA s26c #13: which of two defaults the Worker takes depends on the line that reads it."""
    facts = collect(make_repo(tmp_path, {
        "src/store.ts": A_HANDLER.replace(' || "memory"', ""), **elsewhere}))
    assert [(p.variable, p.default) for p in facts.providers] == [("STORE_PROVIDER", default)]


def latency_block(*body: str) -> str:
    return ("export async function call(env: Env, op: string) {\n"
            "  const duration = Date.now() - start;\n"
            "  if (duration > 250 && sampled()) {\n" + "".join(body) + "  }\n}\n")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(latency_block("    console.warn(`slow ${op} ${duration}ms`);\n"),
                 (250, ("console",), 3, 5), id="console-only"),
    pytest.param(latency_block("    console.warn(`slow ${op}`);\n",
                               "    env.METRICS.writeDataPoint({ doubles: [duration] });\n"),
                 (250, ("console", "metrics"), 3, 6), id="console-and-metrics"),
    pytest.param(latency_block("    env.METRICS.writeDataPoint({ blobs: [op] });\n"),
                 (250, ("metrics",), 3, 5), id="metrics-only"),
    pytest.param("if (elapsedMs >= 1000) track(elapsedMs);\n", (1000, (), 1, 1),
                 id="no-sink"),
    pytest.param("// was: if (elapsedMs > 200) console.warn(op);\n"
                 "if (elapsedMs > 10_000) console.warn(op);\n", (10000, ("console",), 2, 2),
                 id="separators-and-a-comment"),
    pytest.param("/** @deprecated */ if (latencyMs > 500) console.warn(op);\n",
                 (500, ("console",), 1, 1), id="after-a-closed-comment"),
    pytest.param("/* old */ // if (latencyMs > 100) x();\n{/* if (latencyMs > 700) */}\n"
                 "x(); // if (durationMs > 800) y();\n/* a\n*/ if (latencyMs > 900) console.warn(op);\n",
                 (900, ("console",), 5, 5), id="comments-around-code"),  # QA s27d #7, #8
    pytest.param("<p>Don't</p>{/* if (latencyMs > 700) */}\nif (latencyMs > 900) console.warn(op);\n",
                 (900, ("console",), 2, 2), id="an-apostrophe-before-a-comment"),  # QA s27e #9
    pytest.param('<a href="https://x.example">Don\'t</a>; if (latencyMs > 500) console.warn(op);\n',
                 (500, ("console",), 1, 1), id="a-url-and-an-apostrophe"),  # QA s27f
    pytest.param(
        latency_block("    console.warn(`slow ${op} ${duration}ms`);\n",
                      "    env.METRICS.writeDataPoint({\n", "      blobs: [op, env.REGION],\n",
                      "      doubles: [duration],\n", "      indexes: [op],\n",
                      "      // sampled: see sampled()\n", "    });\n"),
        (250, ("console", "metrics"), 3, 11), id="block-longer-than-eight-lines"),
])
def test_latency_monitor(tmp_path: Path, make_repo: MakeRepo, text: str,
                         expected: tuple[int, tuple[str, ...], int, int]) -> None:
    facts = collect(make_repo(tmp_path, {"src/call.ts": text}))
    assert [(m.threshold_ms, m.sinks, m.location.start_line, m.location.end_line)
            for m in facts.latency] == [expected]
    assert facts.latency[0].location.path == "src/call.ts"
    assert "if (" in facts.latency[0].snippet.splitlines()[0]  # the check, from its line


DO_CODE = """\
import { DurableObject } from "cloudflare:workers";

/**
 * Per-cart state with TTL. One object per cart id.
 */
export class CartObject {
  fetch() {}
}

export class Helper {}

// Rate limit counters. Kept per key.
export class Limiter extends DurableObject {}
"""


def test_durable_object_classes(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {
        "wrangler.toml": 'main = "src/do.ts"\n[durable_objects]\n'
                         'bindings = [{ name = "CART", class_name = "CartObject" }]\n',
        "src/do.ts": DO_CODE,
    })
    facts = collect(repo)
    assert [(c.name, c.location, c.file_lines, c.summary) for c in facts.classes] == [
        ("CartObject", Location(path="src/do.ts", start_line=6), 13, "Per-cart state with TTL."),
        ("Limiter", Location(path="src/do.ts", start_line=13), 13, "Rate limit counters."),
    ]


def test_a_class_whose_comment_is_code_left_out_has_no_summary(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """cloudflare/vibesdk: the Sentry wrappers commented out above the export are no purpose."""
    repo = make_repo(tmp_path, {
        "wrangler.toml": 'main = "src/do.ts"\n[durable_objects]\n'
                         'bindings = [{ name = "LIMIT", class_name = "Limiter" }]\n',
        "src/do.ts": "// export const Other = Sentry.wrap(options, Other);\n"
                     "// export const Limiter = Sentry.wrap(options, BaseLimiter);\n"
                     "export class Limiter extends DurableObject {}\n"})
    assert [(c.name, c.summary) for c in collect(repo).classes] == [("Limiter", None)]
    (repo / "src/do.ts").write_text("// let the runtime evict idle rooms; one per chat\n"
                                    "export class Limiter extends DurableObject {}\n", "utf-8")
    assert [c.summary for c in collect(repo).classes] == [  # prose, though it starts so
        "let the runtime evict idle rooms; one per chat"]
    for code in ("// export class OldLimiter extends DurableObject {", '// import "./polyfill";',
                 "// await env.KV.put(k, v)", '// return new Response("ok")',
                 '// export * from "./old"'):  # QA s27d #6
        (repo / "src/do.ts").write_text(f"{code}\nexport class Limiter extends DurableObject {{}}\n",
                                        "utf-8")
        assert [c.summary for c in collect(repo).classes] == [None], code


def test_declaration_files_and_comments_are_no_code_evidence(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s27b: `wrangler types` writes the runtime's declarations into the repository; a
    comment names a variable the code no longer reads."""
    repo = make_repo(tmp_path, {
        "wrangler.toml": 'main = "src/index.ts"\n',
        "src/worker-configuration.d.ts": (
            "interface AnalyticsEngineDataset {\n"
            "  writeDataPoint(event?: AnalyticsEngineDataPoint): void;\n}\n"
            'declare module "cloudflare:workers" {\n'
            "  export abstract class DurableObject<Env = unknown> {}\n}\n"),
        "src/index.ts": "// Store selection used to read CART_STORE_PROVIDER; now fixed.\n"
                        "export const store = () => new MemoryCartStore();\n"})
    facts = collect(repo)
    assert (facts.metrics, facts.classes, facts.providers) == ((), (), ())


@pytest.mark.parametrize(("line", "code"), [
    pytest.param(r"if (/^https?:\/\//.test(u) && latencyMs > 800) warn(); // slow",
                 r"if (/^https?:\/\//.test(u) && latencyMs > 800) warn(); ", id="escaped-slashes"),
    pytest.param(r"const quote = /\"/; if (ms > 800) warn(); // a",
                 r"const quote = /\"/; if (ms > 800) warn(); ", id="escaped-quote-opens-no-string"),
    pytest.param('const u = "a\\\\"; // b', 'const u = "a\\\\"; ', id="escaped-backslash-in-a-string"),
    pytest.param("x = a / b; // half", "x = a / b; ", id="division"),
    # QA s34c: only the quote no quote closes is a character; a string's `//` stays in it
    pytest.param('const u = "https://api"; if (ms > 800) warn(); const dq = /"/; // a',
                 'const u = "https://api"; if (ms > 800) warn(); const dq = /"/; ',
                 id="a-lone-quote-after-a-string-of-its-kind"),
])
def test_code_after_a_regex_literal_is_code(line: str, code: str) -> None:
    assert codesearch.code_part(line) == code


def test_a_latency_check_after_a_url_regex_is_found(tmp_path: Path, make_repo: MakeRepo) -> None:
    """A regex's escaped slashes are no comment: what follows them on the line is read."""
    repo = make_repo(tmp_path, {"wrangler.toml": 'main = "src/index.ts"\n', "src/index.ts": (
        "export function f(u: string, latencyMs: number) {\n"
        '  if (/^https?:\\/\\//.test(u) && latencyMs > 800) console.warn("slow", u);\n}\n')})
    assert [(m.threshold_ms, m.location.start_line) for m in collect(repo).latency] == [(800, 2)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "Type: Plan\nStatus: Active\nLast-reviewed: 2026-01-14\n\n# Deploy Checks\n\n"
        "Intro text that runs\nover two lines. Second sentence.\n\n## More\n",
        ({"Type": "Plan", "Status": "Active", "Last-reviewed": "2026-01-14"},
         "Deploy Checks", "Intro text that runs over two lines."), id="header-title-summary"),
    pytest.param(
        "# Budgets\n\n| a | b |\n|---|---|\n\n- a list item\n\nThe p95 budget is 200 ms! Yes.\n",
        ({}, "Budgets", "The p95 budget is 200 ms!"), id="skips-table-and-list"),
    pytest.param("Just text, no title.\n", ({}, None, None), id="no-title"),
    pytest.param("# Runbook\n\nDeploys go through [deploy.yml](../.github/workflows/deploy.yml),"
                 " see ![the graph](g.png) and [the old script][old]. More.\n",
                 ({}, "Runbook", "Deploys go through deploy.yml, see the graph and the old script."),
                 id="links-read-as-their-text"),
])
def test_documents(tmp_path: Path, make_repo: MakeRepo, text: str,
                   expected: tuple[dict[str, str], str | None, str | None]) -> None:
    facts = collect(make_repo(tmp_path, {"docs/runtime/plan.md": text, "README.md": text}))
    assert [(d.path, d.header, d.title, d.summary) for d in facts.documents] == [
        ("docs/runtime/plan.md", *expected)]


def test_gitignored_files_are_not_audited_even_by_name(tmp_path: Path, make_repo: MakeRepo) -> None:
    """An including file pattern must not override .gitignore (ripgrep's --glob would)."""
    repo = make_repo(tmp_path, {
        "apps/a/.gitignore": "wrangler.toml\ngenerated.ts\n",
        "apps/a/wrangler.toml": 'name = "ignored"\n',
        "apps/a/generated.ts": "const provider = process.env.GEN_PROVIDER;\n"
                               "return new MemoryStore();\n",
        "apps/b/wrangler.toml": 'name = "kept"\nmain = "a.ts"\n',
    })
    facts = collect(repo)
    assert [c.name for c in facts.configs] == ["kept"]
    assert facts.providers == ()


def test_tracked_files_a_gitignore_matches_are_audited(
        tmp_path: Path, make_repo: MakeRepo, commit_all: Callable[[Path], None]) -> None:
    """A file committed before its .gitignore rule (or with `git add -f`) is in the
    repository: ripgrep skips it, git does not. Untracked ignored files, build folders and
    links stay out."""
    repo = make_repo(tmp_path, {
        "apps/a/wrangler.toml": 'name = "tracked"\nmain = "src/index.ts"\n',
        "apps/a/src/index.ts": "export default {};\n",
        "apps/a/src/store.ts": ONE_LINE_IF,
        ".github/workflows/deploy.yml": DEPLOY_WORKFLOW.replace("deploy", "deploy --config"
                                                                " apps/a/wrangler.toml"),
        "node_modules/pkg/wrangler.toml": 'name = "dependency"\n',
        "apps/b/wrangler.toml": 'name = "kept"\nmain = "a.ts"\n',
        "apps/b/a.ts": "export default {};\n",
    })
    (repo / "apps/c").mkdir()
    (repo / "apps/c/wrangler.toml").symlink_to("../b/wrangler.toml")
    commit_all(repo)
    (repo / ".gitignore").write_text("wrangler.toml\n*.yml\nsrc/\nnode_modules/\nlocal/\n")
    (repo / "local").mkdir()
    (repo / "local/wrangler.toml").write_text('name = "untracked"\n')
    facts = collect(repo)
    # the link is read once, as a link (test_a_config_that_is_a_link_is_read_where_it_is)
    assert [(c.path, c.name) for c in facts.configs] == [
        ("apps/a/wrangler.toml", "tracked"), ("apps/b/wrangler.toml", "kept"),
        ("apps/c/wrangler.toml", "kept")]
    assert [w.path for w in facts.workflows] == [".github/workflows/deploy.yml"]
    assert [(p.variable, p.location.path) for p in facts.providers] == [
        ("CART_STORE_PROVIDER", "apps/a/src/store.ts")]
    assert [c.missing_entries for c in facts.configs] == [(), (), ("apps/c/a.ts",)]
    assert facts.problems == ()


def test_tracked_files_a_gitignore_matches_in_a_submodule_or_named_oddly(
        tmp_path: Path, make_repo: MakeRepo, commit_all: Callable[[Path], None]) -> None:
    """QA s33a: a submodule's files, a file named `-` (ripgrep reads `-` as stdin) and a
    name that is not UTF-8, each tracked and ignored, as if none were ignored."""
    (tmp_path / "module").mkdir()
    module = make_repo(tmp_path / "module", {"shop/wrangler.toml": 'name = "shop"\n',
                                             "shop/src/store.ts": ONE_LINE_IF})
    commit_all(module)
    repo = make_repo(tmp_path, {"README.md": "x\n", "-": ONE_LINE_IF.replace("CART_", "DASH_")})
    odd = os.fsencode(repo) + b"/caf\xe9.ts"
    with open(odd, "w", encoding="utf-8") as file:
        file.write("export {};\n")
    commit_all(repo)
    subprocess.run(["git", "-c", "protocol.file.allow=always", "submodule", "add", "-q",
                    str(module), "mod"], cwd=repo, check=True, capture_output=True)
    (repo / ".gitignore").write_text("wrangler.toml\nstore.ts\n-\n*.ts\n", encoding="utf-8")
    from auditlib.config import Probe

    facts = collect(repo, [Probe(name="dash", regex="DASH_STORE", groups=(), globs=("*",))])
    assert [c.path for c in facts.configs] == ["mod/shop/wrangler.toml"]
    assert [p.location.path for p in facts.providers] == ["mod/shop/src/store.ts"]
    assert [m.location.path for m in facts.extra] == ["-"]
    assert [(p.location.path, p.message) for p in facts.problems] == [
        ("caf\ufffd.ts", "file name is not UTF-8: not read")]


def test_a_config_that_is_a_link_is_read_where_it_is(tmp_path: Path, make_repo: MakeRepo) -> None:
    """wrangler reads a config through a link, and finds `main` from the link's folder (QA
    s28b P1-3: passed over without a word). A link out of the repository, or broken, is
    reported as before; one in a folder of tests is no app's."""
    repo = make_repo(tmp_path, {
        "apps/a/wrangler.toml": 'name = "a"\nmain = "src/index.ts"\n',
        "apps/a/src/index.ts": "export default {};\n",
        "shared/worker.toml": 'name = "shared"\nmain = "src/index.ts"\n',
        "apps/c/src/index.ts": "export default {};\n",
        "outside.toml": 'name = "outside"\n',
    })
    links = {"apps/b/wrangler.toml": "../a/wrangler.toml", "apps/c/wrangler.toml":
             "../../shared/worker.toml", "apps/d/wrangler.toml": str(tmp_path / "outside.toml"),
             "apps/e/wrangler.toml": "missing.toml", "test/wrangler.toml": "../shared/worker.toml"}
    for link, target in links.items():
        (repo / link).parent.mkdir(parents=True, exist_ok=True)
        (repo / link).symlink_to(target)
    (tmp_path / "outside.toml").write_text('name = "outside"\n', encoding="utf-8")
    facts = collect(repo)
    assert [(c.path, c.name, c.missing_entries) for c in facts.configs] == [
        ("apps/a/wrangler.toml", "a", ()), ("apps/b/wrangler.toml", "a", ("apps/b/src/index.ts",)),
        ("apps/c/wrangler.toml", "shared", ())]
    assert [(p.location.path, p.message) for p in facts.problems] == [
        ("apps/d/wrangler.toml", "symbolic link to outside the repository: not followed"),
        ("apps/e/wrangler.toml", "broken symbolic link to missing.toml")]


def test_tracked_files_a_gitignore_matches_are_searched_in_passes_of_short_command_lines(
        tmp_path: Path, make_repo: MakeRepo, commit_all: Callable[[Path], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ripgrep is given them by name, so they are cut into command lines that any system
    takes (300 paths of 80 characters: two passes); one not of the globs is not searched."""
    folder = "generated/" + "g" * 60
    code = {f"{folder}/module-{n:03}.ts": "export const FOUND = 1;\n" for n in range(300)}
    repo = make_repo(tmp_path, {**code, f"{folder}/notes.md": "FOUND\n",
                                f"{folder}/binary.ts": "FOUND\n\0FOUND\n"})
    commit_all(repo)
    (repo / ".gitignore").write_text("generated/\n")
    files, _odd, tracked = repofiles.start_listing(repo)()
    assert tracked == sorted([*code, f"{folder}/binary.ts", f"{folder}/notes.md"])
    assert files == sorted([".gitignore", *tracked])
    monkeypatch.setattr(repofiles, "NAMED_CHARS", 16_000)  # as on Windows
    started: list[list[str]] = []
    ripgrep = repofiles._Ripgrep
    monkeypatch.setattr(repofiles, "_Ripgrep", lambda args, repo: started.append(args) or ripgrep(
        args, repo))
    searching = repofiles.search(repo, ["FOUND"], ("*.ts",))
    searching.also(tracked)
    found = [path for path, _line, _text in searching]
    # 87 characters a path (`./` before it), about 16,000 a command line
    assert [len(args[args.index("--") + 1:]) for args in started[1:]] == [184, 117]
    assert sorted(set(found)) == sorted([*code, f"{folder}/binary.ts"])
    assert [(path, line) for path, line, _why in searching.problems] == [
        (f"{folder}/binary.ts", 2)]


def test_placement_search_finds_what_ripgrep_finds(tmp_path: Path, make_repo: MakeRepo) -> None:
    """The placement search reads the configs already read: it must agree with ripgrep."""
    from auditlib import codesearch, repofiles

    repo = make_repo(tmp_path, {
        "apps/a/wrangler.toml": 'name = "a"\n[placement]\nmode = "smart"\n',
        "apps/b/wrangler.jsonc": '{\n  // placement: none\n  "placement": {"mode": "smart"},\n'
                                 '  "name": "b"\r\n}\n',
        "apps/c/wrangler.toml": '# placement = later\nname = "c" # no placement yet\n',
        "apps/d/wrangler.json": '{"name": "d", "notes": "placement is next"}',
        "apps/e/wrangler.jsonc": '{"main": "src/index.ts", "placement": {"mode": "smart"}}'
                                 ' // placement: smart',
        "apps/f/wrangler.jsonc": '{"main": "src/index.ts"} // placement: later',
        "docs/placement.md": "placement\n",
    })
    facts = collect(repo)
    patterns, globs = codesearch.SEARCHES["placement"]
    by_ripgrep = sorted((path, line, text.strip())
                        for path, line, text in repofiles.search(repo, patterns, globs))
    found = facts.searches["placement"].matches
    assert [(m.location.path, m.location.start_line, m.text) for m in found] == by_ripgrep
    # the [placement] table, the "placement" key, d's notes, e's key after a path (not f's
    # comment)
    assert len(by_ripgrep) == 4


def test_configured_probes_search_tests_where_built_in_ones_do_not(tmp_path: Path,
                                                                   make_repo: MakeRepo) -> None:
    from auditlib.config import Probe

    code = "export const flag = flags.beta;\nenv.METRICS.writeDataPoint({});\n"
    repo = make_repo(tmp_path, {"test/cart.ts": code, "src/cart.ts": code})
    facts = collect(repo, [Probe(name="flags", regex=r"flags\.(\w+)", groups=("flag",))])
    assert [str(m.location) for m in facts.extra] == ["src/cart.ts:1", "test/cart.ts:1"]
    assert [str(m.location) for m in facts.metrics] == ["src/cart.ts:2"]
    facts = collect(repo)  # built-in probes only: ripgrep itself leaves the tests out
    assert [str(m.location) for m in facts.metrics] == ["src/cart.ts:2"]


def test_lines_ripgrep_matched_that_no_probe_matches_in_python_are_a_problem(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """`\\<` is a word boundary to ripgrep, a literal `<` to Python: the settings refuse it,
    and were one to get through, what ripgrep found is not dropped in silence."""
    from auditlib.config import Probe

    code = 'const a = fetch("/a");\nconst b = fetch("/b");\n'
    repo = make_repo(tmp_path, {"src/a.ts": code, "src/b.ts": code,
                                "test/cart.ts": "env.METRICS.writeDataPoint({});\n"})
    facts = collect(repo, [Probe(name="fetch", regex=r"\<fetch\>", groups=())])
    assert facts.extra == ()
    assert [(str(p.location), p.message) for p in facts.problems] == [(
        "src/a.ts:1", "ripgrep matched this line and 3 more lines, but Python's re matches no"
                      " probe's regex there: the two read a probe's regex differently, and the"
                      " probe misses these lines")]
    # A built-in probe's line in a test file, where only the configured probe looks: no problem.
    facts = collect(repo, [Probe(name="fetch", regex=r"\bfetch\b", groups=())])
    assert (len(facts.extra), facts.problems) == (4, ())
    # A CRLF line whose `\r` ripgrep's `\s` matched: the engines agree, on another text.
    (repo / "src/c.ts").write_bytes(b"export {}\r\nconst c = 1;\r\n")
    facts = collect(repo, [Probe(name="fetch", regex=r"\bfetch\b", groups=()),
                           Probe(name="trailing", regex=r"\s+$", groups=())])
    assert facts.problems == ()


def test_a_long_link_in_a_summary_is_read_as_its_text() -> None:
    """Dashboard links carry long query strings; a summary shows the link's text."""
    from auditlib.docs import read_document

    url = "https://grafana.example.com/d/edge?" + "&".join(f"var-w{n}=app-{n}" for n in range(60))
    document = read_document("docs/a.md", f"Type: Runbook\nStatus: Active\n\n# A\n\nOpen the"
                                          f" [edge latency dashboard]({url}) first.\n")
    assert document.summary == "Open the edge latency dashboard first."
    document = read_document("docs/a.md", "Type: Runbook\nStatus: Active\n\n# A\n\nSee the"
                                          " [Queue (Wikipedia)](https://en.wikipedia.org/wiki/"
                                          "Queue_(abstract_data_type)) article.\n")
    assert document.summary == "See the Queue (Wikipedia) article."


@pytest.mark.parametrize("separator", ["\f", "\u2028", "\x85"])
def test_a_document_s_lines_end_where_commonmark_ends_them(separator: str) -> None:
    """A form feed or U+2028 in a title is no line break: the next line is no summary."""
    from auditlib.docs import read_document

    document = read_document("docs/a.md", f"Type: Runbook\nStatus: Active\n\n# Cart{separator}runbook"
                                          "\n\nRestart the cart first. Then check.\n")
    assert (document.title, document.summary) == (f"Cart{separator}runbook", "Restart the cart first.")


DEPLOY_PROD = """on: push
jobs:
  api:
    runs-on: ubuntu-latest
    steps:
      - uses: cloudflare/wrangler-action@v3
        with:
          workingDirectory: apps/api
          command: deploy --config wrangler.prod.jsonc
      - run: npx wrangler deploy -c apps/web/wrangler.toml
      - run: npx wrangler deploy --config apps/gone/wrangler.prod.toml
"""


def test_a_config_a_deploy_names_is_read_whatever_its_name(tmp_path: Path, make_repo: MakeRepo) -> None:
    """wrangler deploys the file `--config` names: the audit reads it too, once, if it is in
    the repository."""
    repo = make_repo(tmp_path, {
        ".github/workflows/deploy.yml": DEPLOY_PROD,
        "apps/api/wrangler.jsonc": '{ "name": "api-dev", "main": "src/index.ts" }',
        "apps/api/wrangler.prod.jsonc": '{\n  "name": "api",\n  "main": "src/index.ts",\n'
                                        '  "kv_namespaces": [{ "binding": "KV", "id": "REPLACE_ME" }]\n}\n',
        "apps/web/wrangler.toml": 'name = "web"\nmain = "src/index.ts"\n',
        "apps/web/wrangler.staging.toml": 'name = "web-staging"\nmain = "src/index.ts"\n'})
    facts = collect(repo)
    assert sorted(c.path for c in facts.configs) == [
        "apps/api/wrangler.jsonc", "apps/api/wrangler.prod.jsonc", "apps/web/wrangler.toml"]
    assert not facts.problems
    found = [(f.rule, f.location.path, f.location.start_line) for f in evaluate(facts, config=DEFAULT_CONFIG)
             if f.rule in ("CF001", "CF015")]
    assert found == [("CF001", "apps/api/wrangler.prod.jsonc", 4),
                     ("CF015", ".github/workflows/deploy.yml", 11),  # apps/gone/…: wrangler fails
                     ("CF015", "apps/api/wrangler.jsonc", None)]


def test_the_commit_audited_is_the_work_tree_roots_head(
        tmp_path: Path, make_repo: MakeRepo, commit_all: Callable[[Path], None]) -> None:
    """A folder inside a work tree is no commit of its own (the bundled example is none of
    auditlib's); outside git there is none."""
    repo = make_repo(tmp_path, {"wrangler.toml": WORKER, "apps/api/wrangler.toml": WORKER})
    assert collect(repo).commit is None
    commit_all(repo)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    audit = auditlib.run_audit(repo, "2026-11-28")
    assert audit.facts.commit == head and json.loads(audit.to_json())["commit"] == head
    # Not in the document: committing it would change it again, on every publication.
    assert head not in audit.markdown() and head[:12] not in audit.markdown()
    assert collect(repo / "apps" / "api").commit is None
    (repo / "apps" / "api" / "wrangler.toml").write_text(WORKER + "# changed\n", encoding="utf-8")
    (repo / "new" / "in").mkdir(parents=True)
    (repo / "new" / "in" / "a.md").write_text("x\n", encoding="utf-8")  # git shows `new/` alone
    subprocess.run(["git", "mv", "wrangler.toml", "moved.toml"], cwd=repo, check=True)
    assert sorted(repofiles.uncommitted(repo)) == [
        "apps/api/wrangler.toml", "moved.toml", "new/in/a.md"]
    assert repofiles.uncommitted(repo / "apps") == ["api/wrangler.toml"]  # a folder's own
    assert repofiles.uncommitted(tmp_path) == []  # outside the work tree



@pytest.mark.parametrize(("glob", "expected"), [
    ("apps/*", ["apps/*"]),
    ("{apps,services}/*", ["apps/*", "services/*"]),
    ("{a,{b,c}}/{x,y}", ["a/x", "a/y", "b/x", "b/y", "a/x", "a/y", "c/x", "c/y"]),
    ("{}/x{a}", ["/xa"]),
])
def test_workspace_braces_expand_in_order(glob: str, expected: list[str]) -> None:
    assert _braces(glob) == expected


def test_workspace_braces_stop_at_max_braces() -> None:
    glob = "p" + "{a,b}" * 30  # 2**30 expansions
    found = _braces(glob)
    assert len(found) == MAX_BRACES
    assert found[:3] == ["p" + "a" * 30, "p" + "a" * 29 + "b", "p" + "a" * 28 + "ba"]
    assert _braces("{a}" * 5_000) == ["a" * 5_000]  # no recursion


@pytest.mark.parametrize("folder", ["apps/web", "apps", "apps/web/x", "packages/p1", "packages/p10",
                                    "packages/p1/x", "tools/[x]", "tools/x", "", "p?"])
def test_a_workspace_folder_matches_as_glob_match_says(folder: str) -> None:
    patterns = ["apps/*", "packages/p1", "tools/[x]", "p?", "packages/p1/**"]
    assert _folder_matcher(patterns)(folder) == any(
        glob_match(pattern, folder) for pattern in patterns)
