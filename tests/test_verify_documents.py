"""`verify` on documents as people write them: no drift reported where the claim holds,
drift reported where it does not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from auditlib import api, cli
from auditlib.docs import GENERATED_MARKER

if TYPE_CHECKING:
    from conftest import MakeRepo

DATE = "2026-11-27"
HEADER = "Type: Architecture\nStatus: Active\nDomain: Platform\nLast-reviewed: 2026-11-01\n\n"
TWENTY = "".join(f"line {n}\n" for n in range(1, 21))  # a file of 20 lines
CHECK = "if (!id) {\n  throw new Error('no id');\n}\n"  # written twice in HANDLERS
HANDLERS = CHECK + "\n" * 6 + CHECK + "\n" * 3 + "export {};\n"  # the second at lines 10-12
WORKER = 'name = "w"\nmain = "src/index.ts"\n'
TABBED = '{\n\t"name": "w",\n\t"kv_namespaces": [\n\t\t{ "binding": "CACHE_KV", "id": "0123" }\n\t]\n}\n'
COMMENTED = (WORKER + '\n# Cache for rendered pages\n[[kv_namespaces]]\n'
             'binding = "CACHE_KV"  # src/cache.ts\nid = "0123"\n')
DEPLOY_SECRETS = """on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "${{ secrets.OAUTH_CLIENT_ID }}" | npx wrangler secret put OAUTH_CLIENT_ID
          echo '{"SENTRY_DSN": "${{ secrets.SENTRY_DSN }}"}' | npx wrangler secret bulk
"""
ACTION_SECRETS = """on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$HOST" | npx wrangler secret put --env production DATABASE_HOST
      - run: echo "$HOST" | npx wrangler secret put --env ${{ inputs.environment }} API_HOST
      - run: echo "$HOST" | npx wrangler secret put -e "my env" --config 'a b.toml' SMTP_HOST
      - run: |
          echo "$HOST" | npx wrangler secret put \\
            --env production \\
            QUEUE_HOST
          echo "$HOST" | npx wrangler secret put "CACHE_HOST"
      - uses: cloudflare/wrangler-action@v3
        with:
          apiToken: ${{ secrets.CLOUDFLARE_API_TOKEN }}
          secrets: |
            POSTHOG_HOST
            MAILER_FROM
        env:
          POSTHOG_HOST: ${{ secrets.POSTHOG_HOST }}
          MAILER_FROM: ${{ secrets.MAILER_FROM }}
"""
ENV_PLACED = '[env.production]\n[env.production.placement]\nmode = "smart"\n'


def drift(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str], body: str,
          doc: str = "docs/a.md") -> list[tuple[str, int | None, str]]:
    """(rule, line, message) of each drift finding of `doc`, whose body starts at line 8."""
    repo = make_repo(tmp_path, {**files, doc: HEADER + "# A\n\n" + body + "\n"})
    return [(f.rule, f.location.start_line, f.message)
            for f in api.verify(repo, [doc], audit_date=DATE).findings if f.rule.startswith("DR")]


@pytest.mark.parametrize(("files", "body"), [
    pytest.param({"packages/cli/build/index.ts": TWENTY, "src/coverage/report.py": TWENTY},
                 "[b](../packages/cli/build/index.ts#L10-L20) and `src/coverage/report.py:12`",
                 id="files-in-folders-named-like-build-output"),
    pytest.param({"src/handlers.ts": HANDLERS},
                 "`./src/handlers.ts:10-12`, `/src/handlers.ts:2` and `../src/handlers.ts:13`",
                 id="citations-with-a-path-prefix"),
    pytest.param({}, "Reach `api.example.com:443`, `redis.svc:6379` and kube-dns.svc.cluster.local:53.",
                 id="hosts-and-ports"),
    pytest.param({"src/handlers.ts": HANDLERS},
                 "```ts\n// src/handlers.ts:10-12\n" + CHECK + "```", id="the-same-code-twice"),
    pytest.param({"src/handlers.ts": HANDLERS},
                 "```ts\n// src/handlers.ts:1-16\nif (!id) {\n  // ...\n}\n...\nexport {};\n```",
                 id="a-snippet-that-leaves-lines-out"),
    pytest.param({"src/handlers.ts": HANDLERS}, "```ts\n// src/handlers.ts:10-15\n" + CHECK + "```",
                 id="a-snippet-cited-with-the-blank-lines-after-it"),
    pytest.param({"src/a.ts": TWENTY}, "```ts\n// a.ts:2-10\nline 2\n// ...\n```\n\n"
                 "```ts\n// a.ts:4\nline 4\nline 5\n```", id="a-snippet-whose-end-is-open"),
    pytest.param({"src/a.ts": TWENTY}, "See `a.ts:1-5,12,18-20`.", id="a-citation-of-several-ranges"),
    pytest.param({"src/a.ts": TWENTY}, "[handler](../src/a.ts#L10-L20) (11 lines)",
                 id="a-line-count-after-a-range"),
    pytest.param({"wrangler.toml": WORKER},
                 "## Current `wrangler.toml` (root)\n\n```toml\n" + WORKER + "```",
                 id="config-block-heading-in-backticks"),
    pytest.param({"src/a.py": TWENTY}, "| id | Condition |\n|---|---|\n| `reserved-action` | x |\n\n"
                 "| Class | Variable |\n|---|---|\n| `UserService` | `DATABASE_URL` |\n\n`POSTGRES_DB`",
                 id="tables-in-a-repository-without-wrangler-configs"),
    pytest.param({"wrangler.toml": WORKER + '[vars]\nMODE = "x"\n'},
                 "| Variable |\n|---|\n| `MODE` |\n| `STRIPE_SECRET_KEY` |", id="a-secret-is-no-var"),
    pytest.param({"wrangler.toml": WORKER + '[placement]\nmode = "smart"\n'},
                 "Smart Placement is configured, but observability is not enabled yet.",
                 id="a-clause-about-something-else"),
    pytest.param({"wrangler.toml": WORKER + ENV_PLACED},
                 "Smart Placement is not configured in `wrangler.toml`, only in its environment.",
                 id="a-named-config-concerns-its-top-level"),
    pytest.param({"wrangler.toml": WORKER + '[placement]\nmode = "smart"\n' + ENV_PLACED.replace(
        '"smart"', '"off"')}, "Smart Placement is not configured in `wrangler.toml:6`.",
                 id="a-config-line-concerns-its-environment"),
    pytest.param({"apps/api/wrangler.toml": WORKER},
                 "| App | Evidence |\n|---|---|\n| api | `wrangler.toml` |\n"
                 "| api | `apps/api/wrangler.toml` |", id="evidence-that-is-there"),
    pytest.param({}, "| Layer | Source |\n|---|---|\n| Frontend | `Next.js` |\n"
                 "| CDN | `cdn.example.com/app.js` |", id="libraries-and-hosts-are-no-files"),
    pytest.param({"wrangler.toml": WORKER}, "| Binding | Kind |\n|---|---|\n"
                 "| `STRIPE_SECRET_KEY` | secret |", id="a-secret-binding"),
    pytest.param({"src/a.ts": TWENTY}, "**Verified in CI:** `src/a.ts` (20 lines) and `./src/a.ts`;"
                 " not `/etc/hosts.txt`, `~/.wrangler/config.toml`,"
                 " `node_modules/wrangler/config-schema.json`, `a.ts` or `cdn.example.com/app.js`.",
                 id="paths-in-prose-that-are-there-or-are-not-the-repository-s"),
    pytest.param({"wrangler.jsonc": TABBED}, "## Current wrangler.jsonc (root)\n\n```jsonc\n"
                 + TABBED.replace("\t", "  ") + "```", id="a-quoted-config-indented-otherwise"),
    pytest.param({"wrangler.toml": COMMENTED}, "## Current wrangler.toml (root)\n\n```toml\n"
                 'main = "src/index.ts"\nname = "w"\n[[kv_namespaces]]\nid = "0123"\n'
                 'binding = "CACHE_KV"\n```',
                 id="a-quoted-config-without-comments-in-another-order"),
    pytest.param({"wrangler.jsonc": TABBED.replace('"w",', '"w"')},  # unreadable: line by line
                 "## Current wrangler.jsonc (root)\n\n```jsonc\n"
                 + TABBED.replace('"w",', '"w"').replace("\t", "    ") + "```",
                 id="an-unreadable-quoted-config-indented-otherwise"),
    pytest.param({"wrangler.toml": WORKER + '[vars]\nMODE = "x"\n'},
                 "| Variable | Method |\n|---|---|\n| `MODE` | `[vars]` |\n"
                 "| `GITHUB_CLIENT_ID` | `wrangler secret put` |", id="a-row-that-says-secret-put"),
    pytest.param({"wrangler.toml": WORKER + "# Secrets: npx wrangler secret put GITHUB_CLIENT_ID\n",
                  ".github/workflows/deploy.yml": DEPLOY_SECRETS},
                 "| Variable |\n|---|\n| `GITHUB_CLIENT_ID` |\n| `OAUTH_CLIENT_ID` |\n| `SENTRY_DSN` |",
                 id="secrets-the-config-or-a-workflow-puts"),
    pytest.param({"wrangler.toml": WORKER, ".github/workflows/deploy.yml": ACTION_SECRETS},
                 "| Variable |\n|---|\n| `DATABASE_HOST` |\n| `POSTHOG_HOST` |\n| `MAILER_FROM` |\n"
                 "| `API_HOST` |\n| `SMTP_HOST` |\n| `QUEUE_HOST` |\n| `CACHE_HOST` |",
                 # QA s26c #8: a value with spaces; s26d #5: a continued line, a quoted name
                 id="secrets-put-with-options-or-uploaded-by-the-wrangler-action"),
])
def test_claims_that_hold(tmp_path: Path, make_repo: MakeRepo, files: dict[str, str],
                          body: str) -> None:
    assert drift(tmp_path, make_repo, files, body) == []


def test_a_binding_on_a_line_that_says_secret_put_is_still_checked(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Only a name that is no resource's is taken for a secret there (QA s25f)."""
    body = "The Worker reads `USERS_KV` and `API_KEY`; set the key with `wrangler secret put API_KEY`."
    assert [(rule, message.split(" is named")[0]) for rule, _line, message in drift(
        tmp_path, make_repo, {"wrangler.toml": WORKER}, body)] == [("DR009", "`USERS_KV`")]


def test_a_citation_of_a_link_beside_the_document(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"src/a.ts": TWENTY})
    (repo / "docs").mkdir()
    (repo / "docs" / "alink.ts").symlink_to("../src/a.ts")
    assert drift(tmp_path, make_repo, {}, "`alink.ts:1-20` and `alink.ts:30`") == [
        ("DR005", 8, "alink.ts:30 cites lines 30-30, but `docs/alink.ts` has 20 lines")]


def test_an_app_s_citation_is_of_its_own_file_when_the_root_has_one_too(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"src/index.ts": TWENTY * 6, "apps/api/src/index.ts": "a\nb\nc\n"}
    body = "`src/index.ts:80-110` and [index](src/index.ts#L80-L110)"
    message = "cites lines 80-110, but `apps/api/src/index.ts` has 3 lines"
    assert drift(tmp_path, make_repo, files, body, doc="apps/api/CLAUDE.md") == [
        ("DR005", 8, f"[index](src/index.ts#L80-L110) {message}"),
        ("DR005", 8, f"src/index.ts:80-110 {message}")]


def test_a_committed_file_that_git_ignores_exists(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {".gitignore": ".env*\n", ".env.example": "A=1\n",
                                "docs/a.md": HEADER + "# A\n\n[x](../.env.example)\n"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-f", ".env.example"], check=True)
    assert [f.rule for f in api.verify(repo, ["docs/a.md"], audit_date=DATE).findings] == []


IGNORED = {".gitignore": ".dev.vars\ndist/\nnode_modules/\n", ".dev.vars": "A=1\n",
           "dist/worker.js": TWENTY, "node_modules/x/index.js": TWENTY, "build/index.js": TWENTY,
           "src/a.ts": TWENTY}
LOCAL = "exists only on this machine: it is git-ignored, so the repository does not have it"


def test_a_git_that_cannot_answer_reports_no_ignored_file(tmp_path: Path, make_repo: MakeRepo,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`git ls-files` refusing the checkout (its owner is another user, as in many CI
    containers) cannot tell a committed file from an ignored one."""
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'fatal: detected dubious ownership in repository' >&2\n"
                    "exit 128\n", encoding="utf-8")
    fake.chmod(0o755)
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *args: str(fake) if name == "git"
                        else which(name, *args))
    body = "[v](../.dev.vars) and [w](../dist/worker.js#L2-L3)"
    assert [found for found in drift(tmp_path, make_repo, IGNORED, body)
            if found[0] == "DR004"] == []


@pytest.mark.parametrize("git", [False, True], ids=["without-git", "in-a-git-checkout"])
def test_a_link_to_a_git_ignored_file_is_broken(tmp_path: Path, make_repo: MakeRepo,
                                                git: bool) -> None:
    """GitHub has no git-ignored file; folders, files in build-named folders that are not
    ignored, and symbolic links are left out of the listing for other reasons."""
    repo = make_repo(tmp_path, IGNORED)
    (repo / "docs").mkdir()
    (repo / "docs" / "alink.ts").symlink_to("../src/a.ts")
    if git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    body = ("[v](../.dev.vars), [w](../dist/worker.js#L2-L3) and [d](../dist/)\n\n"
            "| Part | Evidence |\n|---|---|\n| deps | `node_modules/x/index.js` |\n\n"
            "[b](../build/index.js), [l](alink.ts), [s](/src/a.ts#L1)")
    assert [found for found in drift(tmp_path, make_repo, IGNORED, body) if found[0] == "DR004"] == [
        ("DR004", 8, f"[v](../.dev.vars): `.dev.vars` {LOCAL}"),
        ("DR004", 8, f"[w](../dist/worker.js#L2-L3): `dist/worker.js` {LOCAL}"),
        ("DR004", 12, f"`node_modules/x/index.js` (evidence column): `node_modules/x/index.js`"
                      f" {LOCAL}")]


@pytest.mark.parametrize(("gitignore", "expected"), [
    pytest.param("", [], id="not-ignored"),
    pytest.param("dist/\n", [("DR004", 8, f"[i](../dist/[id]:x.ts): `dist/[id]:x.ts` {LOCAL}")],
                 id="ignored"),
])
def test_a_file_name_that_reads_as_a_glob(tmp_path: Path, make_repo: MakeRepo, gitignore: str,
                                          expected: list[tuple[str, int, str]]) -> None:
    files = {".gitignore": gitignore, "dist/[id]:x.ts": TWENTY}
    assert drift(tmp_path, make_repo, files, "[i](<../dist/[id]:x.ts>)") == expected


def test_a_one_line_file_has_one_line(tmp_path: Path, make_repo: MakeRepo) -> None:
    assert drift(tmp_path, make_repo, {"src/a.ts": "export {}\n"}, "`a.ts:1-3` and `a.ts:5-4`") == [
        ("DR005", 8, "a.ts:1-3 cites lines 1-3, but `src/a.ts` has 1 line"),
        ("DR005", 8, "a.ts:5-4 cites lines 5-4: the range is reversed, and starts past the end"
                     " of `src/a.ts` (1 line)")]


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("## The store: [store](../src/missing.ts#L10) and `a.ts:99`",
                 [("DR004", 8, "[store](../src/missing.ts#L10): `src/missing.ts` does not exist"),
                  ("DR005", 8, "a.ts:99 cites lines 99-99, but `src/a.ts` has 20 lines")],
                 id="in-a-heading"),
    pytest.param("[cols](../src/a.ts#L10C5-L30C3) and [short](../src/a.ts#L21-31)",
                 [("DR005", 8, "[cols](../src/a.ts#L10C5-L30C3) cites lines 10-30, but"
                               " `src/a.ts` has 20 lines"),
                  ("DR005", 8, "[short](../src/a.ts#L21-31) cites lines 21-31, but `src/a.ts`"
                               " has 20 lines")], id="github-anchor-forms"),
    pytest.param("`a.ts:0`", [("DR005", 8, "a.ts:0 cites line 0: lines are numbered from 1")],
                 id="line-zero"),
    pytest.param("| App | Evidence |\n|---|---|\n| legacy | `apps/legacy/wrangler.toml` |",
                 [("DR004", 10, "`apps/legacy/wrangler.toml` (evidence column):"
                                " `apps/legacy/wrangler.toml` does not exist")],
                 id="evidence-that-is-gone"),
    pytest.param("| App | Evidence |\n|---|---|\n| ci | `.github/workflows/deploy.yml` |\n"
                 "| x | `gone.ts` |",
                 [("DR004", 10, "`.github/workflows/deploy.yml` (evidence column):"
                                " `.github/workflows/deploy.yml` does not exist"),
                  ("DR004", 11, "`gone.ts` (evidence column): `gone.ts` does not exist")],
                 id="evidence-in-a-dot-folder-or-by-name"),
    pytest.param("`a.ts:1-5,18-25`", [("DR005", 8, "a.ts:18-25 cites lines 18-25, but `src/a.ts`"
                                                   " has 20 lines")], id="a-second-range"),
    pytest.param("```ts\n// a.ts:1-20\nline 1\n...\nline 99\n```",
                 [("DR007", 9, "the snippet `// a.ts:1-20` is no longer in `src/a.ts`")],
                 id="an-elided-snippet-whose-end-changed"),
    pytest.param("```ts\n// a.ts:2-99\nline 2\nline 3\n```",
                 [("DR007", 9, "the snippet `// a.ts:2-99` cites lines 2-99, but `src/a.ts` has 20"
                               " lines; the quoted code is at lines 2-3")], id="a-snippet-past-the-end"),
    pytest.param("```ts\n// a.ts:2-5\nline 2\n...\nline 9\n```",
                 [("DR007", 9, "the snippet `// a.ts:2-5` is now at lines 2-9 of `src/a.ts`")],
                 id="a-snippet-whose-left-out-lines-grew"),
    pytest.param("```ts\n// a.ts:1-3\nline 3\n...\nline 9\n```",
                 [("DR007", 9, "the snippet `// a.ts:1-3` is now at lines 3-9 of `src/a.ts`")],
                 id="a-snippet-that-moved-and-grew"),
    pytest.param("```ts\n// a.ts:2-7\nline 2\nline 3\n```",
                 [("DR007", 9, "the snippet `// a.ts:2-7` is now at lines 2-3 of `src/a.ts`")],
                 id="a-snippet-cited-past-its-code"),
    pytest.param("[x](../src/a%00.ts)", [("DR004", 8, "[x](../src/a%00.ts): `src/a%00.ts` does"
                                                      " not exist")], id="a-nul-in-a-link"),
    pytest.param("Create `apps/my-app/wrangler.toml`; `coverage/lcov-report/index.html` is built.\n\n"
                 "- `src/a.ts` (999 lines)",
                 [("DR006", 10, "claims `src/a.ts` has 999 lines; it has 20")],
                 id="a-line-count-after-a-path-in-prose-not-a-path-to-create"),
])
def test_drift_that_is_reported(tmp_path: Path, make_repo: MakeRepo, body: str,
                                expected: list[tuple[str, int, str]]) -> None:
    found = drift(tmp_path, make_repo, {"src/a.ts": TWENTY}, body)
    assert [(rule, line, message) for rule, line, message in found if rule != "DR003"] == expected


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("`a.ts:1-500`", [("DR005", 8, "a.ts:1-500 cites lines 1-500, but none of the 2 files"
                                              " of that name has them: `lib/a.ts` has 20, `src/a.ts`"
                                              " has 20")], id="a-range-no-file-of-that-name-has"),
    pytest.param("`a.ts:18-20` and `a.ts:22`", [("DR005", 8, "a.ts:22 cites lines 22-22, but none"
                                                            " of the 2 files of that name has them:"
                                                            " `lib/a.ts` has 20, `src/a.ts` has 20")],
                 id="one-range-fits"),
    pytest.param("```ts\n// a.ts:1-2\nline 1\nline 2\n```", [], id="a-snippet-one-of-them-holds"),
    pytest.param("```ts\n// a.ts:1-2\nline 1\nline 99\n```",
                 [("DR007", 9, "the snippet `// a.ts:1-2` is in none of the 2 files of that name")],
                 id="a-snippet-none-of-them-holds"),
])
def test_a_name_that_several_files_have(tmp_path: Path, make_repo: MakeRepo, body: str,
                                        expected: list[tuple[str, int, str]]) -> None:
    """Which file an unlinked `a.ts` means is not known: what none of them holds is drift."""
    found = drift(tmp_path, make_repo, {"src/a.ts": TWENTY, "lib/a.ts": TWENTY}, body)
    assert [(rule, line, message) for rule, line, message in found if rule != "DR003"] == expected


BUDGETS = ("# Budgets\n\n## Smart Placement (v2)\n\n## `wrangler.toml` limits\n\n## Latency\n\n"
           "## Latency\n\n<a name=\"p99\"></a>\n\n<h2 id=\"p50\">P50</h2>\n")


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("[a](b.md#smart-placement-v2), [b](b.md#wranglertoml-limits), [c](b.md#latency-1),"
                 " [d](b.md#p99), [e](b.md#Latency), [f](#a), [g](b.md), [h](b.md#L2),"
                 " [i](b.md#p50), [j](b.md#user-content-latency)", [],
                 id="headings-that-are-there"),
    pytest.param("[x](b.md#latency-2) and [y](#gaps)",
                 [("DR004", 8, "[y](#gaps): `docs/a.md` has no heading `#gaps`"),
                  ("DR004", 8, "[x](b.md#latency-2): `docs/b.md` has no heading `#latency-2`")],
                 id="headings-that-are-not"),
])
def test_links_to_headings(tmp_path: Path, make_repo: MakeRepo, body: str,
                           expected: list[tuple[str, int, str]]) -> None:
    found = drift(tmp_path, make_repo, {"docs/b.md": BUDGETS}, body)
    assert [(rule, line, message) for rule, line, message in found if rule == "DR004"] == expected


def test_placement_in_an_environment_and_a_list_cut_short(tmp_path: Path,
                                                          make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + ENV_PLACED,
             "apps/a/wrangler.toml": WORKER + '[placement]\nmode = "smart"\n'}
    body = ("Smart Placement is not configured in any wrangler.toml.\n\n| Gap | Status |\n|---|---|\n"
            "| **No Smart Placement** | Not configured (2): `wrangler.toml` and 1 more \\[[see](#a)\\] |")
    assert [f for f in drift(tmp_path, make_repo, files, body) if f[0] != "DR003"] == [
        ("DR010", 8, "says \"Smart Placement is not configured in any wrangler.toml.\", but"
                     " [placement] is configured in `apps/a/wrangler.toml:3`, `wrangler.toml:4`"
                     " (env `production`)"),
        ("DR010", 12, "says \"No Smart Placement | Not configured (2): `wrangler.toml` and 1 more"
                      " [see]\","
                      " 1 more than it names, but no other is without Smart Placement")]


SETTINGS = "; - as quoted, + as in the file)"


@pytest.mark.parametrize(("quote", "shown"), [
    pytest.param('name = "w"\n[vars]\nMODE = "old"\n',
                 f'(3 settings{SETTINGS}: -vars.MODE = "old"; +vars.MODE = "new"; +main = "src/index.ts";'
                 ' +vars.KEEP = "1"', id="changed-values-before-lines-left-out"),
    pytest.param('\n' + WORKER + '\n[vars]\n\nMODE = "old"\nKEEP = "1"\n\n',
                 f'(1 setting{SETTINGS}: -vars.MODE = "old"; +vars.MODE = "new"',
                 id="blank-lines-are-not-shown"),
    pytest.param('main = "src/index.ts"\nname = "w"\n[vars]\n  KEEP = "1"  # kept\n  MODE = "old"\n',
                 f'(1 setting{SETTINGS}: -vars.MODE = "old"; +vars.MODE = "new"',
                 id="only-the-changed-setting-whatever-the-order-indentation-and-comments"),
    pytest.param(WORKER + '[vars]\nMODE = "old"\n...\n',
                 f'(a diff of 4 lines{SETTINGS}: -MODE = "old"; -...; +MODE = "new"; +KEEP = "1"',
                 id="an-unreadable-quote-line-by-line"),
])
def test_a_quoted_config_shows_changed_lines_first(tmp_path: Path, make_repo: MakeRepo,
                                                   quote: str, shown: str) -> None:
    files = {"wrangler.toml": WORKER + '[vars]\nMODE = "new"\nKEEP = "1"\n'}
    body = "## Current wrangler.toml (root)\n\n```toml\n" + quote + "```"
    [message] = [m for rule, _, m in drift(tmp_path, make_repo, files, body) if rule == "DR008"]
    assert message == f"the quoted `wrangler.toml` differs from the file {shown}"


def test_a_quoted_config_line_with_a_form_feed_is_one_line(tmp_path: Path, make_repo: MakeRepo) -> None:
    """A form feed is whitespace in JSONC, not a line break: the diff shows the whole line
    (of a quote that is not JSONC, compared line by line)."""
    config = '{\n  "name": "w",\n  "vars": { "MODE": "%s" } // set by\fthe release\n}\n'
    files = {"wrangler.jsonc": config % "new"}
    body = "## Current wrangler.jsonc (root)\n\n```jsonc\n" + config % "old" + "…\n```"
    [message] = [m for rule, _, m in drift(tmp_path, make_repo, files, body) if rule == "DR008"]
    assert message == ("the quoted `wrangler.jsonc` differs from the file (a diff of 3 lines"
                       f"{SETTINGS}:"
                       ' -"vars": { "MODE": "old" } // set by\fthe release;'
                       ' +"vars": { "MODE": "new" } // set by\fthe release; -…')


def test_a_quoted_config_that_differs_only_in_blank_lines_holds(tmp_path: Path,
                                                               make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '\n[vars]\nMODE = "new"\n'}
    quote = '\n' + WORKER + '\n\n\n[vars]  \nMODE = "new"\n\n'
    body = "## Current wrangler.toml (root)\n\n```toml\n" + quote + "```"
    assert drift(tmp_path, make_repo, files, body) == []


def test_a_first_line_like_a_header_is_no_header_block(
        tmp_path: Path, make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {"docs/adr/0001.md": "Note: migrated from the wiki.\n\n# ADR 1\n",
                                "docs/b.md": HEADER + "# B\n"})
    assert cli.main(["verify", "--repo", str(repo), "--docs", str(repo / "docs"),
                     "--date", DATE]) == 0
    assert "0001.md" not in capsys.readouterr().out


def test_the_generated_document_names_every_binding(tmp_path: Path, make_repo: MakeRepo) -> None:
    import auditlib

    repo = make_repo(tmp_path, {"wrangler.toml": WORKER + '[ai]\nbinding = "AI"\n'
                                '[[hyperdrive]]\nbinding = "HYPERDRIVE"\n'
                                'id = "0e0888a980cd46efa1d28aea3794b3ac"\n'
                                '[assets]\nbinding = "ASSETS"\n[env.staging]\n'
                                '[[env.staging.r2_buckets]]\nbinding = "STAGING_FILES"\n'
                                'bucket_name = "files"\n'})
    (repo / "docs").mkdir()
    # A hand-written copy, read whole (the generated one is read for its keep blocks only).
    markdown = auditlib.run_audit(repo, DATE).markdown().replace(f"{GENERATED_MARKER}\n\n", "")
    (repo / "docs/auto-scaling.md").write_text(markdown, encoding="utf-8")
    found = api.verify(repo, ["docs/auto-scaling.md"], audit_date=DATE).findings
    assert [f.message for f in found if f.rule == "DR009"] == []


def test_a_resource_binding_named_like_a_secret_is_checked(tmp_path: Path,
                                                           make_repo: MakeRepo) -> None:
    found = drift(tmp_path, make_repo, {"wrangler.toml": WORKER},
                  "| Binding | Kind |\n|---|---|\n| `SESSION_TOKEN_KV` | KV |")
    assert [(rule, line) for rule, line, _message in found] == [("DR009", 10)]


# A monorepo of two Workers: the root's and the api's, each with bindings of its own.
ROOT_KV = WORKER + '[[kv_namespaces]]\nbinding = "CART_KV"\nid = "0e0888a980cd46efa1d28aea3794b3ac"\n'
API = ('name = "api"\nmain = "src/index.ts"\n[[r2_buckets]]\nbinding = "FILES"\n'
       'bucket_name = "files"\n[[queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n')
MONOREPO = {"wrangler.toml": ROOT_KV, "apps/api/wrangler.toml": API}
ONE_ROW = "| Binding | Purpose |\n|---|---|\n| `FILES` | uploads |\n"


@pytest.mark.parametrize(("body", "left_out"), [
    pytest.param(ONE_ROW, [], id="a-runbook-of-one-binding-claims-no-config"),
    pytest.param("Covers `apps/api/wrangler.toml`.\n\n" + ONE_ROW, ["JOBS"], id="a-named-config"),
    pytest.param("See [the config](../apps/api/wrangler.toml#L3).\n\n" + ONE_ROW, ["JOBS"],
                 id="a-linked-config"),
    pytest.param("| Binding | Location |\n|---|---|\n| `FILES` | `apps/api/wrangler.toml:4` |\n",
                 ["JOBS"], id="a-config-cited-by-line"),
    pytest.param("Covers `apps/*/wrangler.toml` and `wrangler.toml`.\n\n" + ONE_ROW,
                 ["CART_KV", "JOBS"], id="a-glob-and-the-root"),
    pytest.param("Covers `apps/web/wrangler.toml`.\n\n" + ONE_ROW, [], id="another-app"),
])
def test_a_document_is_asked_only_for_the_bindings_of_the_configs_it_covers(
        tmp_path: Path, make_repo: MakeRepo, body: str, left_out: list[str]) -> None:
    found = drift(tmp_path, make_repo, MONOREPO, body)
    assert sorted(m.split("`")[1] for rule, _, m in found if rule == "DR009") == left_out
    assert all(line == body.count("\n", 0, body.index("`FILES`")) + 8
               for rule, line, _ in found if rule == "DR009")  # at the binding table


def test_the_audit_document_covers_every_config(tmp_path: Path, make_repo: MakeRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    found = drift(tmp_path, make_repo, MONOREPO, ONE_ROW, doc="docs/auto-scaling.md")
    assert [m for rule, _, m in found if rule == "DR009"] == [
        "the document's bindings leave out `CART_KV` (KV namespace, `wrangler.toml:4`)",
        "the document's bindings leave out `JOBS` (queue producer, `apps/api/wrangler.toml:7`)"]
    # A runbook named on the command line is checked as the audit document's header is, but
    # it does not become the inventory of every config the settings' document is.
    repo = tmp_path / "repo"
    (repo / "docs/runbook.md").write_text(HEADER + "# R\n\n" + ONE_ROW, encoding="utf-8")
    assert cli.main(["verify", str(repo / "docs/runbook.md"), "--repo", str(repo),
                     "--date", DATE]) == 1  # DR001: no Audit-status
    assert "DR009" not in capsys.readouterr().out


def test_a_name_in_prose_that_is_gone(tmp_path: Path, make_repo: MakeRepo) -> None:
    assert drift(tmp_path, make_repo, {"wrangler.toml": WORKER}, "The `GONE_KV` is gone.") == [
        ("DR009", 8, "`GONE_KV` is named in the document, but the repository has no binding or"
                     " variable of that name")]


def test_a_binding_of_an_environment_only_is_left_out_too(tmp_path: Path,
                                                          make_repo: MakeRepo) -> None:
    config = (ROOT_KV + '[env.production]\nname = "w-prod"\n[[env.production.kv_namespaces]]\n'
              'binding = "PROD_KV"\nid = "1e0888a980cd46efa1d28aea3794b3ac"\n'
              '[[env.production.kv_namespaces]]\nbinding = "CART_KV"\n'
              'id = "2e0888a980cd46efa1d28aea3794b3ac"\n')
    found = drift(tmp_path, make_repo, {"wrangler.toml": config},
                  "| Binding | Location |\n|---|---|\n| `CART_KV` | `wrangler.toml` |")
    assert [m for rule, _, m in found] == [
        "the document's bindings leave out `PROD_KV` (KV namespace, `wrangler.toml:9`)"]


def test_an_assets_binding_is_a_binding(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": WORKER + '[assets]\ndirectory = "./public"\nbinding = "ASSETS"\n',
             "apps/web/wrangler.jsonc": '{"name": "web", "assets": {"binding": "WEB_ASSETS"}}\n'}
    body = "| Binding |\n|---|\n| `ASSETS` |\n| `WEB_ASSETS` |\n| `NO_ASSETS` |"
    assert drift(tmp_path, make_repo, files, body) == [
        ("DR009", 12, "`NO_ASSETS` is named as a binding in the document, but the repository has"
                      " none of that name")]
