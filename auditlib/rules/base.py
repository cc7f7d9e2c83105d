"""What every rule declares, and the helper that makes its findings."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from typing import ClassVar

from ..blocks import code
from ..config import AuditConfig
from ..model import Environment, Facts, Finding, Location, Severity, WranglerConfig
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
                remediation: str | None = None, severity: Severity | None = None) -> Finding:
        return Finding(rule=cls.id, severity=severity or cls.severity, title=cls.title,
                       message=message,
                       location=location, subject=subject,
                       remediation=remediation or cls.remediation)


def unread_config(facts: Facts) -> bool:
    """Whether a wrangler config could not be parsed: what it declares is unknown, so no
    finding may say that something is not configured."""
    return any(not problem.ignored and posixpath.basename(problem.location.path) in CONFIG_NAMES
               for problem in facts.problems)


def unread_workflow(facts: Facts) -> bool:
    """Whether a workflow (or the folder holding them) could not be read."""
    return any(not problem.ignored and problem.location.path.startswith(".github")
               for problem in facts.problems)


def scope_label(config: WranglerConfig, scope: Environment) -> str:
    """`wrangler.toml` or `wrangler.toml` (env `production`), for messages."""
    return code(config.path) + (f" (env {code(scope.name)})" if scope.name else "")


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
