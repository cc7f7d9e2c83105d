"""CF015 app-not-deployed-by-ci.

## What it does
Reports each wrangler config that no CI workflow deploys: no workflow with a Cloudflare
deploy step (or calling one that has it) mentions the app's folder or its `name`. The
config at the repository root is also deployed by a deploy step that runs in the root (no
`working-directory`, and no `cd`, `--config` or `--cwd` in its command).

## Why is this bad?
An app deployed by hand from a laptop drifts from `main`: nobody can tell which commit
runs in production, and the configuration audited here may not be what is deployed.

## Example
`apps/worker/wrangler.toml` exists, and `.github/workflows/` deploys only `apps/web`.

## Fix
Deploy the app from a workflow (`wrangler deploy` in `apps/worker`, or a job calling the
reusable deploy workflow with its folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity
from .base import Rule

_TOKEN = re.compile(r"[\w.@/-]+")
# A YAML comment: what it mentions is deployed by nothing.
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$", re.MULTILINE)
# A command that deploys from another folder than the one it runs in.
_ELSEWHERE = re.compile(r"(?:^|[;&|(]\s*)cd\s|\s(?:--config|-c|--cwd)\b")


def mentioned(text: str) -> set[str]:
    """The words and paths a workflow mentions, with each path's leading folders:
    `./apps/web/src` mentions `apps`, `apps/web` and `apps/web/src`; `apps/web-admin` does not
    mention `apps/web`, nor `x/apps/web` `apps/web`."""
    words: set[str] = set()
    for token in _TOKEN.findall(text):
        parts = token.removeprefix("./").strip("/").split("/")
        words.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
    return words


class AppNotDeployedByCi(Rule):
    id = "CF015"
    name = "app-not-deployed-by-ci"
    title = "App not deployed by CI"
    severity = Severity.P2
    rationale = "Deployed by hand, the running app can differ from the repository"
    remediation = "Deploy the app from a CI workflow"
    status = "Manual deploy"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        deploying = {step.workflow for step in facts.deploy_steps}
        words = set().union(*(mentioned(_COMMENT.sub("", "\n".join((w.text, *w.expanded))))
                              for w in facts.workflows
                              if w.path in deploying or deploying.intersection(w.calls)))
        in_root = any(step.directory == "." and not _ELSEWHERE.search(step.command)
                      for step in facts.deploy_steps)
        for wrangler_config in facts.configs:
            if wrangler_config.is_root and in_root:
                continue
            names = list(dict.fromkeys(
                name for name in (wrangler_config.name,
                                  None if wrangler_config.is_root else wrangler_config.app)
                if name))
            if words.intersection(names):
                continue
            yield cls.finding(
                location=Location(path=wrangler_config.path), subject="deploy",
                message=(f"no CI workflow deploys `{wrangler_config.path}`"
                         f" ({' or '.join(f'`{n}`' for n in names) or 'no name'} not mentioned"
                         " by a deploying workflow)"),
                remediation="Deploy each app from a CI workflow")
