"""JUnit XML output: a suite per rule, a case per finding with its outcome, totals that add
up, free of secrets and of characters XML cannot hold, deterministic."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import auditlib
from auditlib import Audit, AuditConfig, cli
from auditlib.config import Waiver
from auditlib.junit import junit_text
from auditlib.model import Finding, Location, Outcome, Severity
from auditlib.rules import RULES

AS_OF = "2026-01-21"
CANARY = "sk_live_CANARY7f3Qz9LmWx2Rt8Kp"


@pytest.fixture(scope="module")
def example() -> Audit:
    return auditlib.run_audit(audit_date=AS_OF)


def suites(text: str) -> dict[str, ET.Element]:
    return {suite.get("name", ""): suite for suite in ET.fromstring(text).iter("testsuite")}


def test_a_suite_per_rule_and_a_failing_case_per_open_finding(example: Audit) -> None:
    root = ET.fromstring(junit_text(example))
    found = suites(junit_text(example))
    assert list(found) == [f"{rule.id} {rule.name}" for rule in RULES]
    by_rule = Counter(f.rule for f in example.findings)
    assert by_rule and all(f.outcome == Outcome.FAIL for f in example.findings)
    for rule in RULES:
        cases = found[f"{rule.id} {rule.name}"].findall("testcase")
        failures = [case.find("failure") for case in cases]
        if by_rule[rule.id]:
            assert len(cases) == by_rule[rule.id] and None not in failures
        else:  # a passing case: the rule ran and found nothing
            assert len(cases) == 1 and failures == [None]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        str(sum(max(1, by_rule[rule.id]) for rule in RULES)), str(len(example.findings)), "0", "0")


def test_a_case_names_the_file_line_severity_and_fix(example: Audit) -> None:
    [finding] = [f for f in example.findings if f.rule == "CF001" and f.location.path == "wrangler.toml"]
    [case] = [case for case in suites(junit_text(example))["CF001 placeholder-resource-id"]
              if case.get("file") == "wrangler.toml"]
    assert (case.get("classname"), case.get("line")) == ("auditlib.CF001", "11")
    assert case.get("name") == f"CF001 {finding.subject} (wrangler.toml)"  # no line: it moves
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "P0"
    assert failure.get("message") == f"P0 {finding.title}: {finding.message}"
    assert failure.text == f"wrangler.toml:11: {finding.message}\nFix: {finding.remediation}\n"


def test_waived_findings_are_skipped_rule_errors_are_errors_disabled_rules_are_left_out() -> None:
    waiver = Waiver(rule="CF002", path="apps/**", reason="Smart Placement in Q3", expires=None)
    audit = auditlib.run_audit(audit_date=AS_OF, config=AuditConfig(
        waivers=(waiver,), disabled_rules=frozenset({"CF010"})))
    crashed = Finding(rule="CF007", severity=Severity.P2, title="t", outcome=Outcome.ERROR,
                      location=Location(path="."), subject="observability-disabled",
                      message="rule CF007 (observability-disabled) raised KeyError: 'x'")
    text = junit_text(dataclasses.replace(audit, findings=(*audit.findings, crashed)))
    found = suites(text)
    assert "CF010 compatibility-date-stale" not in found and len(found) == len(RULES) - 1
    placement = found["CF002 smart-placement-missing"]
    skipped = placement.findall("testcase/skipped")
    assert [s.get("message") for s in skipped] == ["waived: Smart Placement in Q3"] * 6
    assert placement.get("skipped") == "6" and placement.get("failures") == "1"
    [error] = found["CF007 observability-disabled"].findall("testcase/error")
    assert error.get("message", "").endswith("raised KeyError: 'x'")
    assert found["CF007 observability-disabled"].get("errors") == "1"
    assert ET.fromstring(text).get("errors") == "1"


def test_no_secret_and_no_character_xml_cannot_hold(example: Audit) -> None:
    leaky = Finding(rule="CF011", severity=Severity.P0, title="t", subject=f"KEY\x1b[31m {CANARY}",
                    message=f"`STRIPE_SECRET_KEY = {CANARY}` \x00\ud800",
                    location=Location(path=f"apps/{CANARY}/wrangler.toml", start_line=3),
                    outcome=Outcome.WAIVED, waiver=f"accepted: {CANARY}")
    text = junit_text(dataclasses.replace(example, findings=(*example.findings, leaky)))
    assert "CANARY" not in text and "«redacted»" in text
    root = ET.fromstring(text.encode("utf-8"))  # well-formed, and encodable as UTF-8
    assert "\\x1b[31m" in ET.tostring(root, encoding="unicode")


def test_two_renders_are_byte_identical_and_the_cli_prints_one(
        example: Audit, capsys: pytest.CaptureFixture[str]) -> None:
    first = junit_text(example)
    assert first == junit_text(auditlib.run_audit(audit_date=AS_OF))
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="auditlib"')
    assert cli.main(["check", "--format", "junit", "--date", AS_OF, "--fail-on", "P0"]) == 1
    assert capsys.readouterr().out == first


def test_an_audit_that_found_no_wrangler_config_is_an_error_not_green_tests(tmp_path: Path) -> None:
    """A CI job pointed at the wrong folder: its test report must not be all green."""
    root = ET.fromstring(junit_text(auditlib.run_audit(tmp_path, audit_date=AS_OF)))
    first = root.find("testsuite")
    assert first is not None and first.get("name") == "audit"
    [error] = first.findall("testcase/error")
    assert error.get("message") == ("no wrangler config (wrangler.toml, wrangler.json,"
                                    " wrangler.jsonc) was found: nothing was audited")
    assert (first.get("tests"), first.get("errors")) == ("1", "1")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (
        str(len(RULES) + 1), "0", "1")
