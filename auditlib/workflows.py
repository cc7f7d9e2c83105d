"""Collect Cloudflare deploy steps from GitHub Actions workflows.

PyYAML's node tree (yaml.compose) gives every value with its position, so each deploy
step is reported at the line of its command. libyaml's loader builds the same tree about ten
times faster, and refuses very deep nesting (past about 1,000 levels) with a YAMLError and
its line; PyYAML built without libyaml falls back to its Python loader.

`deployed_names` then loads the workflows as values, to follow each deploy step's matrix,
`env` and reusable-workflow inputs to the folders and names it deploys.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import posixpath
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

import yaml

from .config import glob_match
from .errors import ConfigParseError, in_text
from .model import Deployed, DeployStep, FileEdit, Location, ScriptRun, Workflow

WORKFLOW_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")

# wrangler and its options before the command: `wrangler -c apps/api/wrangler.toml deploy`.
_WRANGLER = r"\bwrangler(?:@\S+)?(?:\s+--?\w[\w-]*(?:[= ](?!deploy\b|pages\b|versions\b)[^\s-]\S*)?)*"
# (tool, pattern over a `run:` line); the first that matches a line names the tool.
DEPLOY_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wrangler pages deploy", re.compile(_WRANGLER + r"\s+pages\s+(?:deploy|publish|deployment\s+create)"
                                         r"(?![\w.-])")),
    ("wrangler deploy", re.compile(_WRANGLER + r"\s+(?:deploy|publish|versions\s+deploy)(?![\w.-])")),
    ("next-on-pages deploy", re.compile(r"\bnext-on-pages(?:@\S+)?\b.*\bdeploy\b")),
    ("opennextjs-cloudflare deploy",
     re.compile(r"\bopennextjs-cloudflare(?:@\S+)?\s+deploy\b")),
)
# What each deploy command deploys: a Pages project, or a Worker (CF015: wrangler refuses a
# Pages project to `wrangler deploy`, and `pages deploy` ignores a Worker's config).
_KINDS = {"wrangler pages deploy": "pages", "next-on-pages deploy": "pages",
          "wrangler deploy": "worker", "opennextjs-cloudflare deploy": "worker"}
WRANGLER_ACTION = "cloudflare/wrangler-action"
PAGES_ACTION = "cloudflare/pages-action"  # deprecated, still common
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECRET = re.compile(r"\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}")


def _get(node: yaml.Node | None, key: str, seen: set[int] | None = None) -> yaml.Node | None:
    """The value of `key` in a mapping node, its merge keys (`<<: *deploy`) followed, each
    mapping once (an alias may merge itself)."""
    seen = set() if seen is None else seen
    if not isinstance(node, yaml.MappingNode) or id(node) in seen:
        return None
    seen.add(id(node))
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged += value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
    return next((value for value in (_get(each, key, seen) for each in merged) if value is not None),
                None)


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


# A line that runs nothing it names: a comment, or text printed.
_NOT_RUN = re.compile(r"^(?:#|(?:echo|printf)\b)")
# A deploy that deploys nothing: a dry run, a plan (turbo's --dry, --graph), help.
_DRY_RUN = re.compile(r"(?<=\s)(?:--dry-run|--dry|--graph|--help)(?![\w-])")
# A package manager or task runner running a package script (`pnpm --filter web deploy`).
_RUNNER = re.compile(r"(?:^|(?<=[\s/(]))(?:pnpm|npm|yarn|bun|turbo|nx|lerna)(?:@\S+)?(?=\s|$)")
# A task runner run by a package manager (`pnpm turbo run deploy`) is the runner.
_TASK_RUNNER = re.compile(r"(?:^|(?<=[\s/(]))(?:turbo|nx|lerna)(?:@\S+)?(?=\s|$)")


def _commands(node: yaml.Node | None) -> list[tuple[int, str]]:
    """(line, text) of each line of a `run:` scalar, with the file's line numbers."""
    if not isinstance(node, yaml.ScalarNode):
        return []
    if node.style != "|":  # plain, quoted or folded: its lines are not the file's lines
        line = node.start_mark.line + 1 + (1 if node.style == ">" else 0)
        return [(line, text) for text in shell_lines(node.value)]
    first = node.start_mark.line + 2
    return [(first + offset, line) for offset, line in enumerate(shell_lines(node.value, keep=True))]


def shell_lines(script: str, keep: bool = False) -> list[str]:
    """The command lines of a shell script, stripped, a line ending in `\\` joined with the
    next: a heredoc's text is no command (it is left out, or left empty to `keep` the line
    numbers, as are the lines joined to the one above)."""
    lines: list[str] = []
    end, joined = None, None  # joined: the index of a line that goes on below
    for line in script.split("\n"):
        if end is not None:
            end = None if line.strip() == end else end
            if keep:
                lines.append("")
            continue
        if joined is not None:
            lines[joined] = f"{lines[joined][:-1].rstrip()} {line.strip()}"
            lines += [""] if keep else []
        else:
            lines.append(line.strip())
            joined = len(lines) - 1
        if not lines[joined].endswith("\\") or lines[joined].startswith("#"):
            joined = None  # a comment goes on on no line
        if heredoc := re.search(r"(?<!<)<<-?\s*['\"]?(\w+)", line):  # not a `<<<` string
            end = heredoc[1]
    return lines


def _compose(path: str, source: str) -> yaml.Node | None:
    """The YAML node tree of `source`, its marks on lines ended by `\\n` only (see
    _renumber). Raises ConfigParseError when it is not valid YAML."""
    starts = _line_starts(source) if _ODD_BREAKS.search(source) else None
    try:
        node = yaml.compose(source, Loader=_LOADER)
    except (ValueError, RecursionError) as exc:  # PyYAML lets these through on odd input
        message = "nested too deeply to read" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigParseError(path, None, None, message) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        # At the end of the text PyYAML found a quoted string or a `[`/`{` never closed:
        # its mark is past the last line, the context's where it begins.
        at_end = mark is not None and not source[mark.index:].strip()
        if (context == "while scanning a simple key" or at_end) and getattr(
                exc, "context_mark", None):
            # The line that began the key (a heredoc's text at column 0 in a `run: |`),
            # not the next one, where PyYAML gave up on finding its `:`.
            mark = exc.context_mark  # type: ignore[attr-defined]
        problem = f"{context}, {problem}" if context and problem != str(exc) else problem
        line, column = ((None, None) if mark is None else (mark.line, mark.column)
                        if starts is None else _position(starts, mark.index))
        raise ConfigParseError(path, *in_text(source, line + 1 if line is not None else None,
                                              column + 1 if column is not None else None),
                               str(problem)) from exc
    if node is not None and starts is not None:
        _renumber(node, starts)
    return node


# Line breaks to YAML 1.1, and so to PyYAML, that YAML 1.2 (GitHub's), ripgrep and editors
# do not break lines at: a workflow's line numbers would move down at each.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


def _line_starts(source: str) -> list[int]:
    return [0, *(found.end() for found in re.finditer("\n", source))]


def _position(starts: list[int], index: int) -> tuple[int, int]:
    """The line and column (from 0) of the character at `index`, lines ended by `\\n`."""
    line = bisect.bisect_right(starts, index) - 1
    return line, index - starts[line]


def _renumber(node: yaml.Node, starts: list[int]) -> None:
    """Give `node` and every node under it marks on lines ended by `\\n` only (`starts`:
    where each begins), from their index, which PyYAML counts in characters."""
    stack, seen = [node], set()
    while stack:
        found = stack.pop()
        if id(found) in seen:  # an alias repeats a node
            continue
        seen.add(id(found))
        found.start_mark, found.end_mark = (
            yaml.Mark(mark.name, mark.index, *_position(starts, mark.index), "", 0)
            for mark in (found.start_mark, found.end_mark))
        if isinstance(found.value, list):
            for item in found.value:
                stack.extend(item if isinstance(item, tuple) else (item,))


# The file of a local action (`uses: ./.github/actions/deploy`), in the folder it names.
ACTION_NAMES = ("action.yml", "action.yaml")
LocalAction = tuple[Workflow, "yaml.Node | None"]


def read_action(path: str, source: str) -> LocalAction:
    """A local action's file, and its node tree. Raises ConfigParseError when it is not
    valid YAML."""
    return Workflow(path=path, text=source), _compose(path, source)


def collect(path: str, source: str, scripts: Collection[str] = (),
            actions: Callable[[str], LocalAction | None] = lambda folder: None,
            inputs: Sequence[dict[str, str]] = ()) -> tuple[Workflow, list[DeployStep]]:
    """The workflow and its deploy steps: wrangler and its kin, the wrangler action, and a
    package manager running one of `scripts` (package scripts that run a wrangler deploy);
    also a step running a local composite action (`actions` gives the one in a folder) of
    which a step deploys, once for each such step of it. A step whose command is an input
    deploys when one of the sets of `inputs` the workflow runs with (input_sets) makes it
    one. Raises ConfigParseError when it is not valid YAML."""
    root = _compose(path, source)
    jobs = _get(root, "jobs")
    if not isinstance(jobs, yaml.MappingNode):
        return Workflow(path=path, text=source), []
    workflow_env = _text(source, _get(root, "env"))
    workflow_directory = _run_directory(root)
    steps: list[DeployStep] = []
    edits: list[FileEdit] = []
    runs: list[ScriptRun] = []
    uploads: dict[str, None] = {}
    for job_key, job in jobs.value:
        called = _get(job, "uses")  # another repository's reusable workflow: not read here
        if isinstance(called, yaml.ScalarNode) and not str(called.value).startswith("./") \
                and not _never(job):
            runs.append(ScriptRun(location=Location(path=path, start_line=called.start_mark.line + 1),
                                  command=f"uses: {called.value}"))
        job_env = _text(source, _get(job, "env"))
        job_directory = _run_directory(job) or workflow_directory
        job_steps = _get(job, "steps")
        if not isinstance(job_steps, yaml.SequenceNode) or _never(job):
            continue
        for index, step in enumerate(job_steps.value):
            if _never(step):
                continue
            edits += _edits(path, str(job_key.value), index, step, _directory(step, "", job_directory))
            secrets = tuple(dict.fromkeys(
                _SECRET.findall(workflow_env + job_env + _text(source, step))))
            commands = [(line, segment) for line, text in _commands(_get(step, "run"))
                        for segment in segments(text)]
            runs += [ScriptRun(location=Location(path=path, start_line=line), command=segment)
                     for line, segment in commands
                     if runs_script(segment) and deploy_tool(segment, scripts) is None]
            # The values a step's references take, read only for a step that needs them.
            @functools.cache
            def values(job_key: str = str(job_key.value), index: int = index) -> dict[str, Any]:
                return _item(as_mapping(as_mapping(_load(source).get("jobs")).get(job_key)).get(
                    "steps"), index)

            @functools.cache
            def scopes(job_key: str = str(job_key.value), index: int = index) -> list[Scope]:
                workflow = _load(source)
                job = as_mapping(as_mapping(workflow.get("jobs")).get(job_key))
                return [_scope(workflow, job, values(), combination, {
                    ("inputs", name): value for name, value in run.items()}, exported)
                        for run, combination, exported in itertools.islice(itertools.product(
                            inputs or [{}], _combinations(job), _exported(source, job_key, index)),
                            _LIMIT)]
            # The deploy's credentials, not the app's secrets the wrangler action uploads
            uploaded = re.findall(r"[\w-]+", _scalar(_get(_get(step, "with"), "secrets")) or "")
            if (_scalar(_get(step, "uses")) or "").lower().startswith(WRANGLER_ACTION):
                uploads |= dict.fromkeys(uploaded)
            secrets = tuple(secret for secret in secrets if secret not in uploaded)
            found = _deploy_as_called(step, scripts, scopes)
            if found is not None:
                line, tool, command = found
                steps.append(DeployStep(
                    location=Location(path=path, start_line=line), workflow=path,
                    job=str(job_key.value), tool=tool, command=command, secrets=secrets,
                    directory=_directory(step, tool, job_directory), step=index))
                continue
            uses = _get(step, "uses")
            before = len(steps)
            for chain, (_line, tool, command), action_step in _local_deploys(
                    step, values, scopes, scripts, actions):
                # Reported at the `uses:` line: a workflow's line, as other steps are.
                steps.append(DeployStep(
                    location=Location(path=path, start_line=uses.start_mark.line + 1 if uses
                                      else None),
                    workflow=path, job=str(job_key.value), tool=tool, command=command,
                    secrets=secrets, directory=_directory(action_step, tool, None), step=index,
                    actions=chain))
            if len(steps) == before and any(_CLOUDFLARE_TOKEN.fullmatch(s) for s in secrets):
                # A step given a Cloudflare token that deploys nothing the audit can follow,
                # with a command that says deploy (`pnpm runx deploy-published-workers`).
                runs += [ScriptRun(location=Location(path=path, start_line=line), command=segment)
                         for line, segment in commands if may_deploy(segment)
                         and not runs_script(segment) and deploy_tool(segment, scripts) is None]
    return Workflow(path=path, text=source, edits=tuple(edits), script_runs=tuple(runs),
                    uploaded=tuple(uploads)), steps


_CLOUDFLARE_TOKEN = re.compile(r"(?:CLOUDFLARE|CF)_\w*(?:TOKEN|API_KEY)\w*")  # `…_TOKEN_PROD`
# `deploy-published-workers`, not `--deploy-id` nor `deployment`
_DEPLOY_WORD = re.compile(r"(?<![\w-])deploy(?!\w)", re.IGNORECASE)


# Commands that run a script of the repository (`make deploy-web`, `./scripts/deploy.sh`,
# `bash scripts/deploy.sh`), whose commands are not read.
_TASK_FILES = frozenset({"make", "gmake", "just", "task"})
_INTERPRETERS = frozenset({"sh", "bash", "zsh", "node", "python", "python3", "bun", "tsx", "zx"})
_SCRIPT_FILE = re.compile(r"\./[\w./-]+|[\w.-]+/[\w./-]*\.(?:sh|bash|js|mjs|cjs|ts|mts|py)")


def may_deploy(command: str) -> bool:
    """Whether a command the audit cannot follow says deploy: not in quoted text, `echo`,
    git, a dry run or pnpm's own `pnpm deploy`."""
    spoken = _KEPT.sub("''", command)
    return (_DEPLOY_WORD.search(spoken) is not None and _DRY_RUN.search(command) is None
            and spoken.split()[:1] not in (["echo"], ["printf"], ["git"], ["gh"])
            and not _pnpm_own_deploy(spoken.split()))


def _pnpm_own_deploy(words: list[str]) -> bool:
    """Whether `words` run pnpm's own `deploy`, which copies a package into a folder and
    runs no script: `pnpm deploy out`, `pnpm --filter web deploy out`."""
    index = 1
    while words[:1] == ["pnpm"] and index < len(words) and words[index].startswith("-"):
        index += 2 if words[index] in ("--filter", "-F", "-C", "--dir") else 1
    return words[:1] == ["pnpm"] and words[index:index + 1] == ["deploy"]


def runs_script(command: str) -> bool:
    """Whether `command` runs a Makefile (or a justfile, a Taskfile) or a script file of the
    repository."""
    words = command.split()
    words = words[1:] if words[:1] == ["sudo"] else words
    if words[:1] and words[0] in _TASK_FILES:
        return True
    if words[:1] and words[0] in _INTERPRETERS:  # `bash -e scripts/deploy.sh`: the file
        words = [word for word in words[1:] if not word.startswith("-")]
    return bool(words) and _SCRIPT_FILE.fullmatch(words[0]) is not None


# A command that may write a file, perhaps run with sudo (also through a redirect: `cat >
# f << EOF`, `echo … > f`); and an option that makes it edit its files in place (`sed -i`,
# `-i.bak`, `perl -pi`, `yq -i`, `--in-place`; `tee` writes the files it names).
_EDITOR = re.compile(r"(?:sudo\s+)?(sed|perl|envsubst|yq|jq|awk|cat|echo|printf|tee)(?=\s|$)")
_IN_PLACE = {"sed": re.compile(r"-[nErsuz]*i\S*|--in-place\S*"),  # `-i`, `-Ei`, `-i.bak`
             "perl": re.compile(r"-[pnlaw0-9]*i\S*"),  # `-pi`, `-i.bak`; not `-Mstrict`
             "yq": re.compile(r"-i|--inplace"), "awk": re.compile(r"inplace")}  # gawk `-i inplace`
# A word of a command (quoted, or up to a space or a redirection), or a redirection.
_WORD = re.compile(r"""(>>?|<)|'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s<>'"]+)""")


def _edits(path: str, job: str, index: int, step: yaml.Node, directory: str) -> list[FileEdit]:
    """The commands of a `run:` step that write files, with the files they write: in place,
    redirected (`> FILE`, a heredoc's `cat > FILE << EOF`), copied or moved to (`cp a FILE`),
    or moved to after on the same line (`> tmp && mv tmp FILE`), from the folder each runs
    in (after a `cd`, but for one in a subshell once it has ended); and the files they may
    read (`envsubst < a.toml`, `cp a.toml …`, `sed … a.toml > …`: each word that is no option
    nor a file written)."""
    found: list[FileEdit] = []
    folders = [directory]  # a subshell's `cd` ends with it
    for line, text in _commands(_get(step, "run")):
        first = len(found)  # the edits of this line
        for segment in segments(text, printed=True):
            if segment in ("(", ")"):
                folders = [*folders, folders[-1]] if segment == "(" else folders[:-1] or folders
                continue
            words = _WORD.findall(segment)
            names = ["".join(word[1:]) for word in words]
            here = folders[-1]
            if names[:1] == ["cd"] and len(names) > 1:
                folders[-1] = _at(here, names[1]) or here
            elif names[:1] == ["mv"] and len(names) == 3 and any(
                    _at(here, names[1]) in edit.writes for edit in found[first:]):
                for number, edit in enumerate(found[first:], first):
                    if _at(here, names[1]) in edit.writes:
                        found[number] = dataclasses.replace(edit, writes=(*edit.writes, _at(here, names[2])))
            elif names[:1] in (["cp"], ["mv"]):
                operands = [name for word, name in zip(words[1:], names[1:], strict=True)
                            if not word[0] and not name.startswith("-")]
                target = operands[-1] if operands[1:] else ""
                # into a folder (`cp a b dist/`): each file by its name there
                into = target.endswith("/") or target == "." or len(operands) > 2
                files = {_at(here, posixpath.join(target, posixpath.basename(source)) if into
                             else target) for source in operands[:-1]} - {""}
                if files:
                    found.append(FileEdit(location=Location(path=path, start_line=line), job=job,
                                          step=index, command=segment, writes=tuple(sorted(files)),
                                          reads=tuple(sorted({_at(here, name) for name in operands[:-1]}
                                                             - {""}))))
            elif editor := _EDITOR.match(segment):
                option = _IN_PLACE.get(editor[1])
                in_place = editor[1] == "tee" or (option is not None and any(
                    not word[0] and option.fullmatch(name) for word, name in zip(words, names, strict=True)))
                redirected = {number + 1 for number, word in enumerate(words[:-1])
                              if word[0].startswith(">")}
                files = {_at(here, names[number]) for number in redirected
                         if not names[number].startswith("&")}  # not `>&2`
                # unquoted (`sed 's/a/b/' t.toml`: a script, then a file); echo's are text
                reads = {_at(here, word[3]) for number, word in enumerate(words) if number
                         and word[3] and number not in redirected and not word[3].startswith("-")
                         } - {""} if editor[1] not in ("echo", "printf") else set()
                if in_place:  # its files: the words that are no option
                    files |= {_at(here, name) for word, name in zip(words[1:], names[1:], strict=True)
                              if not word[0] and not name.startswith("-")}
                files.discard("")
                if files:
                    found.append(FileEdit(location=Location(path=path, start_line=line), job=job,
                                          step=index, command=segment, writes=tuple(sorted(files)),
                                          # in place (`sed -i … a.toml b.toml`): each from itself
                                          reads=tuple(sorted(reads - files))))
    return found


def _at(folder: str, name: str) -> str:
    """`name` as a repository path from `folder`; "" for a name that is not a path
    (`$FILE`, `${{ matrix.app }}/…`)."""
    return "" if "$" in name or not name else posixpath.normpath(posixpath.join(folder, name))


# GitHub runs local actions inside local actions, up to this depth; of the steps of the
# actions a step runs, at most _ACTION_STEPS are read (actions that each run the next many
# times would be billions).
_ACTION_DEPTH = 10
_ACTION_STEPS = 1000


def _local_deploys(step: yaml.Node, values: Callable[[], dict[str, Any]],
                   scopes: Callable[[], list[Scope]], scripts: Collection[str],
                   actions: Callable[[str], LocalAction | None],
                   chain: tuple[tuple[str, int], ...] = (), budget: list[int] | None = None,
                   ) -> Iterator[tuple[tuple[tuple[str, int], ...], tuple[int, str, str], yaml.Node]]:
    """(chain, (line, tool, command), step) of each deploy the local composite action that
    `step` runs makes (`values`: the step as values; `scopes`: the values its references
    take), through the local actions it runs in turn; the chain is each action's file and
    the place of the step run in it. An action inside itself is not read again."""
    budget = [_ACTION_STEPS] if budget is None else budget
    uses = _scalar(_get(step, "uses")) or ""
    action = actions(_folder(posixpath.normpath(uses))) if uses.startswith("./") and len(
        chain) < _ACTION_DEPTH else None
    if action is None or action[0].path in {path for path, _number in chain} or (
            _scalar(_get(_get(action[1], "runs"), "using")) or "").lower() != "composite":
        return
    own_steps = _get(_get(action[1], "runs"), "steps")
    for number, own in enumerate(own_steps.value if isinstance(own_steps, yaml.SequenceNode) else []):
        budget[0] -= 1
        if budget[0] < 0:
            return
        if _never(own):
            continue

        @functools.cache
        def own_values(action: LocalAction = action, number: int = number) -> dict[str, Any]:
            return _item(as_mapping(_load(action[0].text).get("runs")).get("steps"), number)

        @functools.cache
        def own_scopes(action: LocalAction = action,
                       own_values: Callable[[], dict[str, Any]] = own_values) -> list[Scope]:
            return [_action_scope(_load(action[0].text), own_values(), values(), scope)
                    for scope in scopes()]
        here = (*chain, (action[0].path, number))
        if (found := _deploy_as_called(own, scripts, own_scopes)) is not None:
            yield here, found, own
        else:
            yield from _local_deploys(own, own_values, own_scopes, scripts, actions, here, budget)


def input_sets(texts: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    """The sets of inputs each workflow (by path, of `texts`) runs with, as `deployed`
    reads them; only for the workflows that read an input."""
    if not any("inputs." in text for text in texts.values()):
        return {}
    found = _inputs_of(tuple(texts.items()))
    return {path: found[path] for path, text in texts.items() if "inputs." in text}


@functools.lru_cache(maxsize=4)
def _inputs_of(texts: tuple[tuple[str, str], ...]) -> dict[str, list[dict[str, str]]]:
    """_all_inputs of the workflows with these (path, text): read once for the steps found
    and again for what they deploy."""
    return _all_inputs({path: _load(text) for path, text in texts})


def _directory(step: yaml.Node, tool: str, default: str | None) -> str:
    """The folder a deploy step runs in: defaults.run (`default`) applies to `run:` steps
    only; the action takes workingDirectory."""
    return _folder(_scalar(_get(_get(step, "with"), "workingDirectory"))
                   if tool in (WRANGLER_ACTION, PAGES_ACTION)
                   else _scalar(_get(step, "working-directory")) or default)


def _never(node: yaml.Node) -> bool:
    """Whether a job or step never runs: `if: false`."""
    return (_scalar(_get(node, "if")) or "").replace(" ", "").lower() in ("false", "${{false}}")


def _deploy_as_called(step: yaml.Node, scripts: Collection[str],
                      scopes: Callable[[], list[Scope]]) -> tuple[int, str, str] | None:
    """(line, tool, command) of the deploy a step runs, or None; a step whose command is
    an expression (`run: ${{ inputs.command }}`) deploys when one of the `scopes` it runs
    in (each caller's inputs, each combination of the matrix) makes it a deploy. Its
    command is as written: what it deploys is read for each (`deployed`)."""
    found = _deploy(step, scripts)
    for scope in scopes() if found is None and "${{" in _text_of(step) else ():
        if (found := _deploy(step, scripts, scope)) is not None:
            break
    return found


# What the wrangler action runs besides `wrangler <command>`: shell commands, before and
# after it, in its workingDirectory.
ACTION_COMMANDS = ("preCommands", "postCommands")


def _text_of(step: yaml.Node) -> str:
    """The text of a step's `run` and of the wrangler action's `command` and the commands it
    runs before and after it."""
    return " ".join(_scalar(node) or "" for node in (
        _get(step, "run"), *(_get(_get(step, "with"), key) for key in ("command", *ACTION_COMMANDS))))


def _deploy(step: yaml.Node, scripts: Collection[str],
            scope: Scope | None = None) -> tuple[int, str, str] | None:
    """(line, tool, command) of the deploy a step runs, or None; read with the values its
    references take in `scope`, if given."""
    def expand(text: str) -> str:
        return text if scope is None else _expand(text, scope)
    uses = _get(step, "uses")
    if isinstance(uses, yaml.ScalarNode) and uses.value.lower().startswith(WRANGLER_ACTION):
        command = _get(_get(step, "with"), "command")
        text = command.value if isinstance(command, yaml.ScalarNode) else "deploy"
        # The action runs `wrangler deploy` unless `command` asks for something else.
        if any(pattern.search(f"wrangler {line}") and not _DRY_RUN.search(line)
               for line in expand(text).splitlines() for _tool, pattern in DEPLOY_COMMANDS):
            return uses.start_mark.line + 1, WRANGLER_ACTION, f"{uses.value}: wrangler {text}"
        for key in ACTION_COMMANDS:  # `postCommands: npx wrangler deploy --env production`
            for line, written in _commands(_get(_get(step, "with"), key)):
                if any(deploy_tool(segment, scripts) for segment in segments(expand(written))):
                    return line, WRANGLER_ACTION, f"{uses.value}: {written}"
        return None
    if isinstance(uses, yaml.ScalarNode) and uses.value.lower().startswith(PAGES_ACTION):
        given = {key: _scalar(_get(_get(step, "with"), key)) or "" for key in (
            "directory", "projectName")}
        return (uses.start_mark.line + 1, PAGES_ACTION, f"{uses.value}: wrangler pages deploy"
                f" {given['directory']} --project-name {given['projectName']}")
    for line, text in _commands(_get(step, "run")):
        for segment in segments(expand(text)):
            if (tool := deploy_tool(segment, scripts)) is not None:
                return line, tool, text
    return None


_KEPT = re.compile(r"""\$\{\{[^}]*\}\}|"(?:[^"\\]|\\.)*"|'[^']*'""")


def segments(line: str, printed: bool = False) -> list[str]:
    """The commands of a shell line, in order (`cd apps/web && npx wrangler deploy`, each
    command of a pipe), the
    comments and, unless `printed`, printed text (`echo`) left out; a subshell's start and
    end are the commands `(` and `)`. An expression (`${{ inputs.app || 'web' }}`, written
    as one word) and quoted text are never split."""
    kept: list[str] = []

    def keep(found: re.Match[str]) -> str:
        kept.append(found[0] if found[0][0] != "$" else "${{" + found[0][3:-2].replace(" ", "") + "}}")
        return f"\0{len(kept) - 1}\0"

    found = []
    line = re.sub(r"(?:^|\s)#.*", "", _KEPT.sub(keep, line))  # a comment, also after a command
    for segment in re.split(r"&&|\|\|?|;", line):  # each command of a pipe too
        # `do (cd "$app" && npx wrangler deploy); done`: the commands, without the shell's words
        segment = re.sub(r"^(?:(?:do|then|else|\{)\s+)+", "", segment.strip())
        segment = re.sub(r"^\w+=\$\(", "(", segment)  # `url=$(cd apps/web && ...)`: a subshell
        command = segment.lstrip("(").strip()
        opened = len(segment) - len(segment.lstrip("("))
        closed = len(command) - len(command.rstrip(")"))
        command = re.sub(r"\0(\d+)\0", lambda m: kept[int(m[1])], command.rstrip(")").strip())
        found += ["("] * opened
        if command and not (command.startswith("#") if printed else _NOT_RUN.match(command)):
            found.append(command)
        found += [")"] * closed
    return found


def deploy_tool(command: str, scripts: Collection[str]) -> str | None:
    """The tool a command deploys with ("wrangler deploy", "package script deploy"), or
    None: a dry run deploys nothing, and a runner deploys when it runs one of `scripts`."""
    if _DRY_RUN.search(command):
        return None
    spoken = _KEPT.sub("''", command)  # quoted text runs nothing
    for tool, pattern in DEPLOY_COMMANDS:
        if pattern.search(spoken):
            return tool
    if _RUN_ALL.search(_masked(command)):  # `run-s deploy:*`
        deploying = _own_scripts(command, sorted(scripts))
    else:
        run = package_run(command)
        deploying = [script for script in run[0] if script in scripts] if run is not None else []
    return f"package script {deploying[0]}" if deploying else None


def deploying_scripts(scripts: Mapping[str, str], others: Collection[str] = ()) -> set[str]:
    """The names of a package's `scripts` that deploy: with wrangler, by running one of
    `others` (other packages' scripts that deploy: `turbo run deploy`), or by running
    another of its own that deploys (`"deploy": "npm run build && npm run deploy:prod"`)."""
    deploying: set[str] = set()
    run_by: dict[str, set[str]] = {name: set() for name in scripts}  # script: what runs it
    for name, text in scripts.items():
        for command in _commands_of(text):
            if deploy_tool(command, others):
                deploying.add(name)
            for own in _own_scripts(command, scripts):
                run_by[own].add(name)
    # npm runs `prebuild` and `postbuild` with `build`
    deploying |= {name[len(hook):] for name in deploying for hook in ("pre", "post")
                  if name.startswith(hook) and name[len(hook):] in scripts}
    queue = list(deploying)
    for name in queue:  # grows as it is read: what runs a script that deploys, deploys
        queue += run_by[name] - deploying
        deploying |= run_by[name]
    return deploying


# npm-run-all and its short forms run scripts of the package by name or pattern.
_RUN_ALL = re.compile(r"(?:^|(?<=[\s/]))(?:npm-run-all2?|run-s|run-p)(?=\s|$)")


def _own_scripts(command: str, scripts: Collection[str]) -> list[str]:
    """The `scripts` of its own package `command` runs (`npm run deploy` in its folder,
    `run-s build deploy:*`); a dry run runs none."""
    if _DRY_RUN.search(command):
        return []
    if found := _RUN_ALL.search(command):
        # `run-s build "deploy:*"`, `run-s "deploy -- --env production"`: names, no options
        patterns = [word.strip("\"'") for word in command[found.end():].split()
                    if not word.strip("\"'").startswith("-")]
        return [name for name in scripts if any(
            glob_match(pattern, name, ":") for pattern in patterns)]
    run = package_run(command)
    return [script for script in run[0] if script in scripts] if run and not run[1] else []


# Options of package managers and task runners that take a value, and what it names.
_VALUE_OPTIONS = {"--filter": "name", "-F": "name", "--workspace": "name", "--dir": "folder",
                  "-C": "folder", "--cwd": "folder", "--prefix": "folder", "-t": "script",
                  "--target": "script", "--targets": "script", "-p": "name", "--projects": "name",
                  "--include": "name", "--from": "name", "--exclude": "except",
                  "--scope": "name", "--ignore": "except"}  # the last two: lerna's
# nx's options that take a list, by commas or by words: `-t lint deploy -p api admin`.
_NX_LISTS = {"-t", "--target", "--targets", "-p", "--projects"}
# Options that run a script in every package (but the workspace's root).
_EVERY = {"-r", "--recursive", "--workspaces", "-ws"}
# Options of `yarn workspaces foreach` that take no value (nx's `-p` and `-t` take one).
_YARN_FLAGS = {"-p", "-t", "-i", "-v", "-R", "-W", "-A", "--all"}
# pnpm's own commands: `pnpm deploy` copies a package to a folder, it runs no script.
_PNPM_COMMANDS = {"deploy", "install", "i", "add", "exec", "dlx", "create", "publish", "remove",
                  "update", "pack", "link"}


def _selector(value: str) -> str:
    """The package or folder a runner's filter names: `@org/web...` and `...@org/web` (with
    dependencies or dependents) name `@org/web`, `{apps/web}[HEAD~1]` names `./apps/web`,
    `./apps/*` and `@org/*` are globs, and the packages changed since a commit
    (`[origin/main]`) may be any: `**`."""
    value = value.strip("\"'").removeprefix("^").removeprefix("...").removesuffix("...")
    value, since, _range = value.partition("[")
    if since and not value:  # `[HEAD^1]`, `...[origin/main]`: the packages changed, any
        return "**"
    if value.startswith("{") and value.endswith("}"):
        value = "./" + value[1:-1]
    return "" if "{" in value else value


def package_run(command: str) -> tuple[tuple[str, ...], list[tuple[str, str]]] | None:
    """The scripts a package manager or task runner runs (pnpm, npm, yarn, bun, turbo, nx;
    several: `turbo run build deploy`), and where: (kind, value) pairs, kind "name" (a
    package), "filter" (a package or project, its scope left out if it is the only one of
    that name: pnpm, nx), "folder" (a path), "every" (every package that has the script,
    but the workspace's root) or "all" (the root too: `yarn workspaces foreach -A`); none
    for the folder it runs in. None when the command runs no package script."""
    scripts, where = _runner(_runner_match(command), command)
    return (scripts, where) if scripts else None


def _runner_match(command: str) -> re.Match[str] | None:
    """Where `command` names the package manager or task runner it runs, outside quoted
    text; a task runner a package manager runs (`pnpm turbo run deploy`) first."""
    masked = _masked(command)
    return _TASK_RUNNER.search(masked) or _RUNNER.search(masked)


def _runner_name(command: str) -> str | None:
    """The package manager or task runner `command` runs (`npx turbo@2` is turbo)."""
    found = _runner_match(command)
    return found[0].partition("@")[0] if found else None


def _masked(command: str) -> str:
    """`command` with its quoted text and expressions blanked out, at the same places: a
    runner named there runs nothing (`curl -d "now run yarn deploy"`)."""
    return _KEPT.sub(lambda found: found[0][0] + "_" * (len(found[0]) - 2) + found[0][-1], command)


def runner_where(command: str) -> list[tuple[str, str]]:
    """Where a package manager runs a binary (`pnpm -F web exec wrangler deploy`,
    `yarn workspace @org/web wrangler deploy`), as package_run says it; [] when none does."""
    return _runner(_RUNNER.search(_masked(command).partition("wrangler")[0]), command[
        :_tool_start(command)])[1]


def _tool_start(command: str) -> int:
    """Where the deploy tool a command runs is named (`wrangler …` in `pnpm -F web exec
    wrangler deploy --cwd x`): its own options follow, not the runner's; the end without
    one."""
    spoken = _KEPT.sub(lambda found: "_" * len(found[0]), command)
    return min((found.start() for _tool, pattern in DEPLOY_COMMANDS
                if (found := pattern.search(spoken))), default=len(command))


def _runner(runner: re.Match[str] | None, command: str) -> tuple[tuple[str, ...],
                                                                 list[tuple[str, str]]]:
    if runner is None:
        return (), []
    tool, words = runner[0].partition("@")[0], command[runner.end():].split()  # `turbo@2`
    where: list[tuple[str, str]] = []
    positional: list[str] = []
    scripts: list[str] = []
    root = False  # whether "every" package includes the workspace's root
    listing = ""  # nx: the list option (`-t`, `-p`) that the words after its value go on
    words_left = iter(words)
    for word in words_left:
        if word == "--":  # the script's own arguments
            break
        option, _equals, value = word.partition("=")
        if tool == "npm" and option == "-w":
            option = "--workspace"
        if tool == "npm" and option == "--filter":  # npm's own setting, not a selection
            continue
        if listing and not word.startswith("-"):  # `-t lint deploy`, `-p api admin`
            option, value = listing, word
        listing = option if tool == "nx" and option in _NX_LISTS else ""
        if option == "--include-workspace-root" or (tool == "yarn" and option in ("-A", "--all")):
            root = True
        if tool == "yarn" and option in _YARN_FLAGS:
            continue
        if option in _VALUE_OPTIONS:
            value = value or next(words_left, "")
            kind = _VALUE_OPTIONS[option]
            if kind == "script":
                scripts += value.split(",")  # nx: `--targets=build,deploy`
            elif not (value := _selector(value)):
                where.append(("folder", "$"))  # a filter that names no package: not known
            else:
                if value.startswith("!"):  # `--filter '!@org/legacy'`
                    kind, value = "except", value[1:]
                # `@org/web` is a package; `./apps/web` is a folder, and so is `apps/web`
                # but to a filter (pnpm's, turbo's), where it is a package's name.
                folder = kind == "name" and (value.startswith(".") if option in (
                    "--filter", "-F") else not value.startswith("@") and "/" in value)
                for each in value.split(",") if option in ("-p", "--projects") else [value]:
                    where.append(("folder" if folder else kind, each))
        elif option in _EVERY:
            where.append(("every", ""))
        elif tool == "pnpm" and option in ("-w", "--workspace-root"):
            where.append(("folder", "."))
        elif not word.startswith("-"):
            positional.append(word.strip("\"'"))  # `run "deploy"`
    if tool == "yarn" and positional[:1] == ["workspace"] and len(positional) > 1:
        where.append(("name", positional[1]))
        positional = positional[2:]
    elif tool == "yarn" and positional[:1] == ["workspaces"]:
        where.append(("every", ""))
        positional = positional[positional.index("run"):] if "run" in positional else []
    if tool == "nx" and positional[:1] == ["run"] and len(positional) > 1 and ":" in positional[1]:
        project, _colon, script = positional[1].rpartition(":")
        scripts.append(script)
        where.append(("name", project))
    elif tool == "nx" and positional[:1] in (["run-many"], ["affected"]):
        where.append(("every", ""))
    elif tool == "nx" and len(positional) > 1:
        scripts.append(positional[0])
        where.append(("name", positional[1]))
    elif tool == "turbo":  # `turbo run build deploy`: every task named
        for task in positional[1:] if positional[:1] == ["run"] else positional:
            package, _hash, task = task.rpartition("#")  # `@org/web#deploy`: one package's
            scripts.append(task)
            if package:
                where.append(("name", package))
    elif positional[:1] in (["run"], ["run-script"]) and len(positional) > 1:
        scripts.append(positional[1])
    elif positional and (tool in ("yarn", "bun") or (
            tool == "pnpm" and positional[0] not in _PNPM_COMMANDS)):
        scripts.append(positional[0])
    if tool == "turbo" and not where:
        where = [("turbo", "")]  # every package, or the one it runs in (_step_deploys)
    if tool == "lerna" and not where:
        where = [("every", "")]
    if tool in ("pnpm", "nx"):  # a name without its scope will do, when it is the only one
        where = [("filter" if kind == "name" else kind, value) for kind, value in where]
    # A filter narrows `-r` to what it names; exclusions leave every other package.
    named = [(kind, value) for kind, value in where if kind in ("name", "filter", "folder")]
    excluded = sorted(name.removeprefix("./") for kind, value in where if kind == "except"
                      for name in value.split(","))
    every = "all" if root else "every"
    if named:  # what is named, less what is excluded
        found = [*named, *([("except", "\n".join(excluded))] if excluded else [])]
    elif excluded:
        found = [(every, "\n".join(excluded))]
    else:
        found = [(every if kind == "every" else kind, value) for kind, value in where]
    return tuple(dict.fromkeys(scripts)), found


# What rule CF015 reads: what each deploy step deploys.

# `${{ env.KEY }}`, `${{ inputs.KEY }}` (also `github.event.inputs`), `${{ matrix.KEY }}`,
# `$KEY`, `${KEY}`.
_REFERENCE = re.compile(r"\$\{\{\s*(env|inputs|matrix|github\.event\.inputs|github)\.([\w.-]+)\s*\}\}"
                        r"|\$\{?([A-Za-z_]\w*)\}?")
# `${{ inputs.app || 'web' }}`: the first of its operands that is not empty; and
# `${{ inputs.deploy && 'deploy' || 'versions upload' }}`, GitHub's if/else.
_TERM = r"(?:[\w.-]+|'(?:[^']|'')*')"
_EITHER = re.compile(rf"\$\{{\{{\s*({_TERM}(?:\s*&&\s*{_TERM})?(?:\s*\|\|\s*{_TERM}(?:\s*&&\s*{_TERM})?)+)"
                     r"\s*\}\}")
_FALSE = frozenset({"", "false", "0", "null"})  # as an input's text: `deploy: false`
_OPERAND = re.compile(r"'((?:[^']|'')*)'|(env|inputs|matrix|github\.event\.inputs)\.([\w.-]+)")
# Arguments of a wrangler command naming the folder or config deployed, or the app.
_FOLDER_ARGUMENT = re.compile(r"(?<=\s)(?:--cwd|--config|-c)(?:\s+|=)([^\s;&|()]+)")
# wrangler's environment (`--env production`, `-e=staging`), its last given.
_ENV_ARGUMENT = re.compile(r"(?<=\s)(?:--env|-e)(?:\s+|=)([^\s;&|()]+)")
_CONFIG_OPTION = re.compile(r"(?<=\s)(?:--config|-c)(?=\s|=)")
_NAME_ARGUMENT = re.compile(r"(?<=\s)(?:--name|--project-name)(?:\s+|=)([^\s;&|()]+)")
# Of the combinations of a matrix and the sets of inputs read: GitHub runs at most 256 jobs
# of a matrix.
_LIMIT = 1024

Scope = dict[tuple[str, str], str]  # ("env", "APP_DIR") -> "apps/web"


def as_mapping(value: object) -> dict[str, Any]:
    """A YAML or JSON mapping with text keys; {} for anything else."""
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    """A scalar, or the scalars of a list, as text."""
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if item is not None and not isinstance(item, dict | list)]


def _expand(text: str, scope: Scope) -> str:
    """`text` with the values its references take in `scope`; a reference with no value
    there is left as written."""
    def value(match: re.Match[str]) -> str:
        context, key, shell = match.groups()
        if (context, key) == ("github", "workspace") or shell == "GITHUB_WORKSPACE":
            return "."
        context = "inputs" if context == "github.event.inputs" else context
        found = scope.get((context, key) if context else ("env", shell))
        return match[0] if found is None else found

    def term(text: str) -> str | None:
        """The value of an operand ("" for an input or a matrix key without one), or None
        when it is known only at run time (`vars.APP`, `steps.x.outputs.app`, an `env`
        variable an earlier step may set)."""
        found = _OPERAND.fullmatch(text)
        if found is None:
            return None
        literal, context, key = found.groups()
        context = "inputs" if context == "github.event.inputs" else context
        known = literal.replace("''", "'") if literal is not None else scope.get((context, key))
        return None if known is None and context == "env" else known or ""

    def either(match: re.Match[str]) -> str:
        for operand in re.split(r"\s*\|\|\s*", match[1]):
            condition, _and, then = operand.partition("&&")
            known = term(condition.strip())
            if known is not None and _and and known.lower() not in _FALSE:
                known = term(then.strip())
            elif _and and known is not None:
                continue  # a false condition: the next operand
            if known is None:
                return match[0]
            if known:
                return known
        return match[0]
    return _REFERENCE.sub(value, _EITHER.sub(either, text))


def _flat(key: str, value: object) -> dict[str, str]:
    """A matrix value by the names expressions give its parts: `app.path` of an object."""
    if isinstance(value, dict):
        return {f"{key}.{part}": str(item) for part, item in value.items()
                if not isinstance(item, dict | list)}
    return {key: str(value)} if value is not None and not isinstance(value, list) else {}


def _combinations(job: dict[str, Any]) -> list[dict[str, str]]:
    """The combinations of a job's matrix, as GitHub makes them: every value of each key
    with every other's, then each `include` entry added to the combinations whose values it
    keeps, or as a combination of its own (at most _LIMIT)."""
    matrix = as_mapping(as_mapping(job.get("strategy")).get("matrix"))
    keys = [key for key, values in matrix.items()
            if key not in ("include", "exclude") and isinstance(values, list)]
    combinations: list[dict[str, str]] = [{}]
    for key in keys:
        combinations = [{**done, **_flat(key, value)} for done in combinations
                        for value in matrix[key]][:_LIMIT]
    exclude = matrix.get("exclude")
    excluded = [{part: text for key, value in as_mapping(entry).items()
                 for part, text in _flat(key, value).items()}
                for entry in (exclude if isinstance(exclude, list) else [])]
    combinations = [done for done in combinations if not any(
        entry and all(done.get(key) == value for key, value in entry.items())
        for entry in excluded)]
    if not keys:
        combinations = []
    include = matrix.get("include")
    for entry in include if isinstance(include, list) else []:
        extra = {key: found[0] for key, value in as_mapping(entry).items()
                 if not isinstance(value, list) and (found := _strings(value))}
        kept = [done for done in combinations if keys and all(
            done.get(key) == value for key, value in extra.items() if key in keys)]
        for done in kept:
            done.update(extra)
        if not kept and len(combinations) < _LIMIT:
            combinations.append(extra)
    return combinations or [{}]


def _scope(workflow: dict[str, Any], job: dict[str, Any], step: dict[str, Any],
           combination: dict[str, str], inputs: Scope,
           exported: dict[str, str] | None = None) -> Scope:
    """The values a step's references take in one combination of its job's matrix: inputs,
    the matrix, then `env` (of the workflow, the job, what earlier steps `exported` to
    $GITHUB_ENV, the step's own)."""
    scope = {**inputs, **{("matrix", key): value for key, value in combination.items()}}
    for env in (workflow.get("env"), job.get("env"), exported, step.get("env")):
        for name, value in as_mapping(env).items():
            if found := _strings(value):
                scope[("env", name)] = _expand(found[0], scope)
    return scope


# `echo "ENV=prod" >> $GITHUB_ENV` (a value without references)
_TO_GITHUB_ENV = re.compile(r"""(?<![\w-])echo\s+(["']?)(\w+)=([^"'\s$]*)\1\s*>>\s*["']?\$\{?GITHUB_ENV\b""")


def _exported(source: str, job_key: str, index: int) -> list[dict[str, str]]:
    """Each set of values the steps of job `job_key` of the workflow `source` before the one
    at `index` may write to $GITHUB_ENV (`ENV=dev` in one branch of an `if`, `ENV=prod` in
    the other): {} if none."""
    before = _written_before(source, job_key)
    written = before[min(index, len(before) - 1)]
    names = sorted(written)
    return [dict(zip(names, values, strict=True)) for values in itertools.islice(
        itertools.product(*(written[name] for name in names)), _LIMIT)]


@functools.lru_cache(maxsize=64)
def _written_before(source: str, job_key: str) -> tuple[dict[str, tuple[str, ...]], ...]:
    """For each step of a job, and for its end, the values each name may have been written
    to $GITHUB_ENV by the steps before: read once for the job, not once for each step that
    deploys (each of thousands of steps read every step before it)."""
    steps = as_mapping(as_mapping(_load(source).get("jobs")).get(job_key)).get("steps")
    before: list[dict[str, tuple[str, ...]]] = []
    written: dict[str, tuple[str, ...]] = {}
    for step in steps if isinstance(steps, list) else ():
        before.append(written)
        for text in _strings(as_mapping(step).get("run"))[:1]:
            lines = [line for line in text.split("\n") if not line.lstrip().startswith("#")]
            for found in _TO_GITHUB_ENV.finditer("\n".join(lines)):
                if found[3] not in written.get(found[2], ()):
                    written = {**written, found[2]: (*written.get(found[2], ()), found[3])}
    return (*before, written)


def _item(items: object, index: int) -> dict[str, Any]:
    return as_mapping(items[index]) if isinstance(items, list) and index < len(items) else {}


def _action_scope(action: dict[str, Any], action_step: dict[str, Any], step: dict[str, Any],
                  scope: Scope) -> Scope:
    """The values the references of a local action's step take, run by `step` in `scope`:
    the action's inputs (their defaults, then what `step` passes `with:`), the caller's
    `env`, then the action step's own."""
    inputs = {("inputs", name): found[0] for name, spec in as_mapping(action.get("inputs")).items()
              if (found := _strings(as_mapping(spec).get("default")))}
    inputs |= {("inputs", name): _expand(text, scope) for name, value in as_mapping(
        step.get("with")).items() for text in _strings(value)[:1]}
    env = {key: value for key, value in scope.items() if key[0] == "env"}
    return _scope({}, {}, action_step, {}, {**env, **inputs})


def _on(workflow: dict[str, Any]) -> dict[str, Any]:
    """A workflow's triggers by name (`on: push` and `on: [push, pull_request]` too)."""
    on = workflow.get("on", workflow.get("True"))  # YAML 1.1 reads `on` as true
    return {str(name): None for name in (on if isinstance(on, list) else [on])} if isinstance(
        on, str | list) else as_mapping(on)


def _all_inputs(workflows: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """The inputs each of `workflows` (by path) can run with, each set as one caller passes
    it: the defaults, each option of a manually run workflow, and what each calling job
    passes (once per set of its own workflow's inputs and combination of its matrix)."""
    callers: dict[str, list[tuple[str, dict[str, Any]]]] = {path: [] for path in workflows}
    for caller_path, caller in workflows.items():
        for job in map(as_mapping, as_mapping(caller.get("jobs")).values()):
            called = str(job.get("uses", "")).removeprefix("./")
            if called in callers and str(job.get("if", "")).replace(" ", "").lower() not in (
                    "false", "${{false}}"):
                callers[called].append((caller_path, job))
    own = {path: _own_runs(workflow) for path, workflow in workflows.items()}
    # GitHub runs reusable workflows up to ten deep: each round passes the inputs one
    # caller further, to the workflows whose callers' inputs changed (a workflow that calls
    # itself gets nothing new from itself).
    found = {path: runs for path, (_defaults, runs) in own.items()}
    changed = set(workflows)
    for _round in range(10):
        passed = {path: _runs_of(workflows, own[path], callers[path], found)
                  for path in workflows if any(caller in changed for caller, _job in callers[path])}
        changed = {path for path, runs in passed.items() if runs != found[path]}
        found |= passed
    return found


def _own_runs(workflow: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A workflow's input defaults, and the inputs it runs with on its own (push, schedule,
    by hand): its defaults and each option; none for a reusable workflow, which runs only
    as it is called."""
    specs = {name: as_mapping(spec) for trigger in ("workflow_call", "workflow_dispatch")
             for name, spec in as_mapping(as_mapping(_on(workflow).get(trigger)).get("inputs")).items()}
    defaults = {name: found[0] for name, spec in specs.items()
                if (found := _strings(spec.get("default")))}
    if set(_on(workflow)) == {"workflow_call"}:
        return defaults, []
    return defaults, [defaults, *({**defaults, name: option} for name, spec in specs.items()
                                  for option in _strings(spec.get("options")))]


def _runs_of(workflows: dict[str, dict[str, Any]],
             own: tuple[dict[str, str], list[dict[str, str]]],
             callers: list[tuple[str, dict[str, Any]]],
             found: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """The inputs a workflow runs with: on its own (`own`: its defaults, and its runs), and
    as each calling job passes them `with:`, once per set of its caller's inputs (`found`)
    and combination of its matrix; at most _LIMIT sets, from at most 4 * _LIMIT calls."""
    defaults, runs = own
    sets = {tuple(sorted(run.items())): run for run in runs}
    calls = itertools.islice(((caller, job, run, combination) for caller, job in callers
                              for run, combination in itertools.product(
                                  found[caller], _combinations(job))), 4 * _LIMIT)
    for caller, job, run, combination in calls:
        scope = _scope(workflows[caller], job, {}, combination,
                       {("inputs", name): value for name, value in run.items()})
        passed = {**defaults, **{name: _expand(text, scope) for name, value in as_mapping(
            job.get("with")).items() for text in _strings(value)[:1]}}
        sets.setdefault(tuple(sorted(passed.items())), passed)
        if len(sets) >= _LIMIT:
            break
    return list(sets.values())


@functools.lru_cache(maxsize=256)
def _load(text: str) -> dict[str, Any]:
    """A workflow or action as values (read, never changed: it is loaded once)."""
    try:
        return as_mapping(yaml.load(text, Loader=_LOADER))
    except (yaml.YAMLError, ValueError, RecursionError):  # composed by the collector, but a
        return {}  # tag, a date such as 2001-02-30 or deep nesting can still fail to construct


def _inside(folder: str | None, path: str, glob: bool = False) -> str | None:
    """`path` taken from `folder`, as a repository-relative path ("." the root); None when
    it leaves the repository or is not known (a reference left, a glob unless it may be
    one, no folder)."""
    path = path.strip("\"'").replace("\\", "/")
    if folder is None or "$" in path or ("*" in path and not glob) or path.startswith(("/", "~")):
        return None
    joined = posixpath.normpath(posixpath.join(folder, path))
    return None if joined == ".." or joined.startswith("../") else joined


# The packages a deploy may run the scripts of, by folder ("." the root): (name, scripts).
Packages = Mapping[str, tuple[str | None, Mapping[str, str]]]


def _deploys(commands: list[str], folder: str | None, scripts: Collection[str],
             found: dict[str, set[Any]], packages: Packages, by_name: Callable[[], Names]) -> None:
    """Add what each deploy among `commands` (a step's, in order) deploys to `found`: the
    folders, configs and names it names, else the folder it runs in (`folder`, after the
    `cd`s before it; None once a `cd` leads somewhere not known). A package script a
    runner runs is read as its commands, run in its package's folder (`packages`), once:
    what it deploys is the same each time."""
    # The scripts run, by (package, script), with the arguments first passed to them (`npm
    # run deploy -- --filter web` runs `turbo run deploy --filter web`): read once each,
    # after the step's commands.
    expanded: list[tuple[str, str, str]] = []  # (package, script, arguments)
    run: set[tuple[str, str]] = set()

    @functools.cache
    def select(targets: frozenset[tuple[str, str | None]]) -> list[str]:
        return _selected(targets, packages, by_name())

    def run_script(package: str, script: str, arguments: str) -> None:
        if (package, script) not in run:
            run.add((package, script))
            expanded.append((package, script, arguments))
    _step_deploys(commands, folder, scripts, found, packages, run_script, select)
    for package, script, arguments in expanded:  # grows as it is read
        text = f"{packages[package][1][script]} {arguments}".strip()
        _step_deploys(_commands_of(text), package, scripts, found, packages, run_script, select)


# The folders of the packages by their name, and by their name without its scope (`web` of
# `@org/web`), looked up for a name that is no glob.
Names = tuple[dict[str, list[str]], dict[str, list[str]]]


def _names(packages: Packages) -> Names:
    exact: dict[str, list[str]] = {}
    scoped: dict[str, list[str]] = {}
    for folder, (name, _scripts) in packages.items():
        if name:
            exact.setdefault(name, []).append(folder)
        if name and name.startswith("@"):
            scoped.setdefault(name.rpartition("/")[2], []).append(folder)
    return exact, scoped


def _selected(targets: frozenset[tuple[str, str | None]], packages: Packages,
              by_name: Names) -> list[str]:
    """The folders of the `packages` a runner's `targets` select, as package_run gives
    them: by folder, the one the folder it runs in is in, by name, every package (but,
    unless included, the workspace's root), less those excluded. A filter's name (pnpm's,
    nx's) without its scope is tried with any scope when no name matches it as it is, and
    then selects only a single package."""
    chosen: set[str] = set()
    for kind, value in targets:
        if value is None or kind == "except":
            continue
        if kind == "folder":
            chosen |= {folder for folder in packages if glob_match(value, folder)}
        elif kind == "cwd":  # the package the folder is in, as the runner looks up for it
            holding = [folder for folder in packages
                       if folder in (".", value) or value.startswith(folder + "/")]
            chosen |= {max(holding, key=len)} if holding else set()
        elif kind in ("name", "filter") and not any(char in value for char in "*?["):
            exact, scoped = (set(found.get(value, ())) for found in by_name)
            chosen |= exact or (scoped if kind == "filter" and len(scoped) == 1 else set())
        elif kind in ("name", "filter"):  # a glob: `@org/*`
            exact = {folder for folder, (name, _scripts) in packages.items()
                     if name and glob_match(value, name)}
            scoped = {folder for folder, (name, _scripts) in packages.items() if name
                      and name.startswith("@") and glob_match(value, name.rpartition("/")[2])}
            chosen |= exact or (scoped if kind == "filter" and len(scoped) == 1 else set())
        elif kind in ("every", "all"):
            chosen |= {folder for folder in packages if kind == "all" or folder != "."}
    excluded = [each for kind, value in targets if kind in ("except", "every", "all") and value
                for each in value.split("\n") if each]
    names = {folder: packages[folder][0] or "" for folder in chosen} if excluded else {}
    in_order = packages if len(chosen) > 1 else chosen  # most select one: not all read again
    return [folder for folder in in_order if folder in chosen and not any(
        glob_match(pattern, each) for pattern in excluded
        for each in (names[folder], names[folder].rpartition("/")[2], folder) if each)]


def _step_deploys(commands: list[str], folder: str | None, scripts: Collection[str],
                  found: dict[str, set[Any]], packages: Packages,
                  run_script: Callable[[str, str, str], None],
                  select: Callable[[frozenset[tuple[str, str | None]]], list[str]]) -> None:
    before: list[str | None] = []  # where `cd -` and `popd` go back to
    subshells: list[str | None] = []  # where the shell is again after a subshell
    for command in commands:
        if command == "(":
            subshells.append(folder)
        elif command == ")":
            folder = subshells.pop() if subshells else folder
        if command in ("(", ")"):
            continue
        if command in ("cd -", "popd"):
            folder = before.pop() if before else folder
            continue
        if (cd := re.match(r"(?:cd|pushd)(?:\s+-[LPe]+)*\s+([^\s>]+)", command)) is not None:
            before.append(folder)
            folder = _inside(folder, cd[1])
            continue
        if folder is not None and folder in packages and _RUN_ALL.search(_masked(command)):
            # `run-s build deploy`: the package's own scripts
            for script in _own_scripts(command, packages[folder][1]):
                run_script(folder, script, "")
            continue
        tool = deploy_tool(command, scripts)
        if tool is None:
            continue
        run = package_run(command) if tool.startswith("package script") else None
        if run is not None:
            run_scripts, where = run
            targets = _targets(where, folder)
            if _unknown(targets):
                found["unknown"].add(command)
            # npm runs a script's `pre` and `post` scripts around it (pnpm and yarn 2+ do not)
            hooks = ("pre", "", "post") if _runner_name(command) == "npm" else ("",)
            for package in select(targets):
                for script in run_scripts:
                    for hook in hooks if script in packages[package][1] else ():
                        if hook + script in packages[package][1]:
                            run_script(package, hook + script, command.partition(" -- ")[2])
            continue
        own = _KEPT.sub("''", command[_tool_start(command):])  # the tool's options, not a wrapper's
        env = _ENV_ARGUMENT.findall(own)
        if tool == "wrangler pages deploy":  # wrangler refuses either, whatever it names
            found["refused"] |= ({"--config"} if _CONFIG_OPTION.search(own) else set()) | (
                {"--env"} if env else set())
        if where := runner_where(command):  # `pnpm -F web exec wrangler deploy`
            # `--config ../cf/wrangler.jsonc` (and `--cwd`) from the folder of each package
            # it runs in, as the runner runs it there
            paths = _FOLDER_ARGUMENT.findall(command[_tool_start(command):])
            targets = _targets(where, folder)
            if paths and select(targets):
                named = {_inside(package, path) for package in select(targets) for path in paths}
                found["folders"] |= named - {None}
                found["kinds"] |= {(target, _KINDS[tool]) for target in named - {None} if tool in _KINDS}
                # each path as named, and where it leads in each package selected
                for path in paths:
                    each = {inside for package in select(targets)
                            if (inside := _inside(package, path)) is not None}
                    found["selected"] |= {(path, tuple(sorted(each)))} if len(each) > 1 else set()
                if None in named or _unknown(targets):
                    found["unknown"].add(command)
                continue
            given = {value for kind, value in where if kind in ("name", "filter")}
            found["names"] |= given
            found["folders"] |= (folders := {_inside(folder, value) for kind, value in where
                                             if kind == "folder"} - {None})
            found["kinds"] |= {(target, _KINDS[tool]) for target in
                               folders | {f"name:{name}" for name in given} if tool in _KINDS}
            if _unknown(targets):
                found["unknown"].add(command)
            continue
        named = {_inside(folder, value) for value in _FOLDER_ARGUMENT.findall(command)}
        names = {value.strip("\"'") for value in _NAME_ARGUMENT.findall(command) if "$" not in value}
        named |= {_inside(folder, word) for word in _positional(command)  # `pages deploy apps/x/dist`
                  if "/" in word and not word.startswith("@") and "://" not in word
                  and ".bin/" not in word and "node_modules/" not in word}
        found["names"] |= names
        # `--name api-preview` renames what wrangler deploys: the config it finds up from
        # the folder it runs in, unless a path names another.
        found["folders"] |= (named or {folder}) - {None}
        found["kinds"] |= {(target, _KINDS[tool]) for target in (
            (named or {folder}) | {f"name:{name}" for name in names}) - {None} if tool in _KINDS}
        if env and tool == "wrangler deploy" and not re.search(r"[$'\"]", env[-1]):
            found["environments"] |= {(target, env[-1]) for target in (named or {folder}) - {None}}
        if None in (named or {folder}):  # `cd apps/$app`, `--config "$CONFIG"`
            found["unknown"].add(command)


def _targets(where: list[tuple[str, str]], folder: str | None) -> frozenset[tuple[str, str | None]]:
    """Where a runner run in `folder` runs (package_run's `where`), its folders taken from
    there: the package the folder is in when it names none."""
    # turbo 2 run inside a package runs the task of that package only
    where = [("folder", "." if folder else "$") if kind == "turbo" and folder != "." else
             ("every" if kind == "turbo" else kind, value) for kind, value in where]
    return frozenset((kind, _inside(folder, value, glob=True) if kind == "folder" else value)
                     for kind, value in where) or frozenset({("cwd", folder)})


def _unknown(targets: frozenset[tuple[str, str | None]]) -> bool:
    """Whether a runner's `targets` are known only at run time (`--filter
    @org/${{ matrix.pkg }}`, a folder not known)."""
    return any(value is None or "$" in value for kind, value in targets if kind != "except")


def _action_script(given: dict[str, Any]) -> str:
    """The commands the wrangler action runs, given its `with:`: its `preCommands`, wrangler
    with each line of its `command` (deploy unless it says), then its `postCommands`."""
    before, command, after, environment = (_strings(given.get(key))[:1] or [default]
                                           for key, default in ((ACTION_COMMANDS[0], ""),
                                                                ("command", "deploy"),
                                                                (ACTION_COMMANDS[1], ""),
                                                                ("environment", "")))
    env = f" --env {environment[0].strip()}" if environment[0].strip() else ""  # as it passes it
    return "\n".join([*before, *(f"wrangler {line}" + ("" if "--env" in line else env)
                                  for line in command[0].split("\n") if line.strip()), *after])


def _commands_of(script: str) -> list[str]:
    return [command for line in shell_lines(script) for command in segments(line)]


# wrangler's options that take no value: the word after them is an argument.
_FLAGS = frozenset({"--commit-dirty", "--skip-caching", "--no-bundle", "--minify", "--keep-vars",
                    "--latest", "--upload-source-maps", "--dry-run", "--no-config", "--strict",
                    "--experimental-json-config", "--x-versions", "--no-x-versions", "--json"})


def _positional(command: str) -> list[str]:
    """The words of a command that are neither options nor what follows an option (the
    value of `--assets apps/web/dist` is no target); an expression left is `$`."""
    # `> out/deploy.log`, `2>&1`, `< input`: where output goes, no target
    spoken = re.sub(r"(?:^|\s)\d*(?:>>?|<)&?\s*\S+", " ", _KEPT.sub("$", command))
    words, found, value = spoken.split()[1:], [], False
    for word in words:
        if word.startswith("-"):
            value = "=" not in word and word not in _FLAGS
        elif not value:
            found.append(word)
        else:
            value = False
    return found


def names_config(path: str) -> bool:
    """Whether a path a deploy names (`--config`, `-c`) is a config file, not a folder."""
    return (path.endswith((".toml", ".json", ".jsonc"))
            and posixpath.basename(path) not in ("package.json", "project.json"))


def deployed(read: Sequence[Workflow], deploy_steps: Sequence[DeployStep],
             scripts: Collection[str] = (), packages: Packages | None = None,
             actions: Sequence[Workflow] = (),
             exists: Callable[[str], bool] = lambda path: True,
             exists_folded: Callable[[str], bool] | None = None) -> Deployed:
    """What `deploy_steps` deploy (see rule CF015), from the workflows they were `read` from
    and the local `actions` they run (`scripts`: the package scripts that run a wrangler
    deploy; `packages`: the package.json files read, whose scripts a runner may run): each
    step once for each set of inputs its workflow runs with and each combination of its
    job's matrix. The config files they name and the folders they run in that do not `exist`
    are named with the step; a folder not when an earlier step may make it (see
    _made_before), and on a Windows runner not when it exists in other case
    (`exists_folded`: whether a path exists, its case ignored)."""
    texts = {w.path: w.text for w in read}
    workflows = {path: _load(text) for path, text in texts.items()}
    local = {action.path: _load(action.text) for action in actions}
    inputs = _inputs_of(tuple((w.path, w.text) for w in read))
    found: dict[str, set[Any]] = {"folders": set(), "names": set(), "unknown": set(),
                                  "selected": set(), "environments": set(), "refused": set(),
                                  "kinds": set()}
    environments: dict[tuple[str, str], Location] = {}
    refused: dict[tuple[str, Location], None] = {}
    configs: dict[str, Location] = {}
    folders: dict[str, Location] = {}
    selected: dict[tuple[Location, str], dict[str, None]] = {}
    by_name = functools.cache(lambda: _names(packages or {}))
    unknown: dict[tuple[str, Location], None] = {}
    done: set[tuple[tuple[str, ...], str | None]] = set()
    for deploy in {(d.workflow, d.job, d.step, d.actions): d for d in deploy_steps}.values():
        workflow = workflows.get(deploy.workflow, {})
        job = as_mapping(as_mapping(workflow.get("jobs")).get(deploy.job))
        steps = job.get("steps")
        step = _item(steps, deploy.step)
        # A local action's step (in actions it runs in turn): its own, run by its caller.
        chain = [step]
        # The steps that run before it: the job's, then those of each local action before it.
        earlier = list(steps[:deploy.step]) if isinstance(steps, list) else []
        for action_path, number in deploy.actions:
            own = as_mapping(local.get(action_path, {}).get("runs")).get("steps")
            chain.append(_item(own, number))
            earlier += own[:number] if isinstance(own, list) else []
        source = chain[-1]
        script = (_action_script(as_mapping(source.get("with"))) if deploy.tool == WRANGLER_ACTION
                  else "\n".join(f"wrangler {line}" for line in deploy.command.partition(
                      ": wrangler ")[2].splitlines() if line.strip()) if deploy.tool == PAGES_ACTION
                  else str(source.get("run", deploy.command)))
        lines = _unrolled(shell_lines(script))
        runs = [{("inputs", name): value for name, value in run.items()}
                for run in inputs.get(deploy.workflow, [{}])]  # none: it never runs
        for run, combination, exported in itertools.islice(itertools.product(
                runs, _combinations(job), _exported(texts.get(deploy.workflow, ""), deploy.job,
                                                     deploy.step)), _LIMIT):
            scope = _scope(workflow, job, step, combination, run, exported)
            if not _may_run(step.get("if"), scope):
                continue  # `if: matrix.app == 'api'`, in the combination of another app
            for (action_path, _number), caller, own in zip(deploy.actions, chain[:-1], chain[1:],
                                                           strict=True):
                scope = _action_scope(local.get(action_path, {}), own, caller, scope)
            # Most combinations read the same script again (a matrix key it does not use):
            # it deploys nothing new, and is not read again.
            expanded = tuple(_expand(line, scope) if "$" in line else line for line in lines)
            where = _inside(".", _expand(deploy.directory, scope))
            windows = "windows" in _expand(str(job.get("runs-on", "")), scope).lower()
            if where not in (None, ".") and where not in folders and not exists(where) and not (
                    windows and exists_folded is not None and exists_folded(where)) and not (
                    _made_before(earlier, where, exists, windows)):
                folders.setdefault(where, deploy.location)
            if (expanded, where) not in done:
                done.add((expanded, where))
                this: dict[str, set[Any]] = {key: set() for key in found}
                _deploys([command for line in expanded for command in segments(line)], where,
                         scripts, this, packages or {}, by_name)
                for path, paths in this["selected"]:
                    selected.setdefault((deploy.location, path), {}).update(dict.fromkeys(paths))
                for target, env in sorted(this["environments"]):
                    environments.setdefault((target, env), deploy.location)
                refused.update(dict.fromkeys((option, deploy.location)
                                             for option in sorted(this["refused"])))
                for path in sorted(path for path in this["folders"] if names_config(path)):
                    configs.setdefault(path, deploy.location)
                if this["unknown"]:
                    unknown.setdefault((deploy.command, deploy.location))
                for key, values in this.items():
                    found[key] |= values
    return Deployed(folders=tuple(sorted(found["folders"])), names=tuple(sorted(found["names"])),
                    configs=tuple(sorted(configs.items())),
                    missing_configs=tuple(sorted((path, step) for path, step in configs.items()
                                                 if not exists(path))),
                    missing_folders=tuple(sorted(folders.items())),
                    unknown=tuple(unknown),
                    selected=tuple((step, path, tuple(sorted(paths)))
                                   for (step, path), paths in selected.items()),
                    environments=tuple((target, env, step) for (target, env), step
                                       in sorted(environments.items(), key=lambda item: item[0])),
                    pages_refused=tuple(refused), kinds=tuple(sorted(found["kinds"])))


# One comparison of a step's `if:` (`matrix.app == 'api'`), of two operands (_OPERAND).
_COMPARISON = re.compile(rf"\s*({_TERM})\s*(==|!=)\s*({_TERM})\s*")


def _may_run(condition: object, scope: Scope) -> bool:
    """Whether a step whose `if:` is `condition` may run in `scope` (a combination of its
    job's matrix): False only when the condition is comparisons of a matrix value with
    text (`matrix.app == 'api'`) joined by `&&` and `||`, and false, as GitHub compares
    text: its case ignored. Anything else may be true: an input (a person may type any
    value), an `env` value (`${{ vars.TARGET }}`), a function."""
    text = str(condition or "").strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    if not text or "(" in text or "!" in text.replace("!=", ""):
        return True

    def known(operand: str) -> str | None:
        found = _OPERAND.fullmatch(operand)
        if found is None or found[2] not in (None, "matrix"):
            return None  # a number, `vars.X`, an input, `env.X`: known when it runs
        value = found[1].replace("''", "'") if found[1] is not None else scope.get(("matrix", found[3]))
        return None if value is None or "${{" in value else value

    def holds(term: str) -> bool | None:
        found = _COMPARISON.fullmatch(term)
        left, right = (known(found[1]), known(found[3])) if found else (None, None)
        if found is None or left is None or right is None:
            return None
        return (left.lower() == right.lower()) == (found[2] == "==")

    either = [[holds(term) for term in part.split("&&")] for part in text.split("||")]
    return not all(False in terms for terms in either)


# A command that may make a folder it names (`mkdir -p out`, `cp -r a out`, `git clone URL
# out`, `tar -C out`, `unzip -d out`, `npm create cloudflare -- out`, `node gen.js > out/x`);
# not one that only names it (`cd out`, `--filter ./out`, `echo "deploying out"`).
_MAKES = re.compile(r"\b(?:mkdir|cp|mv|rsync|ln|clone|tar|unzip|degit|giget|create|init|curl|wget)\b"
                    r"|>|\s-(?:o|d|C)\b|--(?:out|output|outdir|out-dir|dest|destination)\b")
# A build (`npm run build`, `turbo run build`, `vite build`), which may write a build's
# output folder the audit does not know (`storybook-static`), and names that such a folder has.
_BUILDS = re.compile(r"(?<![\w-])build(?![\w-])|\bbuild-storybook\b", re.IGNORECASE)
_OUTPUT_NAME = re.compile(r"dist|build|out|static|public|site|bundle|release|storybook",
                          re.IGNORECASE)


def _made_before(earlier: list[Any], folder: str, exists: Callable[[str], bool],
                 windows: bool = False) -> bool:
    """Whether one of the `earlier` steps of a job may make `folder`, which the repository
    does not hold (each of its parents that it holds does `exist`): a generated one (a part
    starting with `.`), or when a step downloads artifacts, checks out a repository into a
    `path` or another repository (which replaces or joins the workspace), gives the path of
    the first folder the repository lacks on the way as a `path:` input (a cache's, an
    artifact's) or on a command line that may make it (`mkdir -p out`, `git clone URL out`,
    `tar -C out`, `node gen.js > out/index.js`; `apps/web`, not `web`, when `apps` is there;
    in any case on a `windows` runner), or runs a build while that folder is named as a
    build's output (`storybook-static`, `site`) in the root or in a package's folder."""
    parts = folder.split("/")
    if any(part.startswith(".") for part in parts):
        return True
    lacking = next((n for n in range(1, len(parts)) if not exists("/".join(parts[:n]))),
                   len(parts))
    parent = "/".join(parts[:lacking - 1])
    named = re.compile(rf"(?<![\w.-]){re.escape('/'.join(parts[:lacking]))}(?![\w-])",
                       re.IGNORECASE if windows else 0)
    output = _OUTPUT_NAME.search(parts[lacking - 1]) and (not parent
                                                          or exists(f"{parent}/package.json"))
    for step in earlier:
        if not isinstance(step, dict):
            continue
        uses, given = str(step.get("uses", "")), as_mapping(step.get("with"))
        if "download-artifact" in uses or (uses.startswith("actions/checkout")
                                           and (given.get("repository") or given.get("path"))):
            return True
        commands = shell_lines(str(step.get("run", "")))
        if named.search(str(given.get("path", ""))) or any(
                named.search(line) and _MAKES.search(line) for line in commands) or (
                    output and any(_BUILDS.search(line) for line in commands)):
            return True
    return False


# `for app in api web; do`: a loop over words written out (no `$`, glob or quote). Its body
# holds no other loop: a `for` or `done` in quoted text or a comment is no shell word.
_LOOP = re.compile(r"\bfor\s+(\w+)\s+in\s+([\w./@:-]+(?:[ \t]+[\w./@:-]+)*)\s*(?:;|\n)\s*do\b"
                   r"""((?:"(?:[^"\\]|\\.)*"|'[^']*'|(?<!\S)#[^\n]*|(?!\bfor\b|\bdone\b).)*+)"""
                   r"\bdone\b", re.DOTALL)
# Of a step's commands (lines), at most this many once its loops are read once per word (six
# loops of ten words, one inside the other, would be a million): a loop that would make more
# is left as written, and what its variable names is known only at run time.
_UNROLLED_LINES = 10_000


def _unrolled(lines: list[str]) -> list[str]:
    """A script's lines with each loop over words written out (`for app in api web; do
    …; done`) as its commands once for each word, the word in place of its variable;
    inner loops first, while the script stays within _UNROLLED_LINES lines."""
    size = [sum(1 for line in lines if line)]

    def unroll(loop: re.Match[str]) -> str:
        words = loop[2].split()
        added = _count_lines(loop[3]) * len(words) - _count_lines(loop[0])
        if size[0] + added > _UNROLLED_LINES:
            return loop[0]
        size[0] += added
        name = re.compile(rf"\$\{{?{loop[1]}\}}?(?!\w)")
        # a word holds no `\`: it is its own replacement
        return "\n".join(name.sub(word, loop[3]) for word in words)
    script, before = "\n".join(lines), None
    for _depth in range(10):  # inner loops first, then the loops around them
        if script == before:
            break
        before, script = script, _LOOP.sub(unroll, script)
    return script.split("\n")


def _count_lines(text: str) -> int:
    """The lines of `text` that are not empty."""
    return sum(1 for line in text.split("\n") if line.strip())
