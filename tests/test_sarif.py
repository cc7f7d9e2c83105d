"""SARIF output: valid against the official 2.1.0 schema, faithful to the findings, free of
secrets, deterministic, and with fingerprints that survive lines moving."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import auditlib
from auditlib import EXAMPLE_REPO, Audit, AuditConfig
from auditlib.config import Waiver
from auditlib.model import Finding, Location, Outcome, Severity
from auditlib.rules import RULES
from auditlib.rulesdoc import rule_doc
from auditlib.sarif import LEVELS, sarif_text, to_sarif

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
AS_OF = "2026-01-21"
PLACEHOLDER_LINE = 'id = "00000000000000000000000000000000"  # PLACEHOLDER - needs real ID'
CANARY = "sk_live_CANARY7f3Qz9LmWx2Rt8Kp"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def assert_valid(document: dict[str, Any], schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]
    assert errors == []


def copy_example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE_REPO, tmp_path / "base-shop"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def example() -> Audit:
    return auditlib.run_audit(audit_date=AS_OF)


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["runs"][0]["results"]
    return found


def fingerprints(audit: Audit) -> Counter[str]:
    return Counter(result["partialFingerprints"]["auditlib/v1"] for result in results(to_sarif(audit)))


# The schema file -----------------------------------------------------------------------------

def test_schema_file_is_the_official_sarif_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.validators.validator_for(schema).check_schema(schema)
    jsonschema.Draft7Validator.check_schema(schema)


def test_schema_rejects_a_broken_log(schema: dict[str, Any], example: Audit) -> None:
    broken = to_sarif(example)
    results(broken)[0]["level"] = "P0"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# The document ----------------------------------------------------------------------------

def test_example_validates_against_the_schema(schema: dict[str, Any], example: Audit) -> None:
    document = to_sarif(example)
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    assert_valid(document, schema)


def test_driver_lists_every_rule_with_its_documentation(example: Audit) -> None:
    driver = to_sarif(example)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("auditlib", example.version)
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in RULES]
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"] == rule.rationale
        assert descriptor["help"] == {"text": rule.remediation, "markdown": rule_doc(rule)}
        assert descriptor["help"]["markdown"].startswith(f"{rule.id} {rule.name}")
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[rule.severity]
        assert descriptor["properties"]["severity"] == str(rule.severity)


@pytest.mark.parametrize(("severity", "level"), [
    (Severity.P0, "error"), (Severity.P1, "warning"), (Severity.P2, "note")])
def test_severity_levels(severity: Severity, level: str) -> None:
    assert LEVELS[severity] == level


def test_one_result_per_finding_pointing_at_its_rule(example: Audit) -> None:
    document = to_sarif(example)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    found = results(document)
    assert len(found) == len(example.findings) > 0
    for result, finding in zip(found, example.findings, strict=True):
        assert result["ruleId"] == finding.rule == rules[result["ruleIndex"]]["id"]
        assert result["level"] == LEVELS[finding.severity]
        assert result["message"]["text"] == finding.message
        assert "suppressions" not in result


def test_locations_carry_the_finding_lines(example: Audit) -> None:
    located = 0
    for result, finding in zip(results(to_sarif(example)), example.findings, strict=True):
        [location] = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]
        assert uri["uriBaseId"] == "%SRCROOT%"
        # GitHub code scanning needs a file and a line: line 1 of the file, or of the root
        # config for the whole repository.
        if finding.location.path == ".":
            assert uri["uri"] == "wrangler.toml"
            assert physical["region"] == {"startLine": 1, "endLine": 1}
            continue
        assert uri["uri"] == finding.location.path
        if finding.location.start_line is None:
            assert physical["region"] == {"startLine": 1, "endLine": 1}
        else:
            located += 1
            assert physical["region"]["startLine"] == finding.location.start_line
            assert physical["region"]["endLine"] == (finding.location.end_line
                                                     or finding.location.start_line)
    assert located > 0


def test_repository_wide_findings_point_at_the_root_config(example: Audit) -> None:
    [metrics] = [r for r in results(to_sarif(example)) if r["ruleId"] == "CF005"]
    assert metrics["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "wrangler.toml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "endLine": 1}}


@pytest.mark.parametrize(("rule", "severity", "level"), [
    ("CF010", Severity.P0, "error"), ("CF001", Severity.P2, "note")])
def test_severity_override_sets_the_level_of_the_results_and_the_rule(
        schema: dict[str, Any], rule: str, severity: Severity, level: str) -> None:
    audit = auditlib.run_audit(audit_date=AS_OF,
                               config=AuditConfig(severity_overrides={rule: severity}))
    document = to_sarif(audit)
    found = [r for r in results(document) if r["ruleId"] == rule]
    assert found and {r["level"] for r in found} == {level}
    descriptor = document["runs"][0]["tool"]["driver"]["rules"][found[0]["ruleIndex"]]
    assert descriptor["id"] == rule
    assert descriptor["defaultConfiguration"]["level"] == level
    assert descriptor["properties"]["severity"] == str(severity)
    assert_valid(document, schema)


def test_a_rule_that_raised_is_an_error_result(schema: dict[str, Any], example: Audit) -> None:
    crashed = Finding(rule="CF010", severity=Severity.P2, title="t", outcome=Outcome.ERROR,
                      location=Location(path="."), subject="compatibility-date-stale",
                      message="rule CF010 (compatibility-date-stale) raised KeyError: 'x'")
    document = to_sarif(dataclasses.replace(example, findings=(crashed,)))
    [result] = results(document)
    assert (result["ruleId"], result["level"]) == ("CF010", "error")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "wrangler.toml"
    assert_valid(document, schema)


def test_without_a_root_config_repository_findings_point_at_the_shallowest_config(
        schema: dict[str, Any], tmp_path: Path) -> None:
    repo = copy_example(tmp_path)
    (repo / "wrangler.toml").unlink()
    document = to_sarif(auditlib.run_audit(repo, audit_date=AS_OF))
    wide = [r["locations"][0] for r in results(document)
            if r["locations"][0].get("message", {}).get("text") == "applies to the whole repository"]
    assert wide
    assert {w["physicalLocation"]["artifactLocation"]["uri"] for w in wide} == {
        "apps/cochlearfit/wrangler.toml"}  # a file, never the folder "."
    assert all(w["physicalLocation"]["region"]["startLine"] == 1 for w in wide)
    assert_valid(document, schema)


# What the audit could not do ----------------------------------------------------------------

def invocation(document: dict[str, Any]) -> dict[str, Any]:
    [found] = document["runs"][0]["invocations"]
    assert isinstance(found, dict)
    return found


def test_a_complete_audit_is_a_successful_run_without_notifications(example: Audit) -> None:
    assert invocation(to_sarif(example)) == {"executionSuccessful": True}


def test_an_audit_that_found_no_wrangler_config_did_not_succeed(
        schema: dict[str, Any], tmp_path: Path) -> None:
    """Uploaded to code scanning, an empty run that succeeded would close every alert."""
    document = to_sarif(auditlib.run_audit(tmp_path, audit_date=AS_OF))
    assert results(document) == []
    assert invocation(document) == {"executionSuccessful": False, "toolExecutionNotifications": [
        {"level": "error", "message": {"text": "no wrangler config (wrangler.toml, wrangler.json,"
                                               " wrangler.jsonc) was found: nothing was audited"}}]}
    assert_valid(document, schema)


def test_a_disabled_rule_is_named_as_disabled_not_listed_as_a_rule_without_results(
        schema: dict[str, Any]) -> None:
    """A rule listed with no result reads as clean; one the settings disable did not run."""
    audit = auditlib.run_audit(audit_date=AS_OF, config=AuditConfig(
        disabled_rules=frozenset({"CF011", "CF001"})))
    document = to_sarif(audit)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in RULES
                                              if rule.id not in {"CF001", "CF011"}]
    assert invocation(document)["ruleConfigurationOverrides"] == [
        {"descriptor": {"id": rule}, "configuration": {"enabled": False}}
        for rule in ("CF001", "CF011")]
    assert results(document) and all(
        rules[result["ruleIndex"]]["id"] == result["ruleId"] for result in results(document))
    assert_valid(document, schema)


@pytest.mark.parametrize("disabled", [frozenset(), frozenset({"CF000"})])
def test_each_input_not_read_is_a_notification(schema: dict[str, Any], tmp_path: Path,
                                               disabled: frozenset[str]) -> None:
    """Also with CF000 disabled, which leaves no result for it: the run still says what it
    did not read, so a finding missing from it does not read as fixed."""
    repo = copy_example(tmp_path)
    (repo / "apps/broken").mkdir()
    (repo / "apps/broken/wrangler.toml").write_text('name = "b"\n[[kv_namespaces]\n', encoding="utf-8")
    document = to_sarif(auditlib.run_audit(repo, audit_date=AS_OF,
                                           config=AuditConfig(disabled_rules=disabled)))
    found = invocation(document)
    assert found["executionSuccessful"] is True  # the other configs were audited
    [note] = found["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"].startswith("apps/broken/wrangler.toml:2 could not be read, column")
    assert note["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "apps/broken/wrangler.toml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2}}}]
    assert any(r["ruleId"] == "CF000" for r in results(document)) == (not disabled)
    assert_valid(document, schema)


# Waivers ---------------------------------------------------------------------------------

def test_inline_suppression_is_an_in_source_suppression(schema: dict[str, Any], tmp_path: Path) -> None:
    repo = copy_example(tmp_path)
    edit(repo / "wrangler.toml", PLACEHOLDER_LINE,
         'id = "00000000000000000000000000000000"  # auditlib: ignore[CF001] created on first deploy')
    audit = auditlib.run_audit(repo, audit_date=AS_OF)
    document = to_sarif(audit)
    waived = [(r, f) for r, f in zip(results(document), audit.findings, strict=True)
              if f.outcome == Outcome.WAIVED]
    assert [(f.rule, str(f.location)) for _, f in waived] == [("CF001", "wrangler.toml:11")]
    [(result, finding)] = waived
    assert result["suppressions"] == [{"kind": "inSource", "justification": finding.waiver}]
    assert finding.waiver.endswith("created on first deploy")
    assert result["level"] == "error"
    assert all("suppressions" not in r for r, f in zip(results(document), audit.findings, strict=True)
               if f.outcome != Outcome.WAIVED)
    assert_valid(document, schema)


def test_configured_waiver_is_an_external_suppression(schema: dict[str, Any]) -> None:
    waiver = Waiver(rule="CF002", path="apps/**", reason="apps move to Smart Placement in Q3",
                    expires=None)
    document = to_sarif(auditlib.run_audit(audit_date=AS_OF, config=AuditConfig(waivers=(waiver,))))
    placement = [r for r in results(document) if r["ruleId"] == "CF002"]
    suppressed = [r for r in placement if "suppressions" in r]
    assert len(suppressed) == 6 and len(placement) == 7
    assert all(r["suppressions"] == [{"kind": "external", "justification": waiver.reason}]
               for r in suppressed)
    assert_valid(document, schema)


# Changes since a baseline ------------------------------------------------------------------

def test_baseline_state_of_every_result_when_there_is_a_baseline(schema: dict[str, Any],
                                                                 tmp_path: Path) -> None:
    repo = copy_example(tmp_path)
    d1_line = 'database_id = "00000000-0000-0000-0000-000000000000"'
    ignore = "  # auditlib: ignore[CF001] later"
    edit(repo / "wrangler.toml", PLACEHOLDER_LINE, PLACEHOLDER_LINE + ignore)
    auditlib.run_audit(repo, audit_date=AS_OF).save(tmp_path / "before")
    edit(repo / "wrangler.toml", PLACEHOLDER_LINE + ignore, PLACEHOLDER_LINE)  # reopened
    edit(repo / "apps/product-pipeline/wrangler.toml", d1_line, d1_line + ignore)  # waived since
    edit(repo / "wrangler.toml", "[durable_objects]",
         '[[kv_namespaces]]\nbinding = "NEW_KV"\nid = "REPLACE_ME"\n\n'
         f'[[kv_namespaces]]\nbinding = "NEW_WAIVED_KV"\nid = "REPLACE_ME"{ignore}\n\n'
         "[durable_objects]")
    audit = auditlib.run_audit(repo, audit_date=AS_OF, baseline=tmp_path / "before" / "findings.json")
    document = to_sarif(audit)
    changed = {(f.subject, str(f.outcome)): r["baselineState"]
               for r, f in zip(results(document), audit.findings, strict=True)
               if r["baselineState"] != "unchanged"}
    assert changed == {("LOGIN_RATE_LIMIT_KV", "FAIL"): "updated",
                       ("PIPELINE_DB", "WAIVED"): "updated",
                       ("NEW_KV", "FAIL"): "new", ("NEW_WAIVED_KV", "WAIVED"): "new"}
    assert len(results(document)) == len(audit.findings) > len(changed)
    assert_valid(document, schema)
    assert not any("baselineState" in r for r in results(to_sarif(auditlib.run_audit(
        repo, audit_date=AS_OF))))  # without a baseline, on no result


# Secrets and determinism ----------------------------------------------------------------------

def test_a_secret_var_never_appears(schema: dict[str, Any], tmp_path: Path) -> None:
    repo = copy_example(tmp_path)
    edit(repo / "wrangler.toml", "[vars]\n", f'[vars]\nSTRIPE_SECRET_KEY = "{CANARY}"\n')
    audit = auditlib.run_audit(repo, audit_date=AS_OF)
    assert CANARY in audit.secrets()
    assert any(f.rule == "CF011" for f in audit.findings)
    text = sarif_text(audit)
    assert CANARY not in text and "CANARY" not in text
    # A message that quotes the value, as a future rule might, is redacted too.
    leaky = Finding(rule="CF011", severity=Severity.P0, title="t", subject=CANARY,
                    message=f"`STRIPE_SECRET_KEY = {CANARY}`",
                    location=Location(path=f"apps/{CANARY}/wrangler.toml", start_line=3),
                    outcome=Outcome.WAIVED, waiver=f"accepted: {CANARY}")
    leaky_text = sarif_text(dataclasses.replace(audit, findings=(*audit.findings, leaky)))
    assert "CANARY" not in leaky_text and "«redacted»" in leaky_text
    assert_valid(json.loads(leaky_text), schema)


def test_two_renders_are_byte_identical(example: Audit, tmp_path: Path) -> None:
    first = sarif_text(example)
    assert first == sarif_text(example)
    assert first == sarif_text(auditlib.run_audit(audit_date=AS_OF))
    assert first == sarif_text(auditlib.run_audit(copy_example(tmp_path), audit_date=AS_OF))
    assert first.endswith("}\n") and not first.endswith("\n\n")
    assert json.loads(first) == to_sarif(example)


def test_no_absolute_paths(example: Audit, tmp_path: Path) -> None:
    text = sarif_text(auditlib.run_audit(copy_example(tmp_path), audit_date=AS_OF))
    assert str(tmp_path) not in text and str(EXAMPLE_REPO) not in text
    for result in results(json.loads(text)):
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and ":" not in uri


# Fingerprints ---------------------------------------------------------------------------

def test_fingerprints_are_unique_within_a_run(example: Audit) -> None:
    counts = fingerprints(example)
    assert sum(counts.values()) == len(example.findings)
    assert max(counts.values()) == 1


@pytest.mark.parametrize("config", ["wrangler.toml", "apps/product-pipeline-queue-worker/wrangler.toml"])
def test_fingerprints_survive_lines_moving(example: Audit, tmp_path: Path, config: str) -> None:
    repo = copy_example(tmp_path)
    path = repo / config
    path.write_text("\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    shifted = auditlib.run_audit(repo, audit_date=AS_OF)
    moved = [(f.location.start_line, g.location.start_line)
             for f, g in zip(example.findings, shifted.findings, strict=True)
             if f.location.path == config and f.location.start_line is not None]
    assert moved and all(after == before + 3 for before, after in moved)
    assert fingerprints(shifted) == fingerprints(example)


def test_fingerprints_change_with_the_subject(example: Audit) -> None:
    finding = example.findings[0]
    renamed = dataclasses.replace(finding, subject=finding.subject + "-other")
    before = fingerprints(dataclasses.replace(example, findings=(finding,)))
    after = fingerprints(dataclasses.replace(example, findings=(renamed,)))
    assert before != after
