"""The regenerated document: golden file, reference facts, fixed gaps disappear."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import auditlib
from auditlib.blocks import Table

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
        "## Recommended Actions", "## Findings", "## Related Documents"]


def test_markdown_has_no_raw_html(example_markdown: str) -> None:
    assert "<table" not in example_markdown and "<style" not in example_markdown


@pytest.fixture
def fixed_repo(tmp_path: Path) -> Path:
    """The example with its placeholder ids replaced and Smart Placement everywhere."""
    repo = tmp_path / "base-shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    for config in repo.rglob("wrangler.toml"):
        text = config.read_text(encoding="utf-8")
        text = text.replace('"00000000000000000000000000000000"', '"4f1c0d5e8a2b4c6d9e0f1a2b3c4d5e6f"')
        text = text.replace('"00000000-0000-0000-0000-000000000000"',
                            '"7d9b1f0e-3c2a-4b8d-9e6f-1a2b3c4d5e6f"')
        config.write_text(text + '\n[placement]\nmode = "smart"\n', encoding="utf-8")
    return repo


def test_fixed_gaps_disappear(fixed_repo: Path) -> None:
    markdown = auditlib.run_audit(fixed_repo, AUDIT_DATE).markdown()
    assert "Placeholder" not in markdown
    assert "No Smart Placement configured" not in markdown
    assert "Smart Placement (`[placement]`) is configured in every wrangler config." in markdown
    assert "Nothing at P0." in markdown
    # What is not fixed is still reported.
    assert "Store falls back to memory" in markdown


def test_search_result_lists_the_lines_it_found(fixed_repo: Path) -> None:
    markdown = auditlib.run_audit(fixed_repo, AUDIT_DATE).markdown()
    assert "— 7 results: `apps/cochlearfit/wrangler.toml:5`, `apps/product-pipeline" in markdown


def test_repository_without_configuration_says_so(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n", encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, AUDIT_DATE)
    markdown = audit.markdown()
    assert "No wrangler configuration" in markdown
    assert "No Durable Object bindings are configured." in markdown
    assert "No P0 or P1 gaps were found." in markdown
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


@pytest.mark.parametrize(("value", "expected"), [
    ("a|b", "a\\|b"),
    ("line\nbreak", "line break"),
    ("`x || y`", "`x \\|\\| y`"),
])
def test_table_cells_cannot_break_the_table(value: str, expected: str) -> None:
    table = Table.of(("Column",), [(value,)])
    assert table.rows == ((expected,),)
    assert len(table.markdown.splitlines()) == 3
