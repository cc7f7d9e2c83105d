"""The evaluate stage: a pure function from facts (and settings) to findings."""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .config import DEFAULT_CONFIG, AuditConfig, Waiver, first_waiver
from .model import Facts, Finding, Location, Outcome, Severity, Suppression
from .rules import RULES, Rule
from .secrets import redact, secret_values
from .wrangler import lines_of

QUOTE_CHARS = 300  # a quoted line is evidence to find, not the file: a minified config is one line


def _run(rule: type[Rule], facts: Facts, config: AuditConfig) -> list[Finding]:
    try:
        return list(rule.check(facts, config))
    except Exception as exc:  # a broken rule must never pass silently
        return [Finding(
            rule=rule.id, severity=rule.severity, title=rule.title, outcome=Outcome.ERROR,
            location=Location(path="."), subject=rule.name,
            message=f"rule {rule.id} ({rule.name}) raised {type(exc).__name__}: {exc}",
            remediation=f"Report this error in rule {rule.id}")]


def _quote(sources: dict[str, list[str]], location: Location, redacted: Callable[[str], str]) -> str:
    """The line at `location` when it is in a config or workflow the facts hold, or "";
    secrets redacted in the whole line, then cut to QUOTE_CHARS with an ellipsis."""
    lines = sources.get(location.path, [])
    line = location.start_line
    if not (line and 0 < line <= len(lines)):
        return ""
    text = redacted(lines[line - 1].strip())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "…"


def _settle(finding: Finding, config: AuditConfig, sources: dict[str, list[str]],
            redacted: Callable[[str], str], default: Severity | None, waivers: _Waivers) -> Finding:
    """Apply severity overrides, inline suppressions and waivers; quote the evidence line."""
    changes: dict[str, object] = {"quote": _quote(sources, finding.location, redacted)}
    if finding.rule in config.severity_overrides:
        changes["severity"] = overridden(finding.severity, default,
                                         config.severity_overrides[finding.rule])
    if finding.outcome == Outcome.FAIL:
        changes.update(_waiver(finding, config, sources, waivers))
    return dataclasses.replace(finding, **changes)  # type: ignore[arg-type]


def overridden(severity: Severity, default: Severity | None, override: Severity) -> Severity:
    """A finding's severity when its rule's (`default`) is set to `override`: an override
    that relaxes a rule relaxes each of its findings at least that far and makes none
    stricter (under `CF001 = "P1"` a P2 preview id stays P2); one that tightens it, the
    reverse; one that sets the default changes nothing."""
    if default is None:
        return override
    if override == default:
        return severity
    return max(severity, override) if override > default else min(severity, override)


def _first_key(lines: Sequence[str]) -> int:
    """The line of a config's first key: what is above it (comments, JSON's `{`) heads the
    file."""
    for number, line in enumerate(lines, 1):
        text = line.strip().lstrip("\ufeff").lstrip()
        if text not in ("", "{") and not text.startswith(("#", "//", "/*", "*")):
            return number
    return len(lines) + 1


@dataclass(frozen=True, kw_only=True, slots=True)
class _Waivers:
    """The suppressions that have effect, by the path and line of a finding each can
    suppress (a comment on its own line: also the line below), and by path, in their
    order; the settings' waivers, looked up by rule and path (config.first_waiver). Found
    so, not by testing each finding against each: thousands of each took minutes."""

    at_line: dict[tuple[str, int], list[Suppression]]
    own_lines: dict[str, list[Suppression]]
    first: Callable[[str, str], Waiver | None]


def _waivers(facts: Facts, config: AuditConfig) -> _Waivers:
    at_line: dict[tuple[str, int], list[Suppression]] = defaultdict(list)
    own_lines: dict[str, list[Suppression]] = defaultdict(list)
    for suppression in facts.suppressions:
        if suppression.no_effect:
            continue
        path, line = suppression.location.path, suppression.location.start_line or 0
        at_line[path, line].append(suppression)
        if suppression.own_line:
            at_line[path, line + 1].append(suppression)
            own_lines[path].append(suppression)
    return _Waivers(at_line=at_line, own_lines=own_lines, first=first_waiver(config.waivers))


def _waiver(finding: Finding, config: AuditConfig, sources: dict[str, list[str]],
            waivers: _Waivers) -> dict[str, object]:
    where = finding.location
    if where.start_line is None:  # a finding about the whole file: a comment heading it
        first_key = _first_key(sources.get(where.path, []))
        inline = [s for s in waivers.own_lines.get(where.path, ())
                  if (s.location.start_line or 0) < first_key]
    else:
        inline = waivers.at_line.get((where.path, where.start_line), [])
    for suppression in inline:
        if finding.rule in suppression.rules:
            return {"outcome": Outcome.WAIVED,
                    "waiver": f"inline at `{suppression.location}`: {suppression.reason or '(no reason)'}"}
    waiver = waivers.first(finding.rule, where.path)
    if waiver is None:
        return {}
    expires = waiver.expires.isoformat() if waiver.expires else None
    if waiver.expired(config.audit_date or date.today()):
        return {"waiver": f"waiver expired {expires}: {waiver.reason}", "waiver_expires": expires}
    return {"outcome": Outcome.WAIVED, "waiver": waiver.reason, "waiver_expires": expires}


def evaluate(facts: Facts, rules: Sequence[type[Rule]] = RULES,
             config: AuditConfig = DEFAULT_CONFIG) -> tuple[Finding, ...]:
    """Run every enabled rule; a rule that raises yields an ERROR finding instead of passing."""
    found: Iterable[Finding] = (
        finding for rule in rules if rule.id not in config.disabled_rules
        for finding in _run(rule, facts, config))
    sources = {c.path: lines_of(c.text) for c in facts.configs}
    sources |= {w.path: lines_of(w.text) for w in facts.workflows}  # as _compose numbers them
    secrets = secret_values(facts.configs)
    # Findings quote few lines many times (`compatibility_date = …` of every app): each once.
    redacted = functools.cache(lambda text: redact(text, secrets))
    defaults = {rule.id: rule.severity for rule in rules}
    waivers = _waivers(facts, config)
    settled = [_settle(finding, config, sources, redacted, defaults.get(finding.rule), waivers)
               for finding in found]
    return tuple(sorted(settled, key=lambda f: (
        f.severity, f.rule, f.location.path, f.location.start_line or 0, f.subject)))
