"""CF005 no-scaling-metrics.

## What it does
Reports a repository that deploys code to Cloudflare but has no metrics in code (no metrics
sink found by the code search) and no Analytics Engine dataset binding: not one whose
Workers only serve static assets (no `main`), or whose Pages sites have no Functions (a
committed output folder without `_worker.js`, no scripts in `functions`), which run no code of
their own. And code that writes Analytics Engine data points (`writeDataPoint`) when no
config binds a dataset: at run time the binding is undefined, and the metrics it seems to
record go nowhere.

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

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule, runs_code


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
        if not any(map(runs_code, facts.configs)) or any(  # static assets only: nothing scales
                b.kind == "analytics_engine_datasets" for c in facts.configs
                for scope in c.scopes() for b in scope.bindings):
            return
        if written := [m for m in facts.metrics if m.groups.get("api") == "writeDataPoint"]:
            yield cls.finding(
                location=written[0].location, subject="writeDataPoint",
                message=(f"{code('writeDataPoint')} is called"
                         + (f" in {len(written)} places" if len(written) > 1 else "")
                         + ", but no wrangler config binds an Analytics Engine dataset: the data"
                         " points go nowhere"),
                remediation=("Bind the dataset the code writes to"
                             " (`[[analytics_engine_datasets]]` with its `binding` name)"))
        if facts.metrics:
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
