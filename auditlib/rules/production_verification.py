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

from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
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
            configs = sorted(facts.configs, key=lambda c: (c.path.count("/"), c.path))
            # What every Worker has is the whole repository's, not its first config's.
            evidence = ([Location(path=".")] * bool(configs) if kind is None else
                        [b.location for c in configs for b in c.bindings if b.kind == kind])
            if evidence:
                yield cls.finding(location=evidence[0], subject=aspect, remediation=action,
                                  message=f"{aspect}: no code measures it")
