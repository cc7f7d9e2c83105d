"""pandas DataFrames of an audit, for exploring in a notebook (pandas is imported here only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .api import Audit


@dataclass(frozen=True, slots=True)
class Frames:
    configs: pd.DataFrame  # one row per wrangler config
    bindings: pd.DataFrame  # one row per binding per environment ("" is the top level)
    deploy_steps: pd.DataFrame  # one row per CI step that deploys to Cloudflare
    code: pd.DataFrame  # provider selections, latency checks, Durable Object classes, metrics
    findings: pd.DataFrame  # one row per finding, with its evidence


def frames(source: str | Path | Audit | None = None, audit_date: str | date | None = None) -> Frames:
    """DataFrames of the audit of `source` (a repository path, an Audit, or None for the
    bundled example)."""
    import pandas as pd

    from .api import Audit, run_audit
    from .secrets import redact

    audit = source if isinstance(source, Audit) else run_audit(source, audit_date)
    facts = audit.facts
    secrets = audit.secrets()
    configs = pd.DataFrame([{
        "path": c.path, "app": c.app, "name": c.name, "target": c.target,
        "queue_consumer": c.queue_consumer, "compatibility_date": c.compatibility_date,
        "placement": (c.placement or {}).get("mode"), "environments": len(c.environments),
        "bindings": len(c.bindings)} for c in facts.configs],
        columns=["path", "app", "name", "target", "queue_consumer", "compatibility_date",
                 "placement", "environments", "bindings"])
    bindings = pd.DataFrame([{
        "config": c.path, "environment": scope.name, "kind": b.kind, "name": b.name,
        "line": b.location.start_line,
        **{key: str(value) for key, value in b.properties.items()}}
        for c in facts.configs for scope in c.scopes() for b in scope.bindings])
    deploy_steps = pd.DataFrame([{
        "workflow": s.workflow, "line": s.location.start_line, "job": s.job, "tool": s.tool,
        "secrets": ", ".join(s.secrets)} for s in facts.deploy_steps],
        columns=["workflow", "line", "job", "tool", "secrets"])
    code = pd.DataFrame(
        [{"kind": "provider-selection", "name": p.variable, "path": p.location.path,
          "start_line": p.location.start_line, "end_line": p.location.end_line,
          "detail": ", ".join(p.options)} for p in facts.providers]
        + [{"kind": "latency-check", "name": f"> {m.threshold_ms} ms", "path": m.location.path,
            "start_line": m.location.start_line, "end_line": m.location.end_line,
            "detail": ", ".join(m.sinks)} for m in facts.latency]
        + [{"kind": "durable-object-class", "name": k.name, "path": k.location.path,
            "start_line": k.location.start_line, "end_line": None,
            "detail": f"{k.file_lines} lines"} for k in facts.classes]
        + [{"kind": "metrics-sink", "name": m.groups.get("api", ""), "path": m.location.path,
            "start_line": m.location.start_line, "end_line": None, "detail": m.text}
           for m in facts.metrics],
        columns=["kind", "name", "path", "start_line", "end_line", "detail"])
    findings = pd.DataFrame([{
        "severity": str(f.severity), "rule": f.rule, "title": f.title, "outcome": str(f.outcome),
        "subject": f.subject, "path": f.location.path, "line": f.location.start_line,
        "end_line": f.location.end_line, "message": f.message, "quote": f.quote,
        "remediation": f.remediation} for f in audit.findings],
        columns=["severity", "rule", "title", "outcome", "subject", "path", "line", "end_line",
                 "message", "quote", "remediation"])
    configs, bindings, deploy_steps, code, findings = (
        frame.map(lambda v: redact(v, secrets) if isinstance(v, str) else v)
        for frame in (configs, bindings, deploy_steps, code, findings))
    return Frames(configs=configs, bindings=bindings, deploy_steps=deploy_steps, code=code,
                  findings=findings)
