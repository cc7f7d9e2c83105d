"""Settings of one audit. Defaults serve the bundled example and most repositories.

`configfile.load_config` reads them from `auditlib.toml`, `[tool.auditlib]` in
`pyproject.toml`, or a file named on the command line.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field
from datetime import date

from .model import Severity

# Not declaration files (`wrangler types` writes `worker-configuration.d.ts`): they run nothing.
CODE_GLOBS = ("*.ts", "*.tsx", "*.mts", "*.cts", "*.js", "*.jsx", "*.mjs", "*.cjs",
              "!*.d.ts", "!*.d.mts", "!*.d.cts")
# Tests and their mocks: the built-in probes do not take evidence of how the app runs there.
NOT_TESTS = ("!*.test.*", "!*.spec.*", "!**/__tests__/**", "!**/test/**", "!**/tests/**")
# Folders of tests and their fixtures: a wrangler config there is no app (`test/fixtures/basic`).
TEST_FOLDERS = frozenset({"test", "tests", "__tests__", "fixtures", "__fixtures__"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Probe:
    """A code search: a regex, the files it looks in and what each capture group means."""

    name: str
    regex: str
    groups: tuple[str, ...]
    globs: tuple[str, ...] = CODE_GLOBS


def glob_match(pattern: str, text: str, separator: str = "/") -> bool:
    """Whether `text` matches `pattern` as pnpm, turbo and npm-run-all read theirs: `*`
    within one part (`./apps/*`, `@org/*`, `deploy:*`; parts end at `separator`), `**`
    across parts. Each part is matched on its own, so no pattern backtracks for long."""
    parts = text.split(separator)
    reached = {0}  # how many parts the pattern read so far matches
    for wanted in pattern.split(separator):
        if wanted == "**":
            reached = set(range(min(reached), len(parts) + 1)) if reached else set()
        else:
            reached = {done + 1 for done in reached
                       if done < len(parts) and fnmatch.fnmatchcase(parts[done], wanted)}
    return len(parts) in reached


@dataclass(frozen=True, kw_only=True, slots=True)
class Waiver:
    """An accepted finding: rule, path glob, why, and until when."""

    rule: str
    path: str
    reason: str
    expires: date | None
    line: int | None = None  # where the waiver is written in the configuration file

    def covers(self, rule: str, path: str) -> bool:
        """Whether the waiver covers a finding of `rule` in `path`: its glob's `*` matches
        within one folder (`apps/web/*` is not `apps/web/admin/wrangler.toml`), `**` across
        folders (`apps/legacy/**`)."""
        return rule == self.rule and glob_match(self.path, path)

    def expired(self, on: date) -> bool:
        return self.expires is not None and self.expires < on


def document_path_problem(path: str) -> str | None:
    """Why `path` cannot be where the document lives in the repository (None: it can). It
    is relative to the repository's root, names a Markdown file and stays inside, out of
    `.git` (a slip must not overwrite a config, a workflow or the repository itself)."""
    if not path.strip() or path.endswith(("/", "\\")):
        return "names no file"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "is absolute: give it relative to the repository's root"
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return "leads outside the repository"
    if ".git" in normal.split("/"):
        return "is in the repository's .git folder"
    if not normal.lower().endswith((".md", ".markdown")):
        return "is not a Markdown file (.md)"
    return None


def normal_document_path(path: str) -> str:
    """A document's path as the repository lists it: `./docs/a.md`, `docs/../docs/a.md` and
    `docs\\a.md` are `docs/a.md` (a path document_path_problem takes)."""
    return posixpath.normpath(path.replace("\\", "/"))


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditConfig:
    # Where the regenerated document lives in the audited repository; links are relative to it.
    doc_path: str = "docs/auto-scaling.md"
    # The document that lists the bindings of every wrangler config (DR009): the settings'
    # doc_path, also when `verify DOC` checks another DOC's header as the audit document's
    # (doc_path is then DOC). None: doc_path.
    inventory_path: str | None = None
    # A base address for evidence links, e.g. https://github.com/org/repo/blob/main;
    # empty: links relative to doc_path.
    repo_url: str = ""
    # Words that make a document under docs/ "related" to the audit.
    related_terms: tuple[str, ...] = (
        "cloudflare", "durable object", "kv", "latency", "deploy", "scaling", "queue")
    # A compatibility_date older than this many days before the audit date is reported.
    compatibility_max_age_days: int = 180
    # Latency checks that only fire above this many milliseconds are reported.
    latency_threshold_ms: int = 200
    # A document whose Last-reviewed is older than this many days is stale.
    doc_max_age_days: int = 90
    disabled_rules: frozenset[str] = frozenset()
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    probes: tuple[Probe, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    source: str | None = None  # the configuration file these settings came from
    # Settings beside them that are not read: `[tool.auditlib]` in pyproject.toml (where it
    # starts), when auditlib.toml comes first.
    unread_source: str | None = None
    # The date the audit is as of: waivers expire and compatibility dates age against it.
    audit_date: date | None = None


DEFAULT_CONFIG = AuditConfig()
