"""Compare a run's findings with an earlier run's findings.json."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Finding, Outcome

# What findings.json keeps of a finding not checked (`unchecked`, `disabled`).
CARRIED = ("identity", "rule", "severity", "title", "message", "subject", "path", "line",
           "outcome")


@dataclass(frozen=True, kw_only=True, slots=True)
class Changes:
    """What changed since the baseline run (findings are matched by `identity`)."""

    since: str  # the baseline's audit date
    new: tuple[Finding, ...]
    reopened: tuple[Finding, ...]  # open again: waived in the baseline (a waiver expired)
    resolved: tuple[dict[str, Any], ...]  # the baseline's entries (also waived), as it wrote them
    still_open: tuple[Finding, ...]
    waived: tuple[Finding, ...]
    unchecked: tuple[dict[str, Any], ...] = ()  # not open now, but in a file not read now
    disabled: tuple[dict[str, Any], ...] = ()  # not open now: their rule is disabled now
    waived_since: tuple[Finding, ...] = ()  # of `waived`, those open in the baseline
    waived_new: tuple[Finding, ...] = ()  # of `waived`, those the baseline did not have
    repo: str | None = None  # the baseline's repository (its folder's name), when it says

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since,
                "new": [f.identity for f in self.new],
                "reopened": [f.identity for f in self.reopened],
                "resolved": [entry["identity"] for entry in self.resolved],
                "still_open": [f.identity for f in self.still_open],
                "waived": [f.identity for f in self.waived],
                "unchecked": [entry["identity"] for entry in self.unchecked],
                "disabled": [entry["identity"] for entry in self.disabled],
                # as last seen, for a later run to carry over with their severity and message
                "not_checked": [{**{key: entry[key] for key in CARRIED if key in entry},
                                 "last_seen": entry.get("last_seen", self.since)}
                                for entry in (*self.unchecked, *self.disabled)]}


def _identity(entry: Mapping[str, Any]) -> str:
    return str(entry.get("identity") or f"{entry['rule']}|{entry['path']}|{entry['subject']}")


def _carried(identity: str, since: str, kept: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """An entry for a finding a baseline could not check: as the baseline kept it (its
    severity and message, and the date of the run that last saw it open), else (a baseline
    written before it kept them) from its identity alone."""
    if kept.get(identity):
        return kept[identity].pop(0)
    rule, _, rest = identity.partition("|")
    path, _, subject = rest.partition("|")
    return {"identity": identity, "rule": rule, "path": path,
            "message": f"{subject} (not checked in the run of {since})", "last_seen": ""}


def _under(path: str, unread: frozenset[str]) -> bool:
    """Whether `path` is one of `unread`, or in a folder of them: each folder of the path
    looked up, not each of `unread` tried (4,000 configs may be unreadable)."""
    return path in unread or any(path[:index] in unread
                                 for index, char in enumerate(path) if char == "/")


def compare(findings: Sequence[Finding], baseline: Mapping[str, Any],
            unread: Collection[str] = (), silenced: Collection[str] = (),
            disabled: Collection[str] = (),
            ignored: Callable[[str], object] = lambda path: False) -> Changes:
    """The changes from `baseline` (a parsed findings.json) to `findings`. Findings that
    share rule, path and subject are counted, not told apart: of three open now, where the
    baseline had one open and one waived, one is still open, one reopened and one new.
    Those no longer open in a file of `unread` (which could not be read now, or in a folder
    that could not), of a rule `silenced` by such a file, or about the whole repository
    while anything is unread, or in a path `ignored` now (a config wrangler does not read,
    a path the settings exclude),
    are not resolved but unchecked; those of a rule `disabled`
    now (which did not run) are not resolved either, but `disabled`;
    those the baseline could not check, open again now, are still open, not new. One waived
    in the baseline and neither open nor waived now is resolved (or unchecked) too."""
    entries = [{**entry, "identity": _identity(entry)} for entry in baseline.get("findings", [])]
    # what the baseline could not check was open then, as far as anyone knows
    earlier = baseline.get("changes") or {}
    kept: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in earlier.get("not_checked") or ():
        if isinstance(entry, dict) and isinstance(entry.get("identity"), str):
            kept[entry["identity"]].append({key: entry[key] for key in (*CARRIED, "last_seen")
                                            if key in entry})
    carried = [_carried(identity, str(baseline.get("audit_date")), kept)
               for identity in (*earlier.get("unchecked", []), *earlier.get("disabled", []))]
    open_before: dict[str, list[dict[str, Any]]] = defaultdict(list)
    waived_before: Counter[str] = Counter()
    for entry in (*carried, *entries):
        if entry.get("outcome") == "WAIVED":
            waived_before[entry["identity"]] += 1
        else:
            open_before[entry["identity"]].append(entry)
    waived = tuple(f for f in findings if f.outcome == Outcome.WAIVED)
    waived_now = Counter(f.identity for f in waived)
    seen: Counter[str] = Counter()
    new, reopened, still_open = [], [], []
    for finding in findings:
        if finding.outcome == Outcome.WAIVED:
            continue
        identity = finding.identity
        seen[identity] += 1
        if seen[identity] <= len(open_before[identity]):
            still_open.append(finding)
        elif seen[identity] <= len(open_before[identity]) + waived_before[identity]:
            reopened.append(finding)
        else:
            new.append(finding)
    waived_since, waived_new = _waived_changes(waived, open_before, waived_before, seen,
                                               Counter(f.identity for f in reopened))
    gone = {id(entry) for identity, before in open_before.items()
            # of those not open now, the ones waived since are not resolved
            for entry in before[seen[identity]:][max(0, waived_now[identity]
                                                     - waived_before[identity]):]}
    # and the waived ones neither reopened nor waived now: their waiver has nothing to waive
    reopened_now = Counter(f.identity for f in reopened)
    waived_entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in (*carried, *entries):
        if entry.get("outcome") == "WAIVED":
            waived_entries[entry["identity"]].append(entry)
    gone |= {id(entry) for identity, before in waived_entries.items()
             for entry in before[len(before) - max(0, waived_before[identity]
                                                   - reopened_now[identity] - waived_now[identity]):]}
    gone_entries = sorted((entry for entry in (*carried, *entries) if id(entry) in gone),
                          key=lambda entry: str(entry.get("severity") or "P9"))
    off = [entry for entry in gone_entries if entry.get("rule") in disabled]
    gone_entries = [entry for entry in gone_entries if entry.get("rule") not in disabled]
    unread = frozenset(unread)
    unknown = [entry.get("rule") in silenced or _under(str(entry.get("path")), unread)
               or bool(ignored(str(entry.get("path"))))
               or (entry.get("path") == "." and bool(unread))  # of the whole repository
               for entry in gone_entries]
    return Changes(since=str(baseline.get("audit_date", "an earlier run")), new=tuple(new),
                   reopened=tuple(reopened), still_open=tuple(still_open),
                   resolved=tuple(e for e, no in zip(gone_entries, unknown, strict=True) if not no),
                   waived=waived,
                   unchecked=tuple(e for e, no in zip(gone_entries, unknown, strict=True) if no),
                   disabled=tuple(off),
                   waived_since=waived_since, waived_new=waived_new,
                   repo=baseline["repo"] if isinstance(baseline.get("repo"), str) else None)


def _waived_changes(waived: Sequence[Finding], open_before: Mapping[str, Sequence[object]],
                    waived_before: Counter[str], open_now: Counter[str],
                    reopened: Counter[str]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Those of the findings `waived` now that the baseline had open (waived since), and
    those it did not have (new). Alike findings are counted in order: first those waived
    in the baseline too (less those reopened now), then those open in it and not open now."""
    counted: Counter[str] = Counter()
    since, new = [], []
    for finding in waived:
        identity = finding.identity
        counted[identity] += 1
        kept = waived_before[identity] - reopened[identity]
        if counted[identity] > kept + max(0, len(open_before.get(identity, ())) - open_now[identity]):
            new.append(finding)
        elif counted[identity] > kept:
            since.append(finding)
    return tuple(since), tuple(new)
