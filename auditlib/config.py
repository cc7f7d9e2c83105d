"""Settings of one audit. Defaults serve the bundled example and most repositories.

`configfile.load_config` reads them from `auditlib.toml`, `[tool.auditlib]` in
`pyproject.toml`, or a file named on the command line.
"""

from __future__ import annotations

import fnmatch
import itertools
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
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


def literal_head(pattern: str) -> str:
    """The parts of `pattern` before its first with a glob character (`apps/legacy` of
    `apps/legacy/*/wrangler.toml`; all of a pattern without one): a path `pattern` matches
    starts with them, by glob_match or by fnmatch."""
    parts = pattern.split("/")
    return "/".join(itertools.takewhile(lambda part: not GLOB_CHARS.search(part), parts))


def heads(path: str) -> list[str]:
    """Each literal_head a pattern matching `path` can have: `""`, `apps`, `apps/web`, …"""
    parts = path.split("/")
    return list(dict.fromkeys("/".join(parts[:count]) for count in range(len(parts) + 1)))


GLOB_CHARS = re.compile(r"[*?[]")  # what makes a part of a path a glob (fnmatch's)


def exclusion(patterns: Sequence[str]) -> Callable[[str], str | None]:
    """The pattern of `patterns` (the settings' `exclude`) that excludes a repository path,
    or None: of the highest of its folders that a pattern matches, or else of the path
    itself, the first pattern that matches it, as a waiver's path matches (glob_match:
    `templates` and `templates/**` exclude all under templates/). Each folder is tested
    once, not once for each file in it, and a path only against the patterns whose longest
    part without a glob character is one of its parts (hundreds of `**/name/**` patterns,
    tens of thousands of files)."""
    filed: dict[str, list[int]] = defaultdict(list)
    for index, pattern in enumerate(patterns):
        literal = [part for part in pattern.split("/") if not GLOB_CHARS.search(part)]
        filed[max(literal, key=len) if literal else ""].append(index)
    folders: dict[str, str | None] = {"": None}

    def first(path: str) -> str | None:
        found = sorted([*filed.get("", ()), *(index for part in set(path.split("/"))
                                              for index in filed.get(part, ()))])
        return next((patterns[index] for index in found if glob_match(patterns[index], path)), None)

    def excluded(path: str) -> str | None:
        above = [path.rpartition("/")[0]]  # the folders not tested yet, deepest first
        while above[-1] not in folders:
            above.append(above[-1].rpartition("/")[0])
        for folder in reversed(above[:-1]):
            folders[folder] = folders[folder.rpartition("/")[0]] or first(folder)
        return folders[above[0]] or first(path)

    return excluded if patterns else lambda path: None


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


def first_waiver(waivers: Sequence[Waiver]) -> Callable[[str, str], Waiver | None]:
    """The first of `waivers` that covers a finding of (rule, path), or None. Each waiver is
    filed under its rule and literal_head, so a finding is tested against only those filed
    under its rule and a head of its path, not against all (thousands in a large monorepo's
    settings: each finding tested against each took minutes)."""
    filed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, waiver in enumerate(waivers):
        filed[waiver.rule, literal_head(waiver.path)].append(index)

    def first(rule: str, path: str) -> Waiver | None:
        found = sorted(index for head in heads(path) for index in filed.get((rule, head), ()))
        return next((waivers[index] for index in found if waivers[index].covers(rule, path)), None)

    return first


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
    # Paths not audited (globs, as a waiver's path): no config, workflow, code or document
    # there is read, though a document may cite a file there.
    exclude: tuple[str, ...] = ()
    source: str | None = None  # the configuration file these settings came from
    # Settings beside them that are not read: `[tool.auditlib]` in pyproject.toml (where it
    # starts), when auditlib.toml comes first.
    unread_source: str | None = None
    # The date the audit is as of: waivers expire and compatibility dates age against it.
    audit_date: date | None = None


DEFAULT_CONFIG = AuditConfig()
