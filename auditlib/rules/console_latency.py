"""CF004 console-only-latency-monitoring.

## What it does
Finds latency checks (`if (duration > 200 ...)`) that only write to the console and send
nothing to a metrics sink (Workers Analytics Engine `writeDataPoint`, StatsD, Prometheus,
OpenTelemetry), inside the check or recording the same variable within five lines of it,
and checks whose threshold is above the configured latency budget (`latency_threshold_ms`,
default 200). A threshold of 0 and durations that are settings (`cacheDuration`,
`maxLatency`, `timeout...`) are not latency checks.

## Why is this bad?
Console lines are sampled, short-lived and cannot be graphed or alerted on: slow Durable
Object calls are noticed only when someone happens to read the logs.

## Example
```ts
if (duration > 200 && shouldLogLatency()) {
  console.warn(`Cart DO latency ${duration}ms`);
}
```

## Fix
Record the duration as a metric on every call (e.g. `env.METRICS.writeDataPoint(...)`)
and alert on the threshold.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class ConsoleOnlyLatency(Rule):
    id = "CF004"
    name = "console-only-latency-monitoring"
    title = "Latency monitoring is console-only"
    severity = Severity.P2
    rationale = "Slow operations cannot be graphed or alerted on"
    remediation = "Add structured metrics for slow operations (beyond console logging)"
    status = "Console only"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        budget = config.latency_threshold_ms
        for monitor in facts.latency:
            problems = []
            if "metrics" not in monitor.sinks:
                sink = "the console" if "console" in monitor.sinks else "nowhere"
                problems.append(f"is reported to {sink} only")
            if monitor.threshold_ms > budget:
                problems.append(f"is above the {budget} ms latency budget")
            if not problems:
                continue
            yield cls.finding(
                location=monitor.location, subject=f"latency>{monitor.threshold_ms}ms",
                message=(f"latency above {monitor.threshold_ms} ms at `{monitor.location}`"
                         f" {' and '.join(problems)}"),
                remediation=(f"Record operation latency as a metric and alert above"
                             f" {min(monitor.threshold_ms, budget)} ms"))
