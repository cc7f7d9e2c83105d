"""Render an audit as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

A pure function of the audit: no timestamps, no absolute paths, the order of the registry
and of the findings, so two renders of one audit are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import orjson

from .api import Audit
from .changes import Changes
from .model import Facts, Finding, Location, Outcome, Severity
from .rules import RULES, Rule
from .rules.base import no_config_found, unread
from .rulesdoc import rule_doc
from .secrets import redact

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "auditlib/v1"
LEVELS = {Severity.P0: "error", Severity.P1: "warning", Severity.P2: "note"}

Redact = Callable[[str], str]


def level(finding: Finding) -> str:
    """The SARIF level: from the finding's own severity; a rule that failed to run is an error."""
    return "error" if finding.outcome == Outcome.ERROR else LEVELS[finding.severity]


def fingerprint(finding: Finding, occurrence: int, clean: Redact) -> str:
    """What identifies a finding across runs: rule, path and subject, never a line number.

    `occurrence` (1, 2, ...) tells apart findings that share all three, in their order.
    """
    identity = "\0".join((finding.rule, clean(finding.location.path), clean(finding.subject)))
    return f"{hashlib.sha256(identity.encode('utf-8')).hexdigest()}:{occurrence}"


def _rule(rule: type[Rule], severity: Severity, clean: Redact) -> dict[str, Any]:
    """The rule's descriptor, at `severity`: the settings' override of it, else its own."""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": clean(rule.title)},
        "fullDescription": {"text": clean(rule.rationale)},
        "help": {"text": clean(rule.remediation), "markdown": clean(rule_doc(rule))},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"severity": str(severity)},
    }


def _location(where: Location, anchor: str, clean: Redact) -> dict[str, Any]:
    """A physical location with a region, as GitHub code scanning needs: a finding about a
    whole file is at its line 1, and a repository-wide one (path ".") at `anchor`'s."""
    whole = where.path == "."
    start = where.start_line if where.start_line is not None and where.start_line >= 1 else 1
    end = where.end_line if where.end_line and where.end_line >= start else start
    location: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": quote(clean(anchor if whole else where.path)),
                             "uriBaseId": SRCROOT},
        "region": {"startLine": start, "endLine": end}}}
    if whole:
        location["message"] = {"text": "applies to the whole repository"}
    return location


def _result(finding: Finding, rule_index: dict[str, int], anchor: str, occurrence: int,
            clean: Redact) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    result |= {
        "level": level(finding),
        # An expired waiver says so: "waiver expired 2026-01-01: <its reason>".
        "message": {"text": clean(finding.message + (
            f" ({finding.waiver})" if finding.waiver and finding.outcome != Outcome.WAIVED
            else ""))},
        "locations": [_location(finding.location, anchor, clean)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, occurrence, clean)},
    }
    if finding.outcome == Outcome.WAIVED:
        # evaluate writes inline suppressions as "inline at `path:line`: reason".
        kind = "inSource" if finding.waiver.startswith("inline at") else "external"
        result["suppressions"] = [{"kind": kind, "justification": clean(finding.waiver)}]
    return result


def _notifications(facts: Facts, clean: Redact) -> list[dict[str, Any]]:
    """What kept the audit from being complete, as code scanning shows a tool's troubles:
    each input not read, and an audit that found no wrangler config, so audited nothing.
    Without them, results missing for an unread file would read as fixed."""
    notes = []
    for problem in unread(facts):
        where: dict[str, Any] = {"artifactLocation": {"uri": quote(clean(problem.location.path)),
                                                      "uriBaseId": SRCROOT}}
        if problem.location.start_line:
            where["region"] = {"startLine": problem.location.start_line}
        column = f", column {problem.column}" if problem.column else ""
        notes.append({"level": "error", "message": {"text": clean(
            f"{problem.location} could not be read{column}: {problem.message}")},
            "locations": [{"physicalLocation": where}]})
    if no_config_found(facts):
        notes.append({"level": "error", "message": {"text": "no wrangler config (wrangler.toml,"
                      " wrangler.json, wrangler.jsonc) was found: nothing was audited"}})
    return notes


def _baseline_states(changes: Changes) -> dict[int, str]:
    """SARIF's baselineState of the findings that are not "unchanged", by object (alike
    findings are told apart as `compare` counts them). A finding reopened (its waiver ended)
    or waived since was in the baseline, and changed: "updated"."""
    return ({id(f): "new" for f in (*changes.new, *changes.waived_new)}
            | {id(f): "updated" for f in (*changes.reopened, *changes.waived_since)})


def _disabled(rule_ids: list[str]) -> list[dict[str, Any]]:
    """The rules the settings disable, as the invocation's overrides (§3.20.5): they did not
    run, so no result of theirs says nothing is wrong."""
    return [{"descriptor": {"id": rule_id}, "configuration": {"enabled": False}}
            for rule_id in rule_ids]


def to_sarif(audit: Audit) -> dict[str, Any]:
    """The audit as a SARIF log: one run, every rule that ran (those disabled are named in
    the invocation, not as rules without results), one result per finding, and an
    invocation that says what was not read; it did not succeed when it found no wrangler
    config."""
    secrets = audit.secrets()

    def clean(text: str) -> str:
        return redact(text, secrets)

    # GitHub code scanning needs a file for every result: the shallowest wrangler config.
    configs = sorted(config.path for config in audit.facts.configs)
    anchor = min(configs, key=lambda path: (path.count("/"), path)) if configs else "README.md"
    ran = [rule for rule in RULES if rule.id not in audit.config.disabled_rules]
    rule_index = {rule.id: index for index, rule in enumerate(ran)}
    overrides = audit.config.severity_overrides
    seen: Counter[tuple[str, str, str]] = Counter()
    states = _baseline_states(audit.changes) if audit.changes else None
    results = []
    for finding in audit.findings:
        seen[(finding.rule, finding.location.path, finding.subject)] += 1
        occurrence = seen[(finding.rule, finding.location.path, finding.subject)]
        results.append(_result(finding, rule_index, anchor, occurrence, clean))
        if states is not None:  # on every result or on none (§3.27.24)
            results[-1]["baselineState"] = states.get(id(finding), "unchanged")
    invocation: dict[str, Any] = {"executionSuccessful": not no_config_found(audit.facts)}
    if notifications := _notifications(audit.facts, clean):
        invocation["toolExecutionNotifications"] = notifications
    if off := [rule.id for rule in RULES if rule.id in audit.config.disabled_rules]:
        invocation["ruleConfigurationOverrides"] = _disabled(off)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "auditlib",
                "version": audit.version,
                "rules": [_rule(rule, overrides.get(rule.id, rule.severity), clean)
                          for rule in ran],
            }},
            "invocations": [invocation],
            "results": results,
            "properties": {"audit_date": audit.audit_date},
        }],
    }


def sarif_text(audit: Audit) -> str:
    """`to_sarif` as JSON text, ending in a newline."""
    return orjson.dumps(to_sarif(audit), option=orjson.OPT_INDENT_2).decode() + "\n"
