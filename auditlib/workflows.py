"""Collect Cloudflare deploy steps from GitHub Actions workflows.

PyYAML's node tree (yaml.compose) gives every value with its position, so each deploy
step is reported at the line of its command. libyaml's loader builds the same tree about ten
times faster, and refuses very deep nesting (past about 1,000 levels) with a YAMLError and
its line; PyYAML built without libyaml falls back to its Python loader.
"""

from __future__ import annotations

import re

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
        return Workflow(path=path, text=source, calls=()), []
    calls = tuple(dict.fromkeys(
        uses.value.removeprefix("./") for _key, job in jobs.value
        if isinstance(uses := _get(job, "uses"), yaml.ScalarNode)
        and uses.value.startswith("./")))
    workflow_env = _text(source, _get(root, "env"))
    workflow_directory = _run_directory(root)
    steps: list[DeployStep] = []
    expanded: list[str] = []
    for job_key, job in jobs.value:
        job_env = _text(source, _get(job, "env"))
        job_directory = _run_directory(job) or workflow_directory
        matrix = _matrix(job)
        expanded += _expand_matrix(_text(source, job), matrix)  # a job that calls one too
        job_steps = _get(job, "steps")
        if not isinstance(job_steps, yaml.SequenceNode):
            continue
        for step in job_steps.value:
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
                    directory=_folder(folder)))
    return Workflow(path=path, text=source, calls=calls, expanded=tuple(expanded)), steps


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
