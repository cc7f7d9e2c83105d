"""CF015 app-not-deployed-by-ci.

## What it does
Reports each wrangler config that no CI deploy step deploys. A Cloudflare deploy step
deploys the apps it names, by folder or by `name`:
- in its folder (`working-directory`, the job's or workflow's `defaults.run.working-directory`,
  or the wrangler action's `workingDirectory`);
- in its command (the whole `run:` script, or the wrangler action's `command`): the argument
  of `cd`, `--cwd`, `--config`/`-c`, `--name`, `--project-name`, `--filter` and
  `--workspace`, and any path (`apps/web/out` names `apps/web`).

`${{ matrix.KEY }}`, `${{ env.KEY }}`, `$KEY` and `${{ inputs.KEY }}` in them stand for each
value the job's matrix, the workflow's, job's or step's `env`, the jobs calling the
reusable workflow (`with:`) or the input's `default` give them. Nothing else in a workflow
names an app: not job ids, step names, runner labels or comments. The config at the
repository root is also deployed by a deploy step that runs in the root (no
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

# A command that deploys from another folder than the one it runs in.
_ELSEWHERE = re.compile(r"(?:^|[;&|(]\s*)cd\s|\s(?:--config|-c|--cwd)\b")


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
        words = set(facts.deployed)
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
                         f" ({' or '.join(f'`{n}`' for n in names) or 'no name'} not named"
                         " by a deploy step)"),
                remediation="Deploy each app from a CI workflow")
