"""The regenerated document: golden file, reference facts, fixed gaps disappear."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import auditlib
from auditlib import cli
from auditlib.blocks import Table, no_raw_html
from auditlib.config import AuditConfig
from auditlib.configfile import load_config
from auditlib.docs import GENERATED_MARKER
from auditlib.model import Facts, Finding, Location, Severity

if TYPE_CHECKING:
    from conftest import MakeRepo

GOLDEN = Path(__file__).parent / "golden" / "base-shop.md"
AUDIT_DATE = "2026-01-21"


@pytest.fixture(scope="module")
def example_markdown() -> str:
    return auditlib.run_audit(audit_date=AUDIT_DATE).markdown()


def test_example_matches_golden(example_markdown: str) -> None:
    """Set AUDITLIB_UPDATE_GOLDEN=1 to rewrite the golden file after an intended change."""
    if os.environ.get("AUDITLIB_UPDATE_GOLDEN"):
        GOLDEN.write_text(example_markdown, encoding="utf-8")
    assert example_markdown == GOLDEN.read_text(encoding="utf-8")


# Every fact of the reference document's tables, as the bundled example reproduces it.
REFERENCE_FACTS = [
    "Last-reviewed: 2026-01-21", "Audit-status: VERIFIED",
    "base-shop (root)", "| xa ", "| xa-b ", "| xa-j ", "| cochlearfit ",
    "Cloudflare Pages + D1 + R2 + Queues", "Cloudflare Workers (Queue Consumer)",
    "`.github/workflows/reusable-app.yml`", "`wrangler pages deploy`", "`CLOUDFLARE_API_TOKEN`",
    "`CART_DO`", "`CartDurableObject`", "`SESSION_DO`", "`SessionDurableObject`",
    "Per-cart state with TTL", "Per-session state with customer index",
    "cloudflareDurableStore.ts](../packages/platform-core/src/cartStore/cloudflareDurableStore.ts)"
    " (282 lines)",
    "sessionDurableStore.ts](../packages/auth/src/sessionDurableStore.ts) (241 lines)",
    "`CART_KV`", "`0e0888a980cd46efa1d28aea3794b3ac`", "Real ID",
    "`LOGIN_RATE_LIMIT_KV`", "`00000000000000000000000000000000`", "**Placeholder**",
    "**Gap:** `LOGIN_RATE_LIMIT_KV` uses a placeholder ID (`wrangler.toml:11`)",
    "`PIPELINE_DB`", "`product-pipeline`", "**Placeholder ID**",
    "`PIPELINE_EVIDENCE`", "`product-pipeline-evidence`",
    "`pipeline-jobs`", "`max_batch_size: 1`, `max_batch_timeout: 30`",
    "`CART_STORE_PROVIDER`", "`SESSION_STORE_PROVIDER`", "`RATE_LIMIT_STORE_PROVIDER`",
    "`cloudflare`", "`redis`", "`memory`", "`kv`", "Auto-detect",
    "[cartStore.ts:84-121](../packages/platform-core/src/cartStore.ts#L84-L121)",
    "[rateLimiter.ts:90-115](../packages/auth/src/rateLimiter.ts#L90-L115)",
    "**does not scale horizontally**",
    "// cloudflareDurableStore.ts:79-81", "if (duration > 200 && shouldLogLatency()) {",
    "slower than 200ms",
    "No Smart Placement configured", "Placeholder resource ID", "No scaling metrics dashboard",
    'mode = "smart"', "— no results.",
    "DO latency in production", "KV replication lag", "Queue consumer scaling",
    "Cold start frequency",
    "[Cloudflare Edge Storage Plan](runtime/cloudflare-edge-storage-plan.md)",
    "[Performance Budgets](performance-budgets.md)",
    "[Deploy Health Checks](deploy-health-checks.md)",
]


@pytest.mark.parametrize("fact", REFERENCE_FACTS)
def test_example_document_holds_reference_fact(example_markdown: str, fact: str) -> None:
    assert fact in example_markdown


def test_root_config_is_quoted_from_the_file(example_markdown: str) -> None:
    text = (auditlib.EXAMPLE_REPO / "wrangler.toml").read_text(encoding="utf-8")
    assert f"```toml\n{text.rstrip()}\n```" in example_markdown


def test_document_has_the_reference_sections_in_order(example_markdown: str) -> None:
    headings = [line for line in example_markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Overview", "## Verified Configuration", "## Gaps Identified",
        "## What Cloudflare Provides Automatically", "## Current wrangler.toml (root)",
        "## Recommended Actions", "## Drift since the last hand-written version", "## Findings",
        "## Related Documents", "## Documentation Health"]


def test_markdown_has_no_raw_html(example_markdown: str) -> None:
    assert "<table" not in example_markdown and "<style" not in example_markdown


@pytest.mark.parametrize(("markdown", "expected"), [
    # A code span closes with a run of backticks of its own length (CommonMark).
    ("a `` b <img src=x> `x`", "a `` b &lt;img src=x> `x`"),
    ("`K`B`` (<img src=x>) (x``", "`K`B`` (<img src=x>) (x``"),  # `` (<img src=x>) (x`` is code
    ("`` a`<b> `` and <i>", "`` a`<b> `` and &lt;i>"),
])
def test_html_outside_code_spans_is_escaped(markdown: str, expected: str) -> None:
    assert no_raw_html(markdown) == expected


@pytest.fixture
def fixed_repo(tmp_path: Path) -> Path:
    """The example with its P0 gaps fixed and Smart Placement everywhere."""
    repo = tmp_path / "base-shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    for config in repo.rglob("wrangler.toml"):
        text = config.read_text(encoding="utf-8")
        text = text.replace('"00000000000000000000000000000000"', '"4f1c0d5e8a2b4c6d9e0f1a2b3c4d5e6f"')
        text = text.replace('"00000000-0000-0000-0000-000000000000"',
                            '"7d9b1f0e-3c2a-4b8d-9e6f-1a2b3c4d5e6f"')
        text = text.replace('DurableObject" }', 'DurableObject", script_name = "shop-do" }')
        config.write_text(text + '\n[placement]\nmode = "smart"\n', encoding="utf-8")
    return repo


def test_fixed_gaps_disappear(fixed_repo: Path) -> None:
    markdown = auditlib.run_audit(fixed_repo, AUDIT_DATE).markdown()
    assert "Placeholder" not in markdown
    assert "No Smart Placement configured" not in markdown
    assert "Smart Placement is configured in every wrangler config." in markdown
    assert "Nothing at P0." in markdown
    # What is not fixed is still reported.
    assert "Store falls back to memory" in markdown


def test_search_result_lists_the_lines_it_found(fixed_repo: Path) -> None:
    markdown = auditlib.run_audit(fixed_repo, AUDIT_DATE).markdown()
    assert "— 7 results: `apps/cochlearfit/wrangler.toml:5`, `apps/product-pipeline" in markdown


def test_only_the_fallback_is_marked_when_two_stores_share_a_line(tmp_path: Path) -> None:
    """QA s33a: the mark went by line, so the Redis store beside it was marked too."""
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "a.ts").write_text(
        "export function s(env: Env) {\n  const p = env.CART_STORE_PROVIDER; if (p === \"redis\")"
        " return new RedisStore(); return new MemoryStore();\n}\n", encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert [line for line in markdown.splitlines() if line.startswith(("1. If", "2. Otherwise"))] == [
        '1. If `p === "redis"` → `RedisStore` (line 2)',
        "2. Otherwise → `MemoryStore` (line 2) (**does not scale horizontally**)"]


def test_the_kinds_of_resource_not_configured_are_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "w"\nmain = "a.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\n'
        'id = "0e0888a980cd46efa1d28aea3794b3ac"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    section = markdown.split("### Scaling Resources In Use\n\n")[1].split("\n### ")[0]
    assert section.startswith("No Durable Object bindings, D1 databases, R2 buckets or queues are"
                              " configured.\n\n#### KV Namespaces\n\n| Binding | ID | Location |")
    assert [line for line in section.splitlines() if line.startswith("#")] == ["#### KV Namespaces"]


def test_repository_without_configuration_says_so(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n", encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, AUDIT_DATE)
    markdown = audit.markdown()
    assert "No wrangler configuration" in markdown
    assert ("### Scaling Resources In Use\n\nNo Durable Object bindings, KV namespaces, D1"
            " databases, R2 buckets or queues are configured.\n") in markdown
    assert "#### " not in markdown.split("### Scaling Resources In Use")[1].split("\n### ")[0]
    assert "No P0 or P1 gaps were found." in markdown
    assert "No unmeasured scaling behaviour was found." in markdown
    assert "measured in code" not in markdown
    assert audit.findings == ()


def test_malformed_config_is_a_finding_and_makes_the_audit_incomplete(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    (repo / "apps" / "xa" / "wrangler.toml").write_text('name = "xa"\n[[kv_namespaces]\n',
                                                       encoding="utf-8")
    audit = auditlib.run_audit(repo, AUDIT_DATE)
    markdown = audit.markdown()
    assert "Audit-status: INCOMPLETE" in markdown
    assert "`apps/xa/wrangler.toml:2` could not be read" in markdown
    assert "`LOGIN_RATE_LIMIT_KV`" in markdown  # the rest is still audited
    # QA s28a #4: DR009 reports nothing while a config cannot be read; the document says so
    # where it counts each document's drift, which looked complete.
    health = markdown.split("## Documentation Health\n\n", 1)[1]
    assert ("\nNot checked: DR009 doc-name-drift, as a wrangler config could not be read (CF000),"
            " which may hold the names the documents give.\n") in health


def test_a_deploy_through_a_package_script_is_said_in_words(tmp_path: Path,
                                                              make_repo: MakeRepo) -> None:
    """QA s28a: "deploys via `package script deploy`" read as a command."""
    repo = make_repo(tmp_path, {
        "wrangler.toml": 'name = "api"\nmain = "src/index.ts"\n',
        "package.json": json.dumps({"name": "api", "scripts": {"deploy": "wrangler deploy"}}),
        ".github/workflows/ship.yml": "on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n"
                                      "    steps:\n      - run: npm run deploy\n"
                                      "      - run: npx wrangler deploy\n        env:\n"
                                      "          CLOUDFLARE_API_TOKEN: ${{ secrets.CF }}\n"})
    assert ("**Verified in CI:** `.github/workflows/ship.yml` (lines 6, 7) deploys via the package"
            " script `deploy` and `wrangler deploy`, with `CF` (line 6: none)."
            in auditlib.run_audit(repo, AUDIT_DATE).markdown())


@pytest.mark.parametrize(("value", "expected"), [
    ("a|b", "a\\|b"),
    ("line\nbreak", "line break"),
    ("`x || y`", "`x \\|\\| y`"),
    ("\\[KV \\| D1\\](missing.md)", "\\[KV \\| D1\\](missing.md)"),  # as `plain` gives it: once
    ("C:\\\\|x", "C:\\\\\\|x"),  # an escaped backslash, then a pipe
])
def test_table_cells_cannot_break_the_table(value: str, expected: str) -> None:
    table = Table.of(("Column",), [(value,)])
    assert table.rows == ((expected,),)
    assert len(table.markdown.splitlines()) == 3


def test_a_changed_cell_changes_one_line_of_its_table() -> None:
    """A regenerated document committed back to a repository: one app's longer target
    must not re-pad, and so rewrite, every row of the table."""
    rows = [("web", "Cloudflare Pages"), ("api", "Cloudflare Workers")]
    before = Table.of(("App", "Deployment Target"), rows).markdown.splitlines()
    after = Table.of(("App", "Deployment Target"),
                     [rows[0], ("api", "Cloudflare Workers (Queue Consumer)")]).markdown.splitlines()
    assert [line for line, old in zip(after, before, strict=True) if line != old] == [
        "| api | Cloudflare Workers (Queue Consumer) |"]
    assert before[:2] == ["| App | Deployment Target |", "|---|---|"]


def test_control_characters_of_the_repository_are_escaped_in_the_document(tmp_path: Path) -> None:
    """A terminal escape in a binding's name and a var's value is shown as `\\x1b`, not
    written raw into the Markdown (and so the HTML) a CI job diffs (QA s35b)."""
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    root = repo / "wrangler.toml"
    root.write_text(root.read_text(encoding="utf-8").replace(
        'CART_TTL = "2592000"', 'CART_TTL = "2592000"\nBANNER = "\\u001b[31mred"').replace(
        'binding = "CART_KV"', 'binding = "CART\\u001bKV"'), encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    assert "CART\\x1bKV" in markdown and "\x1b" not in markdown
    assert all(char in "\t\n" or char.isprintable() or char in "\u2028\u2029" for char in markdown)
    # A file committed with CRLF line ends: its quoted lines show no `\r` (QA s35c)
    root.write_bytes(root.read_bytes().replace(b"\n", b"\r\n"))
    assert "\\r" not in auditlib.run_audit(repo, AUDIT_DATE).markdown()


def test_secret_values_never_reach_the_outputs(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    root = repo / "wrangler.toml"
    canary = "sk_live_CANARY51QxT7eVb3Lm9Zp2Wd"
    root.write_text(root.read_text(encoding="utf-8").replace(
        'CART_TTL = "2592000"', f'CART_TTL = "2592000"\nSTRIPE_SECRET_KEY = "{canary}"'),
        encoding="utf-8")
    audit = auditlib.run_audit(repo, AUDIT_DATE)
    assert any(f.rule == "CF011" for f in audit.findings)
    markdown, data = audit.markdown(), audit.to_json()
    assert canary not in markdown and canary not in data
    assert 'STRIPE_SECRET_KEY = "«redacted»"' in markdown


def test_waived_and_suppressed_findings_have_their_own_table(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    root = repo / "wrangler.toml"
    root.write_text(root.read_text(encoding="utf-8").replace(
        "# PLACEHOLDER - needs real ID", "# auditlib: ignore[CF001] created on first deploy"),
        encoding="utf-8")
    (repo / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF010"\npath = "apps/xa*/wrangler.toml"\n'
        'reason = "frozen until the rewrite"\nexpires = 2026-06-30\n', encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    waived = markdown.split("### Waived", 1)[1].split("\n## ", 1)[0]
    assert "inline at `wrangler.toml:11`: created on first deploy" in waived
    assert waived.count("frozen until the rewrite") == 3
    assert "| 2026-06-30 |" in waived
    assert "**Placeholder** (waived)" in markdown
    later = auditlib.run_audit(repo, "2026-07-01").markdown()
    assert "waiver expired 2026-06-30: frozen until the rewrite" in later


def test_waived_drift_is_counted_alike_by_dr003_and_documentation_health(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    text = (repo / "docs/performance-budgets.md").read_text(encoding="utf-8")
    (repo / "docs/auto-scaling.md").write_text(
        text.replace("Status: Active", "Status: Active\nAudit-status: VERIFIED")
        + "\nSee `cartStore.ts:84-9000` and [the runbook](missing.md).\n", encoding="utf-8")
    (repo / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "DR004"\npath = "docs/auto-scaling.md"\nreason = "moved soon"\n',
        encoding="utf-8")
    audit = auditlib.run_audit(repo, "2026-11-27")
    dr003 = [f for f in audit.findings if f.rule == "DR003"]
    assert [f.message.split(" but ")[1] for f in dr003] == [
        "2 drift findings (DR004 to DR010) say the repository disagrees"]
    row = next(line for line in audit.markdown().split("## Documentation Health")[1].splitlines()
               if "`docs/auto-scaling.md`" in line)
    assert row.endswith("| 1 (1 waived) | 2 (1 waived) |")
    drift = audit.markdown().split("## Drift since")[1].split("\n## ")[0]
    assert {line.split(" | ")[1].split()[0]: line.endswith("(waived) |")
            for line in drift.splitlines() if "| DR0" in line} == {
        "DR002": False, "DR003": False, "DR004": True, "DR005": False}
    turned_off = dataclasses.replace(load_config(repo), disabled_rules=frozenset({"DR005"}))
    dr003 = [f for f in auditlib.evaluate(audit.facts, config=turned_off) if f.rule == "DR003"]
    assert [f.message.split(" but ")[1] for f in dr003] == [
        "1 drift finding (DR004 to DR010) says the repository disagrees"]


def test_a_published_document_holds_no_drift_against_itself(tmp_path: Path) -> None:
    """The regenerated document quotes the drifted claims of the hand-written one (the Drift
    section, the findings' messages); published in its place, those quotes are not its
    claims, and its own claims hold."""
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    text = (repo / "docs/performance-budgets.md").read_text(encoding="utf-8")
    (repo / "docs/auto-scaling.md").write_text(
        text.replace("Status: Active", "Status: Active\nAudit-status: VERIFIED")
        + "\nSee `cartStore.ts:84-9000`. `RATE_DO` is gone. Smart Placement is **not"
        " configured** in any wrangler.toml.\n", encoding="utf-8")
    first = auditlib.run_audit(repo, "2026-11-27")
    assert {f.rule for f in first.findings if f.location.path == "docs/auto-scaling.md"} >= {
        "DR003", "DR005", "DR009"}
    # Without the marker, as an earlier auditlib wrote it: its quoting sections are not read.
    (repo / "docs/auto-scaling.md").write_text(
        first.markdown().replace(f"{GENERATED_MARKER}\n\n", ""), encoding="utf-8")
    again = auditlib.run_audit(repo, "2026-11-27")
    assert [f.message for f in again.findings if f.location.path == "docs/auto-scaling.md"] == []


def test_configured_probes_are_reported_as_additional_evidence(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    (repo / "auditlib.toml").write_text(
        '[[probes]]\nname = "upstash"\nregex = "process\\\\.env\\\\.(UPSTASH_\\\\w+)"\n'
        'groups = ["variable"]\n', encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    evidence = markdown.split("## Additional Evidence", 1)[1].split("\n## ", 1)[0]
    assert "variable: `UPSTASH_REDIS_REST_URL`" in evidence
    assert "`packages/platform-core/src/cartStore.ts:103`" in evidence


def test_environments_are_shown_with_what_they_lack(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\n'
        'id = "0e0888a980cd46efa1d28aea3794b3ac"\n\n[env.production.vars]\nMODE = "prod"\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    row = next(line for line in markdown.splitlines() if line.startswith("| `wrangler.toml` "))
    assert "`production`" in row and "`api-production`" in row and "`MODE`" in row
    assert "| main |" in row  # not `name`: its own is `api-production`
    assert row.rstrip(" |").endswith("`CACHE`")
    assert "Binding not declared in an environment" in markdown


def test_each_queue_row_lists_its_own_producers_and_consumers(tmp_path: Path) -> None:
    """Producers and consumers are grouped by queue once (4,000 queues took 32 s); a queue
    that is not a string is listed by its text, with neither."""
    for app, config in (("a", '[[queues.producers]]\nbinding = "Q"\nqueue = "jobs"\n'
                              '[[queues.producers]]\nbinding = "BAD"\nqueue = 5\n'
                              '[[queues.consumers]]\nqueue = "jobs"\nmax_batch_size = 10\n'),
                        ("b", '[[queues.producers]]\nbinding = "E"\nqueue = "events"\n'
                              '[[queues.producers]]\nbinding = "NEW"\n'  # wrangler provisions it
                              '[[queues.consumers]]\nqueue = "jobs"\n[env.staging]\nname = "b-staging"\n'
                              '[[env.staging.queues.consumers]]\nqueue = "jobs"\n')):
        (tmp_path / app).mkdir()
        (tmp_path / app / "wrangler.toml").write_text(f'name = "{app}"\nmain = "i.ts"\n{config}',
                                                      encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert ("| Queue | Producer | Consumer | Consumer Config |\n|---|---|---|---|\n"
            "| `5` | — | — | No consumer |\n| `events` | `E` (b) | — | No consumer |\n"
            "| `jobs` | `Q` (a) | a, b, b-staging | `max_batch_size: 10`; defaults; defaults |\n"
            "| none named: wrangler provisions one | `NEW` (b) | — | No consumer |\n") in markdown


def test_each_environments_placeholder_is_its_own(tmp_path: Path) -> None:
    """CF001's findings are looked up by binding and environment, not scanned for each."""
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "i.ts"\n[[kv_namespaces]]\nbinding = "KV"\nid = "TODO"\n'
        '[env.staging]\n[[env.staging.kv_namespaces]]\nbinding = "KV"\n'
        'id = "0e0888a980cd46efa1d28aea3794b3ac"\n'
        '[env.production]\n[[env.production.kv_namespaces]]\nbinding = "KV"\nid = "<KV_ID>"\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    rows = [line for line in markdown.splitlines() if line.startswith("| `KV`")]
    assert [row.rsplit("|", 2)[1].strip() for row in rows] == ["**Placeholder**", "Real ID",
                                                               "**Placeholder**"]
    gaps = [line for line in markdown.splitlines() if line.startswith("**Gap:** `KV`")]
    assert gaps == ["**Gap:** `KV` uses a placeholder ID (`wrangler.toml:5`): deploying the top level"
                    " needs a real namespace ID.",
                    "**Gap:** `KV` (env production) uses a placeholder ID (`wrangler.toml:13`):"
                    " deploying env `production` needs a real namespace ID."]


def test_a_placeholder_ci_fills_in_is_told_so_in_its_table_and_gap(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "<KV_ID>"\n'
        '\n[[kv_namespaces]]\nbinding = "TODO_KV"\nid = "TODO"\n', encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: sed -i \"s/<KV_ID>/$KV_ID/\" wrangler.toml\n      - run: npx wrangler deploy\n",
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    rows = {line.split("|")[1].strip(): line for line in markdown.splitlines() if line.startswith("| `")}
    assert "**Placeholder** (a CI step rewrites it)" in rows["`CACHE`"]
    assert "(a CI step" not in rows["`TODO_KV`"]
    assert ("**Gap:** `CACHE` uses a placeholder ID (`wrangler.toml:6`), which a CI step rewrites before a"
            " deploy: deploying the top level from anywhere else needs a real namespace ID.") in markdown
    assert ("**Gap:** `TODO_KV` uses a placeholder ID (`wrangler.toml:10`): deploying the top level"
            " needs a real namespace ID.") in markdown


def test_the_queue_table_names_the_worker_of_each_environment(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "mailer"\nmain = "src/index.ts"\n[[queues.consumers]]\nqueue = "jobs"\n'
        '[env.staging]\n[[env.staging.queues.consumers]]\nqueue = "jobs"\n'
        '[[env.staging.queues.producers]]\nbinding = "JOBS"\nqueue = "jobs"\n'
        '[env.production]\nname = "mailer"\n[[env.production.queues.consumers]]\nqueue = "jobs"\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    row = next(line for line in markdown.splitlines() if line.startswith("| `jobs` |"))
    assert row.startswith("| `jobs` | `JOBS` (mailer-staging) | mailer, mailer-staging |")
    assert "Queue with more than one consumer" in markdown


def test_resource_ids_omitted_empty_and_placeholder_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "OMITTED_KV"\n\n'
        '[[kv_namespaces]]\nbinding = "EMPTY_KV"\nid = ""\n\n[[kv_namespaces]]\nbinding = "TODO_KV"\n'
        'id = "TODO"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "main"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    rows = {line.split("|")[1].strip(): line for line in markdown.splitlines() if line.startswith("| `")}
    assert "none (created on deploy)" in rows["`OMITTED_KV`"]
    assert "Created on deploy" in rows["`OMITTED_KV`"] and "Created on deploy" in rows["`DB`"]
    assert '| `""` ' in rows["`EMPTY_KV`"] and "**Placeholder**" in rows["`EMPTY_KV`"]
    # Each placeholder written over two lines gets its gap line, at the line of its id.
    assert "**Gap:** `EMPTY_KV` uses a placeholder ID (`wrangler.toml:9`)" in markdown
    assert "**Gap:** `TODO_KV` uses a placeholder ID (`wrangler.toml:13`)" in markdown
    assert "from 1 wrangler config, 0 workflow files and" in markdown


def test_an_r2_binding_with_an_empty_bucket_name_is_not_configured(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\nr2_buckets = [\n  { binding = "EMPTY", bucket_name = "" },\n'
        '  { binding = "NONE" },\n  { binding = "FILES", bucket_name = "files" },\n]\n'
        '\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = ""\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    rows = {line.split("|")[1].strip(): line for line in markdown.splitlines() if line.startswith("| `")}
    assert '| `""` |' in rows["`EMPTY`"] and "**No bucket name**" in rows["`EMPTY`"]
    assert "| none (created on deploy) |" in rows["`NONE`"] and "| Created on deploy |" in rows["`NONE`"]
    assert "| `files` |" in rows["`FILES`"] and "| Configured |" in rows["`FILES`"]
    assert '| `""` |' in rows["`DB`"]  # not an empty code span, shown as ``
    assert not [line for line in markdown.splitlines()
                if line.startswith("|") and "``" in line.replace('`""`', "")]


def test_an_assets_binding_is_among_the_other_bindings(tmp_path: Path) -> None:
    (tmp_path / "wrangler.jsonc").write_text(
        '{\n  "name": "web",\n  "main": "a.ts",\n'
        '  "assets": { "directory": "./public", "binding": "ASSETS" },\n  "env": { "production": {} }\n}\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert [line for line in markdown.splitlines() if "static assets binding" in line] == [
        "| `ASSETS` | static assets binding | `wrangler.jsonc:4` |"]


def test_a_binding_without_a_name_is_shown_so(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "a"\nmain = "src/index.ts"\n\n[[unsafe.bindings]]\ntype = "metadata"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "| (no name) | unsafe binding | `wrangler.toml:4` |" in markdown


def test_related_documents_says_which_documents_it_read(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text('name = "api"\nmain = "src/index.ts"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "No other document was found under `docs/`." in markdown
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "onboarding.md").write_text("# Onboarding\n\nWelcome.\n", encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    # not "none found" above the Documentation Health table that lists it
    assert ('No document under `docs/` names "cloudflare", "durable object", "kv", "latency",'
            ' "deploy", "scaling", "queue" in its title, summary or `Domain`'
            " (read: `docs/onboarding.md`).") in markdown
    config = dataclasses.replace(load_config(tmp_path), related_terms=())
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE, config=config).markdown()
    assert ("No related terms are configured (`related_terms`): no document under `docs/` is"
            " listed (read: `docs/onboarding.md`).") in markdown


def test_a_class_of_a_worker_built_into_a_folder_not_searched_says_so(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "build/index.js"\n\n[durable_objects]\n'
        'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "- `Cart`: in the Worker's build output `build/index.js`, which is not searched" in markdown


def test_a_class_of_a_worker_without_its_entry_says_so(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\n\n[durable_objects]\n'
        'bindings = [{ name = "CART_DO", class_name = "Cart" }]\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert ("- `Cart`: not found, and the Worker's entry `src/index.ts` is not in the repository"
            in markdown)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export default {};\n", encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "- `Cart`: no exported class of that name in code" in markdown


def test_durable_objects_hosted_without_a_binding_are_shown(tmp_path: Path) -> None:
    (tmp_path / "do").mkdir()
    (tmp_path / "do" / "wrangler.toml").write_text(
        'name = "do"\nmain = "src/index.ts"\n\n[[migrations]]\ntag = "v1"\nnew_classes = ["Cache", "Old"]\n'
        '\n[[migrations]]\ntag = "v2"\ndeleted_classes = ["Old"]\n'
        '\n[env.production]\nname = "do-prod"\n[[env.production.migrations]]\ntag = "v1"\n'
        'new_sqlite_classes = ["Counter"]\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    # not only "No Durable Object bindings … are configured" for a Worker that hosts one
    assert ("`do/wrangler.toml` hosts the Durable Object classes `Cache`, `Counter` (declared by its"
            " migrations), which no config binds.") in markdown


def test_evidence_lists_each_place_once_and_apps_by_folder(tmp_path: Path) -> None:
    config = ('name = "{name}"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "A"\n'
              'id = "0e0888a980cd46efa1d28aea3794b3ac"\n\n[[kv_namespaces]]\nbinding = "B"\n'
              'id = "1e0888a980cd46efa1d28aea3794b3ac"\n\n[env.production.vars]\nMODE = "prod"\n')
    for name in ("web", "web-admin"):
        (tmp_path / "apps" / name).mkdir(parents=True)
        (tmp_path / "apps" / name / "wrangler.toml").write_text(config.format(name=name),
                                                               encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    row = next(line for line in markdown.splitlines()
               if line.startswith("| P1 | **Binding not declared in an environment**"))
    assert "(4)" in row  # A and B, in each app
    assert row.count("[`apps/web/wrangler.toml:12`]") == 1
    assert row.count("[`apps/web-admin/wrangler.toml:12`]") == 1
    assert markdown.index("| web ") < markdown.index("| web-admin ")


def test_repository_names_cannot_inject_links_or_html(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    (tmp_path / "apps" / "a").mkdir(parents=True)
    (tmp_path / "apps" / "a" / "wrangler.toml").write_text(
        'name = "<img src=x onerror=alert(1)>"\nmain = "src/index.ts"\n\n'
        '[[kv_namespaces]]\nbinding = "K`B"\nid = "TODO"\n', encoding="utf-8")
    (tmp_path / "apps" / "b").mkdir(parents=True)
    (tmp_path / "apps" / "b" / "wrangler.toml").write_text(
        'name = "[click me](https://evil.example) **bold**"\nmain = "src/index.ts"\n',
        encoding="utf-8")
    html = MarkdownIt("commonmark").render(auditlib.run_audit(tmp_path, AUDIT_DATE).markdown())
    assert "<img src=x" not in html
    assert 'href="https://evil.example"' not in html and "<strong>bold" not in html


def test_waiver_reasons_are_shown_as_text(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    (repo / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF002"\npath = "**"\nreason = "ok ![p](https://tracker.example/p.png)'
        ' [click](https://evil.example) **bold** R&D"\n', encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(
        auditlib.run_audit(repo, AUDIT_DATE).markdown())
    assert "R&amp;D" in html and "[click](https://evil.example)" in html
    assert "<img" not in html
    assert 'href="https://evil.example"' not in html and "<strong>bold" not in html


def test_drift_rows_are_in_the_document_s_line_order(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    text = (repo / "docs/performance-budgets.md").read_text(encoding="utf-8")
    (repo / "docs/auto-scaling.md").write_text(
        text.replace("Status: Active", "Status: Active\nAudit-status: VERIFIED")
        + "\nSee `cartStore.ts:84-9000`.\n", encoding="utf-8")
    markdown = auditlib.run_audit(repo, "2026-11-27").markdown()
    drift = markdown.split("## Drift since the last hand-written version")[1].split("\n## ")[0]
    lines = [row.split("|")[1].strip() for row in drift.splitlines()
             if row.startswith("| ") and not row.startswith("| Line")]
    assert lines == ["3", "5", "37"]  # Last-reviewed, Audit-status, the citation


def test_missing_placement_is_shown_in_the_configs_own_syntax(tmp_path: Path) -> None:
    (tmp_path / "wrangler.jsonc").write_text('{ "name": "w", "main": "src/index.ts" }\n',
                                             encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert '"placement": { "mode": "smart" }' in markdown
    assert "[placement]\nmode" not in markdown


def test_implementation_links_point_at_the_class_and_tell_files_apart(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {
        "apps/a/wrangler.toml": 'name = "a"\nmain = "src/index.ts"\n[durable_objects]\n'
                                'bindings = [{ name = "C", class_name = "Counter" }]\n',
        "apps/a/src/index.ts": 'export { Counter } from "./counter";\n',
        "apps/a/src/counter.ts": "export class Counter {}\n",
        "apps/b/wrangler.toml": 'name = "b"\nmain = "src/index.ts"\n[durable_objects]\n'
                                'bindings = [{ name = "R", class_name = "Room" }]\n',
        "apps/b/src/counter.ts": "// the room\nexport class Room {}\n",
        "apps/c/wrangler.toml": 'name = "c"\nmain = "build/worker/shim.mjs"\n[build]\n'
                                'command = "worker-build"\n[durable_objects]\n'
                                'bindings = [{ name = "S", class_name = "Store" }]\n',
        ".github/workflows/deploy.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    strategy:\n"
                                        "      matrix:\n        app: [a, b]\n    steps:\n"
                                        "      - run: npx wrangler deploy\n"
                                        "        working-directory: apps/${{ matrix.app }}\n",
    }
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert ("- [apps/a/src/counter.ts](../apps/a/src/counter.ts) (1 line): `Counter` at line 1\n"
            in markdown)  # not the index that re-exports it
    assert "- [apps/b/src/counter.ts](../apps/b/src/counter.ts) (2 lines): `Room` at line 2" \
        in markdown
    assert "- `Store`: in `apps/c/wrangler.toml`'s Rust code, which is not searched" \
        in markdown
    assert "**Verified in CI:** `.github/workflows/deploy.yml` (line 9) deploys via" in markdown


def test_a_chart_of_names_the_font_cannot_draw_warns_nothing_into_the_document() -> None:
    """QA s35c: matplotlib's "Glyph 27 (\\x1b) missing from font" warnings, with the host's
    path, were written into the document above its header; a control character is shown
    escaped, a character the font lacks as a box."""
    import warnings
    from collections import Counter

    from auditlib.charts import _stacked

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _stacked({"ショップ\x1b[31m": Counter({"P0": 1})}, ["P0", "P1", "P2"], "t")


def test_charts_name_apps_alike(tmp_path: Path) -> None:
    from auditlib.charts import app_of
    from auditlib.collect import collect

    (tmp_path / "apps" / "containers").mkdir(parents=True)
    (tmp_path / "apps" / "containers" / "wrangler.toml").write_text(
        'name = "hello-containers"\nmain = "a.ts"\n', encoding="utf-8")
    facts = collect(tmp_path)
    assert app_of("apps/containers/wrangler.toml", facts) == "hello-containers"
    assert app_of("apps/containers/src/a.ts", facts) == "hello-containers"
    assert app_of(".", facts) == "(whole repository)"  # no root config to charge it to
    assert app_of("packages/x/y.ts", facts) == "packages/x"


def _app_by_scan(path: str, facts: Facts) -> str:
    """charts.app_of as it was written before its index: every config scanned for each path."""
    owner = None
    for config in facts.configs:
        if config.app != "." and (path == config.app or path.startswith(config.app + "/")):
            owner = max(owner, config, key=lambda c: len(c.app) if c else -1)
    if owner is not None:
        return owner.label
    if path in (".", ""):
        return "(whole repository)"
    if "/" not in path:
        root = next((c.name for c in facts.configs if c.is_root and c.name), None)
        return root or "(root)"
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


@functools.cache
def _template_facts() -> Facts:
    """The facts of the example repository: its configs are copied with other folders."""
    return auditlib.collect(auditlib.EXAMPLE_REPO)


_PARTS = st.sampled_from(["a", "b", "ab", "a.b", "x"])
_FOLDERS = st.lists(_PARTS, min_size=0, max_size=3).map("/".join)


@given(configs=st.lists(st.tuples(_FOLDERS, st.sampled_from(["wrangler.toml", "wrangler.jsonc"]),
                                  st.sampled_from([None, "", "api", "web"])), max_size=6),
       paths=st.lists(st.one_of(st.sampled_from([".", ""]), st.lists(_PARTS, min_size=1, max_size=4)
                                .map("/".join)), max_size=12))
def test_charts_look_apps_up_as_a_scan_of_the_configs_finds_them(
        configs: list[tuple[str, str, str | None]], paths: list[str]) -> None:
    """apps_of indexes the configs' folders; it names each path's app as the scan did:
    the deepest config folder, the first of two configs in one folder, the root config."""
    from auditlib.charts import apps_of

    template = _template_facts().configs[0]
    facts = dataclasses.replace(_template_facts(), configs=tuple(
        dataclasses.replace(template, path=f"{folder}/{file}" if folder else file,
                            app=folder or ".", name=name) for folder, file, name in configs))
    app = apps_of(facts)
    assert [app(path) for path in paths] == [_app_by_scan(path, facts) for path in paths]


def test_each_binding_kind_has_a_style_of_its_own() -> None:
    """QA s34b D9: matplotlib's 10 colours drew Analytics Engine and Workflow alike."""
    from auditlib.charts import kind_styles

    kinds = [f"kind {number}" for number in range(40)]  # more than wrangler has
    colors, hatches = kind_styles(kinds)
    assert len({(colors[kind], hatches[kind]) for kind in kinds}) == 40
    assert len({colors[kind] for kind in kinds[:20]}) == 20


def test_a_tall_legend_makes_a_tall_chart(tmp_path: Path) -> None:
    from auditlib.charts import bindings_by_app
    from auditlib.wrangler import BINDING_KINDS

    tables = "".join(f"[[{kind.path[0]}]]\n{kind.name_key} = \"B{number}\"\n"
                     for number, kind in enumerate(BINDING_KINDS)
                     if len(kind.path) == 1 and not kind.single)
    (tmp_path / "wrangler.toml").write_text('name = "a"\nmain = "a.ts"\n' + tables, encoding="utf-8")
    chart = bindings_by_app(auditlib.collect(tmp_path))
    assert chart is not None
    assert int.from_bytes(chart.png[20:24], "big") > 500  # one bar, 20 legend entries: not 185


def test_a_chart_draws_the_apps_with_the_most_and_counts_the_others(tmp_path: Path) -> None:
    """Past MOST_BARS apps, a chart draws those with the most and says how many others it
    leaves out, and their total: 1,000 bars made an image 45,000 pixels tall."""
    from auditlib.charts import MOST_BARS, bindings_by_app, findings_by_app

    for number in range(MOST_BARS + 3):
        folder = tmp_path / "apps" / f"app-{number:02d}"
        folder.mkdir(parents=True)
        kv = "".join(f'[[kv_namespaces]]\nbinding = "KV{each}"\nid = "{each:032x}"\n'
                     for each in range(number % 4))
        (folder / "wrangler.toml").write_text(f'name = "app-{number:02d}"\nmain = "a.ts"\n{kv}',
                                              encoding="utf-8")
    facts = auditlib.collect(tmp_path)
    bindings = bindings_by_app(facts)
    assert bindings is not None
    # 28 apps with 0-3 bindings each: the 25 drawn have 3, 2 and 1; three with none are not
    assert bindings.alt == ("Bar chart: number of bindings of each kind for the 25 apps with the"
                            " most bindings; not drawn: 3 other apps, 0 bindings in all")
    high = int.from_bytes(bindings.png[20:24], "big")  # the PNG header's height
    assert 1000 < high < 1400  # 25 bars, not 28
    findings = [Finding(rule="CF001", severity=Severity.P1, title="t", message="m",
                        location=Location(path=f"apps/app-{number:02d}/wrangler.toml"))
                for number in range(MOST_BARS + 3) for _each in range(number)]
    chart = findings_by_app(facts, findings)
    assert chart is not None and chart.alt == (
        "Bar chart: open findings by severity (P0, P1, P2) for the 25 apps with the most"
        " findings; not drawn: 2 other apps, 3 findings in all")  # app-01 and app-02 (app-00: none)
    few = findings_by_app(facts, findings[-5:])
    assert few is not None
    assert few.alt == "Bar chart: open findings by severity (P0, P1, P2) for each app"


def test_containers_assets_and_environment_bindings_are_shown(tmp_path: Path) -> None:
    (tmp_path / "wrangler.jsonc").write_text(
        '{\n  "name": "sandbox",\n  "main": "src/index.ts",\n  "assets": { "directory": "dist" },\n'
        '  "containers": [{ "class_name": "Sandbox", "image": "./Dockerfile",'
        ' "max_instances": 1400, "instance_type": "standard" }],\n'
        '  "env": { "production": { "r2_buckets": [{ "binding": "B", "bucket_name": "b" }] } },\n}\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "| Cloudflare Workers + R2 + Containers + Static assets |" in markdown
    assert "| `Sandbox` | 1400 | standard | `wrangler.jsonc:5` |" in markdown
    assert "| Container instances " in markdown and "| Static asset caching " in markdown


def test_a_container_without_class_name_shows_the_class_that_exports_name_it(
        tmp_path: Path) -> None:
    (tmp_path / "wrangler.json").write_text(
        '{"name": "c", "main": "a.ts",\n "containers": [{"name": "box", "image": "./Dockerfile"}],\n'
        ' "durable_objects": {"bindings": [{"name": "BOX", "class_name": "Box"}]},\n'
        ' "exports": {"Box": {"type": "durable-object", "storage": "sqlite", "container": "box"}}}\n',
        encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "| `Box` | not set | default | `wrangler.json:2` |" in markdown


def test_the_environments_table_lacks_what_cf012_reports(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "w"\nmain = "a.ts"\n[[containers]]\nclass_name = "Box"\nimage = "./Dockerfile"\n'
        '[[queues.consumers]]\nqueue = "jobs"\n[[tail_consumers]]\nservice = "log-tail"\n\n'
        '[env.staging]\nname = "s"\n[[env.staging.queues.consumers]]\nqueue = "jobs-staging"\n'
        '[[env.staging.tail_consumers]]\nservice = "log-tail-staging"\n', encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, AUDIT_DATE)
    [row] = [line for line in audit.markdown().splitlines()
             if line.startswith("| `wrangler.toml` | `staging`")]
    assert row.rstrip(" |").rsplit("|", 1)[1].strip() == "`containers`", row  # no consumer
    assert [f.subject for f in audit.findings if f.rule == "CF012"] == ["containers (env staging)"]


def test_long_environment_cells_are_cut_with_a_count(tmp_path: Path) -> None:
    names = [f"VAR_{n:02}" for n in range(11)]
    (tmp_path / "wrangler.toml").write_text(
        'name = "w"\nmain = "a.ts"\n[env.production.vars]\n'
        + "".join(f'{name} = "x"\n' for name in names), encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert ", ".join(f"`{name}`" for name in names[:6]) + " and 5 more |" in markdown


def test_a_class_only_re_exported_here_says_so(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text(
        'name = "a"\nmain = "src/index.ts"\n[durable_objects]\n'
        'bindings = [{ name = "G", class_name = "Generator" }]\n'
        '[[analytics_engine_datasets]]\nbinding = "METRICS"\n', encoding="utf-8")
    (tmp_path / "src/index.ts").write_text('export { Generator } from "@acme/agents";\n',
                                           encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert ("- `Generator`: re-exported at [`src/index.ts:1`](../src/index.ts#L1), from outside"
            " this file") in markdown
    assert "Cloudflare Workers + Durable Objects + Analytics Engine |" in markdown


def test_a_repository_without_configs_says_so_once(tmp_path: Path) -> None:
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    assert "No wrangler config was found." in markdown
    assert "[env.*]" not in markdown


def test_the_charts_count_each_binding_once_and_name_folders(tmp_path: Path) -> None:
    from auditlib.charts import app_of, binding_counts
    from auditlib.collect import collect

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "wrangler.toml").write_text(
        'name = "obs"\nmain = "a.ts"\n[ai]\nbinding = "AI"\n[env.staging.ai]\nbinding = "AI"\n'
        '[env.production.ai]\nbinding = "AI"\n', encoding="utf-8")
    facts = collect(tmp_path)
    assert binding_counts(facts) == {"obs": {"Workers AI binding": 1}}
    assert app_of("docs/a.md", facts) == "docs"  # a folder, as docs/runtime/x.md is docs/runtime
    assert app_of("docs/runtime/x.md", facts) == "docs/runtime"


def test_the_bindings_chart_counts_a_static_assets_binding(tmp_path: Path) -> None:
    from auditlib.charts import binding_counts
    from auditlib.collect import collect

    (tmp_path / "wrangler.toml").write_text(
        'name = "site"\nmain = "a.ts"\nassets = { directory = "public", binding = "ASSETS" }\n'
        '[env.staging]\nassets = { directory = "public", binding = "ASSETS" }\n'
        '[env.preview]\nassets = { directory = "public" }\n', encoding="utf-8")
    assert binding_counts(collect(tmp_path)) == {"site": {"Static assets binding": 1}}


LATENCY_CHECK = ("export async function call(start: number) {{\n  const duration = Date.now() - start;\n"
                 "{metric}  if (duration > {ms}) {{\n    console.warn(`slow ${{duration}}ms`);\n  }}\n}}\n")


@pytest.mark.parametrize(("checks", "expected"), [
    ({"src/index.ts": ("", 500)},
     "1 latency check (`index.ts`) reports calls slower than 500ms to the console:\n"),
    ({"src/a.ts": ("", 200), "src/b.ts": ("", 200)},
     "2 latency checks (`a.ts`, `b.ts`) report calls slower than 200ms to the console:\n"),
    # Each check is told with what it reports to, not with the sinks of the others.
    ({"src/a.ts": ("", 200),
      "src/b.ts": ("  env.METRICS.writeDataPoint({ doubles: [duration] });\n", 200)},
     "2 latency checks report slow calls:\n\n"
     "- 1 latency check (`a.ts`) reports calls slower than 200ms to the console\n"
     "- 1 latency check (`b.ts`) reports calls slower than 200ms to the console and the"
     " metrics\n"),
])
def test_latency_checks_are_told_with_their_own_threshold_and_sinks(
        tmp_path: Path, make_repo: MakeRepo, checks: dict[str, tuple[str, int]],
        expected: str) -> None:
    files = {path: LATENCY_CHECK.format(metric=metric, ms=ms)
             for path, (metric, ms) in checks.items()}
    files["wrangler.toml"] = 'name = "w"\nmain = "src/index.ts"\n'
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert f"### Latency Monitoring (In Place)\n\n{expected}" in markdown


def test_a_placeholder_gap_names_the_environment_it_holds_back(tmp_path: Path) -> None:
    (tmp_path / "wrangler.jsonc").write_text(
        '{\n  "name": "api",\n  "main": "src/index.ts",\n'
        '  "kv_namespaces": [{ "binding": "SESSIONS_KV", "id": "TODO" }],\n'
        '  "env": {\n'
        '    "production": { "kv_namespaces": [{ "binding": "SESSIONS_KV",'
        ' "id": "0e0888a980cd46efa1d28aea3794b3ac" }] },\n'
        '    "staging": { "kv_namespaces": [{ "binding": "SESSIONS_KV", "id": "TODO" }] }\n'
        "  }\n}\n", encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    gaps = [line for line in markdown.splitlines() if line.startswith("**Gap:**")]
    assert gaps == [
        "**Gap:** `SESSIONS_KV` uses a placeholder ID (`wrangler.jsonc:4`): deploying the top"
        " level needs a real namespace ID.",
        "**Gap:** `SESSIONS_KV` (env staging) uses a placeholder ID (`wrangler.jsonc:7`):"
        " deploying env `staging` needs a real namespace ID."]


def test_recommended_actions_are_headed_by_severity_alone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    (repo / "auditlib.toml").write_text('[severity]\nCF001 = "P2"\n', encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    actions = markdown.split("## Recommended Actions", 1)[1].split("\n## ", 1)[0]
    # Any rule may be at any severity: a topic in the heading would not hold.
    assert [line for line in actions.splitlines() if line.startswith("### ")] == [
        "### P0", "### P1", "### P2"]
    assert "Replace placeholder D1 database" in actions.split("### P2", 1)[1]


@pytest.mark.parametrize("apps", [5, 6])
def test_a_rule_with_many_fixes_of_its_own_is_one_action(tmp_path: Path, apps: int) -> None:
    """Thirty placeholder ids are one action with thirty places, not thirty lines."""
    for number in range(apps):
        (tmp_path / f"apps/a{number}").mkdir(parents=True)
        (tmp_path / f"apps/a{number}/wrangler.toml").write_text(
            f'name = "a{number}"\nmain = "a.ts"\n\n[[kv_namespaces]]\nbinding = "KV_{number}"\n'
            'id = "00000000000000000000000000000000"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    p0 = markdown.split("### P0\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    if apps <= 5:
        assert [line.split(" (")[0] for line in p0] == [
            f"{n + 1}. Replace placeholder KV namespace `id` for `KV_{n}`" for n in range(apps)]
    else:
        assert p0 == [f"1. Replace the placeholder with the real resource ID — for `KV_0`, `KV_1`,"
                      f" `KV_2`, `KV_3`, `KV_4`, `KV_5`, in {apps} places: "
                      + ", ".join(f"[`apps/a{n}/wrangler.toml:6`](../apps/a{n}/wrangler.toml#L6)"
                                  for n in range(3)) + " and 3 more"]


def test_a_grouped_action_at_one_place_names_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "a"\nmain = "a.ts"\n\n[vars]\n' + "".join(f'V{n} = "x"\n' for n in range(6))
        + '\n[env.production]\nname = "p"\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    p1 = markdown.split("### P1\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert ("Declare the binding again inside the environment — for `V0`, `V1`, `V2`, `V3`, `V4`, `V5`,"
            " at [`wrangler.toml:12`](../wrangler.toml#L12)") in p1[-1]


def test_a_quote_cut_inside_a_code_span_does_not_turn_the_row_into_code(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    (tmp_path / "docs").mkdir()
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n[placement]\nmode = "smart"\n',
                                            encoding="utf-8")
    apps = ", ".join([*(f"`apps/application-number-{n}/wrangler.toml`" for n in range(6)),
                      "`wrangler.toml`"])  # the last, beyond the 160 characters quoted
    (tmp_path / "docs" / "auto-scaling.md").write_text(
        "Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-01-14\n\n"
        f"# Scaling\n\nSmart Placement is **not configured** in any wrangler config: {apps}.\n",
        encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, AUDIT_DATE)
    assert any(f.rule == "DR010" for f in audit.findings)
    html = MarkdownIt("commonmark").enable("table").render(audit.markdown())
    assert "but [placement] is configured in" in html
    assert not any("but [placement]" in span for span in re.findall(r"<code>(.*?)</code>", html))


def test_documentation_health_counts_only_drifted_claims_as_drift(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "plan.md").write_text(
        "Type: Plan\nStatus: Active\nDomain: Performance\nLast-reviewed: 2025-01-14\n\n"
        "# Plan\n\nSee [the budget](budget.md).\n", encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, AUDIT_DATE)
    assert {f.rule for f in audit.findings} == {"DR002", "DR004"}  # stale, and a broken link
    row = next(line for line in audit.markdown().splitlines()
               if line.startswith("| `docs/plan.md`"))
    assert row.replace(" ", "").endswith("|372|1|1|")  # age, broken links, drift findings


def test_verified_in_ci_names_the_cloudflare_credentials_not_the_app_s_secrets(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
             ".github/workflows/deploy.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n"
             "      - uses: cloudflare/wrangler-action@v3\n        with:\n"
             "          apiToken: ${{ secrets.WRANGLER_API_TOKEN }}\n"
             "          accountId: ${{ secrets.CF_ACCOUNT_ID }}\n"
             "          secrets: |\n            STRIPE_SECRET_KEY\n            SESSION_SECRET\n        env:\n"
             "          STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}\n"
             "          SESSION_SECRET: ${{ secrets.SESSION_SECRET }}\n"}
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert ("**Verified in CI:** `.github/workflows/deploy.yml` (line 6) deploys via"
            " `cloudflare/wrangler-action` with `CF_ACCOUNT_ID`, `WRANGLER_API_TOKEN`.") in markdown


def test_not_verified_in_ci_names_a_command_that_may_deploy(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
             ".github/workflows/release.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    env:\n"
             "      CF_ZONE: ${{ secrets.CF_ZONE }}\n    steps:\n"
             "      - run: pnpm runx deploy-published-workers --env production\n"
             "        env:\n          CF_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN_PROD }}\n"
             "      - env:\n          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n"
             "        run: |\n          echo deploy done\n          pnpm runx deploy --dry-run\n"
             "          npx wrangler d1 migrations apply DB --remote\n"
             "          pnpm run build -- --deploy-id 3\n          npm publish\n"
             "          git push origin deploy\n          pnpm deploy --filter web out\n"
             "          pnpm --filter web deploy\n          pnpm -C apps/web --prod deploy out\n"
             "  other:\n    runs-on: x\n    env:\n      CF_PAGES_WEBHOOK: ${{ secrets.CF_PAGES_WEBHOOK }}\n"
             "    steps:\n      - run: pnpm runx deploy-docs\n"}
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert ("**Not verified in CI:** no Cloudflare deploy step was found (searched"
            " `.github/workflows/release.yml`); what `pnpm runx deploy-published-workers --env production`"
            " ([`.github/workflows/release.yml:8`](../.github/workflows/release.yml#L8)) runs is not read,"
            " and may deploy.") in markdown


def test_a_workflow_that_cannot_be_read_is_named_by_the_ci_lines(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
             ".github/workflows/test.yml": "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
             "      - run: npm test\n",
             ".github/workflows/deploy.yml": "on: push\njobs:\n  d: [unclosed\n"}
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert ("**Not verified in CI:** no Cloudflare deploy step was found (searched"
            " `.github/workflows/test.yml`).\n\n**Not read:** `.github/workflows/deploy.yml` could not be"
            " read (CF000): what it deploys is not known.") in markdown
    # one read with a warning (a byte that is not UTF-8) was read
    (tmp_path / "repo" / ".github/workflows/deploy.yml").write_bytes(
        b"on: push\njobs:\n  d:\n    runs-on: x # caf\xe9\n    steps:\n      - run: npx wrangler deploy\n")
    markdown = auditlib.run_audit(tmp_path / "repo", AUDIT_DATE).markdown()
    assert "**Verified in CI:** `.github/workflows/deploy.yml`" in markdown
    assert "**Not read:**" not in markdown


def test_verified_in_ci_says_which_steps_pass_no_secret(tmp_path: Path, make_repo: MakeRepo) -> None:
    """One step's token does not cover another's: the step that passes none is named."""
    step = "      - run: npx wrangler deploy\n        working-directory: apps/{}\n"
    files = {**{f"apps/{app}/wrangler.toml": f'name = "{app}"\nmain = "a.ts"\n' for app in "ab"},
             ".github/workflows/deploy.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n"
             + step.format("a") + "        env:\n"
             "          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n"
             + step.format("b")}
    markdown = auditlib.run_audit(make_repo(tmp_path, files), AUDIT_DATE).markdown()
    assert ("**Verified in CI:** `.github/workflows/deploy.yml` (lines 6, 10) deploys via"
            " `wrangler deploy` with `CLOUDFLARE_API_TOKEN` (line 10: none).") in markdown


# A disabled rule did not run: what it would have found is not checked, not clear. ---------

WORKER = 'name = "a"\nmain = "src/index.ts"\ncompatibility_date = "2026-01-01"\n'
PLACED = '\n[placement]\nmode = "smart"\n'
PLACEHOLDER_KV = '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "00000000000000000000000000000000"\n'
REAL_KV = '\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "5f3c1a9e7b2d4c6e8a0b1d3f5e7c9a2b"\n'
BROKEN_LINK = ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-01-01\n\n"
               "# Scaling\n\nSee [the plan](plan.md).\n")
NOT_CHECKED = "Not checked: {} is disabled in the settings (`auditlib.toml`)."


@pytest.mark.parametrize(("disabled", "files", "false", "expected"), [
    pytest.param(["CF002"], {"wrangler.toml": WORKER},
                 "Smart Placement is configured in every wrangler config.",
                 # not followed by a search that reads as evidence of absence (QA s26c #10)
                 f"### Missing Configuration\n\n{NOT_CHECKED.format('CF002')}\n\n### No Production",
                 id="placement"),
    pytest.param(["CF006"], {"wrangler.toml": WORKER + PLACED + REAL_KV},
                 "No unmeasured scaling behaviour was found.",
                 f"### No Production Verification\n\n{NOT_CHECKED.format('CF006')}\n\n",
                 id="verification"),
    pytest.param(["CF001"], {"wrangler.toml": WORKER + PLACED + PLACEHOLDER_KV},
                 "| Real ID |", "| `wrangler.toml:9` | Not checked (CF001 is disabled) |",
                 id="placeholder-id"),
    pytest.param(["CF001", "CF005"], {"wrangler.toml": WORKER + PLACED + PLACEHOLDER_KV},
                 "No P0 or P1 gaps were found.",
                 "No P0 or P1 gaps were found by the rules that ran (not those disabled in the"
                 " settings).", id="gaps"),
    pytest.param(["CF001", "CF005"], {"wrangler.toml": WORKER + PLACED + PLACEHOLDER_KV},
                 "Nothing at P0.", "Nothing at P0 from the rules that ran (not those disabled in"
                 " the settings).", id="actions"),
    # not counted: CF002 is a P1 rule, CF011 a P0 one (QA s26c #10)
    pytest.param(["CF002", "CF011"], {"wrangler.toml": WORKER + REAL_KV},
                 "Nothing at P0 from the rules that ran (2 ", "Nothing at P0 from the rules that ran"
                 " (not those disabled in the settings).", id="actions-uncounted"),
    pytest.param(["DR004"], {"wrangler.toml": WORKER, "docs/auto-scaling.md": BROKEN_LINK},
                 "| 20 | 0 |", f"| 20 | not checked | 0 |\n\n{NOT_CHECKED.format('DR004')}",
                 id="broken-links"),
    pytest.param(["DR001", "DR004"], {"wrangler.toml": WORKER, "docs/auto-scaling.md": BROKEN_LINK},
                 "Every claim of the hand-written `docs/auto-scaling.md` still holds.",
                 "Every claim of the hand-written `docs/auto-scaling.md` that was checked still"
                 f" holds.\n\n{NOT_CHECKED.format('DR004')}", id="drift"),
])
def test_a_disabled_rule_is_not_checked_rather_than_clear(
        tmp_path: Path, make_repo: MakeRepo, disabled: list[str], files: dict[str, str],
        false: str, expected: str) -> None:
    """With its rule disabled, a section does not say that nothing was found: it says what
    was not checked, and why."""
    settings = f"disable = {disabled!r}\n".replace("'", '"')
    repo = make_repo(tmp_path, {**files, "src/index.ts": "export default {}\n",
                                "auditlib.toml": settings})
    markdown = auditlib.run_audit(repo, "2026-01-21").markdown()
    assert false not in markdown
    assert expected in markdown
    (repo / "auditlib.toml").unlink()  # the rule runs, and finds what it finds
    assert expected not in auditlib.run_audit(repo, "2026-01-21").markdown()


def test_the_document_names_the_disabled_rules_once(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Near the top, with the file of the settings by its name alone when it is not the
    repository's (no machine's folders in the document)."""
    repo = make_repo(tmp_path, {"wrangler.toml": WORKER + '\n[vars]\nDB_PASSWORD = "hunter2hunter2"\n'})
    settings = tmp_path / "elsewhere" / "strict.toml"
    settings.parent.mkdir()
    settings.write_text('disable = ["CF011", "CF002"]\n', encoding="utf-8")
    markdown = auditlib.run_audit(repo, "2026-01-21", config_path=settings).markdown()
    intro = markdown.split("\n\n")[3]
    assert intro.startswith("This document describes")
    assert intro.endswith(" edit the repository, not this file. Disabled in the settings"
                          " (`strict.toml`), so not checked: CF002 smart-placement-missing and"
                          " CF011 secret-in-vars.")
    assert markdown.count("CF011") == 1 and str(tmp_path) not in markdown
    assert "Disabled in the settings" not in auditlib.run_audit(repo, "2026-01-21").markdown()


def test_many_unread_files_are_grouped_by_what_to_do_about_each(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """Past MOST_ACTIONS fixes CF000's findings are grouped, each under what fixes it: a
    symbolic link has no syntax error to fix."""
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
                                ".github/workflows/bad.yml": "on: push\njobs:\n  d: [unclosed\n"})
    for name in ("a", "b", "c", "d", "e"):
        (repo / f"{name}.ts").symlink_to(repo / f"missing-{name}.ts")
    (repo / "docs").mkdir()
    (repo / "docs/notes.md").write_bytes(b"# Notes\n\ncaf\xe9\n")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    actions = markdown.split("## Recommended Actions")[1].split("\n## ")[0]
    syntax = next(line for line in actions.splitlines() if "syntax error" in line)
    assert "`.github/workflows/bad.yml`" in syntax
    assert ".ts" not in syntax and "notes.md" not in syntax
    links = next(line for line in actions.splitlines() if "symbolic link" in line)
    assert all(f"`{name}.ts`" in links for name in ("a", "b", "c", "d", "e"))
    encoding = next(line for line in actions.splitlines() if "UTF-8" in line)
    assert "`docs/notes.md`" in encoding and ".ts" not in encoding


def test_a_critical_gap_row_counts_the_findings_of_its_own_severity(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """CF000 is P0 for a wrangler config, P1 for a workflow: a row for each, each its count."""
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
                                "apps/b/wrangler.toml": 'name = "b"\n[[kv_namespaces]\n',
                                ".github/workflows/x.yml": "on: push\njobs:\n  d: [unclosed\n",
                                ".github/workflows/y.yml": "on: push\njobs:\n  d: [unclosed\n"})
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    rows = [line for line in markdown.splitlines() if "| **File could not be read** |" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| P0", "| P1"]
    assert "Not audited (1)" in rows[0] and "apps/b/wrangler.toml" in rows[0]
    assert "Not audited (2)" in rows[1] and "apps/b/" not in rows[1]


def test_configs_that_cannot_be_read_are_counted_and_named(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n',
                                "apps/b/wrangler.toml": 'name = "b"\n[[kv_namespaces]\n',
                                "apps/c/wrangler.jsonc": '{\n  "name": "c",\n  "main": "x" "y"\n}\n'})
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    assert "from 1 wrangler config (2 more could not be read)," in markdown
    note = next(line for line in markdown.splitlines() if line.startswith("**Not read:**"))
    assert note.startswith("**Not read:** `apps/b/wrangler.toml:2` (column ")
    assert "`apps/c/wrangler.jsonc:3` (column 15: " in note
    assert note.endswith(" could not be read (CF000): what they declare is not known.")
    # none read: the overview does not say there is none
    (repo / "wrangler.toml").write_text('name = "a\n', encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE).markdown()
    assert "from 0 wrangler configs (3 could not be read)," in markdown
    assert "No deployment targets: no wrangler config could be read." in markdown
    assert "was found in this repository" not in markdown


def test_a_config_with_two_problems_is_counted_and_named_once(
        tmp_path: Path, make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """A config not UTF-8 that does not parse either is one config not read, by its first
    problem (QA s26c #9)."""
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n'})
    (repo / "b").mkdir()
    (repo / "b/wrangler.jsonc").write_bytes(b'{\n  "name": "\xe9"\n  "main": "x.ts"\n}\n')
    audit = auditlib.run_audit(repo, AUDIT_DATE)
    assert len([p for p in audit.facts.problems if p.location.path == "b/wrangler.jsonc"]) == 2
    markdown = audit.markdown()
    assert "from 1 wrangler config (1 more could not be read)," in markdown
    note = next(line for line in markdown.splitlines() if line.startswith("**Not read:**"))
    assert note.count("b/wrangler.jsonc") == 1 and note.startswith("**Not read:** `b/wrangler.jsonc:2` (")
    assert note.endswith(" could not be read (CF000): what it declares is not known.")
    [row] = [line for line in markdown.splitlines() if "| **File could not be read** |" in line]
    assert "Not audited (1)" in row  # a file, as in the note (QA s26d #7)
    cli.main(["check", str(repo), "--quiet", "--date", AUDIT_DATE])
    assert capsys.readouterr().out.endswith("; audit INCOMPLETE (1 input not read or not audited)\n")


def test_a_resolved_finding_about_the_whole_repository_is_named_as_elsewhere(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"wrangler.toml": 'name = "a"\nmain = "a.ts"\n'})
    baseline = tmp_path / "findings.json"
    baseline.write_text(json.dumps({"audit_date": "2026-01-01", "findings": [
        {"rule": "CF006", "path": ".", "subject": "gone", "severity": "P1", "message": "m1"},
        {"rule": "CF006", "path": "wrangler.toml", "subject": "gone", "severity": "P1",
         "message": "m2"}]}), encoding="utf-8")
    markdown = auditlib.run_audit(repo, AUDIT_DATE, baseline=baseline).markdown()
    resolved = markdown.split("**Resolved:**")[1].split("\n## ")[0]
    assert "| P1 | CF006 | m1 | the whole repository |" in resolved
    assert "| P1 | CF006 | m2 | `wrangler.toml` |" in resolved
    assert "`.`" not in resolved
    # nor while its rule is disabled
    config = AuditConfig(disabled_rules=frozenset({"CF006"}))
    markdown = auditlib.run_audit(repo, AUDIT_DATE, config=config, baseline=baseline).markdown()
    disabled = markdown.split("**Not checked (rule disabled):**")[1].split("\n## ")[0]
    assert "| P1 | CF006 | m1 | the whole repository |" in disabled
    assert "`.`" not in disabled


def test_a_selection_whose_branches_construct_no_store_says_so(tmp_path: Path) -> None:
    """QA s26a #4: its chain was an empty line ending in a colon."""
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "src/store.ts"\n', encoding="utf-8")
    (tmp_path / "src" / "store.ts").write_text(
        "export function pick(env: Env) {\n  const provider = env.STORE_PROVIDER;\n"
        '  if (provider === "redis") return "redis";\n  return new Map();\n}\n', encoding="utf-8")
    markdown = auditlib.run_audit(tmp_path, AUDIT_DATE).markdown()
    chain = markdown.split("**Fallback chain (verified in code):**\n\n", 1)[1].split("\n\n")[0]
    assert chain.startswith("`STORE_PROVIDER` (")
    assert chain.endswith("): its branches construct no store the audit reads (such as"
                          " `new RedisStore(…)`; a built-in `Map` is not taken for one)")
