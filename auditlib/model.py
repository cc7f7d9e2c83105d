"""The data that flows between the stages: facts (collected), findings (evaluated).

Facts say what is in the repository and where; they never judge. Findings are the
verdicts of rules, each with the evidence that supports it.
"""

from __future__ import annotations

import enum
import posixpath
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    """A place in the repository: a repository-relative POSIX path and a line range."""

    path: str
    start_line: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        if self.start_line is None:
            return self.path
        if self.end_line is None or self.end_line == self.start_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


class Severity(enum.StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class Outcome(enum.StrEnum):
    """FAIL: a gap. ERROR: the rule could not decide (it raised). WAIVED: an accepted gap."""

    FAIL = "FAIL"
    ERROR = "ERROR"
    WAIVED = "WAIVED"


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """Input the audit could not read (a malformed file), or left out on purpose (`ignored`:
    a config wrangler does not read), or a part of a config wrangler refuses (`refused`),
    kept as a fact."""

    location: Location
    column: int | None
    message: str
    ignored: bool = False
    folder: bool = False  # a folder that could not be opened: what it holds is unknown
    # A section of a config read otherwise, in a shape wrangler refuses (`[[durable_objects]]`):
    # wrangler refuses the whole config.
    refused: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Binding:
    """One resource binding declared in a wrangler config (KV, Durable Object, D1...)."""

    kind: str
    name: str
    location: Location
    properties: dict[str, Any]
    environment: str = ""  # "" for the top level
    key_lines: dict[str, int] = field(default_factory=dict)  # where each property is written

    def location_of(self, key: str) -> Location:
        """Where property `key` is written, else where the binding is."""
        line = self.key_lines.get(key)
        return self.location if line is None else Location(path=self.location.path,
                                                            start_line=line)


@dataclass(frozen=True, kw_only=True, slots=True)
class Var:
    name: str
    value: str
    location: Location


@dataclass(frozen=True, kw_only=True, slots=True)
class Environment:
    """The effective configuration of one environment, resolved as wrangler resolves it.

    Inheritable keys (placement, compatibility_date, main, ...) come from the top level
    unless the environment sets them; bindings and vars are only what it declares itself.
    The top level is the environment named "".
    """

    name: str
    location: Location
    settings: dict[str, Any]  # effective inheritable keys
    bindings: tuple[Binding, ...]
    vars: tuple[Var, ...]
    declared: tuple[str, ...]  # the keys this environment declares itself
    key_lines: dict[str, int]  # where each declared key is written

    def location_of(self, key: str) -> Location:
        return Location(path=self.location.path, start_line=self.key_lines.get(key))

    @property
    def assets_binding(self) -> str | None:
        """The name of the static assets binding this scope declares (`[assets] binding =
        "ASSETS"`), if any: environments inherit `assets`, so only where it is declared."""
        assets = self.settings.get("assets") if "assets" in self.declared else None
        name = assets.get("binding") if isinstance(assets, dict) else None
        return name if isinstance(name, str) and name else None


def places(placement: object) -> bool:
    """Whether a `placement` places the Worker: Smart Placement (`mode = "smart"`) or a
    placement hint (`region`, `host`, `hostname`); `mode = "off"` does not."""
    return isinstance(placement, dict) and (placement.get("mode") == "smart" or any(
        key in placement for key in ("region", "host", "hostname")))


@dataclass(frozen=True, kw_only=True, slots=True)
class WranglerConfig:
    path: str
    app: str
    name: str | None
    target: str  # "pages" | "worker" | "unknown"
    queue_consumer: bool  # a Worker consumer of a queue at the top level, not an HTTP pull one
    compatibility_date: str | None
    compatibility_flags: tuple[str, ...]
    placement: dict[str, Any] | None
    placement_location: Location | None
    top: Environment
    environments: tuple[Environment, ...]
    text: str
    # The package.json beside it: its `name`, and its scripts that run a wrangler deploy.
    package: str | None = None
    deploy_scripts: tuple[str, ...] = ()
    # The `main` files of its scopes (as repository paths) that are not in the repository:
    # moved, not committed, or written by a build.
    missing_entries: tuple[str, ...] = ()
    # A Pages project that runs no code: its output folder is committed, without `_worker.js`,
    # and no script in a `functions` folder beside the config (a build may write code: not known).
    static_site: bool = False

    @property
    def is_root(self) -> bool:
        return "/" not in self.path

    @property
    def label(self) -> str:
        """What the document calls the app: its name, else its folder's."""
        return self.name or (self.app.rsplit("/", 1)[-1] if self.app != "." else self.path)

    @property
    def placed(self) -> bool:
        """Whether the top level places the Worker (see `places`)."""
        return places(self.placement)

    @property
    def bindings(self) -> tuple[Binding, ...]:
        """Top-level bindings."""
        return self.top.bindings

    @property
    def vars(self) -> tuple[Var, ...]:
        return self.top.vars

    def scopes(self) -> tuple[Environment, ...]:
        """The top level, then each named environment."""
        return (self.top, *self.environments)

    def entry(self, scope: Environment) -> str | None:
        """The repository path of `scope`'s `main` (`apps/api/src/index.ts`), or None
        without one."""
        main = scope.settings.get("main")
        return (posixpath.normpath(posixpath.join(self.app, main))
                if isinstance(main, str) and main.strip() else None)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeployStep:
    """A CI step that deploys to Cloudflare."""

    location: Location
    workflow: str
    job: str
    tool: str  # e.g. "wrangler pages deploy"
    command: str
    secrets: tuple[str, ...]
    # The folder it runs in, as written (working-directory): "." for the repository root.
    directory: str = "."
    step: int = 0  # its place among the job's steps, from 0
    # A step that runs a local composite action deploys by a step of that action (or of a
    # local action that one runs): each action's file and the place of the step run in it.
    actions: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Deployed:
    """What the CI deploy steps deploy (rule CF015): the folders they deploy from or name
    (`.` the root, or a config's path), the package scripts they run read as the commands
    they run in their package's folder, and the names they give (wrangler `name`,
    project). The config files a deploy names (`--config wrangler.prod.toml`), and those of
    them the repository does not hold, each with the first deploy step that names it; so
    too the folders a deploy step runs in (`workingDirectory`) that it does not hold. And
    the deploy steps (command, step) whose target is known only at run time (`--filter
    @org/${{ matrix.pkg }}` of a `fromJSON` matrix, `cd apps/$app`). And each config or folder
    a runner's deploy names in the several packages it selects (`pnpm --filter './packages/**'
    exec wrangler deploy -c wrangler.toml`): the step, the path as named, and where it leads
    in each package."""

    folders: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    configs: tuple[tuple[str, Location], ...] = ()
    missing_configs: tuple[tuple[str, Location], ...] = ()
    missing_folders: tuple[tuple[str, Location], ...] = ()
    unknown: tuple[tuple[str, Location], ...] = ()
    selected: tuple[tuple[Location, str, tuple[str, ...]], ...] = ()
    # Each folder or config deployed with an environment (`--env production`, the wrangler
    # action's `environment`), with the first deploy step that names it.
    environments: tuple[tuple[str, str, Location], ...] = ()
    # The options of a `wrangler pages deploy` that wrangler refuses whatever they name
    # (`--config`, `--env`), with each step that gives one.
    pages_refused: tuple[tuple[str, Location], ...] = ()
    # What deploys each folder, config and name (`name:web`): "pages", `wrangler pages
    # deploy`; "worker", `wrangler deploy`.
    kinds: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class FileEdit:
    """A command of a workflow step that writes files (`sed -i … wrangler.toml`, `envsubst <
    a > b`): its line, job and step, the command, the repository paths it writes, and those
    it may read (`a`)."""

    location: Location
    job: str
    step: int  # its step's place among the job's steps, from 0
    command: str
    writes: tuple[str, ...]
    reads: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ScriptRun:
    """A command of a workflow step that runs a script or a Makefile of the repository
    (`./scripts/deploy.sh api`, `make deploy-web`), or a job that calls another repository's
    reusable workflow (`uses: org/platform/.github/workflows/deploy.yml@v1`): what the audit
    does not read."""

    location: Location
    command: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Workflow:
    """A GitHub Actions workflow file, the commands of its steps that edit files, those
    that run scripts of the repository, and the names of the secrets its wrangler action
    steps upload to the Worker (`with: secrets:`)."""

    path: str
    text: str
    edits: tuple[FileEdit, ...] = ()
    script_runs: tuple[ScriptRun, ...] = ()
    uploaded: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Suppression:
    """An inline `# auditlib: ignore[CF001] reason` comment in a wrangler config; or one where
    none is read (a workflow, a config that cannot be parsed), with why (`no_effect`)."""

    location: Location
    rules: tuple[str, ...]
    reason: str
    own_line: bool = True  # a comment on a line of its own also covers the line below
    no_effect: str = ""

@dataclass(frozen=True, kw_only=True, slots=True)
class Match:
    """One line found by a code probe, with its capture groups named by the probe."""

    probe: str
    location: Location
    text: str
    groups: dict[str, str]
    column: int | None = None  # where in `text` the probe's regex matched, from 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Branch:
    """One step of a provider fallback chain: a condition and the store it selects."""

    condition: str
    option: str | None
    store: str
    location: Location


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderSelection:
    """Code that picks a storage backend from an environment variable."""

    variable: str
    options: tuple[str, ...]
    default: str | None  # None: chosen by what is configured (auto-detect)
    chain: tuple[Branch, ...]
    memory_fallback: Location | None
    location: Location


@dataclass(frozen=True, kw_only=True, slots=True)
class LatencyMonitor:
    """Code that reacts when an operation is slower than a threshold."""

    threshold_ms: int
    sinks: tuple[str, ...]  # "console", "metrics"
    snippet: str
    location: Location
    column: int | None = None  # where on the snippet's first line the check is, from 1


@dataclass(frozen=True, kw_only=True, slots=True)
class CodeClass:
    """An exported class, with its file's length and the doc comment above it."""

    name: str
    location: Location
    file_lines: int
    summary: str | None
    defined: bool = True  # False: exported by an export list (`export { Cart } from "./cart"`)
    default: bool = False  # `export default class Cart`: the module's default export, unnamed


@dataclass(frozen=True, kw_only=True, slots=True)
class Search:
    """A search that was run, kept so the report can show what was looked for and found."""

    command: str
    matches: tuple[Match, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Document:
    path: str
    title: str | None
    summary: str | None
    header: dict[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim:
    """Something a Markdown document asserts about the repository, where it asserts it.

    kind: "link", "line-count", "citation", "snippet", "config-block", "name", "negative".
    `target` is the repository path the claim is about, when it names one; `data` holds
    what was claimed (line numbers, a count, a quoted text, a name and its kind).
    """

    kind: str
    location: Location
    text: str
    target: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class DocClaims:
    """An audit document's header block and claims, and the repository files they cite."""

    path: str
    header: dict[str, str]
    header_lines: dict[str, int]
    claims: tuple[Claim, ...]
    files: dict[str, str]  # text of each cited file inside the repository
    folders: tuple[str, ...] = ()  # cited paths that are folders
    # Written by auditlib (docs.is_generated): only its hand-written notes, its `notes` keep
    # blocks, are read for claims; the rest is the last run's output, which a run rewrites.
    generated: bool = False
    notes: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Facts:
    repo: str
    commit: str | None = None  # git's HEAD, when the repository is a git work tree's root
    configs: tuple[WranglerConfig, ...] = ()
    deploy_steps: tuple[DeployStep, ...] = ()
    deployed: Deployed = field(default_factory=lambda: Deployed())
    workflows: tuple[Workflow, ...] = ()
    providers: tuple[ProviderSelection, ...] = ()
    latency: tuple[LatencyMonitor, ...] = ()
    classes: tuple[CodeClass, ...] = ()
    reexports: tuple[Location, ...] = ()  # `export * from "…"`: all of a module's names
    metrics: tuple[Match, ...] = ()
    searches: dict[str, Search] = field(default_factory=dict)
    documents: tuple[Document, ...] = ()
    problems: tuple[Problem, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    extra: tuple[Match, ...] = ()  # matches of the probes added by configuration
    claims: tuple[DocClaims, ...] = ()  # documents checked for drift
    # The settings' `exclude` globs, each with the number of listed files it kept out of the audit.
    excluded: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    title: str
    message: str
    location: Location
    subject: str = ""  # what the finding concerns: a binding, a key, a variable
    remediation: str = ""
    # The fix in words that findings alike share (the rule's remediation when empty): what
    # the report's grouped action says when a rule has too many fixes to list each.
    action: str = ""
    outcome: Outcome = Outcome.FAIL
    quote: str = ""  # the line at `location`, when the facts hold it
    waiver: str = ""  # why it is waived (or why a waiver no longer applies)
    waiver_expires: str | None = None

    @property
    def identity(self) -> str:
        """What identifies the finding across runs: rule, path and subject, never the line."""
        return f"{self.rule}|{self.location.path}|{self.subject}"
