"""CF017 queue-consumed-twice.

## What it does
Reports a queue that more than one consumer of the repository consumes
(`[[queues.consumers]]`): two apps, or the top level and an environment of one app (each
environment deploys a Worker of its own, `NAME-ENV`). Scopes that deploy the same Worker
(the same `name`) or to different accounts (`account_id`) do not count; an account given
only at deploy time (`CLOUDFLARE_ACCOUNT_ID`) is taken to be the same. An HTTP pull
consumer (`type = "http_pull"`) counts too, as the one consumer a queue has, and the message
says which consumer pulls over HTTP. A finding names five of the other consumers, and counts
the rest.

## Why is this bad?
Cloudflare allows one consumer per queue, a Worker or an HTTP pull consumer. Deploying the
second consumer fails, or the queue's messages go to a consumer other than the one written
for them.

## Example
```toml
# apps/mailer/wrangler.toml
[[queues.consumers]]
queue = "jobs"

[env.staging]
[[env.staging.queues.consumers]]
queue = "jobs"
```

## Fix
```toml
[env.staging]
[[env.staging.queues.consumers]]
queue = "jobs-staging"
```
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Binding, Environment, Facts, Finding, Severity, WranglerConfig
from ..wrangler import worker_consumer
from .base import Rule, scope_label, scoped


class QueueConsumedTwice(Rule):
    id = "CF017"
    name = "queue-consumed-twice"
    title = "Queue with more than one consumer"
    severity = Severity.P1
    rationale = "A queue has one consumer (a Worker or an HTTP pull consumer): the second deploy fails"
    remediation = "Give each consumer its own queue"
    status = "Conflicting consumers"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        consumers: dict[str, list[tuple[WranglerConfig, Environment, Binding]]] = defaultdict(list)
        for wrangler_config in facts.configs:
            if wrangler_config.target == "pages":  # Pages Functions consume no queue
                continue
            for scope in wrangler_config.scopes():
                for binding in scope.bindings:
                    if binding.kind == "queues.consumers":
                        consumers[binding.name].append((wrangler_config, scope, binding))
        for queue, found in consumers.items():
            entries = [(*_worker(c, each), _consumer(c, each, b)) for c, each, b in found]
            sharing = functools.cache(functools.partial(_sharing, entries))
            for (_config, scope, binding), (worker, account, label) in zip(
                    found, entries, strict=True):
                others, workers = sharing(account)
                count = len(workers) - (worker in workers)
                if count:
                    named = list(itertools.islice((other_label for other_label, other in others
                                                   if other != worker), MOST))
                    yield cls.finding(
                        location=binding.location, subject=scoped(queue, scope),
                        message=(f"{code(queue)} is consumed by {label} and by {', '.join(named)}"
                                 + (f" and {count - len(named):,} more" if count > len(named) else "")
                                 + ": a queue has one consumer, a Worker or an HTTP pull consumer"),
                        remediation=f"Give each consumer of {code(queue)} its own queue")


MOST = 5  # other consumers a finding names; the rest it counts (4,000 Workers may consume one queue)


def _sharing(entries: list[tuple[str, str, str]], account: str
             ) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Of `entries` (a queue's consumers: Worker, account, label), those a consumer deploying
    to `account` would share the queue with: (the label of each Worker's first, its Worker),
    by label; and the same by Worker."""
    first: dict[str, str] = {}
    for worker, other_account, label in entries:
        if not account or not other_account or account == other_account:
            first.setdefault(worker, label)
    return sorted((label, worker) for worker, label in first.items()), first


def _consumer(wrangler_config: WranglerConfig, scope: Environment, binding: Binding) -> str:
    """A consumer, for messages: its config and environment, and whether it is an HTTP pull
    consumer (`type = "http_pull"`) rather than the Worker's."""
    return scope_label(wrangler_config, scope) + (
        "" if worker_consumer(binding) else " (an HTTP pull consumer)")


def _worker(wrangler_config: WranglerConfig, scope: Environment) -> tuple[str, str]:
    """The Worker a scope deploys (its name, or else its config and environment) and the
    account it deploys to ("" when given at deploy time)."""
    name = scope.settings.get("name")
    return (str(name) if name else f"{wrangler_config.path} {scope.name}",
            str(scope.settings.get("account_id") or ""))
