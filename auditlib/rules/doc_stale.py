"""DR002 doc-stale.

## What it does
Reports a document whose `Last-reviewed` date is older than `doc_max_age_days` (default
90) before the audit date.

## Why is this bad?
Configuration and code move on; a document nobody has reviewed for months describes a
system that no longer exists, and readers cannot tell.

## Example
```markdown
Last-reviewed: 2025-06-01
```

## Fix
Review the document against the repository (`auditlib verify DOC` lists what drifted),
correct it and update `Last-reviewed`, or regenerate it with `auditlib run --publish`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from datetime import date

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule


class DocStale(Rule):
    id = "DR002"
    name = "doc-stale"
    title = "Document not reviewed recently"
    severity = Severity.P2
    rationale = "An unreviewed document describes a system that has moved on"
    remediation = "Review the document and update Last-reviewed"
    status = "Stale"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        today = config.audit_date or date.today()
        for document in facts.claims:
            try:
                reviewed = date.fromisoformat(document.header.get("Last-reviewed", ""))
            except ValueError:
                continue  # DR001 reports it
            age = (today - reviewed).days
            # The audit document as last published: this run's is the one to publish.
            published = document.generated and document.path == config.doc_path
            if age > config.doc_max_age_days:
                yield cls.finding(
                    location=Location(path=document.path,
                                      start_line=document.header_lines.get("Last-reviewed")),
                    subject="Last-reviewed",
                    message=(f"{code(document.path)}, as last published, was regenerated"
                             f" {reviewed.isoformat()}, {age} days ago (limit"
                             f" {config.doc_max_age_days})" if published else
                             f"{code(document.path)} was last reviewed {reviewed.isoformat()},"
                             f" {age} days ago (limit {config.doc_max_age_days})"),
                    remediation=("Publish this run: `auditlib run REPO --publish"
                                 f" {shlex.quote(document.path)}`") if published
                    else f"Review {code(document.path)} and update Last-reviewed")
