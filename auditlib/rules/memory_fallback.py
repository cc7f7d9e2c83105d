"""CF003 memory-fallback.

## What it does
Finds storage provider selection code (a `*_PROVIDER` environment variable choosing
between backends) whose fallback chain ends in an in-memory store.

## Why is this bad?
An in-memory store lives in one isolate. Cloudflare runs many isolates in many locations,
so state kept in memory is not shared: carts, sessions or rate limits silently diverge
when traffic scales out, and vanish when an isolate is recycled.

## Example
```ts
const provider = process.env.CART_STORE_PROVIDER;
if (provider === "cloudflare" && env.CART_DO) return new CloudflareDurableCartStore(env.CART_DO);
return new MemoryCartStore();
```

## Fix
Set the provider variable explicitly in every deployed environment, and fail loudly (or
log an error) instead of falling back to memory where a shared store is required.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


class MemoryFallback(Rule):
    id = "CF003"
    name = "memory-fallback"
    title = "Store falls back to memory"
    severity = Severity.P1
    rationale = "In-memory state is per isolate and does not scale horizontally"
    remediation = "Set the provider explicitly in production and do not fall back to memory"
    status = "Falls back to memory"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for selection in facts.providers:
            fallback = selection.memory_fallback
            if fallback is None:
                continue
            store = selection.chain[-1].store  # the fallback: several may share its line
            yield cls.finding(
                location=selection.location, subject=selection.variable,
                message=(f"{code(selection.variable)} falls back to {code(store)} at {code(fallback)},"
                         " which does not scale horizontally"),
                remediation=(f"Set {code(selection.variable)} explicitly in production; do not fall"
                             f" back to {code(store)}"))
