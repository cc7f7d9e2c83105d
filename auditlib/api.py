"""The public entry points: collect → evaluate → render, and one call that does all three."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from . import report
from .blocks import Block, to_markdown
from .collect import collect
from .config import DEFAULT_CONFIG, AuditConfig
from .evaluate import evaluate
from .model import Facts, Finding, Outcome, Severity

EXAMPLE_REPO = Path(__file__).parent / "examples" / "base-shop"


def version() -> str:
    try:
        return metadata.version("auditlib")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True, kw_only=True, slots=True)
class Audit:
    """One audit of one repository on one date: its facts and findings."""

    facts: Facts
    findings: tuple[Finding, ...]
    audit_date: str
    config: AuditConfig = DEFAULT_CONFIG
    version: str = "0+unknown"

    def blocks(self) -> list[Block]:
        return report.build(self.facts, self.findings, audit_date=self.audit_date,
                            config=self.config, version=self.version)

    def markdown(self) -> str:
        return to_markdown(self.blocks())

    def counts(self) -> dict[str, int]:
        found = Counter(f.severity for f in self.findings if f.outcome == Outcome.FAIL)
        counts = {str(severity): found[severity] for severity in Severity}
        counts["ERROR"] = sum(1 for f in self.findings if f.outcome == Outcome.ERROR)
        return counts

    def summary(self) -> str:
        counts = self.counts()
        return (f"{sum(counts.values())} findings: "
                + ", ".join(f"{key} {value}" for key, value in counts.items()))

    def to_json(self) -> str:
        document: dict[str, Any] = {
            "audit_date": self.audit_date,
            "repo": self.facts.repo,
            "tool": {"name": "auditlib", "version": self.version},
            "audit_status": report.audit_status(self.facts, self.findings),
            "counts": self.counts(),
            "findings": [
                {"rule": f.rule, "severity": str(f.severity), "outcome": str(f.outcome),
                 "title": f.title, "message": f.message, "subject": f.subject,
                 "path": f.location.path, "line": f.location.start_line,
                 "end_line": f.location.end_line, "remediation": f.remediation}
                for f in self.findings],
            "facts": dataclasses.asdict(self.facts),
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"

    def save_json(self, output_dir: str | Path) -> None:
        """Write findings.json into `output_dir`; an empty `output_dir` writes nothing."""
        if str(output_dir):
            (Path(output_dir) / "findings.json").write_text(self.to_json(), encoding="utf-8")


def render_markdown(audit: Audit) -> str:
    """The regenerated document as GitHub Markdown."""
    return audit.markdown()


def run_audit(repo: str | Path | None = None, audit_date: str | date | None = None,
              config: AuditConfig = DEFAULT_CONFIG) -> Audit:
    """Collect and evaluate `repo` (default: the bundled example) as of `audit_date`."""
    when = audit_date or date.today()
    when_text = when.isoformat() if isinstance(when, date) else date.fromisoformat(when).isoformat()
    facts = collect(EXAMPLE_REPO if repo is None else repo)
    return Audit(facts=facts, findings=evaluate(facts, config=config), audit_date=when_text,
                 config=config, version=version())
