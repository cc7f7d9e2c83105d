"""Documentation drift: `auditlib verify` checks a document's claims against the repository."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import auditlib
from auditlib import api, cli, repofiles
from auditlib.docs import GENERATED_MARKER
from auditlib.model import Finding

DATE = "2026-11-26"
DOC = "docs/auto-scaling.md"


def hand_written(markdown: str) -> str:
    """A copy of a regenerated document as a person would keep it: without the marker that
    says auditlib wrote it, so all of its claims are read, as in any hand-written one."""
    assert GENERATED_MARKER in markdown
    return markdown.replace(f"{GENERATED_MARKER}\n\n", "")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example monorepo holding a hand-written copy of its regenerated document: every
    claim holds."""
    root = tmp_path / "base-shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, root)
    (root / DOC).write_text(hand_written(auditlib.run_audit(root, DATE).markdown()), encoding="utf-8")
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
    (_change_root_config, "DR008", ['-vars.CART_TTL = "2592000"', '+vars.CART_TTL = "86400"']),
    (_rename_binding, "DR009", ["`CART_KV` is named as a binding", "none of that name"]),
    (_rename_binding, "DR009", ["the document's bindings leave out `CART_CACHE_KV`"
                                " (KV namespace, `wrangler.toml:6`)"]),
    (_add_placement, "DR010", ["[placement] is configured in `apps/xa/wrangler.toml:5`"]),
    # The Gaps table lists 3 configs "and 4 more"; apps/xa is one of the 4.
    (_add_placement, "DR010", ["Not configured (7)", "4 more than it names, but only 3 others are"
                               " without Smart Placement: `apps/xa-b/wrangler.toml`,"]),
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
     "Audit-status: verified, mostly\n", "is not one upper-case word"),
    ("Status: Active\nDomain: Performance\nLast-reviewed: 2026-11-26\n"
     "Audit-status: VERIFIED\n", "has no `Type:`"),
    ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2027-01-01\n"
     "Audit-status: VERIFIED\n", "is in the future"),
])
def test_header_block_is_checked(repo: Path, header: str, words: str) -> None:
    text = (repo / DOC).read_text(encoding="utf-8")
    (repo / DOC).write_text(header + text.split("\n\n", 1)[1], encoding="utf-8")
    assert any(f.rule == "DR001" and words in f.message for f in drift(repo))


def test_a_document_without_a_header_block_is_one_finding(repo: Path) -> None:
    """Not one a field: a CLAUDE.md checked with verify had five (QA s25e)."""
    text = (repo / DOC).read_text(encoding="utf-8")
    (repo / DOC).write_text(text.split("\n\n", 1)[1], encoding="utf-8")
    [found] = [f for f in drift(repo) if f.rule == "DR001"]
    assert found.message == ("`docs/auto-scaling.md` has no header block (`Type:`, `Status:`, `Domain:`,"
                             " `Last-reviewed:`, `Audit-status:` lines at its top)")


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
    # DR003 (the header's status) is a finding, not a drifted claim.
    drifted = sum(f["rule"] not in ("DR001", "DR002", "DR003") for f in data["findings"])
    others = len(data["findings"]) - drifted
    assert out[-1] == (f"{len(data['findings'])} findings in 1 document ({drifted} drifted claims,"
                       f" {others} about headers, review dates or unread files)")
    assert any(line.startswith(f"{DOC}:") and ": P2 DR006 Line count in document is wrong: " in line
               for line in out)
    assert cli.main(["verify", str(repo / "nope.md"), "--repo", str(repo)]) == 2
    assert cli.main(["verify", "--repo", str(repo)]) == 2


def test_verify_json_says_whether_the_documents_hold_beside_the_audit_s_status(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE, "--format", "json"]
    assert cli.main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["verify_status"], data["audit_status"]) == ("CURRENT", "VERIFIED")
    _grow_cart_file(repo)
    assert cli.main(argv) == 1
    data = json.loads(capsys.readouterr().out)
    # Every input was read and every rule ran (audit_status), but the document drifted.
    assert (data["verify_status"], data["audit_status"]) == ("DRIFTED", "VERIFIED")
    assert "verify_status" not in json.loads(auditlib.run_audit(repo, DATE).to_json())


def test_a_config_that_could_not_be_read_leaves_the_document_unchecked(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a document says of a config that could not be parsed was not checked (QA s25e:
    pkarl/pk2-sh, an uncommented `placement` without its comma)."""
    config = next(path for path in sorted(repo.rglob("wrangler.toml")) if path.parent != repo)
    config.write_text(config.read_text(encoding="utf-8") + "\n[placement\n", encoding="utf-8")
    argv = ["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE]
    code = cli.main(argv)
    out = capsys.readouterr().out.splitlines()
    name = config.relative_to(repo).as_posix()
    assert code == 1 and any(line.startswith(f"{name}:") and "was not checked" in line for line in out)
    assert out[-1].endswith("1 wrangler config could not be read, so not every claim was checked")
    assert cli.main([*argv, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["verify_status"] == "UNCHECKED"


def test_a_rule_that_could_not_run_leaves_the_document_unchecked(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate must not pass what it did not check: a drift rule that raised is no drift."""
    from auditlib.rules import DRIFT_RULES

    def boom(*_args: object) -> Iterator[Finding]:
        raise RuntimeError("boom")

    monkeypatch.setattr(DRIFT_RULES[0], "check", boom)
    argv = ["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE, "--format", "json"]
    assert cli.main(argv) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verify_status"] == "UNCHECKED"
    assert [f["outcome"] for f in data["findings"]] == ["ERROR"]
    assert cli.main(argv[:-2]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "raised RuntimeError: boom" in out[0]
    assert out[-1] == "no drift found in 1 document; 1 rule could not run, so not every claim was checked"


def test_a_disabled_drift_rule_is_named_in_the_summary(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"every claim holds" would say the configuration quoted was checked; a disabled rule did
    not check it. Rules `verify` does not run (CF004) are not named."""
    (repo / "auditlib.toml").write_text('disable = ["DR008", "CF004"]\n', encoding="utf-8")
    assert cli.main(["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE]) == 0
    assert capsys.readouterr().out == (
        "no drift found in 1 document; DR008 doc-config-block-drift disabled in the settings"
        " (`auditlib.toml`), so not every claim was checked\n")


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
    assert out.count(": P2 DR002 Document not reviewed recently: ") == 3
    # A review dated after the audit has no age yet: DR001 reports it (QA s35b: "-154")
    assert cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo),
                     "--date", "2025-01-01"]) == 1
    out = capsys.readouterr().out
    assert "| in the future |" in out and "| -" not in out


def test_regenerated_report_lists_drift_of_the_hand_written_version(repo: Path) -> None:
    _grow_cart_file(repo)
    markdown = auditlib.run_audit(repo, DATE).markdown()
    section = markdown.split("## Drift since the last hand-written version", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert "claims `packages/platform-core/src/cartStore/cloudflareDurableStore.ts` has 282" \
        " lines; it has 284" in section
    health = markdown.split("## Documentation Health", 1)[1]
    assert "| `docs/auto-scaling.md` " in health


def append(root: Path, text: str, path: str = DOC) -> None:
    with (root / path).open("a", encoding="utf-8") as doc:
        doc.write(text)


def test_a_named_document_that_cannot_be_read_is_bad_input(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    append(repo, "x" * repofiles.MAX_FILE_BYTES)
    argv = ["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no "no drift"
    assert f"document not read: {DOC}:" in captured.err and "2 MiB limit" in captured.err


def test_an_unreadable_document_in_a_docs_tree_is_reported_with_the_others(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs/big.md").write_text("Type: Log\n" + "x" * repofiles.MAX_FILE_BYTES, "utf-8")
    assert cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo),
                     "--date", DATE]) == 1
    out = capsys.readouterr().out
    assert "docs/big.md: P1 CF000 File could not be read: `docs/big.md` could not be read:" in out
    assert "| `docs/deploy-health-checks.md` " in out and "no drift" not in out


NUL = "binary content (NUL byte): skipped"


@pytest.mark.parametrize(("name", "data", "why"), [
    ("u16.md", "Type: Plan\nStatus: Active\n\n# Plan\n".encode("utf-16"),
     "UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8: skipped"),
    ("u16be.md", "Type: Plan\n".encode("utf-16-be"), NUL),  # no byte order mark: a NUL
    ("image.md", b"\x89PNG\0\0\0\rIHDR", NUL),
])
def test_a_document_in_a_docs_tree_that_is_not_text_is_reported_with_the_others(
        repo: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, why: str) -> None:
    (repo / "docs" / name).write_bytes(data)
    assert cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo),
                     "--date", DATE]) == 1
    out = capsys.readouterr().out
    assert f"docs/{name}:1: P1 CF000 File could not be read: `docs/{name}:1` could not be read:" \
        f" {why}" in out
    assert "| `docs/deploy-health-checks.md` " in out


def test_a_pipe_in_a_docs_tree_is_reported_with_the_others(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(repo / "docs" / "pipe.md")
    os.mkfifo(repo / "docs" / "pipe.txt")  # not a document: not reported
    assert cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo),
                     "--date", DATE]) == 1
    out = capsys.readouterr().out
    assert "docs/pipe.md: P1 CF000 File could not be read: `docs/pipe.md` could not be read: not a" \
        " regular file (a named pipe): not read" in out
    assert "pipe.txt" not in out and "| `docs/deploy-health-checks.md` " in out


@pytest.mark.parametrize(("make", "words"), [
    (lambda path: path.mkdir(), "is a folder (check the documents in it with --docs)"),
    (os.mkfifo, "is not a regular file"),
    (lambda path: None, "document not found"),
])
def test_a_named_document_that_is_not_a_file_says_what_it_is(
        repo: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object],
        words: str) -> None:
    path = repo / "docs" / "odd.md"
    make(path)
    assert cli.main(["verify", str(path), "--repo", str(repo), "--date", DATE]) == 2
    assert words in capsys.readouterr().err


def test_a_document_that_is_not_utf8_is_reported_once(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / DOC).open("ab") as doc:
        doc.write(b"\nCaf\xe9 notes.\n")
    assert cli.main(["verify", str(repo / DOC), "--repo", str(repo), "--date", DATE,
                     "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["message"] for f in data["findings"]] == [
        f"`{DOC}:{data['findings'][0]['line']}` could not be read, column 4: not UTF-8: read"
        " with replacement characters"]
    assert len(data["facts"]["problems"]) == 1


def test_links_to_files_that_are_not_text_exist(repo: Path) -> None:
    (repo / "docs/img").mkdir()
    for name in ("arch.png", "plain.png"):
        (repo / "docs/img" / name).write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (repo / "packages/big.ts").write_text("x\n" * repofiles.MAX_FILE_BYTES, "utf-8")
    append(repo, "\n![Architecture](img/plain.png) and [big](../packages/big.ts)\n\n"
                 "[arch.png:1-2](img/arch.png#L1-L2), [big.ts](../packages/big.ts) (9 lines)\n")
    audit = api.verify(repo, [DOC], audit_date=DATE)
    found = {f.rule: f.message for f in audit.findings if f.rule not in ("DR003", "DR009")}
    assert found == {
        "DR005": "[arch.png:1-2](img/arch.png#L1-L2) cites lines 1-2 of `docs/img/arch.png`,"
                 " which could not be read as text: binary content (NUL byte): skipped",
        "DR006": "claims `packages/big.ts` has 9 lines; it could not be read as text:"
                 f" {2 * repofiles.MAX_FILE_BYTES} bytes, larger than the 2 MiB limit: skipped"}
    # A file whose lines are cited is read; a plain link is not, and is no problem.
    assert [p.location.path for p in audit.facts.problems] == ["docs/img/arch.png",
                                                               "packages/big.ts"]


CART_STORE = "packages/platform-core/src/cartStore.ts"


@pytest.mark.parametrize(("claim", "message"), [
    ("cartStore.ts:121-84", "cartStore.ts:121-84 cites lines 121-84: the range is reversed"),
    (f"[x](../{CART_STORE}#L121-L84)",
     f"[x](../{CART_STORE}#L121-L84) cites lines 121-84: the range is reversed"),
    ("cartStore.ts:900-84", "cartStore.ts:900-84 cites lines 900-84: the range is reversed, and"
                            f" starts past the end of `{CART_STORE}` (137 lines)"),
])
def test_reversed_ranges_are_reported(repo: Path, claim: str, message: str) -> None:
    append(repo, f"\nSee {claim}.\n")
    assert [f.message for f in drift(repo) if f.rule == "DR005"] == [message]


def test_a_snippet_with_a_reversed_range_says_so(repo: Path) -> None:
    edit(repo / DOC, "// cloudflareDurableStore.ts:79-81", "// cloudflareDurableStore.ts:81-79")
    assert [f.message for f in drift(repo) if f.rule == "DR007"] == [
        "the snippet `// cloudflareDurableStore.ts:81-79` cites lines 81-79, a reversed range;"
        " the quoted code starts at line 79"]


def test_a_byte_order_mark_does_not_hide_the_header(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / DOC
    path.write_text("\ufeff" + path.read_text("utf-8"), "utf-8")
    assert drift(repo) == []
    cli.main(["verify", "--docs", str(repo / "docs"), "--repo", str(repo), "--date", DATE])
    out = capsys.readouterr().out
    assert "| `docs/auto-scaling.md` " in out and "DR001" not in out


@pytest.mark.parametrize("separator", ["\u2028", "\f", "\x0b", "\x85"])
def test_lines_are_counted_at_newlines_only(repo: Path, separator: str) -> None:
    path = repo / CART  # 282 lines; the snippet of lines 79-81 stays where it is
    edit(path, "    });\n", f"    }});{separator}// not a new line\n")
    assert drift(repo) == []


def test_only_a_named_document_needs_an_audit_status(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs/guides").mkdir()
    (repo / "docs/guides/one.md").write_text(
        "Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-11-26\n\n# One\n",
        encoding="utf-8")
    argv = ["verify", "--repo", str(repo), "--date", DATE]
    assert cli.main([*argv, "--docs", str(repo / "docs/guides")]) == 0
    assert cli.main([*argv, str(repo / "docs/guides/one.md")]) == 1
    assert "has no `Audit-status:`" in capsys.readouterr().out


def test_findings_point_at_the_line_of_the_claim_itself(repo: Path) -> None:
    append(repo, "\nThe cart falls back at cartStore.ts:120-130\n"
                 "and reads cartStore.ts:12-900 first.\n")
    lines = (repo / DOC).read_text(encoding="utf-8").splitlines()
    found = [f for f in drift(repo) if f.rule == "DR005"]
    assert [f.subject for f in found] == ["cartStore.ts:12-900"]
    assert found[0].location.start_line == len(lines)


def test_links_from_the_repository_root(repo: Path) -> None:
    append(repo, f"\n[a](/{CART_STORE}#L84-L121), [b](/nope.ts), [c](/../secret.ts),"
                 " [d](//example.com/x.ts)\n")
    found = [(f.subject, f.message) for f in drift(repo) if f.rule in ("DR004", "DR005")]
    assert sorted(found) == [
        ("../secret.ts", "[c](/../secret.ts) leads outside the repository (not read)"),
        ("nope.ts", "[b](/nope.ts): `nope.ts` does not exist")]


def test_docs_folder_errors_name_the_folder(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["verify", "--repo", str(repo), "--docs"]
    assert cli.main([*argv, str(repo / "nope")]) == 2
    assert cli.main([*argv, str(repo / DOC)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"auditlib: --docs {repo / 'nope'}: no such folder",
        f"auditlib: --docs {repo / DOC}: not a folder (name a document without --docs)"]


def test_a_docs_folder_without_a_document_to_check_is_bad_input(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs/x").mkdir()
    (repo / "docs/x/front.md").write_text("---\ntype: Guide\n---\n\n[a](gone.md)\n", "utf-8")
    (repo / "docs/x/title.md").write_text("# T\n\nType: Guide\n", "utf-8")
    (repo / "docs/empty").mkdir()
    argv = ["verify", "--repo", str(repo), "--date", DATE, "--docs"]
    assert cli.main([*argv, str(repo / "docs/x")]) == 2
    assert cli.main([*argv, str(repo / "docs/empty")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no "no drift"
    assert captured.err.splitlines() == [
        f"auditlib: --docs {repo / 'docs/x'}: nothing was checked: none of its 2 Markdown files"
        " starts with a header block (`Type: …` lines at the very top; YAML front matter is not"
        " one)", f"auditlib: --docs {repo / 'docs/empty'}: nothing was checked: it holds no"
        " Markdown file"]


def test_a_docs_folder_passes_over_the_documents_of_runs(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`run --out docs/audits` writes each run's document beside its findings.json; its
    links are relative to the doc_path, so it is an output, not a document to check."""
    argv = ["verify", "--repo", str(repo), "--date", DATE, "--docs"]
    code = cli.main([*argv, str(repo / "docs")])
    before = capsys.readouterr()
    run = repo / "docs/audits" / DATE
    run.mkdir(parents=True)
    auditlib.run_audit(repo, DATE).save(run)
    shutil.copy(repo / DOC, run / "auto-scaling-audit.md")
    assert cli.main([*argv, str(repo / "docs")]) == code
    assert capsys.readouterr() == before
    assert cli.main([*argv, str(repo / "docs/audits")]) == 2
    assert capsys.readouterr().err == (
        f"auditlib: --docs {repo / 'docs/audits'}: nothing was checked: it holds no Markdown"
        " file but the documents of auditlib runs, which are outputs\n")


def test_a_docs_folder_whose_documents_were_not_read_is_named(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs/x").mkdir()
    (repo / "docs/x/big.md").write_text("Type: Log\n" + "x" * repofiles.MAX_FILE_BYTES, "utf-8")
    assert cli.main(["verify", "--repo", str(repo), "--docs", str(repo / "docs/x")]) == 1
    assert "No document under `docs/x/` has a header block" in capsys.readouterr().out


def test_a_wrong_id_is_named_as_an_id(repo: Path) -> None:
    edit(repo / DOC, "| `0e0888a980cd46efa1d28aea3794b3ac` |", "| `0e0888a980cd46efa1d28aea37940000` |")
    assert any("`0e0888a980cd46efa1d28aea37940000` is named as an id in the document" in f.message
               for f in drift(repo))


def test_link_queries_and_escapes_are_read_as_github_reads_them(repo: Path) -> None:
    (repo / "docs/my notes.md").write_text("notes\n", encoding="utf-8")
    append(repo, "\n[n](my%20notes.md), [p](../packages/platform-core/src/cartStore.ts"
                 "?plain=1#L84-L200)\n")
    found = [(f.rule, f.subject) for f in drift(repo) if f.rule in ("DR004", "DR005")]
    assert found == [("DR005", "[p](../packages/platform-core/src/cartStore.ts?plain=1#L84-L200)")]


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("Smart Placement is enabled for `apps/xa/wrangler.toml`; observability is not enabled"
     " there yet.", []),
    ("Observability is on. Smart Placement is not configured in `wrangler.toml`.",
     [(3, [("wrangler.toml", None)], 0)]),
    ("Observability is on.\nSmart Placement is not configured.", [(4, [], 0)]),
    # a config named with its line, as the report's Gaps table names it
    ("Smart Placement is not configured in `apps/b/wrangler.toml:4`.",
     [(3, [("apps/b/wrangler.toml", 4)], 0)]),
    # a list cut short, as the report's Gaps table cuts it
    ("Smart Placement is not configured in `a/wrangler.toml`, `b/wrangler.toml` and 4 more.",
     [(3, [("a/wrangler.toml", None), ("b/wrangler.toml", None)], 4)]),
])
def test_a_not_configured_claim_is_the_sentence_that_says_it(
        paragraph: str, expected: list[tuple[int, list[tuple[str, int | None]], int]]) -> None:
    from auditlib.claims import read_claims

    claims = read_claims("docs/a.md", f"# Title\n\n{paragraph}\n", ["wrangler.toml"])
    assert [(c.location.start_line, c.data["configs"], c.data["more"]) for c in claims
            if c.kind == "negative"] == expected


WORKER = 'name = "{}"\nmain = "src/index.ts"\n'
PLACED = WORKER + '\n[placement]\nmode = {}\n'


@pytest.mark.parametrize(("b", "says"), [
    pytest.param(PLACED.format("b", '"off"'), "`apps/b/wrangler.toml:4` turns it off", id="off"),
    pytest.param(PLACED.format("b", '"Smart"'), "whose mode is not", id="Smart"),
    pytest.param(WORKER.format("b") + '[env.production]\n[env.production.placement]\nmode = "smart"\n',
                 "`apps/b/wrangler.toml` sets Smart Placement only in env `production`"
                 " (`apps/b/wrangler.toml:4`), not at its top level.", id="only-in-an-environment"),
    pytest.param(PLACED.format("b", '"smart"') + '[env.production]\n[env.production.placement]\n'
                 'mode = "off"\n', "`apps/b/wrangler.toml` (env `production`) sets its own placement",
                 id="turned-off-in-an-environment"),
])
def test_a_regenerated_report_holds_when_one_config_places_and_the_other_does_not(
        tmp_path: Path, make_repo: Callable[[Path, dict[str, str]], Path], b: str, says: str) -> None:
    root = make_repo(tmp_path, {"apps/a/wrangler.toml": PLACED.format("a", '"smart"'),
                                "apps/b/wrangler.toml": b})
    (root / DOC).parent.mkdir(exist_ok=True)
    markdown = auditlib.run_audit(root, DATE).markdown()
    assert says in markdown
    (root / DOC).write_text(hand_written(markdown), encoding="utf-8")
    assert [(f.rule, f.message) for f in drift(root) if f.rule in ("DR003", "DR010")] == []


def test_a_long_not_configured_claim_is_cut_outside_its_code_spans() -> None:
    from auditlib.claims import read_claims

    sentence = ("Smart Placement is not configured in " + ", ".join(
        f"`apps/product-pipeline-{n}/wrangler.toml`" for n in range(6)) + ".")
    [claim] = [c for c in read_claims("docs/a.md", f"# Title\n\n{sentence}\n", [])
               if c.kind == "negative"]
    assert claim.text.endswith("…") and len(claim.text) <= 161
    assert claim.text.count("`") % 2 == 0, claim.text


def test_a_long_not_configured_claim_is_redacted_before_it_is_cut() -> None:
    """A token the cut falls inside would no longer be recognised: it is redacted first, and
    the marker is not cut either."""
    from auditlib.claims import read_claims

    token = "ghp_" + "CUTCANARY9Lw2Qe5Ty8Ui1Op4As7Df"
    for lead in range(130, 160, 3):
        sentence = "Smart Placement is not enabled " + "x" * (lead - 31) + f" by {token} yet."
        [claim] = [c for c in read_claims("docs/a.md", f"# Title\n\n{sentence}\n", [])
                   if c.kind == "negative"]
        assert "CUTCAN" not in claim.text and "ghp" not in claim.text, claim.text
        assert "«redacted»" in claim.text or "«" not in claim.text, claim.text


def test_relative_paths_outside_the_current_folder_are_read_from_the_repository(
        repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    argv = ["verify", "--repo", str(repo), "--date", DATE]
    for relative, absolute in ([DOC], [str(repo / DOC)]), (["--docs", "docs"],
                                                          ["--docs", str(repo / "docs")]):
        code = cli.main([*argv, *relative])
        out = capsys.readouterr().out
        assert (code, out) == (cli.main([*argv, *absolute]), capsys.readouterr().out)
        assert code != 2 and out
    assert cli.main([*argv, "nope.md"]) == 2
    assert cli.main([*argv, "docs/" + "a" * 300 + ".md"]) == 2  # a name too long: not found
    (Path("docs")).mkdir()  # the current folder's own docs, outside the repository, win
    assert cli.main([*argv, "--docs", "docs"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "auditlib: document not found: nope.md",
        f"auditlib: document not found: docs/{'a' * 300}.md",
        f"auditlib: --docs docs is not inside the repository {repo} (read from the current"
        f" folder; the repository's is {repo / 'docs'})"]


def test_an_audit_document_outside_docs_is_checked(tmp_path: Path) -> None:
    """The settings' doc_path is read wherever it is, not only under docs/ (QA s25e:
    Olebioclimatic500/cloudflare-kv-worker's apps/api/ARCHITECTURE.md)."""
    (tmp_path / "apps" / "api").mkdir(parents=True)
    (tmp_path / "apps" / "api" / "wrangler.toml").write_text(
        'name = "api"\nmain = "src/index.ts"\n[[d1_databases]]\nbinding = "WORKER_API_D1"\n'
        'database_name = "api"\n', encoding="utf-8")
    (tmp_path / "apps" / "api" / "ARCHITECTURE.md").write_text(
        "Type: Architecture\nStatus: Active\nDomain: API\nLast-reviewed: 2026-11-01\n"
        "Audit-status: UNVERIFIED\n\n# API\n\nThe worker is bound to a D1 database `MY_DB`.\n",
        encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, DATE, doc_path="apps/api/ARCHITECTURE.md")
    assert [(f.rule, f.location.path) for f in audit.findings if f.rule.startswith("DR")] == [
        ("DR009", "apps/api/ARCHITECTURE.md")]
    assert "There is no hand-written version" not in audit.markdown()
