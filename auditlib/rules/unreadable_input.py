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
wrangler config; `actionlint` validates a workflow). Save a file that is not UTF-8 as UTF-8;
remove a symbolic link that is broken, loops or leads outside the repository, or point it at
a file inside it; the finding says which of these a file needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code
from ..config import AuditConfig
from ..model import Facts, Finding, Problem, Severity
from .base import Rule, unread_config_paths

# What to do about a file, by why it was not read (the words repofiles and collect give it);
# anything else is a syntax error a parser reported.
ACTIONS = (
    ("file name is not UTF-8", "Rename the file to a name in UTF-8 so it can be audited"),
    ("not UTF-8", "Save the file as UTF-8 so it can be audited"),
    ("symbolic link", "Remove the symbolic link, or point it at a file inside the repository,"
                      " so it can be audited"),
    ("resolves outside the repository", "Remove the symbolic link, or point it at a file inside"
                                        " the repository, so it can be audited"),
    ("not a regular file", "Replace it with a regular file, or remove it"),
    ("MiB limit", "Make the file smaller than the size limit (split it) so it can be audited"),
    ("NUL byte", "Remove the NUL byte (binary content) so the whole file can be audited"),
    ("levels deep", "Nest the file's values less deeply so it can be audited"),
    ("nested too deeply", "Nest the file's values less deeply so it can be audited"),
    ("Python's re matches no probe's regex", "Write the probe's regex so that ripgrep and"
                                             " Python's re match the same lines"),
)
SYNTAX_ERROR = "Fix the syntax error so the file can be audited"
CANNOT_OPEN = "Make the file readable so it can be audited"


def action(problem: Problem) -> str:
    """What to do about `problem`, in words shared by every problem of its kind."""
    if problem.ignored:
        return "Delete each config wrangler does not read, or merge it into the one it reads"
    if problem.folder:
        return "Make the folder readable so what it holds can be audited"
    found = next((words for why, words in ACTIONS if why in problem.message), None)
    if found:
        return found
    # An error of the operating system (`unreadable: Permission denied`, ripgrep's
    # `Permission denied (os error 13)`), not of the file's text.
    if problem.message.startswith("unreadable:") or "(os error" in problem.message:
        return CANNOT_OPEN
    return SYNTAX_ERROR


class UnreadableInput(Rule):
    id = "CF000"
    name = "unreadable-input"
    title = "File could not be read"
    severity = Severity.P1
    rationale = "What the file declares is missing from the audit"
    remediation = ("Make the file readable so it can be audited: fix its syntax, encoding or"
                   " link, as the finding says")
    status = "Not audited"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        unparsed_configs = {problem.location.path for problem in unread_config_paths(facts)}
        for problem in facts.problems:
            column = f", column {problem.column}" if problem.column else ""
            unparsed = problem.location.path in unparsed_configs
            if problem.refused:  # read, in a shape wrangler refuses: CF020's
                continue
            yield cls.finding(
                location=problem.location, subject=problem.location.path,
                severity=Severity.P0 if unparsed else None,  # wrangler cannot deploy it either
                message=(f"{code(problem.location)} "
                         + ("is not audited" if problem.ignored else "could not be read")
                         + f"{column}: {problem.message}"),
                remediation=f"Fix {code(problem.location)}{column}: {problem.message}",
                action=action(problem))
