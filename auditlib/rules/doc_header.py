"""DR001 doc-header-invalid.

## What it does
Checks the header block of each document: `Type`, `Status`, `Domain` and `Last-reviewed`
are present (and `Audit-status` in the audit document itself, `doc_path`; a document
without a header block is one finding), `Last-reviewed` is a date (YYYY-MM-DD), not in the
future, and `Audit-status` is one word in capitals (`VERIFIED`, `UNVERIFIED`, ...).

## Why is this bad?
The header is how readers and tools tell a document's kind, owner domain and freshness;
a missing or malformed field hides that the document is out of date.

## Example
```markdown
Type: Guide
Last-reviewed: January 2026
```

## Fix
```markdown
Type: Guide
Status: Active
Domain: Performance
Last-reviewed: 2026-01-21
Audit-status: VERIFIED
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule

REQUIRED = ("Type", "Status", "Domain", "Last-reviewed")


class DocHeaderInvalid(Rule):
    id = "DR001"
    name = "doc-header-invalid"
    title = "Document header incomplete"
    severity = Severity.P2
    rationale = "Readers cannot tell the document's kind, domain or freshness"
    remediation = "Complete the document's header block"
    status = "Incomplete header"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            header, lines = document.header, document.header_lines
            audit = ("Audit-status",) if document.path == config.doc_path else ()
            if not header:  # one finding, not one a field (a CLAUDE.md checked with verify)
                fields = ", ".join(f"`{key}:`" for key in (*REQUIRED, *audit))
                yield cls.finding(location=Location(path=document.path, start_line=1),
                                  subject="header", message=f"{code(document.path)} has no header"
                                                            f" block ({fields} lines at its top)",
                                  remediation=f"Add a header block to {code(document.path)}")
                continue
            for key in (*REQUIRED, *audit):
                if key not in header:
                    yield cls.finding(location=Location(path=document.path, start_line=1),
                                      subject=key, message=f"{code(document.path)} has no `{key}:`"
                                                           " in its header block",
                                      remediation=f"Add `{key}:` to the header of {code(document.path)}")
            where = Location(path=document.path, start_line=lines.get("Last-reviewed"))
            try:
                reviewed = date.fromisoformat(header["Last-reviewed"])
            except ValueError:
                yield cls.finding(location=where, subject="Last-reviewed",
                                  message=f"`Last-reviewed: {header['Last-reviewed']}` is not a"
                                          " date (YYYY-MM-DD)")
            except KeyError:
                pass
            else:
                if reviewed > (config.audit_date or date.today()):
                    yield cls.finding(location=where, subject="Last-reviewed",
                                      message=f"`Last-reviewed: {reviewed}` is in the future")
            status = header.get("Audit-status")
            if status is not None and not re.fullmatch(r"[A-Z][A-Z_-]*", status):
                yield cls.finding(location=Location(path=document.path,
                                                    start_line=lines.get("Audit-status")),
                                  subject="Audit-status",
                                  message=(f"`Audit-status: {status}` is not one upper-case word"
                                           " (such as `VERIFIED`)"))
