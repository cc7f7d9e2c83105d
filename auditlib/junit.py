"""Render an audit as JUnit XML, for CI systems that show test reports (GitLab, Jenkins,
Azure DevOps), as Checkov's and conftest's `junit` outputs do.

One test suite per rule that is not disabled. In it, a test case per finding, named by
rule, subject and file (not its line, so a test's history survives lines moving): a `failure`
for an open one, an `error` where the rule could not run, `skipped` for a waived one; a
rule without findings has one passing test case. An audit that found no wrangler config
is an `error` of its own, first, so a CI job pointed at the wrong folder shows no green
tests. A pure function of the audit, without
times or host names: two renders of one audit are byte-identical.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable

from .api import Audit
from .model import Finding, Outcome
from .rules import RULES
from .rules.base import no_config_found
from .secrets import redact

# What XML 1.0 cannot hold, even escaped: control characters but tab and line breaks, lone
# surrogates, U+FFFE and U+FFFF. Shown escaped, as Python writes them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def junit_text(audit: Audit) -> str:
    """The audit as a JUnit XML document, ending in a newline."""
    secrets = audit.secrets()

    def clean(text: str) -> str:
        return _NOT_XML.sub(lambda found: ascii(found[0])[1:-1], redact(text, secrets))

    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in audit.findings:
        by_rule[finding.rule].append(finding)
    root = ET.Element("testsuites", name="auditlib")
    if no_config_found(audit.facts):
        suite = ET.SubElement(root, "testsuite", name="audit")
        case = ET.SubElement(suite, "testcase", classname="auditlib.audit",
                             name="a wrangler config to audit")
        ET.SubElement(case, "error", message="no wrangler config (wrangler.toml, wrangler.json,"
                      " wrangler.jsonc) was found: nothing was audited", type="INCOMPLETE")
        _count(suite)
    for rule in RULES:
        if rule.id in audit.config.disabled_rules:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"{rule.id} {rule.name}")
        for finding in by_rule[rule.id]:
            _case(suite, finding, clean)
        if not by_rule[rule.id]:
            ET.SubElement(suite, "testcase", classname=f"auditlib.{rule.id}",
                          name=f"{rule.id}: no finding")
        _count(suite)
    _count(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(suite: ET.Element, finding: Finding, clean: Callable[[str], str]) -> None:
    """The test case of `finding`, named by what identifies it across runs (rule, subject,
    file; never a line, which moves), in the class `auditlib.RULE` (Jenkins splits a class
    at its last dot: a path's `.toml` would be a class)."""
    where = "(repository)" if finding.location.path == "." else str(finding.location)
    path = "(repository)" if finding.location.path == "." else finding.location.path
    case = ET.SubElement(suite, "testcase", classname=f"auditlib.{finding.rule}",
                         name=clean(f"{finding.rule} {finding.subject or finding.title} ({path})"))
    if finding.location.path != ".":
        case.set("file", clean(finding.location.path))
    if finding.location.start_line:
        case.set("line", str(finding.location.start_line))
    message = clean(f"{finding.severity} {finding.title}: {finding.message}")
    if finding.outcome == Outcome.WAIVED:
        ET.SubElement(case, "skipped", message=clean(f"waived: {finding.waiver}"))
        return
    expired = f"\n{finding.waiver}" if finding.waiver else ""  # why a waiver no longer applies
    kind = "error" if finding.outcome == Outcome.ERROR else "failure"
    element = ET.SubElement(case, kind, message=message, type=str(finding.severity))
    element.text = clean(f"{where}: {finding.message}{expired}\n"
                         + (f"Fix: {finding.remediation}\n" if finding.remediation else ""))


def _count(element: ET.Element) -> None:
    """The totals JUnit readers show: test cases, failures, errors and skipped ones."""
    for total, kind in (("tests", ""), ("failures", "/failure"), ("errors", "/error"),
                        ("skipped", "/skipped")):
        element.set(total, str(len(element.findall(f".//testcase{kind}"))))
