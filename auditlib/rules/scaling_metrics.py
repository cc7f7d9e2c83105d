"""CF005 no-scaling-metrics.

## What it does
Reports a repository that deploys to Cloudflare but has no metrics in code (no metrics
sink found by the code search) and no Analytics Engine dataset binding.

## Why is this bad?
Cloudflare scales Workers, Durable Objects and queue consumers automatically, but without
metrics nobody can see how they scale, what it costs, or when latency degrades.

## Example
A repository whose only observability is `console.warn` in a few places.

## Fix
Bind an Analytics Engine dataset (`[[analytics_engine_datasets]]`) and write data points
for request latency, Durable Object calls and queue batches; build a dashboard on them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule


class NoScalingMetrics(Rule):
    id = "CF005"
    name = "no-scaling-metrics"
    title = "No scaling metrics dashboard"
    severity = Severity.P1
    rationale = "Cannot measure or alert on scaling behavior"
    remediation = "Set up a Cloudflare Analytics dashboard for Worker and Durable Object metrics"
    status = "Not implemented"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        if not facts.configs or facts.metrics:
            return
        if any(b.kind == "analytics_engine_datasets" for c in facts.configs for b in c.bindings):
            return
        yield cls.finding(location=Location(path="."), subject="metrics",
                          message="no metrics sink in code and no Analytics Engine binding",
                          remediation="Set up a Cloudflare Analytics dashboard for"
                                      f" {_what_scales(facts)} metrics")


def _what_scales(facts: Facts) -> str:
    """What the repository deploys that Cloudflare scales: "Worker, Durable Object and
    queue consumer" or less, "Pages Functions" for a Pages project."""
    configs = facts.configs
    found = [name for name, present in (
        ("Worker", any(c.target != "pages" for c in configs)),
        ("Pages Functions", any(c.target == "pages" for c in configs)),
        ("Durable Object", any(b.kind == "durable_objects" for c in configs
                                   for scope in c.scopes() for b in scope.bindings)),
        ("queue consumer", any(c.queue_consumer for c in configs))) if present]
    return ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
