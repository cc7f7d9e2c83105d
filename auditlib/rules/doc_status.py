"""DR003 doc-verified-with-drift.

## What it does
Reports a document whose header says `Audit-status: VERIFIED` while any of its claims
has drifted (DR004 to DR010, waived or not, as Documentation Health counts them; a rule
turned off counts none). A document auditlib generated is not checked: its `Audit-status`
is the audit's (whether every input was read), and the drift of its hand-written notes is
reported by their own rules.

## Why is this bad?
"VERIFIED" is a promise to the reader that every claim was checked against the code.
Once a claim is false, the label makes the whole document misleading.

## Example
```markdown
Audit-status: VERIFIED
```
above a line count that is no longer true.

## Fix
Correct the drifted claims, or set `Audit-status: UNVERIFIED` until they are corrected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..blocks import code, counted
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule
from .doc_config_block import DocConfigBlockDrift
from .doc_line_counts import DocLineCountDrift
from .doc_links import DocBrokenLink
from .doc_names import DocNameDrift
from .doc_negative import DocNegativeClaimContradicted
from .doc_ranges import DocCitationOutOfRange
from .doc_snippets import DocSnippetMoved

CLAIM_RULES: tuple[type[Rule], ...] = (
    DocBrokenLink, DocCitationOutOfRange, DocLineCountDrift, DocSnippetMoved,
    DocConfigBlockDrift, DocNameDrift, DocNegativeClaimContradicted)


class DocVerifiedWithDrift(Rule):
    id = "DR003"
    name = "doc-verified-with-drift"
    title = "Document marked VERIFIED has drifted"
    severity = Severity.P1
    rationale = "The VERIFIED label vouches for claims that are false"
    remediation = "Fix the drift or mark the document UNVERIFIED"
    status = "Misleading"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        verified = [document for document in facts.claims
                    if document.header.get("Audit-status") == "VERIFIED" and not document.generated]
        if not verified:
            return  # the claim rules are not run again for nothing
        # Waived drift is still drift; a rule turned off finds none.
        drift = Counter(finding.location.path for rule in CLAIM_RULES
                        if rule.id not in config.disabled_rules
                        for finding in rule.check(facts, config))
        for document in verified:
            if drift[document.path]:
                yield cls.finding(
                    location=Location(path=document.path,
                                      start_line=document.header_lines.get("Audit-status")),
                    subject="Audit-status",
                    message=(f"{code(document.path)} says `Audit-status: VERIFIED`, but"
                             f" {counted(drift[document.path], 'drift finding')} (DR004 to"
                             f" DR010) {'says' if drift[document.path] == 1 else 'say'} the"
                             " repository disagrees"),
                    remediation=f"Fix the drift in {code(document.path)} or mark it UNVERIFIED")
