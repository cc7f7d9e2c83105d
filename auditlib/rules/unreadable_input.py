"""CF000 unreadable-input.

## What it does
Reports every configuration or workflow file the audit could not parse or read, at the
line and column of the error; and each wrangler config that wrangler itself ignores, because
another config in its folder comes first (`wrangler.json`, then `wrangler.jsonc`, then
`wrangler.toml`). A wrangler config that cannot be parsed is a P0: wrangler cannot deploy it
either, and the audit cannot tell what else is wrong in it. So is a config of another name
that a CI deploy names (`--config wrangler.prod.jsonc`): it is the one deployed. That
includes a JSON config in JSON5 syntax (single quotes, unquoted keys): wrangler reads JSON
with comments and trailing commas, no more.

A binding section of a config that was read, in a shape wrangler refuses, is CF020's.

## Why is this bad?
A file the audit cannot read is a file whose bindings, placeholders and deploy steps are
missing from the report; the rest of the audit goes on without it.

## Example
```toml
[[kv_namespaces]
binding = "CART_KV"
```

## Fix
Correct the syntax at the reported line (`npx wrangler deploy --dry-run` validates a
wrangler config; `actionlint` validates a workflow).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from ..wrangler import CONFIG_NAMES
from .base import Rule, unread


class UnreadableInput(Rule):
    id = "CF000"
    name = "unreadable-input"
    title = "File could not be read"
    severity = Severity.P1
    rationale = "What the file declares is missing from the audit"
    remediation = "Fix the syntax error so the file can be audited"
    status = "Not audited"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        unparsed_paths = {problem.location.path for problem in unread(facts)}
        for problem in facts.problems:
            column = f", column {problem.column}" if problem.column else ""
            path = problem.location.path
            unparsed = path in unparsed_paths and (posixpath.basename(path) in CONFIG_NAMES
                                                   or path in facts.deployed.folders)
            if problem.refused:  # read, in a shape wrangler refuses: CF020's
                continue
            yield cls.finding(
                location=problem.location, subject=problem.location.path,
                severity=Severity.P0 if unparsed else None,  # wrangler cannot deploy it either
                message=(f"{code(problem.location)} "
                         + ("is not audited" if problem.ignored else "could not be read")
                         + f"{column}: {problem.message}"),
                remediation=f"Fix {code(problem.location)}{column}: {problem.message}")
