"""findings.json keeps to the JSON Schema that ships with auditlib."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import auditlib
from auditlib import api
from auditlib.model import Finding, Location, Outcome, Severity

SCHEMA = Path(auditlib.__file__).parent / "schemas" / "findings.schema.json"
DATE = "2026-11-27"


def errors(document: Any) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def test_the_example_s_findings_keep_to_the_schema(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(auditlib.EXAMPLE_REPO, tmp_path / "base-shop"))
    (tmp_path / "before").mkdir()
    auditlib.run_audit(repo, "2026-01-21").save(tmp_path / "before")
    audit = auditlib.run_audit(repo, DATE, baseline=tmp_path / "before" / "findings.json")
    crashed = Finding(rule="CF010", severity=Severity.P2, title="t", outcome=Outcome.ERROR,
                      location=Location(path="."), subject="s", message="rule CF010 raised")
    for each in (audit, dataclasses.replace(audit, findings=(*audit.findings, crashed))):
        document = json.loads(each.to_json())
        assert errors(document) == []
    assert document["changes"] is not None and document["findings"]


def test_the_disabled_rules_and_their_findings_not_checked_keep_to_the_schema(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(auditlib.EXAMPLE_REPO, tmp_path / "base-shop"))
    (tmp_path / "before").mkdir()
    auditlib.run_audit(repo, "2026-01-21").save(tmp_path / "before")
    (repo / "auditlib.toml").write_text('disable = ["DR009", "CF001"]\n', encoding="utf-8")
    document = json.loads(auditlib.run_audit(
        repo, DATE, baseline=tmp_path / "before" / "findings.json").to_json())
    assert errors(document) == []
    assert document["disabled_rules"] == ["CF001", "DR009"]
    assert document["changes"]["disabled"] and {
        identity.split("|")[0] for identity in document["changes"]["disabled"]} == {"CF001"}


def test_verify_s_json_keeps_to_the_schema(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(auditlib.EXAMPLE_REPO, tmp_path / "base-shop"))
    document = json.loads(api.verify(repo, ["docs/performance-budgets.md"], audit_date=DATE)
                          .to_json())
    assert errors(document) == []
    assert document["verify_status"] == "DRIFTED"  # last reviewed 317 days before


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["findings"][0].update(severity="P3"), "'P3' is not one of"),
    (lambda d: d.update(verify_status="VERIFIED"), "'VERIFIED' is not one of"),
    (lambda d: d["findings"][0].pop("identity"), "'identity' is a required property"),
    (lambda d: d.update(audit_date="27/11/2026"), "is not a 'date'"),
    (lambda d: d.pop("disabled_rules"), "'disabled_rules' is a required property"),
])
def test_the_schema_refuses_what_auditlib_never_writes(change: Any, words: str) -> None:
    document = json.loads(auditlib.run_audit(None, DATE).to_json())
    change(document)
    assert any(words in error for error in errors(document))
