"""The public entry points: collect → evaluate → render, and one call that does all three."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from . import repofiles, report
from .blocks import Block, counted, redact_block, to_markdown
from .changes import Changes, compare
from .collect import collect
from .config import (
    DEFAULT_CONFIG,
    AuditConfig,
    document_path_problem,
    exclusion,
    normal_document_path,
)
from .configfile import load_config
from .errors import AuditError
from .evaluate import QUOTE_CHARS, evaluate
from .model import Facts, Finding, Match, Outcome, Severity
from .rules import DRIFT_RULES
from .rules.base import SILENCED_BY, unread
from .rules.unreadable_input import UnreadableInput
from .secrets import redact, secret_values
from .wrangler import map_strings

EXAMPLE_REPO = Path(__file__).parent / "examples" / "base-shop"
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the one form of a day that is accepted


def version() -> str:
    from . import __version__  # not importlib.metadata: that import alone costs 40 ms

    return __version__


@dataclass(frozen=True, kw_only=True, slots=True)
class Audit:
    """One audit of one repository on one date: its facts and findings."""

    facts: Facts
    findings: tuple[Finding, ...]
    audit_date: str
    config: AuditConfig = DEFAULT_CONFIG
    version: str = "0+unknown"
    changes: Changes | None = None  # against the baseline run, when there was one
    documents_only: bool = False  # `verify`'s: its JSON says whether the documents drifted

    def secrets(self) -> set[str]:
        """Values of secret-like vars, also as their configs spell them: no output of the
        audit may show them."""
        return secret_values(self.facts.configs)

    def blocks(self, charts: bool = False) -> list[Block]:
        """The document's blocks as published (secrets redacted); `charts` adds the charts."""
        secrets = self.secrets()
        return [redact_block(block, secrets) for block in report.build(
            _written(self.facts, secrets), self.findings, audit_date=self.audit_date, config=self.config,
            version=self.version, changes=self.changes, charts=charts)]

    def markdown(self) -> str:
        return to_markdown(self.blocks())

    def counts(self) -> dict[str, int]:
        found = Counter(f.severity for f in self.findings if f.outcome == Outcome.FAIL)
        counts = {str(severity): found[severity] for severity in Severity}
        for outcome in (Outcome.ERROR, Outcome.WAIVED):
            counts[str(outcome)] = sum(1 for f in self.findings if f.outcome == outcome)
        return counts

    def summary(self) -> str:
        counts = self.counts()
        return (f"{counted(sum(counts.values()) - counts['WAIVED'], 'open finding')}: "
                + ", ".join(f"{key} {value}" for key, value in counts.items()))

    def to_json(self) -> str:
        secrets = self.secrets()
        document: dict[str, Any] = {
            "audit_date": self.audit_date,
            "repo": self.facts.repo,
            "commit": self.facts.commit,
            "tool": {"name": "auditlib", "version": self.version},
            "audit_status": report.audit_status(self.facts, self.findings),
            **({"verify_status": report.verify_status(self.findings, self.facts)} if self.documents_only
               else {}),
            "counts": self.counts(),
            "disabled_rules": sorted(self.config.disabled_rules),
            "changes": self.changes.to_dict() if self.changes else None,
            "findings": [
                {"identity": f.identity, "rule": f.rule, "severity": str(f.severity),
                 "outcome": str(f.outcome),
                 "title": f.title, "message": f.message, "subject": f.subject,
                 "path": f.location.path, "line": f.location.start_line,
                 "end_line": f.location.end_line, "quote": f.quote,
                 "remediation": f.remediation, "waiver": f.waiver,
                 "waiver_expires": f.waiver_expires}
                for f in self.findings],
            "facts": _written(self.facts, secrets),
        }
        try:
            text = orjson.dumps(document, default=str,
                                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:  # an integer past 64 bits, nesting past 254 levels
            document["facts"] = dataclasses.asdict(document["facts"])
            text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        text += "\n"
        redacted = redact(text, secrets)  # also as JSON escapes them
        if redacted != text:  # redacting the text is fast; each string, sure to keep it JSON
            try:
                orjson.loads(redacted)
            except orjson.JSONDecodeError:
                redacted = json.dumps(map_strings(json.loads(text), lambda string: redact(
                    string, secrets)), indent=2, ensure_ascii=False) + "\n"
        return redacted

    def save(self, output_dir: str | Path) -> None:
        """Write findings.json and findings.sarif into `output_dir`, made if need be ("":
        write nothing)."""
        if not str(output_dir):
            return
        from .sarif import sarif_text

        Path(output_dir).mkdir(parents=True, exist_ok=True)  # papermill -p output_dir new
        (Path(output_dir) / "findings.json").write_text(self.to_json(), encoding="utf-8")
        (Path(output_dir) / "findings.sarif").write_text(sarif_text(self), encoding="utf-8")


# A line longer than this (a minified bundle's) is written into findings.json and the document
# cut around each of its matches: else each match writes the whole line again (700 calls on
# one 150 KB line: 200 MB of JSON; 800 latency checks on a 400 KB line: a 332 MB document).
LONG_LINE = 1000


def _written(facts: Facts, secrets: set[str]) -> Facts:
    """`facts` as findings.json and the document show them: each line longer than LONG_LINE
    that a match or a latency check is on cut to QUOTE_CHARS around it (with the call it
    opens), and a class's summary that long cut; secrets redacted first (a cut must not
    leave half of one for the output's redaction to miss)."""
    def shown(cut: Callable[[str, int | None], str]) -> Facts:
        def each(matches: tuple[Match, ...]) -> tuple[Match, ...]:
            return tuple(m if len(m.text) <= LONG_LINE else dataclasses.replace(
                m, text=cut(m.text, m.column), groups={
                    name: cut(value, m.column if name == "call" else None)
                    for name, value in m.groups.items()}) for m in matches)

        return dataclasses.replace(
            facts, metrics=each(facts.metrics), extra=each(facts.extra),
            searches={name: dataclasses.replace(search, matches=each(search.matches))
                      for name, search in facts.searches.items()},
            latency=tuple(m if len(m.snippet) <= LONG_LINE else dataclasses.replace(
                m, snippet="\n".join(cut(line, m.column if number == 0 else None)
                                     for number, line in enumerate(m.snippet.split("\n"))))
                for m in facts.latency),
            classes=tuple(c if len(c.summary or "") <= LONG_LINE else dataclasses.replace(
                c, summary=cut(c.summary or "", None)) for c in facts.classes))

    wanted: dict[str, set[int]] = defaultdict(set)  # a long line: the columns cut around

    def want(text: str, column: int | None) -> str:
        if len(text) > LONG_LINE:
            wanted[text].add(column or 1)
        return text

    shown(want)
    if not wanted:
        return facts
    moved = {text: _redacted(text, columns, secrets) for text, columns in wanted.items()}

    def cut(text: str, column: int | None) -> str:
        if len(text) <= LONG_LINE:
            return text
        clean, where = moved[text]
        at = where.get(column or 1, ((column or 1) - 1) * len(clean) // len(text))
        start = max(0, min(at - QUOTE_CHARS // 3, len(clean) - QUOTE_CHARS))
        end = start + QUOTE_CHARS
        return ("…" if start else "") + clean[start:end] + ("…" if end < len(clean) else "")

    return shown(cut)


_MARK = "\ue000"  # a private use character: no secret's, no redaction's


def _redacted(text: str, columns: set[int], secrets: set[str]) -> tuple[str, dict[int, int]]:
    """`text` with its secrets redacted, and where each of `columns` (from 1) is in it:
    found by marking them before redacting, when the marks change nothing else (none of
    them is inside a secret); else none is found."""
    clean = redact(text, secrets)
    marks = sorted(column - 1 for column in columns if 0 < column <= len(text))
    bounds = [0, *marks, len(text)]
    marked = redact(_MARK.join(text[a:b] for a, b in itertools.pairwise(bounds)), secrets)
    if marked.count(_MARK) != len(marks) or marked.replace(_MARK, "") != clean:
        return clean, {}
    where, index = {}, -1
    for number, mark in enumerate(marks):
        index = marked.index(_MARK, index + 1)
        where[mark + 1] = index - number
    return clean, where


def as_date(value: str | date | None) -> date:
    """The audit date: a `date` (a `datetime`'s day) or `YYYY-MM-DD` text; None is today."""
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:  # fromisoformat alone also takes 20261126 and 2026-W48-4
        if not ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"audit_date: not a date (YYYY-MM-DD): {value!r}") from None


def verify(repo: str | Path, documents: Sequence[str], config: AuditConfig | None = None,
           audit_date: str | date | None = None, doc_path: str | None = None,
           folder: str | None = None) -> Audit:
    """Check the claims of `documents` (repository-relative paths) against `repo`.

    `doc_path` is the audit document, whose header needs an `Audit-status` (default: the
    settings' doc_path); the settings' doc_path stays the one whose bindings must cover
    every wrangler config (DR009). A document that could not be read is a CF000 finding; so is, in the
    `folder` the documents were found in, a Markdown file or a folder that could not be.
    """
    root = repofiles.check_repository(Path(repo))
    when = as_date(audit_date)
    settings = dataclasses.replace(config or load_config(root), audit_date=when)
    settings = dataclasses.replace(settings, doc_path=doc_path or settings.doc_path,
                                   inventory_path=settings.inventory_path or settings.doc_path)
    facts = collect(root, settings.probes, documents, exclude=settings.exclude)
    # CF000 for the documents only: an unreadable config is the full audit's.
    def unread_here(path: str) -> bool:
        return path in documents or (folder is not None and (
            folder == "." or path.startswith(f"{folder}/")) and (
            path.endswith(".md") or (root / path).is_dir()))

    unread = dataclasses.replace(facts, problems=tuple(
        problem for problem in facts.problems if unread_here(problem.location.path)))
    return Audit(facts=facts, findings=evaluate(unread, (UnreadableInput, *DRIFT_RULES),
                                                settings),
                 audit_date=when.isoformat(), config=settings, version=version(),
                 documents_only=True)


def render_markdown(audit: Audit) -> str:
    """The regenerated document as GitHub Markdown."""
    return audit.markdown()


MAX_BASELINE_BYTES = 1024 * 2**20  # `--baseline /dev/zero` is no findings.json


def load_baseline(path: str | Path) -> dict[str, Any]:
    """An earlier run's findings.json; AuditError when it is not one."""
    try:
        with Path(path).open("rb") as file:  # `--baseline <(…)` is a pipe: no size to ask
            text = file.read(MAX_BASELINE_BYTES + 1)
        if len(text) > MAX_BASELINE_BYTES:
            raise AuditError(f"baseline {path}: larger than {MAX_BASELINE_BYTES // 2**20} MiB,"
                             " so no findings.json")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise AuditError(f"baseline {path}: not a readable findings.json ({exc})") from exc
    except RecursionError as exc:
        raise AuditError(f"baseline {path}: not a readable findings.json (nested too deeply)"
                         ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise AuditError(f"baseline {path}: no `findings` list; is it auditlib's findings.json?")
    for key in ("audit_date", "repo"):  # what the comparison says it is since, and of
        if key in data and not isinstance(data[key], str):
            raise AuditError(f"baseline {path}: its `{key}` is no string; is it auditlib's"
                             " findings.json?")
    if isinstance(data.get("audit_date"), str):
        try:  # as auditlib writes it: 3.11's fromisoformat also reads `20261201`
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["audit_date"]):
                raise ValueError
            date.fromisoformat(data["audit_date"])
        except ValueError:
            raise AuditError(f"baseline {path}: its `audit_date` {data['audit_date']!r} is no"
                             " date (YYYY-MM-DD)") from None
    for number, entry in enumerate(data["findings"], 1):
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(key), str) for key in ("rule", "path", "subject")):
            raise AuditError(f"baseline {path}: finding {number} lacks rule, path or subject")
    return data


def run_audit(repo: str | Path | None = None, audit_date: str | date | None = None,
              config: AuditConfig | None = None, config_path: str | Path | None = None,
              doc_path: str | None = None, baseline: str | Path | None = None) -> Audit:
    """Collect and evaluate `repo` (default: the bundled example) as of `audit_date`.

    Settings come from `config`, else from `config_path`, else from the repository's
    auditlib.toml or `[tool.auditlib]` in its pyproject.toml; `doc_path` overrides theirs.
    `baseline` is an earlier run's findings.json to report the changes since.
    A `doc_path` that cannot be the document's (absolute, outside the repository, not
    Markdown) raises AuditError, as `auditlib run --doc-path` refuses it.
    """
    if doc_path:
        if problem := document_path_problem(doc_path):
            raise AuditError(f"doc_path {doc_path!r} {problem}")
        doc_path = normal_document_path(doc_path)
    root = repofiles.check_repository(EXAMPLE_REPO if repo is None else Path(repo))
    when = as_date(audit_date)
    settings = config or load_config(root, Path(config_path) if config_path else None)
    settings = dataclasses.replace(settings, audit_date=when,
                                   doc_path=doc_path or settings.doc_path)
    facts = collect(root, settings.probes, doc_path=settings.doc_path,
                    exclude=settings.exclude)
    findings = evaluate(facts, config=settings)
    silenced = {rule for rule, silent in SILENCED_BY.items() if silent(facts)}
    unread_paths = {problem.location.path for problem in unread(facts)}
    # A config wrangler does not read (another beside it comes first) is not audited either.
    # Nor is a path the settings exclude, nor the whole repository when they exclude files
    # the earlier run read (what a finding about it counted may be there).
    ignored = {problem.location.path for problem in facts.problems if problem.ignored}
    excluded = exclusion(settings.exclude)
    earlier = load_baseline(baseline) if baseline else {}
    then = earlier.get("facts")
    before = then.get("excluded") if isinstance(then, dict) else None
    before = before if isinstance(before, dict) else {}
    newly = any(files and pattern not in before for pattern, files in facts.excluded.items())
    changes = (compare(findings, earlier, unread_paths, silenced, settings.disabled_rules,
                       lambda path: path in ignored or excluded(path) is not None
                       or (path == "." and newly))
               if baseline else None)
    return Audit(facts=facts, findings=findings, audit_date=when.isoformat(), config=settings,
                 version=version(), changes=changes)
