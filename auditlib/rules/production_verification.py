"""CF006 production-verification-missing.

## What it does
For each scaling aspect the repository relies on (Durable Objects, KV, queue consumers,
Workers and Pages themselves), reports that nothing in the code measures it in
production when no metrics sink is found.

## Why is this bad?
The platform scales these automatically, but the claims made about them (latency of
Durable Object calls, KV replication lag, consumer throughput, cold starts) stay
unverified until they are measured.

## Example
A `[[queues.consumers]]` block and no code that records queue depth or batch latency.

## Fix
Measure each aspect (Analytics Engine data points, the Cloudflare dashboard's GraphQL
analytics) and record the figures in the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import counted
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from ..wrangler import KINDS_BY_NAME
from .base import Rule

# (aspect, binding kind that makes it relevant or None for every deployment, action)
ASPECTS: tuple[tuple[str, str | None, str], ...] = (
    ("DO latency in production", "durable_objects",
     "Measure Durable Object call latency in production"),
    ("KV replication lag", "kv_namespaces", "Measure KV replication lag"),
    ("Queue consumer scaling", "queues.consumers", "Monitor queue depth and consumer scaling"),
    ("Cold start frequency", None, "Track cold start frequency"),
)


class ProductionVerificationMissing(Rule):
    id = "CF006"
    name = "production-verification-missing"
    title = "Not measured in production"
    severity = Severity.P2
    rationale = "Scaling behaviour is assumed, not verified"
    remediation = "Measure the aspect in production"
    status = "Not measured"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        if facts.metrics:
            return
        for aspect, kind, action in ASPECTS:
            # No code in the repository measures it: the finding is the repository's, with
            # the bindings that rely on it named.
            relying = [b for c in facts.configs for scope in c.scopes() for b in scope.bindings
                       if b.kind == kind]
            if (kind is None and facts.configs) or relying:
                counts = (f" ({counted(len(relying), KINDS_BY_NAME[kind].label)} in"
                          f" {counted(len({b.location.path for b in relying}), 'config')})"
                          if kind else "")
                yield cls.finding(location=Location(path="."), subject=aspect,
                                  remediation=action,
                                  message=f"{aspect}: no code measures it{counts}")
