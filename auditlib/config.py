"""Settings of one audit. Defaults serve the bundled example and most repositories."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditConfig:
    # Where the regenerated document lives in the audited repository; links are relative to it.
    doc_path: str = "docs/auto-scaling.md"
    # Words that make a document under docs/ "related" to the audit.
    related_terms: tuple[str, ...] = (
        "cloudflare", "durable object", "kv", "latency", "deploy", "scaling", "queue")


DEFAULT_CONFIG = AuditConfig()
