"""Documentation drift: `auditlib verify` checks a document's claims against the repository."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import auditlib
from auditlib import api, cli
from auditlib.model import Finding

DATE = "2026-11-26"
DOC = "docs/auto-scaling.md"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example monorepo holding its own regenerated document: every claim holds."""
    root = tmp_path / "base-shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, root)
    (root / DOC).write_text(auditlib.run_audit(root, DATE).markdown(), encoding="utf-8")
    return root


def drift(root: Path) -> list[Finding]:
    return list(api.verify(root, [DOC], audit_date=DATE).findings)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_document_that_matches_the_repository_has_no_drift(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert drift(repo) == []
    assert cli.main(["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE]) == 0
    assert capsys.readouterr().out == "no drift: every claim of 1 document holds\n"


CART = "packages/platform-core/src/cartStore/cloudflareDurableStore.ts"
SESSION_TS = "packages/auth/src/sessionDurableStore.ts"


def _grow_cart_file(root: Path) -> None:
    path = root / CART
    path.write_text("// a new header comment\n// and another\n" + path.read_text(), "utf-8")


def _rewrite_latency(root: Path) -> None:
    edit(root / SESSION_TS, "Session DO latency", "Session Durable Object latency")


def _shrink_cart_store(root: Path) -> None:
    path = root / "packages/platform-core/src/cartStore.ts"
    path.write_text("\n".join(path.read_text("utf-8").splitlines()[:60]) + "\n", "utf-8")


def _change_root_config(root: Path) -> None:
    edit(root / "wrangler.toml", 'CART_TTL = "2592000"', 'CART_TTL = "86400"')


def _rename_binding(root: Path) -> None:
    edit(root / "wrangler.toml", '"CART_KV"', '"CART_CACHE_KV"')


def _add_placement(root: Path) -> None:
    path = root / "apps/xa/wrangler.toml"
    path.write_text(path.read_text("utf-8") + '\n[placement]\nmode = "smart"\n', "utf-8")


def _move_related_doc(root: Path) -> None:
    (root / "docs/performance-budgets.md").rename(root / "docs/budgets.md")


def _stale_review(root: Path) -> None:
    edit(root / DOC, f"Last-reviewed: {DATE}", "Last-reviewed: 2026-05-01")


# (how the repository or document changes, rule, words the finding must say)
CASES: list[tuple[Callable[[Path], None], str, list[str]]] = [
    (_grow_cart_file, "DR006", ["has 282 lines; it has 284"]),
    (_grow_cart_file, "DR007", ["cloudflareDurableStore.ts:79-81", "now at lines 81-83"]),
    (_rewrite_latency, "DR007", ["sessionDurableStore.ts:51-53", "no longer in"]),
    (_shrink_cart_store, "DR005", ["cites lines 84-121", "has 60 lines"]),
    (_change_root_config, "DR008", ['-CART_TTL = "2592000"', '+CART_TTL = "86400"']),
    (_rename_binding, "DR009", ["`CART_KV` is named as a binding", "none of that name"]),
    (_rename_binding, "DR009", ["`CART_CACHE_KV` (kv_namespaces, `wrangler.toml:6`) is"
                                " configured but not in the document"]),
    (_add_placement, "DR010", ["[placement] is configured in `apps/xa/wrangler.toml:5`"]),
    (_move_related_doc, "DR004", ["`docs/performance-budgets.md` does not exist"]),
    (_stale_review, "DR002", ["last reviewed 2026-05-01, 209 days ago (limit 90)"]),
]


@pytest.mark.parametrize(("change", "rule", "words"), CASES,
                         ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_each_kind_of_drift_names_the_claim_and_the_truth(
        repo: Path, change: Callable[[Path], None], rule: str, words: list[str]) -> None:
    change(repo)
    found = [f for f in drift(repo) if f.rule == rule]
    assert any(all(word in f.message for word in words) for f in found), found
    assert all(f.location.path == DOC for f in found)
    # Any drift makes the VERIFIED label itself a finding (DR002 is about age, not claims).
    verified = [f for f in drift(repo) if f.rule == "DR003"]
    assert bool(verified) == (rule != "DR002")


def test_drift_findings_point_at_the_claims_line(repo: Path) -> None:
    _grow_cart_file(repo)
    lines = (repo / DOC).read_text(encoding="utf-8").splitlines()
    for finding in drift(repo):
        if finding.rule in ("DR006", "DR007"):
            assert "cloudflareDurableStore.ts" in lines[(finding.location.start_line or 0) - 1]


@pytest.mark.parametrize(("header", "words"), [
    ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-11-26\n",
     "has no `Audit-status:`"),
    ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: last week\n"
     "Audit-status: VERIFIED\n", "is not a date"),
    ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-11-26\n"
     "Audit-status: verified, mostly\n", "is not one capitalised word"),
    ("Status: Active\nDomain: Performance\nLast-reviewed: 2026-11-26\n"
     "Audit-status: VERIFIED\n", "has no `Type:`"),
    ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2027-01-01\n"
     "Audit-status: VERIFIED\n", "is in the future"),
])
def test_header_block_is_checked(repo: Path, header: str, words: str) -> None:
    text = (repo / DOC).read_text(encoding="utf-8")
    (repo / DOC).write_text(header + text.split("\n\n", 1)[1], encoding="utf-8")
    assert any(f.rule == "DR001" and words in f.message for f in drift(repo))


def test_links_that_leave_the_repository_are_reported_and_not_read(repo: Path) -> None:
    outside = repo.parent / "secret.ts"
    outside.write_text("x\n" * 5, encoding="utf-8")
    with (repo / DOC).open("a", encoding="utf-8") as doc:
        doc.write("\nSee [secret.ts:1-99](../../secret.ts#L1-L99).\n")
    facts = api.verify(repo, [DOC], audit_date=DATE).facts
    assert facts.claims[0].files.keys().isdisjoint({"../secret.ts", str(outside)})
    found = [f for f in drift(repo) if f.rule == "DR004"]
    assert [f.subject for f in found] == ["../secret.ts"]
    assert "leads outside the repository (not read)" in found[0].message


def test_verify_cli_exit_codes_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _grow_cart_file(repo)
    argv = ["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE]
    assert cli.main([*argv, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in data["findings"]} >= {"DR003", "DR006", "DR007"}
    assert cli.main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith("drift findings in 1 document")
    assert any(line.startswith(f"{DOC}:") and "DR006 doc-line-count-drift" in line for line in out)
    assert cli.main(["verify", str(repo / "nope.md"), "--repo", str(repo)]) == 2
    assert cli.main(["verify", "--repo", str(repo)]) == 2


def test_docs_tree_mode_shows_freshness(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs/notes.md").write_text("# No header block here\n", encoding="utf-8")
    assert cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo),
                     "--date", "2026-12-20"]) == 1  # the example's plans are 340 days old
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| `docs/")]
    assert [row.split("|")[1].strip() for row in rows] == [
        "`docs/auto-scaling.md`", "`docs/deploy-health-checks.md`",
        "`docs/performance-budgets.md`", "`docs/runtime/cloudflare-edge-storage-plan.md`"]
    assert "| 24 " in rows[0] and "| 340 " in rows[1]
    assert out.count("DR002 doc-stale") == 3


def test_regenerated_report_lists_drift_of_the_hand_written_version(repo: Path) -> None:
    _grow_cart_file(repo)
    markdown = auditlib.run_audit(repo, DATE).markdown()
    section = markdown.split("## Drift since the last hand-written version", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert "claims `packages/platform-core/src/cartStore/cloudflareDurableStore.ts` has 282" \
        " lines; it has 284" in section
    health = markdown.split("## Documentation Health", 1)[1]
    assert "| `docs/auto-scaling.md` " in health
