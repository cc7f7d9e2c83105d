"""Collect Cloudflare deploy steps from GitHub Actions workflows.

PyYAML's node tree (yaml.compose) gives every value with its position, so each deploy
step is reported at the line of its command. libyaml's loader builds the same tree about ten
times faster, and refuses very deep nesting (past about 1,000 levels) with a YAMLError and
its line; PyYAML built without libyaml falls back to its Python loader.

`deployed_names` then loads the workflows as values, to follow each deploy step's matrix,
`env` and reusable-workflow inputs to the folders and names it deploys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from .errors import ConfigParseError
from .model import DeployStep, Location, Workflow

WORKFLOW_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")

# (tool, pattern over a `run:` line); the first that matches a line names the tool.
DEPLOY_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wrangler pages deploy", re.compile(r"\bwrangler(?:@\S+)?\s+pages\s+(?:deploy|publish)\b")),
    ("wrangler deploy", re.compile(r"\bwrangler(?:@\S+)?\s+(?:deploy|publish|versions\s+deploy)\b")),
    ("next-on-pages deploy", re.compile(r"\bnext-on-pages(?:@\S+)?\b.*\bdeploy\b")),
    ("opennextjs-cloudflare deploy",
     re.compile(r"\bopennextjs-cloudflare(?:@\S+)?\s+deploy\b")),
)
WRANGLER_ACTION = "cloudflare/wrangler-action"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECRET = re.compile(r"\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}")


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _run_directory(node: yaml.Node | None) -> str | None:
    """`defaults.run.working-directory` of a workflow or a job."""
    return _scalar(_get(_get(_get(node, "defaults"), "run"), "working-directory"))


def _folder(directory: str | None) -> str:
    """A working directory as a repository-relative folder: "." for the root."""
    return (directory or ".").removeprefix("./").rstrip("/") or "."


def _text(source: str, node: yaml.Node | None) -> str:
    return "" if node is None else source[node.start_mark.index:node.end_mark.index]


def _commands(node: yaml.Node | None) -> list[tuple[int, str]]:
    """(line, text) of each line of a `run:` scalar, with the file's line numbers."""
    if not isinstance(node, yaml.ScalarNode):
        return []
    if node.style != "|":  # plain, quoted or folded: its lines are not the file's lines
        line = node.start_mark.line + 1 + (1 if node.style == ">" else 0)
        return [(line, text.strip()) for text in node.value.splitlines()]
    first = node.start_mark.line + 2
    return [(first + offset, line.strip()) for offset, line in enumerate(node.value.split("\n"))]


def collect(path: str, source: str) -> tuple[Workflow, list[DeployStep]]:
    """The workflow and its deploy steps. Raises ConfigParseError when it is not valid YAML."""
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except (ValueError, RecursionError) as exc:  # PyYAML lets these through on odd input
        message = "nested too deeply to read" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigParseError(path, None, None, message) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ConfigParseError(path, line, column, str(problem)) from exc
    jobs = _get(root, "jobs")
    if not isinstance(jobs, yaml.MappingNode):
        return Workflow(path=path, text=source), []
    workflow_env = _text(source, _get(root, "env"))
    workflow_directory = _run_directory(root)
    steps: list[DeployStep] = []
    for job_key, job in jobs.value:
        job_env = _text(source, _get(job, "env"))
        job_directory = _run_directory(job) or workflow_directory
        matrix = _matrix(job)
        job_steps = _get(job, "steps")
        if not isinstance(job_steps, yaml.SequenceNode):
            continue
        for index, step in enumerate(job_steps.value):
            secrets = tuple(dict.fromkeys(
                _SECRET.findall(workflow_env + job_env + _text(source, step))))
            found = _deploy(step)
            if found is None:
                continue
            line, tool, command = found
            # defaults.run applies to `run:` steps only; the action takes workingDirectory.
            directory = (_scalar(_get(_get(step, "with"), "workingDirectory")) if tool == WRANGLER_ACTION
                         else _scalar(_get(step, "working-directory")) or job_directory)
            # A matrix job deploys from each folder its matrix names.
            for folder in _expand_matrix(directory or "", matrix) or [directory or ""]:
                steps.append(DeployStep(
                    location=Location(path=path, start_line=line), workflow=path,
                    job=str(job_key.value), tool=tool, command=command, secrets=secrets,
                    directory=_folder(folder), step=index))
    return Workflow(path=path, text=source), steps


def _matrix(job: yaml.Node) -> dict[str, list[str]]:
    """The scalar values of each key of a job's `strategy.matrix`, its `include` entries'
    included."""
    matrix = _get(_get(job, "strategy"), "matrix")
    if not isinstance(matrix, yaml.MappingNode):
        return {}
    values: dict[str, list[str]] = {}
    for key_node, value_node in matrix.value:
        key = _scalar(key_node)
        if key == "include" and isinstance(value_node, yaml.SequenceNode):
            for entry in value_node.value:
                if isinstance(entry, yaml.MappingNode):
                    for entry_key, entry_value in entry.value:
                        if _scalar(entry_key) and _scalar(entry_value) is not None:
                            values.setdefault(str(_scalar(entry_key)), []).append(
                                str(_scalar(entry_value)))
        elif key and isinstance(value_node, yaml.SequenceNode):
            values.setdefault(key, []).extend(
                item.value for item in value_node.value if isinstance(item, yaml.ScalarNode))
    return values


def _expand_matrix(text: str, matrix: dict[str, list[str]]) -> list[str]:
    """Each line of `text` that uses the matrix (`${{ matrix.KEY }}`), once for each
    combination of the values of the keys it uses."""
    if not matrix:
        return []
    expanded = []
    for line in text.splitlines():
        lines = [line]
        for key, values in matrix.items():
            use = re.compile(r"\$\{\{\s*matrix\." + re.escape(key) + r"\s*\}\}")
            if use.search(line):
                lines = [use.sub(value.replace("\\", "\\\\"), text) for text in lines
                         for value in values]
        if lines != [line]:
            expanded += lines
    return expanded


def _deploy(step: yaml.Node) -> tuple[int, str, str] | None:
    uses = _get(step, "uses")
    if isinstance(uses, yaml.ScalarNode) and uses.value.startswith(WRANGLER_ACTION):
        command = _get(_get(step, "with"), "command")
        text = command.value if isinstance(command, yaml.ScalarNode) else "deploy"
        # The action runs `wrangler deploy` unless `command` asks for something else.
        if any(pattern.search(f"wrangler {line}") for line in text.splitlines()
               for _tool, pattern in DEPLOY_COMMANDS):
            return uses.start_mark.line + 1, WRANGLER_ACTION, f"{uses.value}: wrangler {text}"
        return None
    for line, text in _commands(_get(step, "run")):
        for tool, pattern in DEPLOY_COMMANDS:
            if pattern.search(text):
                return line, tool, text
    return None


# What rule CF015 reads: the folders and names each deploy step names.
_TOKEN = re.compile(r"[\w.@/-]+")
# A comment: what it mentions is deployed by nothing.
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$", re.MULTILINE)
# The folder or name a command deploys: the argument of these.
_ARGUMENT = re.compile(r"(?:(?<![\w./-])cd|(?<=\s)(?:--cwd|--config|-c|--name|--project-name"
                       r"|--filter|--workspace))(?:\s+|=)([^\s;&|()]+)")
# `${{ env.KEY }}`, `${{ inputs.KEY }}`, `${{ matrix.KEY }}`, `$KEY`, `${KEY}`.
_REFERENCE = re.compile(r"\$\{\{\s*(env|inputs|matrix)\.([\w-]+)\s*\}\}|\$\{?([A-Za-z_]\w*)\}?")

Scope = dict[tuple[str, str], list[str]]  # ("matrix", "app") -> ["web", "api"]


def mentioned(text: str) -> set[str]:
    """The words and paths a text mentions, with each path's leading folders:
    `./apps/web/src` mentions `apps`, `apps/web` and `apps/web/src`; `apps/web-admin` does not
    mention `apps/web`, nor `x/apps/web` `apps/web`."""
    words: set[str] = set()
    for token in _TOKEN.findall(text):
        parts = token.removeprefix("./").strip("/").split("/")
        words.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
    return words


def _mapping(value: object) -> dict[str, Any]:
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    """A scalar, or the scalars of a list, as text."""
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if item is not None and not isinstance(item, dict | list)]


def _expand(text: str, scope: Scope) -> list[str]:
    """`text` once for each combination of the values its references take in `scope`; a
    reference with no value there is left as written."""
    texts, end = [""], 0
    for match in _REFERENCE.finditer(text):
        context, key, shell = match.groups()
        values = scope.get((context, key) if context else ("env", shell))
        if values:
            texts = [done + text[end:match.start()] + value for done in texts for value in values]
            end = match.end()
    return [done + text[end:] for done in texts]


def _scope(workflow: dict[str, Any], job: dict[str, Any], step: dict[str, Any],
           inputs: Scope) -> Scope:
    """The values a step's references can take: inputs, then its job's matrix, then `env`."""
    scope = dict(inputs)
    for key, values in _mapping(_mapping(job.get("strategy")).get("matrix")).items():
        entries = (values if key == "include" and isinstance(values, list)
                   else [] if key in ("include", "exclude") else [{key: values}])
        for entry in entries:
            for name, value in _mapping(entry).items():
                scope.setdefault(("matrix", name), []).extend(_strings(value))
    for env in (workflow.get("env"), job.get("env"), step.get("env")):
        for name, value in _mapping(env).items():
            scope[("env", name)] = [text for item in _strings(value) for text in _expand(item, scope)]
    return scope


def _inputs(path: str, workflows: dict[str, dict[str, Any]]) -> Scope:
    """What each input of reusable workflow `path` can be: its default and what callers pass."""
    on = _mapping(workflows[path].get("on", workflows[path].get("True")))  # YAML 1.1: on is True
    scope: Scope = {("inputs", name): _strings(_mapping(spec).get("default"))
                    for name, spec in _mapping(_mapping(on.get("workflow_call")).get("inputs")).items()}
    for caller in workflows.values():
        for job in map(_mapping, _mapping(caller.get("jobs")).values()):
            if str(job.get("uses", "")).removeprefix("./") == path:
                caller_scope = _scope(caller, job, {}, {})
                for name, value in _mapping(job.get("with")).items():
                    scope.setdefault(("inputs", name), []).extend(
                        text for item in _strings(value) for text in _expand(item, caller_scope))
    return scope


def _load(text: str) -> dict[str, Any]:
    try:
        return _mapping(yaml.load(text, Loader=_LOADER))
    except (yaml.YAMLError, ValueError, RecursionError):  # composed by the collector, but a
        return {}  # tag, a date such as 2001-02-30 or deep nesting can still fail to construct


def deployed_names(read: Sequence[Workflow], deploy_steps: Sequence[DeployStep]) -> tuple[str, ...]:
    """The folders and names `deploy_steps` name (see rule CF015), with each path's leading
    folders, from the workflows they were `read` from."""
    workflows = {w.path: _load(w.text) for w in read}
    inputs = {path: _inputs(path, workflows) for path in workflows}
    words: set[str] = set()
    scopes: dict[tuple[str, str, int], Scope] = {}
    for deploy in deploy_steps:
        key = (deploy.workflow, deploy.job, deploy.step)
        if key not in scopes:  # once per step: a matrix job gives one DeployStep per folder
            workflow = workflows.get(deploy.workflow, {})
            job = _mapping(_mapping(workflow.get("jobs")).get(deploy.job))
            steps = job.get("steps")
            step = (_mapping(steps[deploy.step]) if isinstance(steps, list)
                    and deploy.step < len(steps) else {})
            scopes[key] = _scope(workflow, job, step, inputs.get(deploy.workflow, {}))
            script = (deploy.command.partition(": ")[2] if deploy.tool == WRANGLER_ACTION
                      else f"{deploy.command}\n{step.get('run', '')}")
            for line in _COMMENT.sub("", script).splitlines():
                for text in _expand(line, scopes[key]):
                    paths = [token for token in _TOKEN.findall(text) if "/" in token]
                    words |= mentioned(" ".join([*_ARGUMENT.findall(text), *paths]))
        for folder in _expand(deploy.directory, scopes[key]):
            words |= mentioned(folder)
    return tuple(sorted(words))
