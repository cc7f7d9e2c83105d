"""Scheduled runs: the `check` gate, changes since a baseline, the run history, byte-identical
reruns, and publishing into the audited repository with hand-written notes kept.

Four real `run` executions (about 2 s each) share one copy of the example repository, in this
order: the first run, its twin into another folder, a second run with --publish, an earlier-dated run.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import auditlib
from auditlib import cli, history
from auditlib.changes import _under, compare
from auditlib.docs import GENERATED_MARKER
from auditlib.errors import AuditError
from auditlib.model import Finding, Location, Outcome, Severity
from auditlib.publish import carry_over, check_replaceable, publish

FIRST, SECOND, EARLY = "2026-01-21", "2026-02-01", "2026-01-10"
# Nested past what Python's json reads (RecursionError), before the counts
DEEP = '{"x": ' + "[" * 100_000 + "]" * 100_000 + ', "counts": {"P0": 1}}'
DOC = "docs/auto-scaling.md"
REPORT = "auto-scaling-audit"
DETERMINISTIC = [f"{REPORT}.md", "findings.json", "findings.sarif", f"{REPORT}.ipynb",
                 f"{REPORT}.html"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

KV_LINE = 'id = "00000000000000000000000000000000"  # PLACEHOLDER - needs real ID'
D1_LINE = 'database_id = "00000000-0000-0000-0000-000000000000"'
REAL_KV_LINE = 'id = "5f3c1a9e7b2d4c6e8a0b1d3f5e7c9a2b"'
REAL_D1_LINE = 'database_id = "3b9f2c1e-7a4d-4e8b-9c6f-1d2e3f4a5b6c"'
WAIVED_KV_LINE = 'id = "00000000000000000000000000000000"  # auditlib: ignore[CF001] created on deploy'
LOGIN_KV = "CF001|wrangler.toml|LOGIN_RATE_LIMIT_KV"
SEARCH_KV = "CF001|wrangler.toml|SEARCH_CACHE_KV"
NEW_KV_TABLE = '[[kv_namespaces]]\nbinding = "SEARCH_CACHE_KV"\nid = "REPLACE_ME"\n\n'


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in `path`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def copy_example(folder: Path) -> Path:
    repo = folder / "shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    return repo


def fix_every_p0(repo: Path, *, kv_line: str = REAL_KV_LINE) -> Path:
    """Real-looking ids for both placeholders, `script_name` on both Durable Objects."""
    edit(repo / "wrangler.toml", KV_LINE, kv_line)
    edit(repo / "apps" / "product-pipeline" / "wrangler.toml", D1_LINE, REAL_D1_LINE)
    for cls in ("CartDurableObject", "SessionDurableObject"):
        edit(repo / "wrangler.toml", f'class_name = "{cls}" }}',
             f'class_name = "{cls}", script_name = "shop-do" }}')
    return repo


def check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", *argv])
    return code, capsys.readouterr().out


def open_identities(audit: auditlib.Audit) -> set[str]:
    return {f.identity for f in audit.findings if str(f.outcome) != "WAIVED"}


def json_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from json_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_keys(value)


# `auditlib check`: the CI gate --------------------------------------------------------------

@pytest.mark.parametrize("threshold", ["P0", "P1", "P2"])
def test_check_fails_the_example_at_every_threshold(threshold: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(["--date", FIRST, "--format", "json", "--fail-on", threshold], capsys)
    assert json.loads(out)["counts"]["P0"] == 4
    assert code == 1


def test_check_without_fail_on_passes_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(["--date", FIRST], capsys)[0] == 0


def test_fixed_repository_has_no_p0_but_p1(tmp_path: Path) -> None:
    counts = auditlib.run_audit(fix_every_p0(copy_example(tmp_path)), FIRST).counts()
    assert counts["P0"] == 0 and counts["P1"] > 0 and counts["WAIVED"] == 0


@pytest.mark.parametrize(("threshold", "expected"), [(None, 0), ("P0", 0), ("P1", 1), ("P2", 1)])
def test_check_gates_the_fixed_repository(tmp_path: Path, threshold: str | None, expected: int,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo = fix_every_p0(copy_example(tmp_path))
    argv = [str(repo), "--date", FIRST] + ([] if threshold is None else ["--fail-on", threshold])
    assert check(argv, capsys)[0] == expected


def test_waived_p0_does_not_fail_the_gate(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo = fix_every_p0(copy_example(tmp_path), kv_line=WAIVED_KV_LINE)
    code, out = check([str(repo), "--date", FIRST, "--format", "json", "--fail-on", "P0"], capsys)
    waived = [f for f in json.loads(out)["findings"] if f["outcome"] == "WAIVED"]
    assert [(f["identity"], f["severity"]) for f in waived] == [(LOGIN_KV, "P0")]
    assert code == 0
    # The same placeholder without the comment fails.
    edit(repo / "wrangler.toml", WAIVED_KV_LINE, KV_LINE)
    assert check([str(repo), "--date", FIRST, "--fail-on", "P0"], capsys)[0] == 1


def test_check_text_counts_each_rule_and_says_what_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_example(tmp_path)
    (repo / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF005"\npath = "*"\nreason = "dashboards later"\n'
        'expires = 2026-01-01\n', encoding="utf-8")
    auditlib.run_audit(repo, FIRST).save(tmp_path)
    edit(repo / "wrangler.toml", KV_LINE, REAL_KV_LINE)
    _code, out = check([str(repo), "--date", FIRST, "--baseline", str(tmp_path / "findings.json")],
                       capsys)
    lines = out.splitlines()
    assert "(repository): P1 CF005 No scaling metrics dashboard: no metrics sink in code and no" \
           " Analytics Engine binding (waiver expired 2026-01-01: dashboards later)" in lines
    assert "      1  P0 CF001 Placeholder resource ID" in lines  # one left of two
    assert lines[-1].endswith("(since 2026-01-21: 0 new, 1 resolved)")
    assert check([str(repo), "--date", FIRST, "--quiet"], capsys)[1].count("\n") == 1


@pytest.mark.parametrize("command", ["check", "run"])
def test_fail_on_counts_old_findings_too_and_says_so(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline only reports what changed: with nothing new, `--fail-on` still fails."""
    auditlib.run_audit(None, FIRST).save(tmp_path)
    assert cli.main(["check", "--date", FIRST, "--quiet", "--fail-on", "P0",
                     "--baseline", str(tmp_path / "findings.json")]) == 1
    assert capsys.readouterr().out.endswith("(since 2026-01-21: 0 new, 0 resolved)\n")
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    assert ("--fail-on {P0,P1,P2} exit 1 when an open finding is at or above this severity, new"
            " or not: --baseline does not change what it counts") in " ".join(
                capsys.readouterr().out.split())


def gate(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`check --quiet` with `argv`: its exit code and what it said on stderr."""
    code = cli.main(["check", "--quiet", *argv])
    return code, capsys.readouterr().err


def test_fail_on_new_fails_only_on_what_is_new_or_reopened_and_open(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compared = baseline_of_example(tmp_path)  # 4 open P0 findings
    since = [str(compared.repo), "--date", SECOND, "--baseline", str(compared.baseline)]
    assert gate([*since, "--fail-on-new", "P0"], capsys) == (0, "")  # old findings do not fail
    edit(compared.repo / "wrangler.toml", "[durable_objects]",  # a new P0, waived
         NEW_KV_TABLE.replace('"REPLACE_ME"', '"REPLACE_ME"  # auditlib: ignore[CF001] later')
         + "[durable_objects]")
    assert gate([*since, "--fail-on-new", "P0"], capsys) == (0, "")
    assert gate([*since, "--fail-on-new", "P2", "--fail-on", "P0"], capsys) == (  # either fails
        1, "auditlib: failing: 4 open findings at or above P0\n")
    edit(compared.repo / "wrangler.toml", "  # auditlib: ignore[CF001] later", "")
    assert gate([*since, "--fail-on-new", "P1"], capsys) == (
        1, f"auditlib: failing: 1 new or reopened finding since {FIRST} at or above P1\n")
    auditlib.run_audit(compared.repo, SECOND).save(tmp_path / "new")
    edit(compared.repo / "wrangler.toml", KV_LINE, WAIVED_KV_LINE)  # waived now, open again next
    auditlib.run_audit(compared.repo, SECOND).save(tmp_path / "waived")
    edit(compared.repo / "wrangler.toml", WAIVED_KV_LINE, KV_LINE)
    assert gate([*since[:3], "--fail-on-new", "P0", "--baseline",
                 str(tmp_path / "new" / "findings.json")], capsys)[0] == 0
    assert gate([*since[:3], "--fail-on-new", "P0", "--baseline",
                 str(tmp_path / "waived" / "findings.json")], capsys) == (
        1, f"auditlib: failing: 1 new or reopened finding since {SECOND} at or above P0\n")


def test_fail_on_new_without_a_baseline_counts_every_open_finding(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A first run in CI must not pass unseen: with nothing to compare with, all is new."""
    code, err = gate(["--date", FIRST, "--fail-on-new", "P0"], capsys)
    assert code == 1
    assert err.splitlines()[-2:] == [
        "auditlib: --fail-on-new: no --baseline: every open finding counts as new",
        "auditlib: failing: 4 new or reopened findings at or above P0"]


def test_check_exits_2_for_a_missing_repository(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(tmp_path / "nowhere"), "--fail-on", "P2"]) == 2
    assert capsys.readouterr().err.startswith("auditlib: repository not found")


@pytest.mark.parametrize("settings", ["doc_path = \n", "unknown_key = 1\n", None])
def test_check_exits_2_for_a_bad_config(tmp_path: Path, settings: str | None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "auditlib.toml"
    if settings is not None:
        config.write_text(settings, encoding="utf-8")
    assert cli.main(["check", "--config", str(config), "--fail-on", "P2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"auditlib: {config}")


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(["--date", FIRST, "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["audit_date"] == FIRST
    assert len(data["findings"]) == sum(data["counts"].values()) == 29
    assert data["changes"] is None


def test_check_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    sarif = json.loads(check(["--date", FIRST, "--format", "sarif"], capsys)[1])
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1 and len(sarif["runs"][0]["results"]) == 29


def test_check_text_prints_one_line_per_open_finding_and_a_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fix_every_p0(copy_example(tmp_path), kv_line=WAIVED_KV_LINE)
    audit = auditlib.run_audit(repo, FIRST)
    open_findings = [f for f in audit.findings if str(f.outcome) != "WAIVED"]
    lines = check([str(repo), "--date", FIRST], capsys)[1].splitlines()
    rules = len({f.rule for f in open_findings})
    assert lines[:-1 - rules] == [
        f"{'(repository)' if f.location.path == '.' else f.location}: {f.severity} {f.rule}"
        f" {f.title}: {f.message}" for f in open_findings]
    counts = {line.split()[2]: int(line.split()[0]) for line in lines[-1 - rules:-1]}
    assert counts == {rule: sum(f.rule == rule for f in open_findings) for rule in counts}
    assert len(counts) == rules
    assert lines[-1] == f"auditlib: {FIRST}: {audit.summary()}"
    assert lines[-1].startswith(f"auditlib: {FIRST}: 25 open findings: P0 0, ")
    assert not any("LOGIN_RATE_LIMIT_KV" in line for line in lines)


# Changes since a baseline -------------------------------------------------------------------

@dataclass(frozen=True)
class Compared:
    before: auditlib.Audit
    baseline: Path
    repo: Path


def baseline_of_example(tmp_path: Path) -> Compared:
    """The example audited on FIRST and saved with Audit.save into tmp_path/before."""
    repo = copy_example(tmp_path)
    before = auditlib.run_audit(repo, FIRST)
    (tmp_path / "before").mkdir()
    before.save(tmp_path / "before")
    return Compared(before=before, baseline=tmp_path / "before" / "findings.json", repo=repo)


def fix_one_gap_open_another(repo: Path) -> None:
    edit(repo / "wrangler.toml", KV_LINE, REAL_KV_LINE)
    edit(repo / "wrangler.toml", "[durable_objects]", NEW_KV_TABLE + "[durable_objects]")


def test_changes_are_new_resolved_and_still_open(tmp_path: Path) -> None:
    compared = baseline_of_example(tmp_path)
    fix_one_gap_open_another(compared.repo)
    changes = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline).changes
    assert changes is not None
    assert changes.since == FIRST
    assert [f.identity for f in changes.new] == [SEARCH_KV]
    assert [entry["identity"] for entry in changes.resolved] == [LOGIN_KV]
    assert {f.identity for f in changes.still_open} == open_identities(compared.before) - {LOGIN_KV}
    assert len(changes.still_open) == 28 and changes.waived == ()


def test_findings_in_a_file_that_cannot_be_read_now_are_not_resolved(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A typo in wrangler.toml fixes none of its gaps: they are unchecked, not resolved."""
    compared = baseline_of_example(tmp_path)
    wrangler = compared.repo / "wrangler.toml"
    wrangler.write_text(wrangler.read_text(encoding="utf-8") + "oops = \n", encoding="utf-8")
    after = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    assert after.changes is not None
    unchecked = {entry["identity"] for entry in after.changes.unchecked}
    assert LOGIN_KV in unchecked and all("|wrangler.toml|" in i or "|.|" in i for i in unchecked)
    assert "CF006|.|DO latency in production" in unchecked  # counted from that config
    assert not any("|wrangler.toml|" in entry["identity"] for entry in after.changes.resolved)
    document = after.markdown()
    assert f" {len(unchecked)} not checked: an input they depend on was not read now." in document
    listed = document[document.index("**Not checked (an input was not read):**"):]
    assert "`LOGIN_RATE_LIMIT_KV`" in listed[:listed.index("## Overview")]
    assert json.loads(after.to_json())["changes"]["unchecked"] == sorted(
        unchecked, key=[e["identity"] for e in after.changes.unchecked].index)
    assert cli.main(["check", str(compared.repo), "--date", SECOND, "--quiet",
                     "--baseline", str(compared.baseline)]) == 0
    assert f" resolved, {len(unchecked)} not checked)" in capsys.readouterr().out


def test_findings_of_a_config_wrangler_no_longer_reads_are_not_resolved(tmp_path: Path) -> None:
    """A wrangler.json beside wrangler.toml comes first: wrangler.toml is not audited now,
    and its gaps are not checked, not fixed."""
    compared = baseline_of_example(tmp_path)
    before = {f.identity for f in compared.before.findings if f.location.path == "apps/xa/wrangler.toml"}
    assert before
    (compared.repo / "apps/xa/wrangler.json").write_text('{"name": "xa"}', encoding="utf-8")
    changes = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline).changes
    assert changes is not None
    assert before <= {entry["identity"] for entry in changes.unchecked}
    assert not before & {entry["identity"] for entry in changes.resolved}


def test_what_an_unread_file_silences_is_unchecked_and_open_again_once_read(tmp_path: Path) -> None:
    """A broken workflow silences CF015 (it may deploy the apps): their findings are not
    resolved, and once it reads again they are still open, not new."""
    compared = baseline_of_example(tmp_path)
    cf015 = {f.identity for f in compared.before.findings if f.rule == "CF015"}
    assert cf015  # the example has apps no workflow deploys
    workflow = next((compared.repo / ".github/workflows").glob("*.yml"))
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(text + "  oops: [\n", encoding="utf-8")
    broken = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    assert broken.changes is not None
    assert cf015 <= {entry["identity"] for entry in broken.changes.unchecked}
    assert not cf015 & {entry["identity"] for entry in broken.changes.resolved}
    (tmp_path / "broken").mkdir()
    broken.save(tmp_path / "broken")
    workflow.write_text(text, encoding="utf-8")
    fixed = auditlib.run_audit(compared.repo, "2026-02-02",
                               baseline=tmp_path / "broken" / "findings.json")
    assert fixed.changes is not None and not cf015 & {f.identity for f in fixed.changes.new}
    assert cf015 <= {f.identity for f in fixed.changes.still_open}


def test_findings_of_a_disabled_rule_are_not_checked_not_resolved(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Disabling CF001 fixes no placeholder id: its findings are "not checked (rule
    disabled)", in the document, findings.json and `check`, and open again, not new, once
    it runs again."""
    compared = baseline_of_example(tmp_path)
    cf001 = [f.identity for f in compared.before.findings if f.rule == "CF001"]
    assert LOGIN_KV in cf001
    (compared.repo / "auditlib.toml").write_text('disable = ["CF001"]\n', encoding="utf-8")
    off = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    assert off.changes is not None
    assert [entry["identity"] for entry in off.changes.disabled] == cf001
    assert off.changes.resolved == () and off.changes.new == ()
    changes = off.markdown().split("## Overview")[0]
    assert (f"\n\n0 new, 0 resolved, {len(off.changes.still_open)} still open, 0 waived."
            f" {len(cf001)} not checked: their rule is disabled in the settings (`auditlib.toml`)."
            "\n\n") in changes
    assert "**Resolved:**" not in changes
    assert "`LOGIN_RATE_LIMIT_KV`" in changes[changes.index("**Not checked (rule disabled):**"):]
    assert json.loads(off.to_json())["changes"]["disabled"] == cf001
    assert cli.main(["check", str(compared.repo), "--date", SECOND, "--quiet",
                     "--baseline", str(compared.baseline)]) == 0
    assert f" 0 resolved, {len(cf001)} not checked (rule disabled))" in capsys.readouterr().out
    (tmp_path / "off").mkdir()
    off.save(tmp_path / "off")
    (compared.repo / "auditlib.toml").unlink()
    on = auditlib.run_audit(compared.repo, "2026-02-02", baseline=tmp_path / "off" / "findings.json")
    assert on.changes is not None and on.changes.new == ()
    assert set(cf001) <= {f.identity for f in on.changes.still_open}


def test_a_finding_not_checked_twice_keeps_its_severity_and_message(tmp_path: Path) -> None:
    """A second run with the rule still disabled carries its findings over as the first
    run's table showed them (QA s26c #10): their severity and message, and when they were
    last seen, from findings.json; not their subject alone."""
    compared = baseline_of_example(tmp_path)
    [login] = [f for f in compared.before.findings if f.identity == LOGIN_KV]
    (compared.repo / "auditlib.toml").write_text('disable = ["CF001"]\n', encoding="utf-8")
    off = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    (tmp_path / "off").mkdir()
    off.save(tmp_path / "off")
    kept = json.loads((tmp_path / "off" / "findings.json").read_text(encoding="utf-8"))
    assert {"identity": LOGIN_KV, "severity": str(login.severity), "message": login.message,
            "last_seen": FIRST}.items() <= next(entry for entry in kept["changes"]["not_checked"]
                                                if entry["identity"] == LOGIN_KV).items()
    again = auditlib.run_audit(compared.repo, "2026-02-02", baseline=tmp_path / "off" / "findings.json")
    assert again.changes is not None
    [entry] = [e for e in again.changes.disabled if e["identity"] == LOGIN_KV]
    assert (entry["severity"], entry["message"]) == (str(login.severity), login.message)
    assert "|" not in login.message
    row = (f"| {login.severity} | CF001 | {login.message} (last seen in the run of {FIRST})"
           " | `wrangler.toml` |")
    assert row in again.markdown()
    # and so is one in a file not read, then resolved once read
    (compared.repo / "auditlib.toml").unlink()
    wrangler = compared.repo / "wrangler.toml"
    text = wrangler.read_text(encoding="utf-8")
    wrangler.write_text(text + "oops = \n", encoding="utf-8")
    broken = auditlib.run_audit(compared.repo, "2026-02-03", baseline=tmp_path / "off" / "findings.json")
    assert broken.changes is not None
    [entry] = [e for e in broken.changes.unchecked if e["identity"] == LOGIN_KV]
    assert (entry["severity"], entry["message"]) == (str(login.severity), login.message)
    (tmp_path / "broken").mkdir()
    broken.save(tmp_path / "broken")
    wrangler.write_text(text.replace(KV_LINE, REAL_KV_LINE), encoding="utf-8")
    fixed = auditlib.run_audit(compared.repo, "2026-02-04", baseline=tmp_path / "broken" / "findings.json")
    assert fixed.changes is not None
    [entry] = [e for e in fixed.changes.resolved if e["identity"] == LOGIN_KV]
    assert (entry["severity"], entry["message"], entry["last_seen"]) == (
        str(login.severity), login.message, FIRST)
    assert row in fixed.markdown().split("**Resolved:**")[1]


def test_a_baseline_without_what_it_did_not_check_carries_its_identities() -> None:
    """A findings.json written before `not_checked` was: the subject, and the run that did
    not check it."""
    baseline = {"audit_date": FIRST, "findings": [],
                "changes": {"disabled": [LOGIN_KV], "unchecked": []}}
    [entry] = compare([], baseline, disabled={"CF001"}).disabled
    assert entry["message"] == f"LOGIN_RATE_LIMIT_KV (not checked in the run of {FIRST})"
    assert "severity" not in entry


def test_a_finding_of_a_rule_disabled_now_is_not_resolved() -> None:
    baseline = {"findings": [{"identity": f"{rule}|wrangler.toml|CACHE", "rule": rule,
                              "path": "wrangler.toml"} for rule in ("CF001", "CF002")]}
    changes = compare([], baseline, unread={"wrangler.toml"}, disabled={"CF001"})
    assert [e["rule"] for e in changes.disabled] == ["CF001"]
    assert [e["rule"] for e in changes.unchecked] == ["CF002"]
    changes = compare([], baseline, disabled={"CF002"})
    assert ([e["rule"] for e in changes.resolved], [e["rule"] for e in changes.disabled]) == (
        ["CF001"], ["CF002"])


def test_markdown_opens_with_the_changes(tmp_path: Path) -> None:
    compared = baseline_of_example(tmp_path)
    fix_one_gap_open_another(compared.repo)
    markdown = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline).markdown()
    blocks = markdown.split("\n\n")
    assert blocks[1] == GENERATED_MARKER  # after the header block
    assert blocks[2] == "# Auto-Scaling Architecture"
    assert blocks[3].startswith("This document describes")
    assert blocks[4] == f"## Changes since {FIRST}"
    assert blocks[5] == "1 new, 1 resolved, 28 still open, 0 waived."
    changes = markdown[:markdown.index("## Overview")]
    assert "`SEARCH_CACHE_KV`" in changes[changes.index("**New:**"):changes.index("**Resolved:**")]
    assert "`LOGIN_RATE_LIMIT_KV`" in changes[changes.index("**Resolved:**"):]
    assert "## Changes since" not in auditlib.run_audit(compared.repo, SECOND).markdown()


def test_a_waiver_that_ends_reopens_its_finding(tmp_path: Path) -> None:
    repo = copy_example(tmp_path)
    edit(repo / "wrangler.toml", KV_LINE, WAIVED_KV_LINE)
    (tmp_path / "before").mkdir()
    auditlib.run_audit(repo, FIRST).save(tmp_path / "before")
    edit(repo / "wrangler.toml", WAIVED_KV_LINE, KV_LINE)
    after = auditlib.run_audit(repo, SECOND, baseline=tmp_path / "before" / "findings.json")
    assert after.changes is not None
    assert [f.identity for f in after.changes.reopened] == [LOGIN_KV]
    assert (after.changes.new, after.changes.resolved, after.changes.waived) == ((), (), ())
    assert LOGIN_KV not in {f.identity for f in after.changes.still_open}
    changes = after.markdown().split("## Overview")[0]
    assert "\n\n0 new, 1 reopened, 0 resolved, 28 still open, 0 waived.\n\n" in changes
    assert "`LOGIN_RATE_LIMIT_KV`" in changes[changes.index("**Reopened (no longer waived):**"):]
    assert json.loads(after.to_json())["changes"]["reopened"] == [LOGIN_KV]


def test_check_text_marks_each_new_and_reopened_finding(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_example(tmp_path)
    edit(repo / "wrangler.toml", KV_LINE, WAIVED_KV_LINE)
    auditlib.run_audit(repo, FIRST).save(tmp_path / "before")
    edit(repo / "wrangler.toml", WAIVED_KV_LINE, KV_LINE)  # its waiver ends
    edit(repo / "wrangler.toml", "[durable_objects]", NEW_KV_TABLE + "[durable_objects]")
    argv = [str(repo), "--date", SECOND]
    plain = check(argv, capsys)[1].splitlines()
    marked = check([*argv, "--baseline", str(tmp_path / "before" / "findings.json")],
                   capsys)[1].splitlines()
    expected = [f"{line} ({mark})" for line in plain
                for name, mark in (("LOGIN_RATE_LIMIT_KV", "reopened"), ("SEARCH_CACHE_KV", "new"))
                if f"KV namespace `{name}`" in line]
    assert len(expected) == 2
    assert [line for line in marked if line.endswith(("(new)", "(reopened)"))] == expected
    assert sum(a != b for a, b in zip(marked, plain, strict=True)) == 3  # and the summary


def cache(outcome: Outcome) -> Finding:
    """The finding of a placeholder id of CACHE in wrangler.toml."""
    return Finding(rule="CF001", severity=Severity.P0, title="t", message="m",
                   location=Location(path="wrangler.toml", start_line=5), subject="CACHE",
                   outcome=outcome)


# Two alike findings, the first waived.
WAIVED_AND_OPEN = {"findings": [{"identity": "CF001|wrangler.toml|CACHE", "outcome": outcome}
                                for outcome in ("WAIVED", "FAIL")]}


def test_a_waived_finding_does_not_shift_an_alike_open_one() -> None:
    baseline = WAIVED_AND_OPEN
    changes = compare([cache(Outcome.FAIL)], baseline)  # the waived one was deleted
    assert (len(changes.still_open), changes.new, changes.reopened) == (1, (), ())
    assert [entry["outcome"] for entry in changes.resolved] == ["WAIVED"]
    changes = compare([cache(Outcome.FAIL), cache(Outcome.FAIL)], baseline)  # its waiver ended
    assert (len(changes.still_open), changes.new, len(changes.reopened), changes.resolved) == (
        1, (), 1, ())


@pytest.mark.parametrize(("now", "resolved"), [
    ((), ["WAIVED", "FAIL"]), ((Outcome.WAIVED,), ["FAIL"]), ((Outcome.FAIL,), ["WAIVED"]),
    ((Outcome.WAIVED, Outcome.WAIVED), []), ((Outcome.FAIL, Outcome.FAIL), [])])
def test_a_waived_finding_gone_now_is_resolved_too(now: tuple[Outcome, ...],
                                                    resolved: list[str]) -> None:
    """The counts add up from run to run: what was waived and is no longer there is resolved
    (its waiver waives nothing now), as what was open is."""
    changes = compare([cache(outcome) for outcome in now], WAIVED_AND_OPEN)
    assert sorted(entry["outcome"] for entry in changes.resolved) == sorted(resolved)
    before = len(WAIVED_AND_OPEN["findings"])
    assert before == (len(changes.still_open) + len(changes.reopened) + len(changes.resolved)
                      + len(changes.waived) - len(changes.waived_new))


def test_a_waived_finding_gone_in_a_file_not_read_now_stays_waived_once_read_again() -> None:
    waived = {"findings": [{"identity": "CF001|wrangler.toml|CACHE", "rule": "CF001",
                            "severity": "P0", "path": "wrangler.toml", "outcome": "WAIVED"}]}
    unread = compare([], waived, unread={"wrangler.toml"})
    assert (unread.resolved, [entry["outcome"] for entry in unread.unchecked]) == ((), ["WAIVED"])
    carried = {"audit_date": "2026-02-01", "findings": [], "changes": unread.to_dict()}
    again = compare([cache(Outcome.WAIVED)], carried)
    assert (again.waived_since, again.waived_new, again.new) == ((), (), ())


def test_resolved_findings_are_listed_most_severe_first(tmp_path: Path) -> None:
    baseline = {"audit_date": FIRST, "findings": [
        {"identity": f"CF00{n}|wrangler.toml|X", "rule": f"CF00{n}", "severity": severity,
         "path": "wrangler.toml", "subject": "X", "message": f"gap {n}", "outcome": outcome}
        for n, severity, outcome in ((1, "P2", "FAIL"), (2, "P0", "WAIVED"), (3, "P1", "FAIL"))]}
    changes = compare([], baseline)
    assert [entry["severity"] for entry in changes.resolved] == ["P0", "P1", "P2"]
    (tmp_path / "baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    document = auditlib.run_audit(baseline=tmp_path / "baseline.json").markdown()
    resolved = document[document.index("**Resolved:**"):document.index("## Overview")]
    assert "| gap 2 (waived when last seen) |" in resolved


def test_waived_findings_are_told_apart_by_what_the_baseline_had() -> None:
    """For SARIF's baselineState: waived then too (unchanged), open then, or not there."""
    baseline = WAIVED_AND_OPEN
    for now, since, new in (((Outcome.FAIL, Outcome.WAIVED), 0, 0),
                            ((Outcome.WAIVED, Outcome.WAIVED), 1, 0),
                            ((Outcome.WAIVED, Outcome.WAIVED, Outcome.WAIVED), 1, 1),
                            ((Outcome.FAIL, Outcome.FAIL, Outcome.WAIVED), 0, 1)):  # 1 reopened
        changes = compare([cache(outcome) for outcome in now], baseline)
        assert (len(changes.waived_since), len(changes.waived_new)) == (since, new), now


def test_a_finding_in_a_folder_that_cannot_be_read_now_is_unchecked() -> None:
    baseline = {"findings": [{"identity": f"CF002|apps/{app}/wrangler.toml|placement",
                              "rule": "CF002", "path": f"apps/{app}/wrangler.toml"}
                             for app in ("x", "xy")]}
    changes = compare([], baseline, unread={"apps/x"})
    assert [e["path"] for e in changes.unchecked] == ["apps/x/wrangler.toml"]
    assert [e["path"] for e in changes.resolved] == ["apps/xy/wrangler.toml"]
    whole = {"findings": [{"identity": "CF006|.|Queue consumer scaling", "rule": "CF006",
                           "path": "."}]}  # counted from every config
    assert [e["path"] for e in compare([], whole, unread={"apps/x"}).unchecked] == ["."]
    assert [e["path"] for e in compare([], whole).resolved] == ["."]
    # A config wrangler does not read now (QA s28c #3): its findings, not the whole repository's.
    shadowed = compare([], {"findings": [*baseline["findings"], *whole["findings"]]},
                       ignored={"apps/x/wrangler.toml"}.__contains__)
    assert [e["path"] for e in shadowed.unchecked] == ["apps/x/wrangler.toml"]
    assert [e["path"] for e in shadowed.resolved] == ["apps/xy/wrangler.toml", "."]


def test_findings_json_has_the_changes(tmp_path: Path) -> None:
    compared = baseline_of_example(tmp_path)
    fix_one_gap_open_another(compared.repo)
    after = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    (tmp_path / "after").mkdir()
    after.save(tmp_path / "after")
    changes = json.loads((tmp_path / "after" / "findings.json").read_text(encoding="utf-8"))["changes"]
    assert changes["since"] == FIRST
    assert changes["new"] == [SEARCH_KV]
    assert changes["resolved"] == [LOGIN_KV]
    assert set(changes["still_open"]) == open_identities(compared.before) - {LOGIN_KV}
    assert changes["waived"] == []
    assert json.loads(compared.baseline.read_text(encoding="utf-8"))["changes"] is None


def test_identities_do_not_depend_on_line_numbers(tmp_path: Path) -> None:
    compared = baseline_of_example(tmp_path)
    wrangler = compared.repo / "wrangler.toml"
    wrangler.write_text("\n\n\n" + wrangler.read_text(encoding="utf-8"), encoding="utf-8")
    after = auditlib.run_audit(compared.repo, FIRST, baseline=compared.baseline)
    lines = {f.identity: f.location.start_line for f in after.findings}
    assert lines[LOGIN_KV] == 14  # the finding moved from line 11 ...
    assert after.changes is not None
    assert after.changes.new == () and after.changes.resolved == ()  # ... and is the same one
    assert {f.identity for f in after.changes.still_open} == open_identities(compared.before)


def test_findings_sharing_an_identity_are_counted_each(tmp_path: Path) -> None:
    compared = baseline_of_example(tmp_path)
    store = compared.repo / "packages/platform-core/src/cartStore/cloudflareDurableStore.ts"
    original = store.read_text(encoding="utf-8")
    store.write_text(original + "\nfunction again(duration: number) {\n"
                     "  if (duration > 200 && shouldLogLatency()) {\n"
                     "    console.warn(`again ${duration}`);\n  }\n}\n", encoding="utf-8")
    twice = auditlib.run_audit(compared.repo, SECOND, baseline=compared.baseline)
    assert twice.changes is not None
    assert [(f.rule, f.location.start_line) for f in twice.changes.new] == [("CF004", 285)]
    assert twice.changes.resolved == ()
    (tmp_path / "twice").mkdir()
    twice.save(tmp_path / "twice")
    store.write_text(original, encoding="utf-8")
    once = auditlib.run_audit(compared.repo, SECOND, baseline=tmp_path / "twice" / "findings.json")
    assert once.changes is not None and once.changes.new == ()
    assert [(entry["rule"], entry["line"]) for entry in once.changes.resolved] == [("CF004", 285)]


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_baseline_of_another_repository_or_a_later_date_is_named_not_refused(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    other = copy_example(tmp_path / "other")  # also named shop
    auditlib.run_audit(other, SECOND).save(tmp_path)
    repo = shutil.copytree(other, tmp_path / "web")
    baseline = tmp_path / "findings.json"
    # `run` says so before its kernel starts; a missing notebook stops it there.
    stop = ["--out", str(tmp_path / "out"), "--notebook", str(tmp_path / "none.ipynb")] * (
        command == "run")
    code = cli.main([command, str(repo), "--date", FIRST, "--quiet", "--baseline", str(baseline),
                     *stop])
    assert code == (2 if command == "run" else 0)
    assert capsys.readouterr().err.splitlines()[:2] == [
        f"auditlib: baseline {baseline} audited the repository `shop`, not `web`: the changes"
        " since it compare two repositories (or one checked out under two names)",
        f"auditlib: baseline {baseline} is dated {SECOND}, after the audit's date {FIRST}: the"
        " changes since it run backwards"]
    cli.main([command, str(other), "--date", SECOND, "--quiet", "--baseline", str(baseline),
              *stop])
    assert "auditlib: baseline" not in capsys.readouterr().err  # the same repository and date


def test_the_document_says_when_its_baseline_is_of_another_repository_or_later(
        tmp_path: Path) -> None:
    """QA s27a P2-4: the notebook and the API have no stderr warning to give; the document's
    own "Changes since" says it."""
    other = copy_example(tmp_path / "other")  # shop
    auditlib.run_audit(other, SECOND).save(tmp_path)
    repo = shutil.copytree(other, tmp_path / "web")
    line = next(line for line in auditlib.run_audit(
        repo, FIRST, baseline=tmp_path / "findings.json").markdown().splitlines()
        if line.endswith("run backwards."))
    assert line.endswith(
        " The earlier run audited `shop`, not `web`: these changes compare two repositories (or"
        f" one checked out under two names). The earlier run is dated after this audit ({FIRST}):"
        " these changes run backwards.")
    same = auditlib.run_audit(other, SECOND, baseline=tmp_path / "findings.json").markdown()
    assert "The earlier run" not in same


@pytest.mark.parametrize(("doc_path", "why"), [
    ("/tmp/qa/docs/auto-scaling.md", "is absolute: give it relative to the repository's root"),
    ("../outside.md", "leads outside the repository"),
])
def test_run_audit_refuses_a_doc_path_the_cli_refuses(doc_path: str, why: str) -> None:
    """QA s27a P2-5: the notebook's doc_path gave links that depend on the kernel's folder."""
    with pytest.raises(AuditError, match=f"^doc_path {re.escape(repr(doc_path))} {re.escape(why)}$"):
        auditlib.run_audit(None, FIRST, doc_path=doc_path)


def test_a_doc_path_is_read_as_the_repository_lists_it(tmp_path: Path) -> None:
    """QA s27c #5: `./docs/auto-scaling.md` was not the document's own path: publishing it
    again said its own document was a change not committed."""
    given = "./docs/../docs/auto-scaling.md"
    assert auditlib.run_audit(None, FIRST, doc_path=given).config.doc_path == DOC
    assert cli.parser().parse_args(["run", "--publish", given]).publish == DOC
    assert cli.parser().parse_args(["run", "--doc-path", given]).doc_path == DOC
    repo = copy_example(tmp_path)
    (repo / "auditlib.toml").write_text(f'doc_path = "{given}"\n', encoding="utf-8")
    assert auditlib.run_audit(repo, FIRST).config.doc_path == DOC


BAD_BASELINES = [
    pytest.param("{not json", id="not-json"),
    pytest.param("", id="empty"),
    pytest.param("[]", id="a-list"),
    pytest.param('{"audit_date": "2026-01-01"}', id="no-findings"),
    pytest.param('{"findings": {}}', id="findings-not-a-list"),
    pytest.param('{"findings": [1, 2]}', id="entries-not-objects"),
    pytest.param('{"findings": [{"rule": "CF001", "outcome": "FAIL"}]}', id="entry-without-path"),
]


@pytest.mark.parametrize("text", BAD_BASELINES)
def test_bad_baseline_raises_audit_error(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(AuditError, match="baseline"):
        auditlib.run_audit(None, FIRST, baseline=bad)


def test_missing_baseline_raises_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="baseline"):
        auditlib.run_audit(None, FIRST, baseline=tmp_path / "none.json")


@pytest.mark.parametrize("command", ["check", "run"])
def test_bad_baseline_exits_2(tmp_path: Path, command: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"audit_date": "2026-01-01"}', encoding="utf-8")
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command == "run" else []
    assert cli.main([command, "--date", FIRST, "--baseline", str(bad), *extra]) == 2
    assert capsys.readouterr().err.startswith(f"auditlib: baseline {bad}")
    assert not out.exists()  # `run` stops before the kernel starts


# Real runs: history, determinism, publishing -----------------------------------------------

OVERVIEW_NOTE = ("<!-- auditlib:keep -->\n**On-call:** page #shop-infra  \n"
                 "before raising `CART_TTL`.\n<!-- /auditlib:keep -->")
ORPHAN_NOTE = "<!-- auditlib:keep -->\nTeam decision 2025-12: no Redis.\n<!-- /auditlib:keep -->"
OLD_DOCUMENT = (f"# Auto-Scaling Architecture\n\nAn older version.\n\n## Overview\n\nOld text.\n\n"
                f"{OVERVIEW_NOTE}\n\n## Team notes\n\n{ORPHAN_NOTE}\n")


@dataclass(frozen=True)
class Runs:
    repo: Path
    out: Path  # FIRST, SECOND and EARLY
    twin: Path  # FIRST again, same repository state
    second_stdout: str = ""


def run(argv: list[str]) -> str:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert cli.main(["run", *argv, "--quiet"]) == 0
    return stdout.getvalue()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory,
              commit_all: Callable[[Path], None]) -> Runs:
    base = tmp_path_factory.mktemp("schedule")
    repo = copy_example(base)
    (repo / "docs" / "auto-scaling.md").write_text(OLD_DOCUMENT, encoding="utf-8")
    commit_all(repo)  # an earlier auditlib's document: no generated line, so git must keep it
    runs = Runs(repo=repo, out=base / "out", twin=base / "twin")
    run([str(repo), "--out", str(runs.out), "--date", FIRST])
    return runs


@pytest.fixture(scope="module")
def twin_run(first_run: Runs) -> Runs:
    run([str(first_run.repo), "--out", str(first_run.twin), "--date", FIRST])
    return first_run


@pytest.fixture(scope="module")
def second_run(twin_run: Runs) -> Runs:
    """After the twin (same repository state), fix the KV placeholder, then run and publish."""
    edit(twin_run.repo / "wrangler.toml", KV_LINE, REAL_KV_LINE)
    stdout = run([str(twin_run.repo), "--out", str(twin_run.out), "--date", SECOND, "--publish"])
    return Runs(repo=twin_run.repo, out=twin_run.out, twin=twin_run.twin, second_stdout=stdout)


@pytest.fixture(scope="module")
def early_run(second_run: Runs) -> Runs:
    run([str(second_run.repo), "--out", str(second_run.out), "--date", EARLY])
    return second_run


def findings_json(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    return data


def test_first_run_has_no_changes(first_run: Runs) -> None:
    folder = first_run.out / FIRST
    assert findings_json(folder)["changes"] is None
    assert "## Changes since" not in (folder / f"{REPORT}.md").read_text(encoding="utf-8")


def test_second_run_reports_changes_since_the_first(second_run: Runs) -> None:
    folder = second_run.out / SECOND
    markdown = (folder / f"{REPORT}.md").read_text(encoding="utf-8")
    assert f"\n## Changes since {FIRST}\n\n0 new, 1 resolved, 28 still open, 0 waived.\n" in markdown
    assert markdown.index("## Changes since") < markdown.index("## Overview")
    changes = findings_json(folder)["changes"]
    assert (changes["since"], changes["new"], changes["resolved"]) == (FIRST, [], [LOGIN_KV])
    assert second_run.second_stdout.splitlines()[-1] == (
        f"auditlib: {SECOND}: 28 open findings: P0 3, P1 11, P2 14, ERROR 0, WAIVED 0"
        f" (since {FIRST}: 0 new, 1 resolved)")


def test_earlier_dated_run_does_not_use_a_later_baseline(early_run: Runs) -> None:
    folder = early_run.out / EARLY
    assert findings_json(folder)["changes"] is None
    assert "## Changes since" not in (folder / f"{REPORT}.md").read_text(encoding="utf-8")


def test_index_md_lists_the_runs_newest_first_with_working_links(early_run: Runs) -> None:
    index = (early_run.out / "index.md").read_text(encoding="utf-8")
    rows = [line for line in index.splitlines() if re.match(r"^\| \d{4}-\d\d-\d\d ", line)]
    assert [row.split("|")[1].strip() for row in rows] == [SECOND, FIRST, EARLY]
    assert "3 runs, newest first." in index
    links = re.findall(r"\]\(([^)]+)\)", index)
    assert f"{SECOND}/{REPORT}.md" in links and f"{EARLY}/{REPORT}.html" in links
    assert len(links) == 1 + 2 * 3  # the chart, then .md and .html per run
    assert all((early_run.out / link).is_file() for link in links)


def test_index_html_embeds_the_chart(early_run: Runs) -> None:
    html = (early_run.out / "index.html").read_text(encoding="utf-8")
    png = (early_run.out / "history.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    image = re.search(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert image is not None
    assert base64.b64decode(image[2]) == png
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [f"{day}/{REPORT}.html" for day in (SECOND, FIRST, EARLY)]
    assert all((early_run.out / href).is_file() for href in hrefs)


def test_history_chart_is_drawn_again_only_when_the_runs_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in (FIRST, SECOND):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text('{"counts": {"P0": 1}}', encoding="utf-8")
    history.write_index(tmp_path)
    png = (tmp_path / "history.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE)

    def drawn(runs: list[history.Run]) -> bytes:
        raise AssertionError(f"chart drawn for {len(runs)} runs")

    monkeypatch.setattr(history, "chart_png", drawn)
    history.write_index(tmp_path)  # the same runs: the same chart, kept
    assert (tmp_path / "history.png").read_bytes() == png
    assert base64.b64encode(png).decode("ascii") in (tmp_path / "index.html").read_text(
        encoding="utf-8")
    (tmp_path / SECOND / "findings.json").write_text('{"counts": {"P0": 2}}', encoding="utf-8")
    with pytest.raises(AssertionError, match="chart drawn for 2 runs"):
        history.write_index(tmp_path)


def test_a_history_of_two_repositories_names_each_run_s_and_charts_the_newest_s(
        tmp_path: Path) -> None:
    """QA s35b: an --out shared by two repositories mixed their runs in one series."""
    for day, repo, count in ((EARLY, "shop", 5), (FIRST, "web", 1), (SECOND, "shop", 3)):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text(
            f'{{"repo": "{repo}", "counts": {{"P0": {count}}}}}', encoding="utf-8")
    history.write_index(tmp_path)
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert ("3 runs, newest first, of 2 repositories; the chart shows those of shop, the newest"
            " run's.") in index
    assert "| Date | Repository | P0 |" in index and f"| {FIRST} | web | 1 |" in index
    assert (tmp_path / "history.png").read_bytes() == history._chart(
        ((EARLY, (5, 0, 0)), (SECOND, (3, 0, 0))))
    assert "of 2 repositories" in (tmp_path / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(tmp_path / FIRST)  # one repository: as before, no column
    history.write_index(tmp_path)
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "2 runs, newest first.\n" in index and "Repository" not in index


@pytest.mark.parametrize("damage", ['{"broken":', '{"counts": "none"}'])
def test_a_run_whose_findings_cannot_be_read_stays_in_the_history(
        tmp_path: Path, damage: str) -> None:
    for day, text in ((FIRST, '{"counts": {"P0": 1}, "audit_status": "COMPLETE"}'),
                      (SECOND, damage)):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text(text, encoding="utf-8")
    history.write_index(tmp_path)
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "2 runs, newest first." in index
    assert (f"| {SECOND} | — | — | — | — | — | findings.json damaged |"
            f" [{SECOND}/{REPORT}.md]({SECOND}/{REPORT}.md)") in index
    assert f"| {FIRST} | 1 | 0 | 0 | 0 | 0 | COMPLETE |" in index
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"<td>{SECOND}</td><td>—</td>" in html and "findings.json damaged" in html
    # The chart plots the runs it can count.
    assert (tmp_path / "history.png").read_bytes() == history._chart(((FIRST, (1, 0, 0)),))


@pytest.mark.parametrize("refused", ["index.md", "index.html"])
def test_a_history_file_that_cannot_be_written_leaves_the_history_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    """history.png is written first: the files written before the one refused are put back."""
    (tmp_path / FIRST).mkdir()
    (tmp_path / FIRST / "findings.json").write_text('{"counts": {"P0": 1}}', encoding="utf-8")
    history.write_index(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    (tmp_path / SECOND).mkdir()
    (tmp_path / SECOND / "findings.json").write_text('{"counts": {"P0": 2}}', encoding="utf-8")
    write_atomic = history.write_atomic

    def refuse(target: Path, data: str | bytes) -> Path:
        if target.name == refused:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(target))
        return write_atomic(target, data)

    monkeypatch.setattr(history, "write_atomic", refuse)
    with pytest.raises(AuditError, match=re.escape(
            f"the history in {tmp_path} was not updated: {tmp_path / refused} cannot be"
            " written (Operation not permitted)")):
        history.write_index(tmp_path)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()
            if path.is_file()} == before
    shutil.rmtree(tmp_path / FIRST)
    for name in before:
        (tmp_path / name).unlink()
    with pytest.raises(AuditError):
        history.write_index(tmp_path)
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == []


def test_history_chart_drawn_ahead_is_the_one_the_index_uses(tmp_path: Path) -> None:
    """While the notebook runs, the chart is drawn for the runs the index will list once the
    new run is moved in; write_index then finds it drawn."""
    out, staging = tmp_path / "out", tmp_path / "staging"
    for folder, count in ((out / FIRST, 1), (staging, 3)):
        folder.mkdir(parents=True)
        (folder / "findings.json").write_text(f'{{"counts": {{"P0": {count}}}}}',
                                              encoding="utf-8")
    history._chart.cache_clear()
    history.draw_ahead(out, SECOND, staging)
    assert history._chart.cache_info().misses == 1
    staging.rename(out / SECOND)
    history.write_index(out)
    assert history._chart.cache_info().hits == 1
    assert history._chart.cache_info().misses == 1
    points = ((FIRST, (1, 0, 0)), (SECOND, (3, 0, 0)))
    assert (out / "history.png").read_bytes() == history._chart(points)

    history.draw_ahead(out, SECOND, out / SECOND)  # the same runs: the chart is kept
    assert history._chart.cache_info().misses == 1


def test_runs_written_under_docs_are_not_read_as_its_documents(tmp_path: Path) -> None:
    """`run . --out docs/audits`: a run's document sits under docs/, beside its findings.json,
    with links relative to the doc_path. Read as a document, it drifts, and each run would
    report on the runs before it. The document published at the doc_path is still read."""
    repo = copy_example(tmp_path)
    (repo / "docs" / "auto-scaling.md").write_text(auditlib.run_audit(repo, FIRST).markdown(),
                                                   encoding="utf-8")
    first = auditlib.run_audit(repo, FIRST)
    # A run's folder, and one left staging by a run that was killed.
    for folder in (repo / "docs" / "audits" / FIRST, repo / "docs" / "audits" / f".{SECOND}-x1"):
        folder.mkdir(parents=True)
        first.save(folder)
        (folder / f"{REPORT}.md").write_text(first.markdown(), encoding="utf-8")
    history.write_index(repo / "docs" / "audits")
    (repo / "docs" / "notes").mkdir()  # the same name, hand-written: read
    (repo / "docs" / "notes" / f"{REPORT}.md").write_text("# Notes\n", encoding="utf-8")
    second = auditlib.run_audit(repo, SECOND)
    assert second.counts() == first.counts()
    assert [d.path for d in second.facts.documents] == sorted(
        [*(d.path for d in first.facts.documents), f"docs/notes/{REPORT}.md"])
    assert [d.path for d in second.facts.claims] == [d.path for d in first.facts.claims]
    assert "docs/auto-scaling.md" in [d.path for d in second.facts.claims]


def test_latest_before_never_picks_a_later_or_same_day_run(tmp_path: Path) -> None:
    for day in (FIRST, SECOND):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text('{"counts": {}}', encoding="utf-8")
    (tmp_path / "2026-01-25").mkdir()  # no findings.json: not a run
    (tmp_path / "2026-01-26.failed.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / ".2026-01-28-x1").mkdir()  # left staging by a run that was killed: not a run
    (tmp_path / ".2026-01-28-x1" / "findings.json").write_text('{"counts": {}}', "utf-8")
    assert [run.date for run in history.runs(tmp_path)] == [FIRST, SECOND]
    assert history.latest_before(tmp_path, EARLY) is None
    assert history.latest_before(tmp_path, FIRST) is None
    assert history.latest_before(tmp_path, "2026-01-30") == tmp_path / FIRST / "findings.json"
    assert history.latest_before(tmp_path, SECOND) == tmp_path / FIRST / "findings.json"
    assert history.latest_before(tmp_path, "2026-12-31") == tmp_path / SECOND / "findings.json"
    assert history.latest_before(tmp_path / "missing", SECOND) is None


def test_a_damaged_earlier_run_is_passed_over_for_the_one_before(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = '{"counts": {}, "findings": [{"rule": "CF001", "path": "a", "subject": "b"}]}'
    damaged = '{"counts": {"P0": 1}, "findings": [{"rule": "CF001", "path": "wrangler.toml"}]}'
    for day, text in ((FIRST, good), ("2026-01-25", '{"findings": ['),
                      ("2026-01-26", DEEP), (SECOND, damaged)):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text(text, encoding="utf-8")
    assert cli._earlier_run(tmp_path, "2026-12-31", "shop") == tmp_path / FIRST / "findings.json"
    err = capsys.readouterr().err
    assert f"{SECOND}/findings.json: finding 1 lacks rule, path or subject: passed over" in err
    assert "2026-01-25/findings.json: not a readable findings.json" in err
    assert "2026-01-26/findings.json: not a readable findings.json (nested too deeply)" in err


def test_earlier_runs_of_another_repository_are_passed_over_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An --out shared by two repositories: each run compares with its own repository's."""
    for day, repo in ((EARLY, "shop"), (FIRST, "web"), ("2026-01-25", "web"), (SECOND, "shop")):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text(
            json.dumps({"repo": repo, "findings": []}), encoding="utf-8")
    assert cli._earlier_run(tmp_path, "2026-12-31", "shop") == tmp_path / SECOND / "findings.json"
    assert capsys.readouterr().err == ""
    assert cli._earlier_run(tmp_path, SECOND, "shop") == tmp_path / EARLY / "findings.json"
    assert capsys.readouterr().err == (
        f"auditlib: passed over 2 earlier runs in {tmp_path} of another repository than `shop`"
        f" (the newest: 2026-01-25, of `web`); comparing with the run of {EARLY}\n")
    assert cli._earlier_run(tmp_path, FIRST, "api") is None
    assert capsys.readouterr().err == (
        f"auditlib: passed over 1 earlier run in {tmp_path} of another repository than `api`"
        f" (the newest: {EARLY}, of `shop`); nothing to compare with (--baseline would compare"
        " all the same)\n")


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_two_runs_give_identical_files(twin_run: Runs, name: str) -> None:
    first = (twin_run.out / FIRST / name).read_bytes()
    assert first and first == (twin_run.twin / FIRST / name).read_bytes()


def test_executed_notebook_has_no_timings_or_temporary_paths(twin_run: Runs) -> None:
    for out in (twin_run.out, twin_run.twin):
        text = (out / FIRST / f"{REPORT}.ipynb").read_text(encoding="utf-8")
        notebook = json.loads(text)
        assert not {"start_time", "end_time", "duration"} & set(json_keys(notebook))
        assert "start_time" not in text and "end_time" not in text
        papermill = notebook["metadata"]["papermill"]
        assert papermill["input_path"] == papermill["output_path"] == f"{REPORT}.ipynb"
        # The repository the caller named is the only absolute path: no staging folder.
        assert str(out) not in text and f".{FIRST}-" not in text
        assert str(twin_run.repo.parent) not in text.replace(str(twin_run.repo), "<repo>")


def test_executed_notebook_records_paths_as_given(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_example(tmp_path)
    (repo / "auditlib.toml").write_text('doc_max_age_days = 90\n', encoding="utf-8")
    (tmp_path / "earlier").mkdir()
    auditlib.run_audit(repo, EARLY).save(tmp_path / "earlier")
    monkeypatch.chdir(tmp_path)
    run([repo.name, "--out", "out", "--date", FIRST, "--config", f"{repo.name}/auditlib.toml",
         "--baseline", "earlier/findings.json"])
    text = (tmp_path / "out" / FIRST / f"{REPORT}.ipynb").read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # no folder of this machine
    notebook = json.loads(text)
    given = {"repo_path": repo.name, "config_path": f"{repo.name}/auditlib.toml",
             "baseline_path": "earlier/findings.json"}
    assert given.items() <= notebook["metadata"]["papermill"]["parameters"].items()
    [injected] = [cell for cell in notebook["cells"] if cell["id"] == "injected-parameters"]
    assert all(f'{key} = "{value}"\n' in injected["source"] for key, value in given.items())
    assert "Changes since 2026-01-10" in (tmp_path / "out" / FIRST / f"{REPORT}.md").read_text(
        encoding="utf-8")  # the baseline was read from where it was, given relative


def test_run_publish_keeps_the_hand_written_blocks(second_run: Runs) -> None:
    docs = second_run.repo / "docs"
    published = (docs / "auto-scaling.md").read_text(encoding="utf-8")
    regenerated = (second_run.out / SECOND / f"{REPORT}.md").read_text(encoding="utf-8")
    assert published.count(OVERVIEW_NOTE) == 1 and published.count(ORPHAN_NOTE) == 1
    overview = published.index("\n## Overview\n")
    assert overview < published.index(OVERVIEW_NOTE) < published.index("\n## Verified Configuration")
    assert published.endswith(f"\n\n{ORPHAN_NOTE}\n")  # its section is gone
    assert published.replace(f"{OVERVIEW_NOTE}\n\n", "").replace(f"\n{ORPHAN_NOTE}\n", "") \
        == regenerated.replace(f"]({REPORT}_files/", "](auto-scaling_files/")
    assert sorted(p.name for p in docs.iterdir()) == [
        "auto-scaling.md", "auto-scaling_files", "deploy-health-checks.md",
        "performance-budgets.md", "runtime"]
    charts = re.findall(r"\]\((auto-scaling_files/chart-\w+\.png)\)", published)
    assert charts and all((docs / chart).is_file() for chart in charts)
    assert sorted(p.name for p in (docs / "auto-scaling_files").iterdir()) == sorted(
        {chart.split("/")[1] for chart in charts})


def test_run_fail_on_new_compares_with_the_earlier_run_of_the_same_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_example(tmp_path)
    auditlib.run_audit(repo, FIRST).save(tmp_path / "out" / FIRST)  # an earlier run's findings
    other = shutil.copytree(repo, tmp_path / "web")  # and, later, one of another repository
    auditlib.run_audit(other, "2026-01-25").save(tmp_path / "out" / "2026-01-25")
    fix_one_gap_open_another(repo)  # one P0 resolved, a new one
    assert cli.main(["run", str(repo), "--out", str(tmp_path / "out"), "--date", SECOND, "--quiet",
                     "--fail-on-new", "P0"]) == 1
    out, err = capsys.readouterr()
    assert out.endswith(f"(since {FIRST}: 1 new, 1 resolved)\n")
    assert err.endswith(f"auditlib: failing: 1 new or reopened finding since {FIRST} at or above"
                        " P0\n")
    assert "auditlib: passed over 1 earlier run in " in err


def test_run_publish_without_repo_exits_2(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", "--out", str(out), "--date", FIRST, "--publish"]) == 2
    assert "--publish" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["index.md", "index.html", "history.png"])
def test_run_refuses_an_out_folder_whose_index_it_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """QA s28b P0-8: `--out docs` replaced a site's own docs/index.md without a word."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / name).write_text("# Our docs home\n", encoding="utf-8")
    assert cli.main(["run", "--out", str(tmp_path / "docs"), "--date", FIRST, "--quiet"]) == 2
    assert capsys.readouterr().err.endswith(
        f"{name} is not an audit history, which a run writes there and would replace it: choose"
        f" another folder (as {tmp_path / 'docs' / 'audits'})\n")
    assert [path.name for path in (tmp_path / "docs").iterdir()] == [name]


def test_an_audit_history_is_taken_as_one(tmp_path: Path) -> None:
    """QA s28d: refused with CRLF line ends (a Windows checkout), or with index.md deleted."""
    (tmp_path / "index.md").write_bytes(b"# Audit history\r\n\r\n1 run, newest first.\r\n")
    (tmp_path / "history.png").write_bytes(PNG_SIGNATURE)
    assert history.not_written_here(tmp_path) == []
    (tmp_path / "index.md").unlink()
    assert history.not_written_here(tmp_path) == ["history.png"]
    (tmp_path / FIRST).mkdir()
    (tmp_path / FIRST / "findings.json").write_text("{}", encoding="utf-8")
    assert history.not_written_here(tmp_path) == []
    # QA s28e: a run beside them does not make a hand-written index.md an audit history.
    for heading in ("# Our docs\n", "# Audit history of the shop (notes)\n"):
        (tmp_path / "index.md").write_text(heading, encoding="utf-8")
        assert history.not_written_here(tmp_path) == ["index.md"]


def test_run_publish_refuses_a_charts_folder_that_is_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QA s28b P0-7: the run was written, then publishing it stopped with a traceback."""
    repo = copy_example(tmp_path)
    (repo / "docs/auto-scaling_files").write_text("x", encoding="utf-8")
    assert cli.main(["run", str(repo), "--out", str(tmp_path / "out"), "--date", FIRST,
                     "--publish", "--quiet"]) == 2
    assert capsys.readouterr().err == ("auditlib: --publish: the folder for its charts,"
                                       f" {repo / 'docs/auto-scaling_files'}, is a file\n")
    assert not (tmp_path / "out").exists()


def test_publish_says_what_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "doc.md").mkdir()  # os.replace cannot put a file there
    with pytest.raises(AuditError, match=r"^--publish .*doc\.md: cannot be written \(Is a directory\)$"):
        publish("# New\n", tmp_path / "doc.md")
    (tmp_path / "images").mkdir()
    (tmp_path / "images/chart-0123456789ab.png").write_bytes(PNG_SIGNATURE)
    (tmp_path / "new_files/chart-0123456789ab.png").mkdir(parents=True)  # QA s28d: named
    with pytest.raises(AuditError, match=r"^--publish .*new\.md: .*new_files/chart-0123456789ab"
                                         r"\.png cannot be written \(Is a directory\)$"):
        publish("![c](images/chart-0123456789ab.png)\n", tmp_path / "new.md", tmp_path / "images")


# Publishing: carry_over and publish ---------------------------------------------------------

NEW_DOCUMENT = ("Type: Guide\n\n# Title\n\nIntro.\n\n## Overview\n\nGenerated overview.\n\n"
                "### Detail\n\nMore.\n\n## Findings\n\nGenerated findings.\n")
NOTE_A = "<!-- auditlib:keep -->\nA: first note\n\n  indented, *kept*  \n<!-- /auditlib:keep -->"
NOTE_B = "<!-- auditlib:keep -->B: second note<!-- /auditlib:keep -->"
NOTE_C = "<!-- auditlib:keep -->\nC: findings note\n<!-- /auditlib:keep -->"
NOTE_D = "<!-- auditlib:keep -->\nD: orphan\n<!-- /auditlib:keep -->"
OLD_WITH_NOTES = (f"# Title\n\n## Overview\n\nOld overview.\n\n{NOTE_A}\n\nOld middle.\n\n{NOTE_B}\n\n"
                  f"## Findings\n\n{NOTE_C}\n\nOld findings.\n\n## Removed section\n\n{NOTE_D}\n")


def test_carry_over_puts_blocks_back_at_the_end_of_their_section() -> None:
    assert carry_over(NEW_DOCUMENT, OLD_WITH_NOTES) == (
        "Type: Guide\n\n# Title\n\nIntro.\n\n## Overview\n\nGenerated overview.\n\n"
        f"### Detail\n\nMore.\n\n{NOTE_A}\n\n{NOTE_B}\n\n"
        f"## Findings\n\nGenerated findings.\n\n{NOTE_C}\n\n{NOTE_D}\n")


def test_carry_over_keeps_blocks_before_the_first_section_and_in_dated_sections() -> None:
    new = NEW_DOCUMENT.replace("## Overview", "## Changes since 2026-02-01\n\n1 new.\n\n## Overview")
    old = (f"# Title\n\n{NOTE_A}\n\n## Changes since 2026-01-01\n\n{NOTE_B}\n\n"
           "## Overview\n\nOld overview.\n")
    assert carry_over(new, old) == new.replace(
        "Intro.\n\n", f"Intro.\n\n{NOTE_A}\n\n").replace("1 new.\n\n", f"1 new.\n\n{NOTE_B}\n\n")


def test_carry_over_puts_orphans_after_the_last_section_whatever_their_order() -> None:
    old = (f"# Title\n\n## Overview\n\n## Removed section\n\n{NOTE_D}\n\n"
           f"## Findings\n\n{NOTE_C}\n")
    assert carry_over(NEW_DOCUMENT, old) == (
        f"{NEW_DOCUMENT}\n{NOTE_C}\n\n{NOTE_D}\n")


@pytest.mark.parametrize("note", ["<!--auditlib:keep-->X<!--/auditlib:keep-->",
                                  "<!-- AUDITLIB:KEEP -->\nX\n<!-- / Auditlib : keep -->"])
def test_carry_over_reads_markers_as_people_write_them(note: str) -> None:
    old = f"# Title\n\n## Findings\n\n{note}\n"
    assert carry_over(NEW_DOCUMENT, old) == f"{NEW_DOCUMENT}\n{note}\n"


def test_carry_over_moves_the_links_to_a_keep_block_with_it() -> None:
    """QA s28a #1: the published document cited its notes' drift at their lines in the
    version it replaced; the links now follow each block (not the links of other files,
    of lines outside the blocks, or inside a block: those are hand-written)."""
    old = (f"# Title\n\n## Overview\n\n{NOTE_A}\n\n## Findings\n\n"
           "<!-- auditlib:keep -->\nC1\nC2 [x](a.md#L5)\n<!-- /auditlib:keep -->\n")

    def cited(text: str) -> str:
        lines = text.splitlines()
        c, a = lines.index("C1") + 1, lines.index("A: first note") + 1
        return (f"[`docs/a.md:{c}`](a.md#L{c}), [{c + 1}](a.md#L{c + 1}),"
                f" [`docs/a.md:{a}-{a + 1}`](a.md#L{a}-L{a + 1}), [`docs/a.md:1`](a.md#L1),"
                f" [`docs/b.md:{c}`](b.md#L{c}), [`a.md:{c}`](x/a.md#L{c})")

    new = NEW_DOCUMENT.replace("Generated findings.", cited(old))
    published = carry_over(new, old, "a.md")
    assert cited(published) != cited(old)
    assert cited(published).split(", [`docs/a.md:1`]")[0] in published
    assert cited(old).split(", [`docs/a.md:1`]")[1] in published  # not links to this document
    assert "C2 [x](a.md#L5)" in published.splitlines()
    assert carry_over(new, old) == published.replace(*(
        cited(text).split(", [`docs/a.md:1`]")[0] for text in (published, old)))


def test_carry_over_without_blocks_changes_nothing() -> None:
    assert carry_over(NEW_DOCUMENT, "# Title\n\n## Overview\n\nOld overview.\n") == NEW_DOCUMENT


def test_publish_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "deep" / "auto-scaling.md"
    assert publish(NEW_DOCUMENT, target) == target
    assert target.read_text(encoding="utf-8") == NEW_DOCUMENT
    assert list(target.parent.iterdir()) == [target]


def test_publish_puts_the_linked_charts_beside_the_document(tmp_path: Path) -> None:
    run_images = tmp_path / "out" / f"{REPORT}_files"
    run_images.mkdir(parents=True)
    new, old = "chart-" + "a" * 12 + ".png", "chart-" + "b" * 12 + ".png"
    (run_images / new).write_bytes(b"new png")
    target = tmp_path / "repo" / "docs" / "scaling.md"
    (target.parent / "scaling_files").mkdir(parents=True)
    (target.parent / "scaling_files" / old).write_bytes(b"last publication's")
    (target.parent / "scaling_files" / "diagram.png").write_bytes(b"someone else's")
    publish(f"# T\n\n![chart]({REPORT}_files/{new})\n", target, run_images)
    assert target.read_text(encoding="utf-8") == f"# T\n\n![chart](scaling_files/{new})\n"
    assert sorted(p.name for p in (target.parent / "scaling_files").iterdir()) == [new, "diagram.png"]
    assert (target.parent / "scaling_files" / new).read_bytes() == b"new png"


def test_publish_replaces_atomically_with_the_complete_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "auto-scaling.md"
    target.write_text(OLD_WITH_NOTES, encoding="utf-8")
    seen: list[tuple[Path, Path, str]] = []
    real_replace = os.replace

    def spy(source: str, destination: Path) -> None:
        seen.append((Path(source), Path(destination), Path(source).read_text(encoding="utf-8")))
        real_replace(source, destination)

    monkeypatch.setattr("auditlib.publish.os.replace", spy)
    publish(NEW_DOCUMENT, target)
    expected = carry_over(NEW_DOCUMENT, OLD_WITH_NOTES)
    [(source, destination, content)] = seen
    assert source.parent == target.parent and source != target  # a rename on one filesystem
    assert destination == target and content == expected  # complete before it is swapped in
    assert target.read_text(encoding="utf-8") == expected
    assert list(tmp_path.iterdir()) == [target]


def test_failed_publish_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "auto-scaling.md"
    target.write_text(OLD_WITH_NOTES, encoding="utf-8")

    def refuse(source: str, destination: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("auditlib.publish.os.replace", refuse)
    with pytest.raises(AuditError, match=r"auto-scaling\.md: cannot be written \(disk full\)$"):
        publish(NEW_DOCUMENT, target)
    assert target.read_text(encoding="utf-8") == OLD_WITH_NOTES
    assert list(tmp_path.iterdir()) == [target]


def test_publish_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "auto-scaling.md"
    target.write_text(OLD_WITH_NOTES, encoding="utf-8")
    target.chmod(0o644)
    publish(NEW_DOCUMENT, target)
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(("argv", "settings", "words"), [
    pytest.param(["--publish", "../escaped.md"], "",
                 "argument --publish: '../escaped.md' leads outside the repository", id="publish"),
    pytest.param(["--publish", "--doc-path", "../escaped.md"], "",
                 "argument --doc-path: '../escaped.md' leads outside", id="doc-path"),
    pytest.param(["--doc-path", "/tmp/escaped.md"], "",
                 "'/tmp/escaped.md' is absolute: give it relative", id="absolute-doc-path"),
    pytest.param(["--publish"], 'doc_path = "../escaped.md"\n',
                 "auditlib.toml:1: doc_path '../escaped.md' leads outside", id="settings"),
    pytest.param(["--publish"], 'doc_path = "/escaped.md"\n',
                 "auditlib.toml:1: doc_path '/escaped.md' is absolute", id="absolute-in-settings"),
    pytest.param(["--publish", "docs/dir.md"], "", "--publish REPO/docs/dir.md is a folder: name"
                 " the document", id="a-folder"),
    pytest.param(["--publish", "wrangler.toml"], "", "'wrangler.toml' is not a Markdown file (.md)",
                 id="a-config"),
    pytest.param(["--publish"], 'doc_path = ".git/a.md"\n',
                 "auditlib.toml:1: doc_path '.git/a.md' is in the repository's .git folder",
                 id="in-git"),

    pytest.param(["--publish", "docs/x.md/y.md"], "", "--publish REPO/docs/x.md/y.md: a folder"
                 " on its path is a file", id="under-a-file"),
    pytest.param(["--publish", "docs/a.md"], "", "--publish REPO/docs/a_files is not inside",
                 id="charts-folder-links-outside"),
])
def test_publish_path_outside_the_repository_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], settings: str,
        words: str) -> None:
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "x.md").write_text("x\n", encoding="utf-8")
    (repo / "docs" / "dir.md").mkdir()
    (repo / "docs" / "a_files").symlink_to(tmp_path, target_is_directory=True)
    if settings:
        (repo / "auditlib.toml").write_text(settings, encoding="utf-8")
    with contextlib.suppress(SystemExit):  # argparse exits 2 itself
        assert cli.main(["run", str(repo), "--out", str(tmp_path / "out"), *argv]) == 2
    assert words in capsys.readouterr().err.replace(str(repo), "REPO")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # nothing written
    assert sorted(p.name for p in repo.iterdir()) == sorted(["docs", *(["auditlib.toml"] * bool(settings))])
    assert sorted(p.name for p in (repo / "docs").iterdir()) == ["a_files", "dir.md", "x.md"]


HAND_WRITTEN = "Type: Guide\n\n# Auto-Scaling\n\nOur own words, kept nowhere else.\n"


@pytest.mark.parametrize(("state", "why"), [
    pytest.param("no-git", "the repository is not a git repository", id="no-git"),
    pytest.param("untracked", "it is not committed", id="untracked"),
    pytest.param("changed", "it has changes not committed", id="changed"),
    pytest.param("staged", "it has changes not committed", id="staged"),
    pytest.param("assume-unchanged", "it has changes not committed", id="assume-unchanged"),
    pytest.param("skip-worktree", "it has changes not committed", id="skip-worktree"),
])
def test_a_hand_written_document_git_does_not_keep_is_not_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], commit_all: Callable[[Path], None],
        state: str, why: str) -> None:
    """QA s27a P0-1: a hand-written docs/auto-scaling.md, never committed, was lost."""
    repo = copy_example(tmp_path)
    target = repo / "docs" / "auto-scaling.md"
    if state != "no-git":
        commit_all(repo)
    target.write_text(HAND_WRITTEN if state in ("no-git", "untracked")
                      else HAND_WRITTEN.replace("Our", "Their"), encoding="utf-8")
    if state not in ("no-git", "untracked"):
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "y"],
                       cwd=repo, check=True)
        if state in ("assume-unchanged", "skip-worktree"):  # local edits out of git's sight
            subprocess.run(["git", "update-index", f"--{state}", "docs/auto-scaling.md"], cwd=repo,
                           check=True)
        target.write_text(HAND_WRITTEN, encoding="utf-8")
        if state == "staged":
            subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    assert cli.main(["run", str(repo), "--out", str(tmp_path / "out"), "--date", FIRST,
                     "--publish"]) == 2
    err = capsys.readouterr().err
    assert f"written by hand (it has no `<!-- generated by auditlib` line), and {why}:" in err
    assert target.read_text(encoding="utf-8") == HAND_WRITTEN
    assert not (tmp_path / "out").exists()  # refused before the run


def test_a_repository_git_will_not_answer_for_is_named_with_gits_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s27c #6: a checkout another user owns (CI containers) is no "not committed"."""
    from auditlib import publish as publishing

    said = (f"fatal: detected dubious ownership in repository at '{tmp_path}'\nTo add an"
            f" exception for this directory, call:\n\n\tgit config --global --add"
            f" safe.directory {tmp_path}\n")
    monkeypatch.setattr(publishing, "git", lambda *args: subprocess.CompletedProcess(
        args, 128, "", said))
    (tmp_path / "a.md").write_text(HAND_WRITTEN, encoding="utf-8")
    with pytest.raises(AuditError, match=re.escape(
            f"and git cannot tell whether it is committed (detected dubious ownership in"
            f" repository at '{tmp_path}': `git config --global --add safe.directory"
            f" {tmp_path}`): publishing would replace it")):
        check_replaceable(tmp_path, tmp_path / "a.md")


def test_a_hand_written_document_git_keeps_is_replaced_with_a_notice(
        tmp_path: Path, commit_all: Callable[[Path], None]) -> None:
    repo = copy_example(tmp_path)
    target = repo / "docs" / "auto-scaling.md"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    commit_all(repo)
    assert check_replaceable(repo, target) == (
        "--publish replaced docs/auto-scaling.md, which was written by hand: git keeps it"
        " (`git show HEAD:./docs/auto-scaling.md`)")
    target.write_text(f"Type: Guide\n\n{GENERATED_MARKER}\n\nlast run's\n", encoding="utf-8")
    assert check_replaceable(repo, target) is None  # auditlib's own, changed or not
    assert check_replaceable(repo, repo / "docs" / "new.md") is None


@pytest.mark.skipif(not Path("/proc/1").is_dir(), reason="needs Linux's /proc")
def test_run_into_a_folder_it_cannot_write_in_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--out", "/proc/1", "--date", FIRST]) == 2  # root cannot either
    assert capsys.readouterr().err.startswith("auditlib: --out /proc/1: cannot be written to (")


@pytest.mark.parametrize(("kind", "words"), [("file", "not a folder"),
                                             ("under-a-file", "cannot be written to")])
def test_run_into_an_output_folder_it_cannot_write_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, words: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / "file" if kind == "file" else tmp_path / "file" / "out"
    assert cli.main(["run", "--out", str(out), "--date", FIRST]) == 2
    assert capsys.readouterr().err == f"auditlib: --out {out}: {words}" + (
        "\n" if kind == "file" else " (Not a directory)\n")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=8)
_WANTED = {"counts", "audit_status"}


@given(st.dictionaries(st.sampled_from([*_WANTED, "findings", "facts", "\u00e9"]), _JSON),
       st.sampled_from([None, 0, 2, "\t"]))
def test_the_history_reads_a_runs_counts_as_json_does_or_not_at_all(
        document: dict[str, Any], indent: int | str | None) -> None:
    text = json.dumps(document, indent=indent)
    expected = {key: value for key, value in document.items() if key in _WANTED}
    assert {key: value for key, value in history._members(text, _WANTED).items()
            if key in _WANTED} == expected
    # Cut anywhere: the members it gives are the whole text's, or it says it cannot.
    for end in range(len(text)):
        with contextlib.suppress(ValueError):
            assert {key: value for key, value in history._members(text[:end], _WANTED).items()
                    if key in _WANTED} == expected


@pytest.mark.parametrize("before", [0, 65_500, 70_000])
def test_the_history_reads_counts_written_far_into_findings_json(
        tmp_path: Path, before: int) -> None:
    (tmp_path / FIRST).mkdir()
    (tmp_path / FIRST / "findings.json").write_text(json.dumps(
        {"findings": ["é" * before], "counts": {"P0": 3, "P1": 1}, "audit_status": "COMPLETE"}),
        encoding="utf-8")
    assert [(run.counts, run.status) for run in history.runs(tmp_path)] == [
        ({"P0": 3, "P1": 1}, "COMPLETE")]


@pytest.mark.parametrize("text", ['{"a": 1,}', '{"a": 1 "b": 2}', '{"a": 1x"counts": {}}',
                                  '{1: 2}', '{"a" 1}', "{", ' [{"counts": {}}]'])
def test_the_history_reads_only_json_objects(text: str) -> None:
    with pytest.raises(ValueError):
        history._members(text, _WANTED)


@pytest.mark.parametrize("damaged", ["[]", '{"counts": {"P0": [1]}}', '{"counts": "none"}',
                                     '{"counts": {"P0": 1.5}}', "{not json", DEEP])
def test_index_lists_a_findings_json_it_cannot_read_without_counts(
        tmp_path: Path, damaged: str) -> None:
    for day, text in ((FIRST, '{"counts": {"P0": 2}}'), (SECOND, damaged)):
        (tmp_path / day).mkdir()
        (tmp_path / day / "findings.json").write_text(text, encoding="utf-8")
    assert [(run.date, run.counts, run.status) for run in history.runs(tmp_path)] == [
        (FIRST, {"P0": 2}, ""), (SECOND, None, "findings.json damaged")]
    history.write_index(tmp_path)
    assert "\n2 runs, newest first." in (tmp_path / "index.md").read_text(encoding="utf-8")


_PATHS = st.text(alphabet="a/.", max_size=6)


@given(_PATHS, st.frozensets(_PATHS, max_size=5))
def test_a_gone_finding_is_under_an_unread_path_as_a_scan_of_them_says(
        path: str, unread: frozenset[str]) -> None:
    assert _under(path, unread) == any(
        path == other or path.startswith(other + "/") for other in unread)


def test_the_history_chart_labels_about_ten_runs_however_many_there_are(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A label for each of 1,600 runs was a smear that took 9 s to draw (QA s32a); a few
    runs keep a label each."""
    from datetime import date, timedelta

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from auditlib import charts

    labels: list[list[str]] = []

    def read(figure: Any) -> bytes:
        FigureCanvasAgg(figure).draw()
        labels.append([label.get_text() for label in figure.axes[0].get_xticklabels()
                       if label.get_text()])
        return b""

    monkeypatch.setattr(charts, "png", read)
    days = [(date(2022, 1, 1) + timedelta(days=number)).isoformat() for number in range(1600)]
    for count in (3, 1600):
        history._chart.cache_clear()
        history._chart(tuple((day, (number % 7, 1, 2)) for number, day in enumerate(days[:count])))
    few, many = labels
    assert few == days[:3]
    assert 5 <= len(many) <= 11 and set(many) <= set(days) and many == sorted(many)
    history._chart.cache_clear()
