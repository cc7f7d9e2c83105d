"""pandas DataFrames of an audit, for exploring in a notebook (pandas is imported here only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AuditError

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

    def bindings_of(self, kind: str) -> pd.DataFrame:
        """The bindings of one `kind`, as the `kind` column or a wrangler config names it
        (`kv_namespaces`, `durable_objects.bindings`; `queues`: producers and consumers);
        AuditError for a kind wrangler has not, naming those it has."""
        from .wrangler import BINDING_KINDS

        kinds = [k.kind for k in BINDING_KINDS if kind in (k.kind, ".".join(k.path), k.path[0])]
        if not kinds:
            found = sorted(set(self.bindings.kind))
            raise AuditError(f"binding_kind {kind!r}: wrangler has no such binding; the kinds are"
                             f" {', '.join(sorted(k.kind for k in BINDING_KINDS))}"
                             f" (this audit found {', '.join(found) if found else 'none'})")
        return self.bindings[self.bindings.kind.isin(kinds)]

    def finding(self, number: int) -> pd.Series:
        """The finding in row `number` of `findings` (from 0), empty when there is none;
        AuditError past the last."""
        import pandas as pd

        if not len(self.findings):
            return pd.Series(index=self.findings.columns, dtype=object, name="no findings")
        if not 0 <= number < len(self.findings):
            raise AuditError(f"finding_number {number}: the findings are numbered 0 to"
                             f" {len(self.findings) - 1}")
        return self.findings.iloc[number]


def frames(source: str | Path | Audit | None = None, audit_date: str | date | None = None,
           config_path: str | Path | None = None) -> Frames:
    """DataFrames of the audit of `source` (a repository path, an Audit, or None for the
    bundled example), on `audit_date`, with the settings of `config_path` (default: the
    repository's own)."""
    import pandas as pd

    from .api import Audit, run_audit
    from .secrets import redact

    audit = (source if isinstance(source, Audit)
             else run_audit(source, audit_date, config_path=config_path))
    facts = audit.facts
    secrets = audit.secrets()
    configs = pd.DataFrame([{
        "path": c.path, "app": c.app, "name": c.name, "target": c.target,
        "queue_consumer": c.queue_consumer, "compatibility_date": c.compatibility_date,
        "placement": (c.placement or {}).get("mode"), "environments": len(c.environments),
        "bindings": len(c.bindings)} for c in facts.configs],
        columns=["path", "app", "name", "target", "queue_consumer", "compatibility_date",
                 "placement", "environments", "bindings"])
    rows = [{"config": c.path, "environment": scope.name, "kind": b.kind, "name": b.name,
             "line": b.location.start_line,
             **{key: str(value) for key, value in b.properties.items()}}
            for c in facts.configs for scope in c.scopes() for b in scope.bindings]
    bindings = pd.DataFrame(rows, columns=list(dict.fromkeys(  # also with no binding
        ["config", "environment", "kind", "name", "line", *(key for row in rows for key in row)])))
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
            "detail": f"defined in a file of {k.file_lines} lines" if k.defined
            else "exported here, defined in another module"} for k in facts.classes]
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
