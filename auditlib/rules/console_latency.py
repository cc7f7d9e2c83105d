"""CF004 console-only-latency-monitoring.

## What it does
Finds latency checks (`if (duration > 200 ...)`) that only write to the console and send
nothing to a metrics sink (Workers Analytics Engine `writeDataPoint`, StatsD, Prometheus,
OpenTelemetry), inside the check or recording the same variable within five lines of it
(in a call written over one line or several), and checks whose threshold is above the
configured latency budget (`latency_threshold_ms`, default 200). A threshold of 0 and
durations that are settings (`cacheDuration`, `maxLatency`, `timeout...`) are not latency
checks. A finding is identified by its file and the variable checked (`duration`), so it
stays the same finding when the threshold changes.

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

import functools
import re
from collections.abc import Iterator

from ..blocks import code
from ..codesearch import PROBES
from ..config import AuditConfig
from ..model import Facts, Finding, LatencyMonitor, Severity
from .base import Rule

_CHECK = re.compile(next(probe.regex for probe in PROBES if probe.name == "latency-threshold"))


def checked_variable(monitor: LatencyMonitor) -> str:
    """The variable the check compares with its threshold (`duration`), from its first line:
    at its column (a bundle's line holds many), else the first compared with its threshold."""
    first_line = monitor.snippet.split("\n", 1)[0]
    found = _CHECK.match(first_line, monitor.column - 1) if monitor.column else None
    if found and found[2].replace("_", "").lstrip("0") == str(monitor.threshold_ms):
        return found[1]
    return _checks(first_line).get(monitor.threshold_ms, "latency")


@functools.lru_cache(maxsize=16)  # a line of many checks (a bundle's) is read once
def _checks(line: str) -> dict[int, str]:
    """The variable first compared with each threshold on `line`."""
    found: dict[int, str] = {}
    for match in _CHECK.finditer(line):
        digits = match[2].replace("_", "").lstrip("0")
        if len(digits) <= 18:  # no threshold (`> 00…0`, 5,000 digits is none)
            found.setdefault(int(digits or "0"), match[1])
    return found


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
                location=monitor.location, subject=checked_variable(monitor),
                message=(f"latency above {monitor.threshold_ms} ms at {code(monitor.location)}"
                         f" {' and '.join(problems)}"),
                remediation=(f"Record operation latency as a metric and alert above"
                             f" {min(monitor.threshold_ms, budget)} ms"))
