"""Compare a run's findings with an earlier run's findings.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Finding, Outcome


@dataclass(frozen=True, kw_only=True, slots=True)
class Changes:
    """What changed since the baseline run (findings are matched by `identity`)."""

    since: str  # the baseline's audit date
    new: tuple[Finding, ...]
    reopened: tuple[Finding, ...]  # open again: waived in the baseline (a waiver expired)
    resolved: tuple[dict[str, Any], ...]  # the baseline's entries, as it wrote them
    still_open: tuple[Finding, ...]
    waived: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since,
                "new": [f.identity for f in self.new],
                "reopened": [f.identity for f in self.reopened],
                "resolved": [entry["identity"] for entry in self.resolved],
                "still_open": [f.identity for f in self.still_open],
                "waived": [f.identity for f in self.waived]}


def _identity(entry: Mapping[str, Any]) -> str:
    return str(entry.get("identity") or f"{entry['rule']}|{entry['path']}|{entry['subject']}")


def _numbered(identities: Iterable[str]) -> list[tuple[str, int]]:
    """Each identity with its occurrence (1, 2, ...): findings that share rule, path and
    subject are told apart by their order, as SARIF's fingerprints tell them apart."""
    seen: Counter[str] = Counter()
    numbered = []
    for identity in identities:
        seen[identity] += 1
        numbered.append((identity, seen[identity]))
    return numbered


def compare(findings: Sequence[Finding], baseline: Mapping[str, Any]) -> Changes:
    """The changes from `baseline` (a parsed findings.json) to `findings`."""
    entries = [{**entry, "identity": _identity(entry)} for entry in baseline.get("findings", [])]
    before = dict(zip(_numbered(entry["identity"] for entry in entries), entries, strict=True))
    waived_before = {key for key, entry in before.items() if entry.get("outcome") == "WAIVED"}
    numbered = list(zip(_numbered(f.identity for f in findings), findings, strict=True))
    now = {key for key, _finding in numbered}
    open_now = [(key, f) for key, f in numbered if f.outcome != Outcome.WAIVED]
    return Changes(
        since=str(baseline.get("audit_date", "an earlier run")),
        new=tuple(f for key, f in open_now if key not in before),
        reopened=tuple(f for key, f in open_now if key in waived_before),
        still_open=tuple(f for key, f in open_now if key in before and key not in waived_before),
        resolved=tuple(entry for key, entry in before.items()
                       if key not in now and key not in waived_before),
        waived=tuple(f for f in findings if f.outcome == Outcome.WAIVED))
