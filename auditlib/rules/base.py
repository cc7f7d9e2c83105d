"""What every rule declares, and the helper that makes its findings."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from typing import ClassVar

from ..blocks import code
from ..config import AuditConfig
from ..model import Environment, Facts, Finding, Location, Problem, Severity, WranglerConfig
from ..workflows import ACTION_NAMES
from ..wrangler import CONFIG_NAMES


class Rule:
    """A rule: stable id, title, severity, rationale, remediation, and `check`.

    The docstring of each rule is its documentation, with the headings
    `What it does`, `Why is this bad?`, `Example` and `Fix`.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    rationale: ClassVar[str]  # the impact, in one sentence
    remediation: ClassVar[str]
    status: ClassVar[str]  # how the gap shows in the report's gap table

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def finding(cls, *, message: str, location: Location, subject: str = "",
                remediation: str | None = None, severity: Severity | None = None,
                action: str = "") -> Finding:
        return Finding(rule=cls.id, severity=severity or cls.severity, title=cls.title,
                       message=message,
                       location=location, subject=subject,
                       remediation=remediation or cls.remediation, action=action)


def unread(facts: Facts) -> list[Problem]:
    """The inputs that could not be read or parsed, and the folders that could not be
    opened: not those read with a warning (a config with a byte that is not UTF-8, read with
    a replacement character), nor those left out on purpose."""
    read = ({c.path for c in facts.configs} | {w.path for w in facts.workflows}
            | {d.path for d in facts.claims})
    return [problem for problem in facts.problems
            if not problem.ignored and problem.location.path not in read]


def unread_configs(facts: Facts) -> list[Problem]:
    """The wrangler configs, and the folders that may hold one, that could not be read."""
    return [problem for problem in unread(facts)
            if problem.folder or posixpath.basename(problem.location.path) in CONFIG_NAMES]


def unread_config_paths(facts: Facts) -> list[Problem]:
    """The wrangler configs that could not be read: those named as wrangler finds them, and
    those a CI deploy names (`--config wrangler.prod.jsonc`, or a folder it deploys that
    could not be opened): each once, by its first problem (a file not UTF-8 that does not
    parse either has two)."""
    first: dict[str, Problem] = {}
    for problem in unread(facts):
        if (posixpath.basename(problem.location.path) in CONFIG_NAMES
                or problem.location.path in facts.deployed.folders):
            first.setdefault(problem.location.path, problem)
    return list(first.values())


def unread_config(facts: Facts) -> bool:
    """Whether a wrangler config, or a folder that may hold one, could not be read: what it
    declares is unknown, so no finding may say that something is not configured."""
    return bool(unread_configs(facts))


def no_config_found(facts: Facts) -> bool:
    """Whether the audit found no wrangler config at all, read or not: nothing was audited
    (a CI job pointed at the wrong folder, say), so a gate must not pass."""
    return not facts.configs and not unread_config(facts)


def unread_workflow(facts: Facts) -> bool:
    """Whether a workflow, a local action or a folder holding them could not be read."""
    return any(path == ".github" or path.startswith(".github/workflows") or (
        path.startswith(".github/") and (problem.folder or posixpath.basename(path) in ACTION_NAMES))
               for problem in unread(facts) for path in [problem.location.path])


# Rules whose findings say something is missing: while these inputs cannot be read, they
# say nothing (so an earlier run's findings of theirs are not resolved either).
SILENCED_BY = {"DR009": unread_config, "CF015": unread_workflow}


def scope_label(config: WranglerConfig, scope: Environment) -> str:
    """`wrangler.toml` or `wrangler.toml` (env `production`), for messages."""
    return code(config.path) + (f" (env {code(scope.name)})" if scope.name else "")


def runs_code(config: WranglerConfig) -> bool:
    """Whether a config deploys code of its own: not a Worker that only serves static assets
    (no scope has `main`), whose requests run no Worker at all, nor a static Pages site (no
    Functions, no `_worker.js`)."""
    if config.target == "pages":
        return not config.static_site
    return config.target != "worker" or any("main" in scope.settings for scope in config.scopes())


def has_entry(scope: Environment) -> bool:
    """Whether a scope deploys a Worker of its own: it has (or inherits) `main` or `assets`;
    a top level whose environments alone give them deploys nothing."""
    return bool({"main", "assets"} & scope.settings.keys())


def scoped(subject: str, scope: Environment) -> str:
    """A finding's subject, qualified by its environment: `CART_KV (env production)`."""
    return f"{subject} (env {scope.name})" if scope.name else subject


def secret_put(wrangler_config: WranglerConfig, name: str, environment: str = "") -> str:
    """The command that sets secret `name` for a Worker or Pages project (and environment)."""
    env = f" --env {environment}" if environment else ""
    if wrangler_config.target == "pages":
        project = wrangler_config.name or "<project>"
        return f"wrangler pages secret put {name} --project-name {project}{env}"
    return f"wrangler secret put {name}{env}"


def deepest_app(path: str, folders: Collection[str]) -> str | None:
    """The deepest of the app `folders` that is `path` or holds it ("." the root), or None."""
    while path not in folders and path not in (".", ""):
        path = posixpath.dirname(path)
    return (path or ".") if (path or ".") in folders else None


def article(label: str) -> str:
    """`an` before a label said with a vowel first (`an Analytics Engine dataset`, `an R2
    bucket`, `an mTLS certificate`), else `a`."""
    return "an" if label[:1].lower() in ("a", "e", "i", "o", "u") or label.startswith(("R2", "mTLS")) else "a"
