"""CF006 production-verification-missing.

## What it does
For each scaling aspect the repository relies on (Durable Objects, KV, queue consumers,
Workers and Pages themselves), reports that nothing in the code measures it in
production. A metrics sink (`writeDataPoint`, StatsD, Prometheus, OpenTelemetry) measures
an aspect only when it is in that aspect's code, or its line names the aspect (word for word,
in any case: `"cart_do"` names `CART_DO`; a call left open on its line is read to its
closing parenthesis, up to 20 lines):
- Durable Object latency: in the file that defines a bound Durable Object class, or a line
  naming a bound Durable Object (binding or class) or `durable`;
- KV replication lag: a line naming a bound KV namespace or `kv` (`kv_lag`);
- queue consumer scaling: in the code of a Worker that consumes a queue (under its folder,
  not under another app's inside it), or a line naming a consumed queue or `queue`; an HTTP
  pull consumer (`type = "http_pull"`), which no Worker runs, is not counted;
- cold start frequency: a line naming `cold` starts (`coldStart`); not asked of a
  repository whose Workers only serve static assets (no `main`) and whose Pages sites have
  no Functions, which start no Worker.

A Durable Object latency metric does not show KV lag, queue depth or cold starts. The
bindings of a config that runs no code (static assets, a Pages site without Functions) rely
on nothing: no code of its own reads them.

## Why is this bad?
The platform scales these automatically, but the claims made about them (latency of
Durable Object calls, KV replication lag, consumer throughput, cold starts) stay
unverified until they are measured.

## Example
A `[[queues.consumers]]` block and no code that records queue depth or batch latency.

## Fix
Measure each aspect (Analytics Engine data points, the Cloudflare dashboard's GraphQL
analytics) and record the figures in the document. Name what a data point measures on
its line (`env.METRICS.writeDataPoint({ blobs: ["kv_lag"], doubles: [lag] })`).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterator

from ..blocks import counted
from ..config import AuditConfig
from ..model import Binding, Facts, Finding, Location, Match, Severity
from ..wrangler import KINDS_BY_NAME, worker_consumer
from .base import Rule, deepest_app, runs_code

# (aspect, binding kind that makes it relevant or None for every deployment, action)
ASPECTS: tuple[tuple[str, str | None, str], ...] = (
    ("DO latency in production", "durable_objects",
     "Measure Durable Object call latency in production"),
    ("KV replication lag", "kv_namespaces", "Measure KV replication lag"),
    ("Queue consumer scaling", "queues.consumers", "Monitor queue depth and consumer scaling"),
    ("Cold start frequency", None, "Track cold start frequency"),
)
# What tells one resource of a kind from another: a class, a namespace id, a queue.
IDENTITY = {"durable_objects": "class_name", "kv_namespaces": "id", "queues.consumers": "queue"}
# The word a metric's line uses for each aspect, by binding kind.
WORDS: dict[str | None, str] = {"durable_objects": "durable", "kv_namespaces": "kv",
                                "queues.consumers": "queue", None: "cold"}
# Words of identifiers and text: `cartDO_latency` is cart, do, latency.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@functools.lru_cache(maxsize=16)  # the line of many metrics calls (a bundle's) is read once
def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def names(text: str, name: str) -> bool:
    """Whether `text` names `name`, word for word in any case: `"cart_do"` names `CART_DO`."""
    return _naming({_words(name)})(_words(text))


def _naming(wanted: set[tuple[str, ...]]) -> Callable[[tuple[str, ...]], bool]:
    """Whether words hold one of the `wanted` runs of words, however many are wanted."""
    runs = {run for run in wanted if run}
    firsts, lengths = {run[0] for run in runs}, {len(run) for run in runs}
    return lambda words: not firsts.isdisjoint(words) and any(  # most lines: one set test
        words[start:start + length] in runs
        for length in lengths for start in range(len(words) - length + 1))


def measured(kind: str | None, relying: list[Binding], facts: Facts,
             metrics: list[tuple[Match, tuple[str, ...]]]) -> bool:
    """Whether one of the metrics sinks (each with the words of its line) measures the
    aspect of binding kind `kind` (see the docstring)."""
    named = _naming({_words(name) for name in (
        WORDS[kind], *(b.name for b in relying),
        *(str(b.properties["class_name"]) for b in relying if "class_name" in b.properties))})
    classes = {str(b.properties.get("class_name")) for b in relying if kind == "durable_objects"}
    files = {c.location.path for c in facts.classes if c.defined and c.name in classes}
    consumers = ({c.app for c in facts.configs if c.target != "pages"
                  and any(worker_consumer(b) for scope in c.scopes() for b in scope.bindings)}
                 if kind == "queues.consumers" else set())
    folders = {c.app for c in facts.configs}
    lines = {id(words): words for _m, words in metrics}.values()  # a bundle's line: once
    return any(m.location.path in files
               or (consumers and deepest_app(posixpath.dirname(m.location.path), folders)
                   in consumers) for m, _ in metrics) or any(named(words) for words in lines)


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
        metrics = [(m, _words(m.groups.get("call", m.text))) for m in facts.metrics]
        for aspect, kind, action in ASPECTS:
            # No code in the repository measures it: the finding is the repository's, with
            # the bindings that rely on it named.
            # An HTTP pull consumer is no Worker that Cloudflare scales.
            # A static site's bindings: no code of its own reads them.
            relying = [b for c in facts.configs if runs_code(c) for scope in c.scopes()
                       for b in scope.bindings
                       if b.kind == kind and (kind != "queues.consumers" or worker_consumer(b))]
            if ((kind is None and any(map(runs_code, facts.configs))) or relying) and not measured(
                    kind, relying, facts, metrics):
                # Each class, namespace or queue once, not once for each environment
                # that binds it again.
                key = IDENTITY.get(kind or "", "")
                resources = {(b.location.path, str(b.properties.get(key) or (b.name, b.environment)))
                             for b in relying}
                # and how many declarations (bindings, consumers), which the document lists
                counts = (f" ({counted(len(resources), KINDS_BY_NAME[kind].label)}"
                          + (f", declared {len(relying)} times," if len(relying) > len(resources)
                             else "")
                          + f" in {counted(len({b.location.path for b in relying}), 'config')})"
                          if kind else "")
                yield cls.finding(location=Location(path="."), subject=aspect,
                                  remediation=action,
                                  message=f"{aspect}: no code measures it{counts}")
