"""The collect stage: read the repository into Facts, with locations and no verdicts."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import posixpath
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from . import claims as claims_of
from . import codesearch, docs, repofiles, workflows, wrangler
from .blocks import counted
from .config import CODE_GLOBS, GLOB_CHARS, NOT_TESTS, TEST_FOLDERS, Probe, exclusion, glob_match
from .docs import read_header
from .errors import ConfigParseError
from .model import (
    Claim,
    CodeClass,
    DeployStep,
    DocClaims,
    Document,
    Facts,
    LatencyMonitor,
    Location,
    Match,
    Problem,
    ProviderSelection,
    Search,
    Suppression,
    WranglerConfig,
)

T = TypeVar("T")


def among_tests(path: str) -> bool:
    """Whether a file is in a folder of tests or fixtures (`test/fixtures/basic/wrangler.toml`,
    vitest's `test/wrangler.toml`), where the code search does not look either."""
    return bool(TEST_FOLDERS.intersection(path.split("/")[:-1]))


def hand_written(root: Path, paths: Sequence[str]) -> list[str]:
    """The Markdown `paths` less those that `auditlib run` wrote (docs.RUN_DOCUMENTS: in a
    run's folder, or one left staging, and the history). `run --out docs/audits` puts them
    under docs/; they are outputs, with links relative to the doc_path, and read as
    documents each run would report on the runs before it."""
    return [path for path in paths
            if (beside := docs.RUN_DOCUMENTS.get(posixpath.basename(path))) is None
            or not (root / posixpath.dirname(path) / beside).is_file()]


def _read_each(repo: Path, paths: list[str], read: Callable[[str, str], T],
               problems: list[Problem], listed: bool = True, utf16: bool = False) -> list[T]:
    """Apply `read(path, text)` to each file (`listed`: found by ripgrep; `utf16`: read as
    UTF-16 too, as repofiles.read_text says); a file that fails becomes a Problem."""
    results = []
    for path in paths:
        warnings: list[ConfigParseError] = []
        try:
            results.append(read(path, repofiles.read_text(repo, path, warnings, listed=listed,
                                                          utf16=utf16)))
        except ConfigParseError as exc:
            warnings.append(exc)
        except OSError as exc:
            problems.append(Problem(location=Location(path=path), column=None,
                                    message=f"unreadable: {exc.strerror or exc}"))
        problems += [Problem(location=Location(path=path, start_line=warning.line),
                             column=warning.column, message=warning.message)
                     for warning in warnings]
    return results


def _each_text(texts: dict[str, str], read: Callable[[str, str], T],
               problems: list[Problem]) -> list[T]:
    """Apply `read(path, text)` to each of `texts` (by path), already read; a file that
    fails becomes a Problem."""
    found = []
    for path, text in texts.items():
        try:
            found.append(read(path, text))
        except ConfigParseError as exc:
            problems.append(Problem(location=Location(path=path, start_line=exc.line),
                                    column=exc.column, message=exc.message))
    return found


def _code_facts(repo: Path, configs: list[WranglerConfig], problems: list[Problem],
                extra: Sequence[Probe], matches: list[Match], tracked: Sequence[str],
                excluded: Callable[[str], str | None]) -> dict[str, Any]:
    """Facts found by the code probes (`matches`, by path and line), as keyword arguments
    of Facts; `tracked` are the files a search names (`repofiles.tracked_unlisted`), and
    code `excluded` is not read."""
    # The classes bindings name: Durable Objects' and Workflows' (CF009).
    do_classes = {str(b.properties.get("class_name")) for c in configs for scope in c.scopes()
                  for b in scope.bindings if b.kind in ("durable_objects", "workflows")}
    providers: list[ProviderSelection] = []
    # a variable's defaults where it is read without a choice (`env.X ?? "memory"`)
    defaults: dict[str, set[str]] = {}
    latency: list[LatencyMonitor] = []
    classes: list[CodeClass] = []
    reexports = [m.location for m in matches
                 if m.probe == "export-list" and codesearch.star_export(m.text)]
    calls: dict[tuple[str, int | None], Match] = {}  # metrics calls over several lines
    for path, found in codesearch.by_path(matches).items():
        wanted = [m for m in found if (
                  m.probe in ("provider-variable", "latency-threshold")
                  or (m.probe == "exported-class"
                      and (m.groups["class"] in do_classes or "DurableObject" in m.text))
                  # export { Counter } or export { RoomDO as Room } from "./room": read on
                  # when the list goes on over more lines
                  or (m.probe == "export-list"
                      and "{" in m.text  # not `export * from`: no names to read
                      and ("}" not in m.text
                           or do_classes.intersection(codesearch.line_exports(m.text)))))
                  and codesearch.in_code(m)]
        open_calls = [m for m in found if m.probe == "metrics-sink"
                      and not codesearch.commented(m.text) and codesearch.open_call(m.text)]
        if not wanted and not open_calls:  # other classes, extra probes: nothing to read
            continue
        try:
            # Split at \n only: ripgrep numbers lines that way (splitlines also splits at
            # U+2028, \f and a lone \r).
            warnings: list[ConfigParseError] = []
            # Up to a NUL byte, as ripgrep searched it.
            text = repofiles.read_text(repo, path, warnings, listed=True,
                                       up_to_nul=True).removesuffix("\n")
            problems += [Problem(location=Location(path=path, start_line=warning.line),
                                 column=warning.column, message=warning.message)
                         for warning in warnings]
            lines = [line.rstrip("\r") for line in text.split("\n")] if text else []
            # Past a NUL byte nothing was read, whatever ripgrep matched there.
            wanted = [m for m in wanted if (m.location.start_line or 1) <= len(lines)]
        except ConfigParseError as exc:  # too large, binary: skipped with its reason
            problems.append(Problem(location=Location(path=path, start_line=exc.line),
                                    column=exc.column, message=exc.message))
            continue
        except OSError as exc:
            problems.append(Problem(location=Location(path=path), column=None,
                                    message=f"unreadable: {exc.strerror or exc}"))
            continue
        opened = {m.location.start_line: m for m in open_calls}  # a bundle's line: read once
        calls |= {(path, line): codesearch.call(m, lines) for line, m in opened.items()
                  if (line or 1) <= len(lines)}
        seen: set[str] = set()
        read: set[tuple[str, int | None]] = set()  # a bundle's line reads a variable many times
        for match in wanted:
            if match.probe == "provider-variable" and match.groups["variable"] not in seen and (
                    (match.groups["variable"], match.location.start_line) not in read):
                read.add((match.groups["variable"], match.location.start_line))
                selection = codesearch.provider_selection(
                    path, lines, match.groups["variable"], match.location.start_line or 1)
                if selection is not None:  # else a mention (a type, a comment): read on
                    seen.add(match.groups["variable"])
                    providers.append(selection)
                elif given := codesearch.DEFAULT.search(match.text):  # `?? "memory"`
                    defaults.setdefault(match.groups["variable"], set()).add(given[1])
            elif match.probe == "latency-threshold" and codesearch.is_latency_check(match):
                latency.append(codesearch.latency_monitor(path, lines, match))
        classes += codesearch.code_classes(
            path, lines, (m for m in wanted if m.probe == "exported-class"))
        classes += [CodeClass(name=name, location=m.location, file_lines=len(lines), summary=None,
                              defined=False)
                    for m in wanted if m.probe == "export-list"
                    for name in codesearch.export_names(lines, m.location.start_line or 1)
                    if name in do_classes]
    # `export const Room = instrument(RoomBase)` (Sentry's wrapper): searched for only when a
    # bound class is exported no other way, not in every `export const` of every file.
    exported = {c.name for c in classes if not c.default}
    classes += [found for found in _value_exports(
        repo, sorted(name for name in do_classes - exported if _JS_NAME.fullmatch(name)), tracked)
        if excluded(found.location.path) is None]
    metrics = tuple(calls.get((m.location.path, m.location.start_line), m) for m in matches
                    if m.probe == "metrics-sink" and not codesearch.commented(m.text))
    extra_names = {probe.name for probe in extra}
    patterns, globs = codesearch.SEARCHES["metrics"]
    # A selection without a default of its own takes the one given where the variable is read
    # elsewhere, when every such place gives the same (`?? "redis"` and `|| "kv"`: none).
    agreed = {variable: next(iter(given)) for variable, given in defaults.items()
              if len(given) == 1}
    return {
        "providers": tuple(sorted((dataclasses.replace(p, default=agreed.get(p.variable))
                                   if p.default is None else p for p in providers),
                                  key=lambda p: (p.variable, p.location.path))),
        "latency": tuple(latency),
        "classes": tuple(classes),
        "reexports": tuple(reexports),
        "metrics": metrics,
        "extra": tuple(m for m in matches if m.probe in extra_names),
        "searches": {"metrics": Search(command=repofiles.search_command(patterns, globs),
                                       matches=metrics)},
    }


def _with_files(config: WranglerConfig, listed: set[str],
                under: Callable[[str], list[str]]) -> WranglerConfig:
    """`config` with the `main` files of its scopes that are not in the repository, and
    whether it is a static Pages site; `under` lists the repository's files in a folder."""
    entries = {entry for scope in config.scopes() if (entry := config.entry(scope))}
    # Whether or not a build made it on this machine: the same on every checkout. One in a
    # build's folder (`dist/index.js`) is not searched anyway (CF009).
    missing = sorted(entry for entry in entries if entry not in listed
                     and not entry.startswith(("../", "/")) and not repofiles.in_excluded_dir(entry))
    output = config.top.settings.get("pages_build_output_dir")
    static = False
    if config.target == "pages" and isinstance(output, str):
        output = posixpath.normpath(posixpath.join(config.app, output))
        worker = posixpath.normpath(posixpath.join(output, "_worker.js"))  # a file, or a folder
        # Functions are the scripts of `functions` where wrangler runs (a README is none).
        functions = under(posixpath.normpath(posixpath.join(config.app, "functions")))
        static = bool(under(output)) and not any(
            path == worker or path.startswith(f"{worker}/") for path in under(output)) and not any(
            path.endswith((".js", ".mjs", ".ts", ".jsx", ".tsx")) for path in functions)
    return (dataclasses.replace(config, missing_entries=tuple(missing), static_site=static)
            if missing or static else config)


def _under(root: Path, ordered: Callable[[], list[str]]) -> Callable[[str], list[str]]:
    """The repository's files in a folder ("." all): from the listing, or, in a folder it
    leaves out (a committed `dist/`), those git tracks there."""
    def under(folder: str) -> list[str]:
        files = ordered()
        if folder == ".":
            return files
        if repofiles.in_excluded_dir(f"{folder}/-"):
            done = repofiles.git(root, "ls-files", "-z", "--", folder)
            return [path for path in done.stdout.split("\0") if path] if done and not done.returncode else []
        start = bisect.bisect_left(files, folder + "/")
        end = bisect.bisect_left(files, folder + "0")  # "/" + 1: past the folder's files
        return files[start:end]
    return functools.cache(under)


# An initialiser that makes a function or a component, not a class: `() => <div/>`,
# `async (req) =>`, `function`, `memo(…)`, `forwardRef(…)`, `lazy(…)`.
_FUNCTION = re.compile(r"=\s*(?:async\s+)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]*)?=>"
                       r"|=\s*(?:async\s+)?function\b|=\s*(?:React\.)?(?:memo|forwardRef|lazy)\s*\(")
_JS_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def _value_exports(repo: Path, names: Sequence[str], tracked: Sequence[str]) -> list[CodeClass]:
    """The `export const NAME = …` (or `let`, `var`) of `names` in the code (and in the
    `tracked` files a .gitignore matches), as classes: one ripgrep pass, only when there are
    names to look for. What it cannot read, the probes' pass has reported."""
    if not names:
        return []
    # Any value (`instrument(RoomBase)`, `Base`, a value on the next line) but a function or
    # a component's (`export const Room = () => <div/>`); in the syntax ripgrep and Python's
    # re both read.
    pattern = re.compile(rf"\bexport\s+(?:const|let|var)\s+({'|'.join(map(re.escape, names))})\b")
    found = []
    searching = repofiles.search(repo, [pattern.pattern], CODE_GLOBS + NOT_TESTS)
    searching.also(tracked)
    for path, line, text in searching:
        named = pattern.search(text)
        if named is None or codesearch.commented(text) or _FUNCTION.search(text, named.end()):
            continue
        try:
            lines = claims_of.file_lines(repofiles.read_text(repo, path, [], listed=True,
                                                             up_to_nul=True))
        except (ConfigParseError, OSError):
            continue
        found.append(CodeClass(name=named[1], location=Location(path=path, start_line=line),
                               file_lines=len(lines), summary=codesearch.doc_summary(lines, line)))
    return found


def _with_packages(repo: Path, configs: list[WranglerConfig], files: set[str],
                   problems: list[Problem]) -> tuple[list[WranglerConfig], workflows.Packages]:
    """`configs`, each with the `name` of the package.json beside it and the scripts of it
    that run a wrangler deploy (what a CI step may run: `pnpm --filter web deploy`); and
    the package.json files read, by folder: beside each config, and the root's."""
    folders = list(dict.fromkeys([".", *(config.app for config in configs)]))

    def read(name: str, parse: Callable[[str, str], tuple[str | None, dict[str, str]] | None]
             ) -> dict[str, tuple[str | None, dict[str, str]]]:
        paths = [posixpath.join(folder, name) if folder != "." else name for folder in folders]
        return {posixpath.dirname(path) or ".": found for path, found in _read_each(
            repo, [path for path in paths if path in files],
            lambda path, text: (path, parse(path, text)), problems) if found is not None}
    # An Nx project's targets (project.json) run like its package's scripts, which win.
    scripts_of, targets_of = read("package.json", _package), read("project.json", _project)
    packages = {folder: ((scripts_of.get(folder) or targets_of[folder])[0], {
        **targets_of.get(folder, (None, {}))[1], **scripts_of.get(folder, (None, {}))[1]})
        for folder in folders if folder in scripts_of or folder in targets_of}
    # The workspace's other packages, by their name only: a runner may run wrangler in one
    # (`pnpm --filter @org/site exec wrangler deploy --config ../../cf/wrangler.jsonc`).
    # One that cannot be read is no app's, and is not reported.
    member = _workspace_member(repo, files)
    workspace = sorted(path for path in repofiles.select(files, ("package.json",))
                       if (posixpath.dirname(path) or ".") not in packages and not among_tests(path)
                       and not repofiles.in_excluded_dir(path) and member(posixpath.dirname(path)))
    packages |= {posixpath.dirname(path) or ".": (found[0], {}) for path, found in _read_each(
        repo, workspace, lambda path, text: (path, _package(path, text)), []) if found is not None}
    # A script deploys with wrangler, or by running another that does: of its own package,
    # or of another (`"release": "pnpm --filter @org/api run deploy"`).
    own = {folder: workflows.deploying_scripts(scripts) for folder, (_name, scripts) in
           packages.items()}
    others = {script for deploying in own.values() for script in deploying}
    found = []
    for config in configs:
        package = packages.get(config.app)
        if package is None:
            found.append(config)
            continue
        name, scripts = package
        deploying = workflows.deploying_scripts(scripts, others)
        found.append(dataclasses.replace(config, package=name, deploy_scripts=tuple(
            script for script in scripts if script in deploying)))
    return found, packages


def _workspace_member(repo: Path, files: set[str]) -> Callable[[str], bool]:
    """Whether a folder holds a package of the workspace, as its globs say (pnpm-workspace.yaml's
    `packages`, the root package.json's `workspaces`, a list or yarn's `{packages: [...]}`;
    `!` excludes): a runner selects no other (`examples/web` is not `pnpm --filter web`'s).
    Without a workspace file that can be read, every folder."""
    def globs(path: str, text: str) -> list[str]:
        try:
            data = workflows.as_mapping(yaml.safe_load(text) if path.endswith(".yaml") else
                                        json.loads(text.removeprefix(docs.BOM)))
        except (yaml.YAMLError, ValueError, RecursionError):
            return []
        listed = data.get("packages") if path.endswith(".yaml") else data.get("workspaces")
        listed = workflows.as_mapping(listed).get("packages") if isinstance(listed, dict) else listed
        return [glob for glob in listed if isinstance(glob, str)] if isinstance(listed, list) else []
    found = [expanded for each in _read_each(repo, [path for path in (
        "pnpm-workspace.yaml", "package.json") if path in files], globs, [])
             for glob in each for expanded in _braces(glob)]
    patterns = [glob.removeprefix("!").removeprefix("./").rstrip("/") for glob in found]
    included = [pattern for glob, pattern in zip(found, patterns, strict=True) if glob[:1] != "!"]
    excluded = [pattern for glob, pattern in zip(found, patterns, strict=True) if glob[:1] == "!"]
    if not included:
        return lambda folder: True
    includes, excludes = _folder_matcher(included), _folder_matcher(excluded)
    return lambda folder: includes(folder) and not excludes(folder)


def _folder_matcher(patterns: list[str]) -> Callable[[str], bool]:
    """Whether a folder matches one of `patterns`: one without a glob character by its name,
    not by trying each (a workspace may list 4,000 packages one by one)."""
    literal = {pattern for pattern in patterns if not GLOB_CHARS.search(pattern)}
    globs = [pattern for pattern in patterns if pattern not in literal]
    return lambda folder: folder in literal or any(glob_match(glob, folder) for glob in globs)


MAX_BRACES = 1_000  # a glob's expansions: ten groups of `{a,b}`; 22 took 15 s and 480 MB


def _braces(glob: str) -> list[str]:
    """A glob's braces expanded, as pnpm's and npm's globs read them: `{apps,services}/*` is
    `apps/*` and `services/*`; the first MAX_BRACES of them."""
    done: list[str] = []
    todo = [glob]
    while todo and len(done) < MAX_BRACES:
        each = todo.pop()
        found = re.search(r"\{([^{}]*)\}", each)
        if found is None:
            done.append(each)
        else:
            todo += [each[:found.start()] + part + each[found.end():]
                     for part in reversed(found[1].split(","))]
    return done


def _package(path: str, text: str) -> tuple[str | None, dict[str, str]] | None:
    """A package.json's `name` and scripts; None when it is not a JSON object. One that
    cannot be parsed raises ConfigParseError."""
    try:
        data = wrangler.json_checked(path, text, json.loads(text.removeprefix(docs.BOM)))
    except ValueError as exc:
        raise ConfigParseError(path, getattr(exc, "lineno", None), getattr(exc, "colno", None),
                               f"not valid JSON: {getattr(exc, 'msg', exc)}") from exc
    except RecursionError as exc:
        raise ConfigParseError(path, None, None, "nested too deeply to read") from exc
    if not isinstance(data, dict):
        return None
    scripts = data.get("scripts")
    return (data["name"] if isinstance(data.get("name"), str) else None,
            {key: value for key, value in scripts.items() if isinstance(value, str)}
            if isinstance(scripts, dict) else {})


# Nx's executors that run shell commands (`nx:run-commands`, and its older names).
RUN_COMMANDS = ("nx:run-commands", "@nx/workspace:run-commands", "@nrwl/workspace:run-commands")


def _project(path: str, text: str) -> tuple[str | None, dict[str, str]] | None:
    """An Nx project.json's `name` and the targets that run commands, each as the script it
    amounts to, run in the project's folder: the commands joined, after a `cd` to where Nx
    runs them (`options.cwd`, from the workspace's root; the root when it is not set). Nx
    reads comments and trailing commas in it, as wrangler does in its JSON configs."""
    data = wrangler.parse(path, text)
    folder = posixpath.dirname(path) or "."
    targets = {}
    for target, spec in workflows.as_mapping(data.get("targets")).items():
        spec = workflows.as_mapping(spec)
        options = workflows.as_mapping(spec.get("options"))
        if spec.get("executor", RUN_COMMANDS[0]) not in RUN_COMMANDS:
            continue
        given = spec.get("command") or options.get("command") or options.get("commands") or []
        commands = [command for each in (given if isinstance(given, list) else [given])
                    if isinstance(command := each if isinstance(each, str)
                                  else workflows.as_mapping(each).get("command"), str)]
        cwd = options.get("cwd")
        if commands:
            where = posixpath.relpath(cwd if isinstance(cwd, str) else ".", folder)
            targets[target] = f"cd {where} && " + " && ".join(commands)
    return (data["name"] if isinstance(data.get("name"), str) else None), targets


def _with_target(claim: Claim, exists: bool, unread: str | None, local: bool) -> Claim:
    """`claim` with what the repository holds at its target: whether it exists, why its
    lines could not be read, and whether it is only on this machine (git-ignored)."""
    data = {**claim.data, "exists": exists}
    if unread is not None:
        data["unread"] = unread
    if local:
        data["local_only"] = True
    return dataclasses.replace(claim, data=data)


def _folded(files: Sequence[str]) -> set[str]:
    """The listed `files` and the folders that hold them, in lower case (a Windows runner's
    paths ignore case)."""
    return {"/".join(parts[:n]) for path in files if (parts := path.lower().split("/"))
            for n in range(1, len(parts) + 1)}


def _file_inside(repo: Path, path: str, folder: bool = False) -> bool:
    """Whether `path` is a file inside `repo` (or a symbolic link to one); or a folder."""
    try:
        return ((repo / path).is_file() or (folder and (repo / path).is_dir())) and (
            (repo / path).resolve().is_relative_to(repo.resolve()))
    except OSError:
        return False


def _on_disk(inside: Callable[[str], bool], claim: Claim) -> Claim:
    """A citation or snippet whose name matched no listed file, pointed at the file of that
    path, from the repository's root or the document's folder, when there is one (`inside`
    says whether a path is a file inside the repository)."""
    name = claim.data.get("name")
    if claim.data.get("candidates") or not isinstance(name, str):
        return claim
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(claim.location.path), name))
    for path in dict.fromkeys((name, beside)):
        if inside(path):
            return dataclasses.replace(claim, target=path, data={**claim.data, "candidates": [path]})
    return claim


# Claims that may cite a name several files have (`latency.ts:1-500`), and how many of
# those files are read to check them.
AMBIGUOUS = ("citation", "snippet")
MAX_CANDIDATES = 10


def _doc_claims(repo: Path, documents: Sequence[str], files: list[str],
                problems: list[Problem]) -> list[DocClaims]:
    """The claims of each document, with the text of the repository files (`files`, all of
    them) whose lines they cite. Each claim about a path inside the repository says whether
    it `exists` (a listed file or a folder), why the file's lines were not read
    (`unread`: binary, too large) when they could not be, and, for a linked file that is
    there, whether it is `local_only` (git-ignored)."""
    listed = set(files)
    listing = claims_of.Listing(listed)
    found = []
    read: list[Problem] = []
    documents_read = []
    linked: set[str] = set()  # files linked that the listing leaves out
    # Asked once for each path: 800 documents may cite the same few names thousands of times.
    inside = functools.cache(functools.partial(_file_inside, repo))
    for path, text in _read_each(repo, list(documents), lambda p, t: (p, t), read,
                                 listed=False):
        # A cited name the listing does not hold may still be a file (in `build/`, ignored).
        claims = [_on_disk(inside, claim) for claim in claims_of.read_claims(path, text, listing)]
        cited = {c.target for c in claims if c.target and not c.data.get("escapes")
                 and not c.target.startswith(("../", "/"))}  # a quoted config's folder too
        folders = {p for p in cited - listed if (repo / p).is_dir()}
        # The listing leaves out symbolic links, ignored files (a committed `.env.example`)
        # and build output folders (`build/`, `dist/`): a cited one that is there, is there.
        unlisted = {p for p in cited - listed - folders if inside(p)}
        linked |= {c.target for c in claims if c.kind == "link" and c.target in unlisted}
        documents_read.append((path, text, claims, cited, folders, unlisted))
    local = repofiles.local_only(repo, linked)  # those a reader of the repository lacks
    for path, text, claims, cited, folders, unlisted in documents_read:
        header, header_lines, _end = read_header(docs.markdown_lines(text))
        # Only files whose lines are cited are read: a linked image is not text, and need not be.
        wanted = sorted({c.target for c in claims
                         if (c.target in listed or c.target in unlisted)
                         and claims_of.cites_lines(c)}
                        # a name several files have: each, to find whether one holds the lines
                        | {path for c in claims if c.target is None and c.kind in AMBIGUOUS
                           for path in (c.data.get("candidates") or [])[:MAX_CANDIDATES]})
        failed: list[Problem] = []
        # Code, as ripgrep reads it: UTF-16 too.
        texts = dict(_read_each(repo, wanted, lambda p, t: (p, t), failed, utf16=True))
        unread = {p.location.path: p.message for p in failed if p.location.path not in texts}
        read += failed
        claims = [_with_target(claim, claim.target in listed or claim.target in unlisted
                               or claim.target in folders,
                               unread.get(claim.target), claim.target in local)
                  if claim.target in cited else claim for claim in claims]
        generated = docs.is_generated(text)
        found.append(DocClaims(path=path, header=header, header_lines=header_lines,
                               claims=tuple(claims), files=texts,
                               folders=tuple(sorted(folders)), generated=generated,
                               notes=len(docs.keep_lines(text)) if generated else 0))
    # A document under docs/ was read before, and a file two documents cite is read twice.
    seen = {problem.location.path for problem in problems}  # one problem a file is enough
    problems += [problem for problem in dict.fromkeys(read) if problem.location.path not in seen]
    return found


def _read_nowhere(texts: dict[str, str], why: str) -> list[Suppression]:
    """The suppressions written in `texts` (by path), where none is read (`why`)."""
    return [dataclasses.replace(found, no_effect=why) for path, text in texts.items()
            for found in wrangler.suppressions(path, text)]


def collect(repo: str | Path, probes: Sequence[Probe] = (),
            documents: Sequence[str] | None = None, doc_path: str | None = None,
            exclude: Sequence[str] = ()) -> Facts:
    """Read the repository at `repo` into Facts, running `probes` beside the built-in ones
    and reading the claims of `documents` (repository-relative Markdown paths; by default
    every document under docs/ that has a header block, and the audit document `doc_path`
    wherever it is). Nothing in the paths `exclude` names (config.exclusion) is read, but
    a document may cite a file there.

    Raises RepositoryError if it is not there.
    """
    root = repofiles.check_repository(Path(repo))
    all_probes = (*codesearch.PROBES, *probes)
    # ripgrep searches while the listed files are read.
    searching = codesearch.start_probes(root, all_probes)
    listing = repofiles.start_listing(root)
    # While ripgrep lists the files: what it passes over in silence, of what is read here.
    read = [repofiles.matcher(globs) for globs in (
        (*wrangler.CONFIG_NAMES, "package.json", "project.json", *workflows.ACTION_NAMES),
        workflows.WORKFLOW_GLOBS, docs.DOC_GLOBS, (*CODE_GLOBS, *NOT_TESTS),
        *(probe.globs for probe in probes))]
    passed_over, links = repofiles.walk_problems(root, lambda path: any(test(path) for test in read))
    problems: list[Problem] = []
    files, unlisted, tracked = listing()
    excluded = exclusion(exclude)
    # Those excluded by each pattern: the rest is audited (`files` stays whole: what exists).
    counts = dict.fromkeys(exclude, 0)
    audited = [] if exclude else files
    for path in files if exclude else ():
        if (pattern := excluded(path)) is None:
            audited.append(path)
        else:
            counts[pattern] += 1
    tracked, links = ([path for path in paths if excluded(path) is None] for paths in (tracked, links))
    searching.also(tracked)  # a file git tracks that a .gitignore matches: ripgrep passed it over
    texts: dict[str, str] = {}

    def load(path: str, text: str) -> WranglerConfig:
        texts[path] = text
        refused: list[ConfigParseError] = []
        config = wrangler.load(path, text, refused)
        problems.extend(Problem(location=Location(path=path, start_line=error.line), column=None,
                                message=error.message, refused=True) for error in refused)
        return config

    listed = set(files)
    # A config that is a link to a file of the repository: wrangler reads it where the link is.
    # Which config of a folder wrangler reads, of all there: one the settings exclude still
    # shadows those beside it, which are neither audited in its place nor reported.
    config_paths = sorted(path for path in repofiles.select([*files, *links], wrangler.CONFIG_NAMES)
                          if not among_tests(path))
    used = wrangler.used_configs(config_paths)
    config_paths = [path for path in config_paths if excluded(path) is None]
    problems += [Problem(location=Location(path=path), column=None, ignored=True,
                         message=f"wrangler reads `{posixpath.basename(used[path])}` in the same"
                                 " folder instead (delete this file, or merge it there)")
                 for path in config_paths if used[path] != path and excluded(used[path]) is None]
    configs = _read_each(root, [path for path in config_paths if used[path] == path], load,
                         problems)
    configs, packages = _with_packages(root, configs, listed, problems)
    scripts = {script for config in configs for script in config.deploy_scripts}
    # A root script deploys when it runs one of theirs (`turbo run deploy`).
    scripts |= workflows.deploying_scripts(packages.get(".", (None, {}))[1], scripts)
    actions: dict[str, workflows.LocalAction | None] = {}

    def action(folder: str) -> workflows.LocalAction | None:
        """The local action in `folder` a step runs, read once."""
        if folder not in actions:
            paths = [path for name in workflows.ACTION_NAMES
                     if (path := posixpath.join(folder, name)) in listed and excluded(path) is None]
            found = _read_each(root, paths[:1], workflows.read_action, problems)
            actions[folder] = found[0] if found else None
        return actions[folder]

    # GitHub runs the workflows in .github/workflows itself, not in folders under it.
    workflow_texts = dict(_read_each(root, [path for path in repofiles.select(
        audited, workflows.WORKFLOW_GLOBS) if posixpath.dirname(path) == ".github/workflows"],
        lambda path, text: (path, text), problems))
    inputs = workflows.input_sets(workflow_texts)
    read_workflows = _each_text(workflow_texts, lambda path, text: workflows.collect(
        path, text, scripts, action, inputs.get(path, ())), problems)
    steps: list[DeployStep] = [step for _workflow, found in read_workflows for step in found]
    folded = functools.cache(lambda: _folded(files))  # read only for a Windows runner
    # The folders that hold a listed file: most folders a deploy runs in, known without
    # asking the file system (a matrix of 1,000 apps would ask 1,000 times).
    holding = functools.cache(lambda: {path.rpartition("/")[0] for path in files})
    deployed = workflows.deployed([workflow for workflow, _steps in read_workflows], steps,
                                  scripts, packages,
                                  [found[0] for found in actions.values() if found],
                                  lambda path: path in listed or path in holding()
                                  or _file_inside(root, path, True),
                                  lambda path: path.lower() in folded())
    # A config a deploy names that wrangler would not find by itself: `--config
    # wrangler.prod.jsonc` is the one deployed.
    configs += _read_each(root, [path for path in deployed.folders if path in listed
                                 and path not in texts and workflows.names_config(path)
                                 and not among_tests(path) and excluded(path) is None], load, problems)
    under = _under(root, functools.cache(lambda: sorted(files)))
    configs = [_with_files(config, listed, under) for config in configs]
    found_docs = repofiles.select(audited, docs.DOC_GLOBS)
    found_docs += [doc_path] if (doc_path in listed and doc_path not in found_docs
                                 and excluded(doc_path) is None) else []
    docs_found: list[Document] = _read_each(root, hand_written(root, found_docs),
                                            docs.read_document, problems)
    unmatched: list[tuple[str, int]] = []
    lines = searching if not exclude else (
        found for found in searching if excluded(found[0]) is None)
    code = _code_facts(root, configs, problems, probes,
                       codesearch.probe_matches(all_probes, lines, unmatched), tracked, excluded)
    # What ripgrep could not read as it is, for files nothing else has reported; and once,
    # the lines it matched that no probe matches in Python (a line not UTF-8 is reported).
    reported = {problem.location.path for problem in problems}
    read_badly = reported | {path for path, _line, _why in searching.problems}
    unmatched = [found for found in unmatched if found[0] not in read_badly]
    missed: list[tuple[str, int | None, str]] = [(*unmatched[0], "ripgrep matched this line" + (
        f" and {counted(len(unmatched) - 1, 'more line')}" if unmatched[1:] else "")
        + ", but Python's re matches no probe's regex there: the two read a probe's regex"
          " differently, and the probe misses these lines")] if unmatched else []
    for path, line, why in dict.fromkeys(
            [(path, None, why) for path, why in [*unlisted, *passed_over]] + searching.problems
            + missed):
        if excluded(path) is not None:
            continue
        try:  # a path past PATH_MAX raises ("File name too long", as ripgrep said of it)
            folder = stat.S_ISDIR((root / path).lstat().st_mode)
        except OSError:
            folder = False
        # a broken fixture is none of the audit's business
        among = (among_tests(f"{path}/-") if folder else
                 posixpath.basename(path) in wrangler.CONFIG_NAMES and among_tests(path))
        if path not in reported and not among:
            reported.add(path)
            problems.append(Problem(location=Location(path=path, start_line=line), column=None,
                                    message=why, folder=folder))
    code["searches"]["placement"] = codesearch.search_texts("placement", texts)
    if documents is None:
        documents = [document.path for document in docs_found if document.header]
    claims = _doc_claims(root, documents, files, problems)
    parsed = {config.path for config in configs}
    return Facts(
        repo=root.name,
        commit=repofiles.head_commit(root),
        configs=tuple(configs),
        deploy_steps=tuple(steps),
        deployed=deployed,
        workflows=tuple(workflow for workflow, _steps in read_workflows),
        documents=tuple(docs_found),
        problems=tuple(problems),
        claims=tuple(claims),
        excluded=counts,
        suppressions=(*(found for config in configs
                        for found in wrangler.suppressions(config.path, config.text)),
                      *_read_nowhere({path: text for path, text in texts.items()
                                      if path not in parsed}, "the config could not be parsed (CF000)"),
                      *_read_nowhere(workflow_texts, "suppressions are read in wrangler configs"
                                                     " only, not in workflows")),
        **code,
    )
