"""CF014 queue-consumer-without-dead-letter-queue.

## What it does
Reports each `[[queues.consumers]]` without a `dead_letter_queue`, and says so when its
retries are turned off too (`max_retries = 0`). The consumer of a queue that is itself a
dead-letter queue of a consumer in the repository needs no dead-letter queue of its own,
only its retries. A consumer with a dead-letter queue loses nothing, whatever its retries.

## Why is this bad?
A message that keeps failing is retried and then dropped: without a dead-letter queue the
job is lost without a trace, and with no retries a passing error loses it at once.

## Example
```toml
[[queues.consumers]]
queue = "pipeline-jobs"
max_batch_size = 1
```

## Fix
```toml
[[queues.consumers]]
queue = "pipeline-jobs"
max_retries = 5
dead_letter_queue = "pipeline-jobs-dlq"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule, scope_label, scoped


class QueueConsumerWithoutDeadLetterQueue(Rule):
    id = "CF014"
    name = "queue-consumer-without-dead-letter-queue"
    title = "Queue consumer without retries or dead-letter queue"
    severity = Severity.P2
    rationale = "Messages that keep failing are dropped and lost"
    remediation = "Set `max_retries` and a `dead_letter_queue` on the consumer"
    status = "Messages can be lost"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        dead_letter_queues = {  # `dead_letter_queue = {}` names none
            str(binding.properties.get("dead_letter_queue")) for wrangler_config in facts.configs
            for scope in wrangler_config.scopes() for binding in scope.bindings
            if binding.kind == "queues.consumers"}
        for wrangler_config in facts.configs:
            for scope in wrangler_config.scopes():
                for binding in scope.bindings:
                    if binding.kind != "queues.consumers":
                        continue
                    missing, wanted = [], []
                    if binding.properties.get("dead_letter_queue"):
                        continue  # what fails, however soon, waits in the dead-letter queue
                    if binding.properties.get("max_retries") == 0:
                        missing.append("retries are off (`max_retries = 0`)"
                                       if wrangler_config.path.endswith(".toml")
                                       else 'retries are off (`"max_retries": 0`)')
                        wanted.append("retries (`max_retries` above 0)")
                    if binding.name not in dead_letter_queues:
                        missing.append("no `dead_letter_queue`")
                        wanted.insert(0, "a dead-letter queue")
                    if not missing:
                        continue
                    yield cls.finding(
                        location=binding.location, subject=scoped(binding.name, scope),
                        message=(f"consumer of {code(binding.name)} in"
                                 f" {scope_label(wrangler_config, scope)}: {' and '.join(missing)}"),
                        remediation=f"Give each queue consumer {' and '.join(wanted)}")
