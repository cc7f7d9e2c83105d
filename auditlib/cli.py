"""The command line: parse arguments, call the API, write files, choose the exit code."""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import fnmatch
import functools
import gc
import io
import json
import os
import signal
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from . import api, execute, history, repofiles, report
from .blocks import code as code_span
from .blocks import counted
from .collect import hand_written
from .config import (
    AuditConfig,
    document_path_problem,
    exclusion,
    heads,
    literal_head,
    normal_document_path,
)
from .configfile import load_config
from .docs import read_header
from .errors import AuditError
from .model import Facts, Location, Outcome, Problem
from .publish import charts_folder, check_keep_blocks, check_replaceable, publish
from .repofiles import check_repository
from .report import finding_line, render_verify
from .rules.base import no_config_found
from .secrets import redact

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
HEAD_BYTES = 4096  # `verify --docs` reads this much of each Markdown file for its header
# notebooks/ in a checkout, through the auditlib/notebooks link; a copy in an installed wheel.
DEFAULT_NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "auto-scaling-audit.ipynb"


def _date(text: str) -> str:
    try:
        return api.as_date(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _document_path(text: str) -> str:
    if problem := document_path_problem(text):
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return normal_document_path(text)


def _seconds(text: str) -> int:
    """A time limit: nbclient reads 0 or less as none, so a slip would let a stuck cell run
    for ever."""
    if not text.strip().isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds, 1 or more: {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="auditlib",
        description="Regenerate the auto-scaling audit document of a Cloudflare repository from"
                    " its wrangler configs, CI workflows and code.",
        epilog="Exit codes: 0 done; 1 the notebook failed (run), an open finding is at or"
               " above --fail-on or a new one at or above --fail-on-new (check, run), or"
               " drift was found (verify); 2 bad arguments or input, with --fail-on or"
               " --fail-on-new an audit that found no wrangler config (check, run), or an"
               " output that cannot be written (run's files, standard output).")
    top.add_argument("--version", action="version", version=f"auditlib {api.version()}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="execute the audit notebook and export the dated document",
        description="Execute the audit notebook with papermill for REPO and export it with"
                    " nbconvert into DIR/<date>/: auto-scaling-audit.md,"
                    " auto-scaling-audit.html, the executed auto-scaling-audit.ipynb,"
                    " findings.json and findings.sarif. Then rewrite the history:"
                    " DIR/index.md, DIR/index.html and DIR/history.png.")
    run.add_argument("repo", nargs="?", type=Path,
                     help="repository to audit (default: the bundled example monorepo)")
    run.add_argument("--out", type=Path, default=Path("outputs"), metavar="DIR",
                     help="output folder; each run writes DIR/<date>/ (default: ./outputs)")
    run.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                     help="audit date, also the output subfolder (default: today)")
    run.add_argument("--doc-path", type=_document_path, default=None, metavar="PATH",
                     help="where the document lives in the repository; its links are relative"
                          " to it (default: from the settings, else docs/auto-scaling.md)")
    run.add_argument("--kernel", default="python3",
                     help="Jupyter kernel that runs the notebook (default: python3)")
    run.add_argument("--timeout", type=_seconds, default=600, metavar="SECONDS",
                     help="time limit for each notebook cell, 1 or more (default: 600)")
    run.add_argument("--notebook", type=Path, default=DEFAULT_NOTEBOOK,
                     help="the audit notebook (default: auto-scaling-audit.ipynb, packaged"
                          " with auditlib; in a checkout, notebooks/auto-scaling-audit.ipynb)")
    run.add_argument("--config", type=Path, default=None, metavar="FILE",
                     help="settings file (default: REPO/auditlib.toml, or [tool.auditlib] in"
                          " REPO/pyproject.toml)")
    run.add_argument("--quiet", action="store_true",
                     help="print only errors, warnings and the summary line")
    run.add_argument("--publish", nargs="?", const=True, default=None, metavar="PATH",
                     type=_document_path,
                     help="write the document into REPO at PATH (default: --doc-path, else"
                          " the settings' doc_path, else docs/auto-scaling.md), keeping its"
                          " auditlib:keep blocks; a keep marker without its pair stops the run")
    check = commands.add_parser(
        "check", help="collect, evaluate and print, without a notebook (the CI gate)",
        description="Audit REPO without a notebook or kernel and print the findings. Exit 1"
                    " when an open finding is at or above --fail-on, or a new one at or above"
                    " --fail-on-new, 0 otherwise, 2 on bad arguments or input, and with"
                    " either when no wrangler config was found (nothing was audited).")
    check.add_argument("repo", nargs="?", type=Path,
                       help="repository to audit (default: the bundled example monorepo)")
    check.add_argument("--format", choices=("text", "json", "sarif", "junit"), default="text",
                       help="text: a line per open finding (with --baseline, ending in"
                            " (new) or (reopened) when it is), a count per rule and a summary;"
                            " json: findings.json; sarif: findings.sarif; junit: JUnit XML, a"
                            " test suite per rule (default: text)")
    check.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="settings file (default: REPO/auditlib.toml or pyproject.toml)")
    check.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                       help="audit date (default: today)")
    check.add_argument("--quiet", action="store_true",
                       help="text format: print only errors, warnings and the summary line")
    for command in (run, check):
        command.add_argument("--fail-on", choices=("P0", "P1", "P2"), default=None,
                             help="exit 1 when an open finding is at or above this severity,"
                                  " new or not: --baseline does not change what it counts;"
                                  " exit 2 when no wrangler config was found")
        command.add_argument("--fail-on-new", choices=("P0", "P1", "P2"), default=None,
                             help="exit 1 when a finding new or reopened since the baseline"
                                  + (" (or the earlier run compared with)" if command is run
                                     else "")
                                  + " is open at or above this severity; with nothing to"
                                    " compare with, every open finding counts as new; exit 2"
                                    " when no wrangler config was found")
        command.add_argument("--baseline", type=Path, default=None, metavar="FINDINGS_JSON",
                             help="compare with this earlier findings.json" + (
                                 " (default: the newest earlier run of REPO in --out)"
                                 if command is run else "") + ": report what is new, reopened"
                                 " and resolved since (a warning when it is of another"
                                 " repository or dated after the audit)")
    verify = commands.add_parser(
        "verify", help="check an existing document's claims against the repository",
        description="Check the claims of a hand-written audit document (links, line ranges,"
                    " line counts, quoted snippets and configuration, named bindings, 'not"
                    " configured' statements, its header) against the repository. With"
                    " --docs, check every Markdown file with a header block under DIR."
                    " Exit 1 when a claim drifted, a header is missing a field, out of date"
                    " or wrong about its status, or a document under DIR could not be read;"
                    " 0 when all holds; 2 when DOC cannot be read or DIR holds no document"
                    " with a header block.")
    verify.add_argument("doc", nargs="?", type=Path,
                        help="the Markdown document to check (a relative path is read from"
                             " the current folder, or from --repo if it is not there)")
    verify.add_argument("--docs", type=Path, metavar="DIR",
                        help="check every document with a header block under DIR instead"
                             " (found as DOC is)")
    verify.add_argument("--repo", type=Path, default=Path("."),
                        help="the repository the document describes (default: .)")
    verify.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: a line per finding; json: the findings (default: text)")
    verify.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                        help="the date to judge freshness against (default: today)")
    verify.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="settings file (default: REPO/auditlib.toml or pyproject.toml)")
    rules = commands.add_parser(
        "rules", help="list the rules (id, severity, title)",
        description="List the rule registry; with REPO or --config, as its settings change it"
                    " (severities, disabled rules). `--format markdown` prints docs/rules.md.")
    rules.add_argument("repo", nargs="?", type=Path,
                       help="show the severities and disabled rules of this repository's settings")
    rules.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="settings file (default: REPO/auditlib.toml or pyproject.toml)")
    rules.add_argument("--format", choices=("text", "markdown"), default="text",
                       help="text: a line per rule; markdown: docs/rules.md, the registry's"
                            " defaults (default: text)")
    return top


def _rules(args: argparse.Namespace) -> int:
    from .rulesdoc import rules_markdown, rules_text

    if args.format == "markdown":
        if args.repo or args.config:
            raise AuditError("rules --format markdown documents the registry's defaults;"
                             " REPO and --config apply to the text format")
        print(rules_markdown(), end="")
        return EXIT_OK
    if args.repo is not None:
        check_repository(args.repo)  # what `check` says of it
    config = load_config(args.repo, args.config) if args.repo or args.config else None
    if config is not None:
        _unread_settings(config)
    print(rules_text(config=config), end="")
    return EXIT_OK


def _inside(repo: Path, path: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(repo).as_posix()
    except ValueError:
        hint = (f" (read from the current folder; the repository's is {repo / path})"
                if not path.is_absolute() and _exists(repo / path) else "")
        raise AuditError(f"{what} {path} is not inside the repository {repo}{hint}") from None


def _in_repo(repo: Path, path: Path) -> Path:
    """A relative `path` that does not exist from the current folder, read from the repository
    instead (`verify --repo shop docs/a.md` run outside `shop`)."""
    if path.is_absolute() or _exists(path) or not _exists(repo / path):
        return path
    return repo / path


def _exists(path: Path) -> bool:
    """Whether `path` exists; a name too long or a folder that cannot be read says no."""
    try:
        return path.exists()
    except OSError:
        return False


def _check_publish(repo: Path, doc_path: Path) -> str | None:
    """Refuse, before the run, a document path to publish at that the run could not write:
    outside the repository (through a symbolic link, also its charts' folder), a folder, or
    under a file; a document whose keep blocks are not closed; and one written by hand that
    git does not keep. The notice to give when it replaces one git keeps, or None."""
    target, charts = repo / doc_path, charts_folder(repo / doc_path)
    for path in (target, charts):
        _inside(repo, path, "--publish")
    if target.is_dir():
        raise AuditError(f"--publish {target} is a folder: name the document")
    if any(parent.exists() and not parent.is_dir() for parent in target.parents):
        raise AuditError(f"--publish {target}: a folder on its path is a file")
    if charts.exists() and not charts.is_dir():
        raise AuditError(f"--publish: the folder for its charts, {charts}, is a file")
    existing = next(parent for parent in target.parents if parent.exists())
    if not os.access(existing, os.W_OK):  # a read-only checkout, also for root
        raise AuditError(f"--publish {target}: {existing} cannot be written to")
    check_keep_blocks(target)
    return check_replaceable(repo, target)


def _ignored_publication(repo: Path, doc_path: Path) -> None:
    """Say on stderr when git ignores the published document or its charts (`*.png` in a
    .gitignore): committed as the example workflow adds them, the document would be
    missing, or show no charts, where it is hosted."""
    paths = [doc_path.as_posix(), *sorted(path.relative_to(repo).as_posix()
                                          for path in charts_folder(repo / doc_path).glob("chart-*.png"))]
    ignored = repofiles.ignored_by_git(repo, paths)
    if ignored:
        them = "them" if ignored[1:] else "it"
        print(report.one_line(
            f"auditlib: git ignores {code_span(ignored[0])}"
            + (f" and {counted(len(ignored) - 1, 'more file')}" if ignored[1:] else "")
            + f" of the published document: add {them} with `git add -f`, or the document"
            f" where it is hosted lacks {them}"), file=sys.stderr)


def _uncommitted_publication(changed: Sequence[str]) -> None:
    """Say on stderr that the published document describes the `changed` files, which have
    changes not committed (their names escaped: they are the repository's)."""
    if changed:
        print(report.one_line(
            f"auditlib: the published document describes changes not committed, in"
            f" {code_span(changed[0])}"
            + (f" and {counted(len(changed) - 1, 'more file')}" if changed[1:] else "")
            + ": commit them with it, or it describes what the repository does not hold"),
            file=sys.stderr)


def _has_header(path: Path) -> bool:
    """Whether the Markdown file at `path` starts with a header block; its first line says,
    so a file too large or not UTF-8 is still told apart. One that cannot be read as text
    (UTF-16, binary: NUL bytes) is checked too, so that verify says why it is not read."""
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError:
        return True
    if b"\0" in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return bool(read_header(head.decode("utf-8", errors="replace").split("\n", 1)[:1])[0])


def _verify(args: argparse.Namespace) -> int:
    if (args.doc is None) == (args.docs is None):
        raise AuditError("verify takes a document or --docs DIR (one of them)")
    repo = repofiles.check_repository(args.repo)
    config = load_config(repo, args.config)
    if args.docs is not None:
        args.docs = _in_repo(repo, args.docs)
        if not args.docs.is_dir():
            raise AuditError(f"--docs {args.docs}: "
                             + ("not a folder (name a document without --docs)"
                                if args.docs.exists() else "no such folder"))
        folder = _inside(repo, args.docs, "--docs")
        found = [path for path in repofiles.list_files(repo, ("*.md",))
                 if folder == "." or path.startswith(folder + "/")]
        excluded = exclusion(config.exclude)  # a folder's drafts, say: not checked
        listed = [path for path in found if excluded(path) is None]
        markdown = hand_written(repo, listed)  # not the documents `run` wrote there
        documents = [path for path in markdown if _has_header(repo / path)]
        if not documents:  # a gate that checks nothing must not pass: a wrong folder, say
            raise AuditError(f"--docs {args.docs}: nothing was checked: " + (
                f"none of its {counted(len(markdown), 'Markdown file')} starts with a header"
                " block (`Type: …` lines at the very top; YAML front matter is not one)"
                if markdown else "it holds no Markdown file"
                + (" the settings do not exclude" * (len(listed) < len(found)))
                + (" but the documents of auditlib runs, which are outputs" * bool(listed))))
    else:
        args.doc = _in_repo(repo, args.doc)
        if not args.doc.is_file():
            raise AuditError(
                f"document not found: {args.doc}" if not args.doc.exists()
                else f"{args.doc} is a folder (check the documents in it with --docs)"
                if args.doc.is_dir() else f"{args.doc} is not a regular file")
        documents = [_inside(repo, args.doc, "document")]
    _unread_settings(config)
    # A named document is the audit document; in a docs tree it is the settings' doc_path.
    audit = api.verify(repo, documents, config, args.date,
                       doc_path=documents[0] if args.doc is not None else None,
                       folder=folder if args.docs is not None else None)
    if args.doc is not None and not audit.facts.claims:  # bad input, as a missing document
        raise AuditError("document not read: " + "; ".join(
            f"{problem.location}: {problem.message}" for problem in audit.facts.problems
            if problem.location.path == documents[0]))
    if args.format == "json":
        print(audit.to_json(), end="")
    else:
        text = render_verify(audit.facts, audit.findings, audit_date=audit.audit_date,
                             config=audit.config,
                             folder=folder if args.docs is not None else None)
        print(redact(text, audit.secrets()), end="")
    return EXIT_OK if report.verify_status(audit.findings, audit.facts) == "CURRENT" else EXIT_FAILED


def _gate(findings: Sequence[dict[str, str]], fail_on: str | None) -> int:
    """EXIT_FAILED when an open (not waived) finding is at or above `fail_on`."""
    if fail_on is None:
        return EXIT_OK
    failing = sum(1 for f in findings if f["outcome"] != "WAIVED" and f["severity"] <= fail_on)
    if failing:
        print(f"auditlib: failing: {counted(failing, 'open finding')} at or above {fail_on}",
              file=sys.stderr)
    return EXIT_FAILED if failing else EXIT_OK


def _gate_new(findings: Sequence[dict[str, str]], changes: dict[str, Any] | None,
              fail_on_new: str | None, nothing_before: str) -> int:
    """EXIT_FAILED when a finding new or reopened since the comparison (`changes`, as in
    findings.json) is open (not waived) at or above `fail_on_new`. With nothing compared
    with (`nothing_before` says why), every open finding is new: a first run must not pass."""
    if fail_on_new is None:
        return EXIT_OK
    by_identity: dict[str, list[str]] = {}
    for finding in findings:
        if finding["outcome"] != "WAIVED":
            by_identity.setdefault(finding["identity"], []).append(finding["severity"])
    if changes is None:
        print(f"auditlib: --fail-on-new: {nothing_before}: every open finding counts as new",
              file=sys.stderr)
        severities = [severity for found in by_identity.values() for severity in found]
    else:
        # compare() counts alike findings in order: still open first, then reopened, then new.
        fresh = Counter([*changes["new"], *changes["reopened"]])
        severities = [severity for identity, number in fresh.items()
                      for severity in by_identity[identity][len(by_identity[identity]) - number:]]
    failing = sum(1 for severity in severities if severity <= fail_on_new)
    if failing:
        since = f" since {changes['since']}" if changes else ""
        print(f"auditlib: failing: {counted(failing, 'new or reopened finding')}{since} at or"
              f" above {fail_on_new}", file=sys.stderr)
    return EXIT_FAILED if failing else EXIT_OK


def _earlier_run(out: Path, audit_date: str, repo: str) -> Path | None:
    """findings.json of the newest run in `out` dated before `audit_date` that is of `repo`
    and can be compared with. A damaged one is passed over, and the run says so; so are
    runs of another repository (an --out shared by two), in one line."""
    others: dict[str, str] = {}  # date: repository

    def usable(path: Path) -> bool:
        try:
            data = api.load_baseline(path)
        except AuditError as exc:
            print(f"auditlib: {exc}: passed over", file=sys.stderr)
            return False
        if isinstance(data.get("repo"), str) and data["repo"] != repo:
            others[path.parent.name] = data["repo"]
            return False
        return True

    found = history.latest_before(out, audit_date, usable)
    if others:
        day, name = next(iter(others.items()))  # the newest
        print(f"auditlib: passed over {counted(len(others), 'earlier run')} in {out} of another"
              f" repository than `{repo}` (the newest: {day}, of `{name}`); " + (
                  f"comparing with the run of {found.parent.name}" if found
                  else "nothing to compare with (--baseline would compare all the same)"),
              file=sys.stderr)
    return found


def _other_baseline(path: Path, baseline_repo: object, baseline_date: object, repo: str,
                    audit_date: str) -> None:
    """Say on stderr when the baseline is of another repository (by its folder's name, which
    a CI checkout may spell otherwise: not refused) or dated after the audit."""
    if isinstance(baseline_repo, str) and baseline_repo != repo:
        print(f"auditlib: baseline {path} audited the repository `{baseline_repo}`, not"
              f" `{repo}`: the changes since it compare two repositories (or one checked out"
              " under two names)", file=sys.stderr)
    try:
        later = date.fromisoformat(str(baseline_date)) > date.fromisoformat(audit_date)
    except ValueError:
        later = False
    if later:
        print(f"auditlib: baseline {path} is dated {baseline_date}, after the audit's date"
              f" {audit_date}: the changes since it run backwards", file=sys.stderr)


def _since(changes: dict[str, Any] | None) -> str:
    """The summary line's changes since the baseline (findings.json's `changes`), or ""."""
    if not changes:
        return ""
    reopened = f" {len(changes['reopened'])} reopened," if changes.get("reopened") else ""
    unchecked = (f", {len(changes['unchecked'])} not checked" if changes.get("unchecked")
                 else "")
    unchecked += (f", {len(changes['disabled'])} not checked (rule disabled)"
                  if changes.get("disabled") else "")
    return (f" (since {changes['since']}: {len(changes['new'])} new,{reopened}"
            f" {len(changes['resolved'])} resolved{unchecked})")


def _run(args: argparse.Namespace) -> int:
    with execute.ipython_dir():  # before the kernel is looked for
        return _run_in(args)


def _run_in(args: argparse.Namespace) -> int:
    repo = None if args.repo is None else repofiles.check_repository(args.repo)
    config = load_config(repo, args.config)  # a bad file stops here, before a kernel starts
    if repo is not None:
        _git_cannot_read(repo)
    _unread_settings(config)
    if args.publish is not None and repo is None:
        raise AuditError("--publish writes into the audited repository: name REPO")
    publish_to = args.publish if isinstance(args.publish, str) else None
    doc_path = publish_to or args.doc_path or config.doc_path
    replacing, changed = None, []
    if args.publish is not None and repo is not None:
        replacing = _check_publish(repo, Path(doc_path))
        # Before the run: what it publishes is not a change of the repository's own.
        ours = (doc_path, f"{charts_folder(Path(doc_path)).as_posix()}/",
                *([f"{args.out.resolve().relative_to(repo).as_posix()}/"]
                  if args.out.resolve().is_relative_to(repo) else []))
        changed = [path for path in repofiles.uncommitted(repo) if not path.startswith(ours)]
    audit_date = args.date or date.today().isoformat()
    repo_name = (repo or api.EXAMPLE_REPO).name  # as findings.json's `repo` names it
    if args.baseline is not None:
        given = api.load_baseline(args.baseline)
        _other_baseline(args.baseline, given.get("repo"), given.get("audit_date"),
                        repo_name, audit_date)
    if not args.notebook.is_file():
        raise AuditError(f"notebook not found: {args.notebook} (install auditlib from a clone"
                         " with `pip install -e .`, or pass --notebook)")
    execute.check_kernel(args.kernel)  # before --out is made: a refused run writes nothing
    if args.out.exists() and not args.out.is_dir():
        raise AuditError(f"--out {args.out}: not a folder")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryDirectory(dir=args.out).cleanup()  # as the run will write there
    except OSError as exc:
        raise AuditError(f"--out {args.out}: cannot be written to ({exc.strerror})") from None
    for name in history.FILES:
        if (args.out / name).is_dir():
            raise AuditError(f"--out {args.out}: {name} is a folder: the history is written there")
    if foreign := history.not_written_here(args.out):
        raise AuditError(f"--out {args.out}: {' and '.join(foreign)} {'is' if len(foreign) == 1 else 'are'}"
                         " not an audit history, which a run writes there and would replace"
                         f" {'it' if len(foreign) == 1 else 'them'}: choose another folder"
                         f" (as {args.out / 'audits'})")
    baseline = args.baseline or _earlier_run(args.out, audit_date, repo_name)
    if repo is None:  # also with --quiet: a scheduled job must not publish the example unseen
        print("auditlib: no REPO given: auditing the bundled example", file=sys.stderr)
    written = execute.run(
        notebook=args.notebook, out_dir=args.out / audit_date, kernel=args.kernel,
        timeout=args.timeout, progress=not args.quiet and sys.stderr.isatty(),
        on_findings=functools.partial(history.draw_ahead, args.out, audit_date),
        expect=("findings.json", "findings.sarif"),
        parameters={"repo_path": "" if repo is None else str(repo), "audit_date": audit_date,
                    "doc_path": doc_path,
                    "config_path": "" if args.config is None else str(args.config.resolve()),
                    "baseline_path": "" if baseline is None else str(Path(baseline).resolve())},
        # The executed notebook records paths as given: no machine's folders in its diffs.
        shown={"repo_path": "" if args.repo is None else str(args.repo),
               "config_path": "" if args.config is None else str(args.config),
               "baseline_path": "" if baseline is None else str(baseline)})
    try:
        written += history.write_index(args.out)
    except AuditError as exc:
        raise AuditError(f"{exc}; the run is in {args.out / audit_date}") from None
    if args.publish is not None and repo is not None:
        run_dir = args.out / audit_date
        document = (run_dir / f"{execute.NAME}.md").read_text(encoding="utf-8")
        try:
            written.append(publish(document, repo / doc_path, run_dir / f"{execute.NAME}_files",
                                   report.file_url(dataclasses.replace(config, doc_path=doc_path),
                                                   doc_path)))
        except AuditError as exc:
            raise AuditError(f"{exc}; the run is in {run_dir}") from None
        if replacing:
            print(report.one_line(f"auditlib: {replacing}"), file=sys.stderr)
        _ignored_publication(repo, Path(doc_path))
        _uncommitted_publication(changed)
    if not args.quiet:
        for path in written:
            print(path)
    data = json.loads((args.out / audit_date / "findings.json").read_text(encoding="utf-8"))
    _excluding_nothing(config, data["facts"]["excluded"])
    _unused_waivers(config, data["findings"], data["audit_status"],
                    [problem["location"]["path"] for problem in data["facts"]["problems"]],
                    date.fromisoformat(audit_date))
    _unused_suppressions(data["facts"]["suppressions"], data["findings"], config)
    counts = data["counts"]
    print(f"auditlib: {audit_date}: "
          f"{counted(sum(counts.values()) - counts['WAIVED'], 'open finding')}: "
          + ", ".join(f"{key} {value}" for key, value in counts.items())
          + _since(data.get("changes"))
          + _incomplete(data["audit_status"], data["findings"],
                        len({problem["location"]["path"] for problem in data["facts"]["problems"]
                             if not problem.get("refused")}),
                        bool(data["facts"]["configs"])))
    nothing = _found_no_config(data["facts"])
    if nothing:
        _nothing_to_audit(args.repo, _gates(args), any(data["facts"]["excluded"].values()))
    code = max(_gate(data["findings"], args.fail_on),
               _gate_new(data["findings"], data["changes"], args.fail_on_new,
                         f"no --baseline, and no earlier run of `{repo_name}` in {args.out}"))
    return EXIT_USAGE if nothing and _gates(args) else code


def _unread_settings(config: AuditConfig) -> None:
    """Say on stderr that pyproject.toml's `[tool.auditlib]` is not read, as auditlib.toml
    comes first: its waivers and disabled rules would be lost unseen."""
    if config.unread_source:
        print(f"auditlib: {config.unread_source}: [tool.auditlib] is not read: {config.source}"
              " holds the settings, and comes first (keep them in one file)", file=sys.stderr)


def _excluding_nothing(config: AuditConfig, excluded: dict[str, int]) -> None:
    """Say on stderr which of the settings' `exclude` patterns kept no file out of the audit
    (`excluded`: the files each did): a typo, or a folder since moved."""
    for pattern, files in excluded.items():
        if not files:
            print(f"auditlib: exclude `{report.one_line(pattern)}`"
                  + (f" ({config.source})" if config.source else "")
                  + " matches no file the audit reads, or only files another pattern excludes:"
                    " remove it, or correct it", file=sys.stderr)


def _unused_waivers(config: AuditConfig, findings: Sequence[dict[str, Any]], status: str,
                    unread: Sequence[str] = (), on: date | None = None) -> None:
    """Say on stderr which waivers of the settings match no finding (fixed since, or a typo
    in their rule or path): a stale waiver would hide the next finding of its kind. While
    the audit is INCOMPLETE, not those of a path `unread` (or in a folder of them), and
    the others with a word that the finding may be in what could not be read. Also which
    have expired `on` the audit's date, with findings open again."""
    if not config.waivers:
        return  # no findings to file
    # The findings' paths by rule and by each literal_head a waiver covering one can have:
    # each waiver is tested against those, not against every finding.
    filed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        for head in heads(str(finding["path"])):
            filed[str(finding["rule"]), head].append(str(finding["path"]))
    for waiver in config.waivers:
        where = f" ({config.source}:{waiver.line})" if config.source and waiver.line else ""
        path = report.one_line(waiver.path)  # the settings are the repository's: no escapes
        if waiver.rule in config.disabled_rules:
            print(f"auditlib: the waiver of {waiver.rule} for `{path}`{where} has nothing to"
                  f" waive: {waiver.rule} is disabled (`disable`)", file=sys.stderr)
            continue
        incomplete = status == "INCOMPLETE" and bool(unread)  # not: no config found
        if incomplete and any(waiver.covers(waiver.rule, path) or waiver.path.startswith(f"{path}/")
                              for path in unread):
            continue
        near = filed.get((waiver.rule, literal_head(waiver.path)), [])
        # A `*` that crossed folders as waivers were read before (fnmatch) no longer does.
        across = sorted({found for found in near if "*" in waiver.path and "**" not in waiver.path
                         and fnmatch.fnmatchcase(found, waiver.path)
                         and not waiver.covers(waiver.rule, found)})
        if across:
            print(f"auditlib: the waiver of {waiver.rule} for `{path}`{where} does not cover"
                  f" `{report.one_line(across[0])}`" + (f" and {len(across) - 1} more" if across[1:] else "")
                  + ": its `*` matches within one folder; write `**` to match across folders",
                  file=sys.stderr)
        elif on and waiver.expired(on) and (reopened := sum(
                waiver.covers(waiver.rule, found) for found in near)):
            print(f"auditlib: the waiver of {waiver.rule} for `{path}`{where} expired on"
                  f" {waiver.expires}: {counted(reopened, 'finding')} it waived"
                  f" {'is' if reopened == 1 else 'are'} open again; renew it (a later"
                  " `expires`) or remove it", file=sys.stderr)
        elif not any(waiver.covers(waiver.rule, found) for found in near):
            whole = waiver.path == "(repository)" or "." in filed.get((waiver.rule, "."), ())
            # `apps/a`, a folder with findings in it: `exclude` takes a folder, a waiver not
            folder = any(found.startswith(f"{waiver.path.rstrip('/')}/") for found in near)
            print(f"auditlib: the waiver of {waiver.rule} for `{path}`{where} matches no"
                  " finding" + (" of the inputs that could be read (one that could not may"
                                " hold it)" * incomplete)
                  + (f": it names a folder; write `{path.rstrip('/')}/**` to waive the findings"
                     " in it" if folder else ": remove it, or correct its rule or path") + (
                      " (a finding about the whole repository, shown as `(repository)`, has"
                      ' path ".")' if whole else ""), file=sys.stderr)


def _unused_suppressions(suppressions: Sequence[dict[str, Any]], findings: Sequence[dict[str, Any]],
                         config: AuditConfig) -> None:
    """Say on stderr which rules of the configs' inline suppressions suppress no finding
    (fixed since, or a typo in the rule): a stale one would hide the next finding of its
    kind there, as a stale waiver would. Not those CF016 reports (no effect where they are,
    an unknown rule), nor those of a rule that could not run."""
    from .rules import RULES

    used = {(str(f["rule"]), waiver.split("`")[1]) for f in findings
            if (waiver := str(f.get("waiver") or "")).startswith("inline at `")}
    failed = {str(f["rule"]) for f in findings if f["outcome"] == "ERROR"}
    known = {rule.id for rule in RULES}
    for suppression in suppressions:
        where = f"{suppression['location']['path']}:{suppression['location']['start_line']}"
        for rule in suppression["rules"] if not suppression["no_effect"] else ():
            if rule not in known or rule in failed or (rule, where) in used:
                continue
            why = (f"{rule} is disabled (`disable`)" if rule in config.disabled_rules
                   else f"no {rule} finding where it stands")
            print(f"auditlib: the suppression of {rule} at `{report.one_line(where)}` suppresses"
                  f" nothing ({why}): remove it, or correct its rule", file=sys.stderr)


def _incomplete(status: str, findings: Sequence[dict[str, Any]], problems: int,
                configs: bool) -> str:
    """The summary line's word on an audit that could not read everything, or "": `problems`
    is counted from the facts' problems, not CF000's findings, which may be disabled: each
    input once, however many problems it has."""
    if status != "INCOMPLETE":
        return ""
    errors = sum(1 for f in findings if f["outcome"] == "ERROR")
    why = ([counted(problems, "input") + " not read or not audited"] * bool(problems)
           + [counted(errors, "rule") + " failed"] * bool(errors)
           + ["no wrangler config audited"] * (not configs))
    return f"; audit INCOMPLETE ({', '.join(why)})"


def _check(args: argparse.Namespace) -> int:
    from .sarif import sarif_text

    audit = api.run_audit(args.repo, args.date, config_path=args.config,
                          baseline=args.baseline)
    facts = audit.facts
    if args.repo is None:  # also with --quiet
        print("auditlib: no REPO given: auditing the bundled example", file=sys.stderr)
    status = report.audit_status(facts, audit.findings)
    if args.repo is not None and facts.commit is None:
        _git_cannot_read(args.repo)
    _unread_settings(audit.config)
    _excluding_nothing(audit.config, facts.excluded)
    _unused_waivers(audit.config, [{"rule": f.rule, "path": f.location.path}
                                   for f in audit.findings], status,
                    [problem.location.path for problem in facts.problems], audit.config.audit_date)
    _unused_suppressions([{"location": {"path": s.location.path, "start_line": s.location.start_line},
                           "rules": s.rules, "no_effect": s.no_effect} for s in facts.suppressions],
                         [{"rule": f.rule, "waiver": f.waiver, "outcome": str(f.outcome)}
                          for f in audit.findings], audit.config)
    nothing = no_config_found(facts)
    if nothing:
        _nothing_to_audit(args.repo, _gates(args), any(facts.excluded.values()))
    open_findings = [f for f in audit.findings if f.outcome != Outcome.WAIVED]
    changes = audit.changes.to_dict() if audit.changes else None
    if audit.changes and args.baseline is not None:
        _other_baseline(args.baseline, audit.changes.repo, audit.changes.since, facts.repo,
                        audit.audit_date)
    if not args.quiet and sys.stderr.isatty():
        print(f"auditlib: read {counted(len(facts.configs), 'wrangler config')},"
              f" {counted(len(facts.workflows), 'workflow')},"
              f" {counted(len(facts.claims), 'document')};"
              f" {counted(len(open_findings), 'open finding')}",
              file=sys.stderr)
    if args.format == "json":
        print(audit.to_json(), end="")
    elif args.format == "sarif":
        print(sarif_text(audit), end="")
    elif args.format == "junit":
        from .junit import junit_text

        print(junit_text(audit), end="")
    else:
        secrets = audit.secrets()
        # alike findings are told apart as compare() counts them: by object, not by value
        mark = {id(f): " (new)" for f in audit.changes.new} | {
            id(f): " (reopened)" for f in audit.changes.reopened} if audit.changes else {}
        for finding in [] if args.quiet else open_findings:
            print(finding_line(finding, secrets) + mark.get(id(finding), ""))
        by_rule = Counter((f.severity, f.rule, f.title) for f in ([] if args.quiet else open_findings))
        for (severity, rule, title), number in sorted(by_rule.items()):
            print(f"  {number:>5}  {severity} {rule} {title}")
        print(f"auditlib: {audit.audit_date}: {audit.summary()}{_since(changes)}"
              + _incomplete(status, [{"outcome": str(f.outcome)} for f in audit.findings],
                            len({problem.location.path for problem in facts.problems
                                 if not problem.refused}),
                            bool(facts.configs)))
    findings = [{"identity": f.identity, "outcome": str(f.outcome), "severity": str(f.severity)}
                for f in audit.findings]
    code = max(_gate(findings, args.fail_on),
               _gate_new(findings, changes, args.fail_on_new, "no --baseline"))
    return EXIT_USAGE if nothing and _gates(args) else code


def _git_cannot_read(repo: Path) -> None:
    """Say on stderr when git cannot read the repository (a checkout another user owns, in a
    CI container; no git installed): the audit then knows neither its commit nor what git
    tracks."""
    why = repofiles.git_refusal(repo)
    if why:
        print(f"auditlib: git cannot read {repo} ({why}): the audit names no commit, and reads"
              " the files as if git were not there (.gitignore alone decides)", file=sys.stderr)


def _gates(args: argparse.Namespace) -> str:
    """The gates asked for, as written (`--fail-on P0 and --fail-on-new P1`), or ""."""
    return " and ".join(f"{option} {value}" for option, value in (
        ("--fail-on", args.fail_on), ("--fail-on-new", args.fail_on_new)) if value)


def _nothing_to_audit(repo: Path | None, gates: str, excluded: bool = False) -> None:
    """Say on stderr that the audit found no wrangler config (outside what the settings
    exclude, when they do): with a gate (`gates`), why it does not pass (exit 2), as
    `verify --docs` that checks nothing."""
    print(f"auditlib: no wrangler config (wrangler.toml, wrangler.json, wrangler.jsonc)"
          f" found in {repo}" + (" outside the paths the settings exclude" * excluded)
          + ": there is nothing to audit"
          + (f"; {gates} does not pass an audit of nothing" if gates else ""),
          file=sys.stderr)


def _found_no_config(facts: dict[str, Any]) -> bool:
    """`no_config_found` of the facts of a findings.json: its problems are enough when it
    holds no config."""
    return not facts["configs"] and no_config_found(Facts(repo=facts["repo"], problems=tuple(
        Problem(location=Location(**problem["location"]), column=problem["column"],
                message=problem["message"], ignored=problem["ignored"], folder=problem["folder"])
        for problem in facts["problems"])))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"rules": _rules, "verify": _verify, "run": _run, "check": _check}[args.command](args)
    except execute.RunFailed as exc:
        print(f"auditlib: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except AuditError as exc:
        print(f"auditlib: {exc}", file=sys.stderr)
        return EXIT_USAGE


class OutputError(AuditError):
    """Standard output that cannot be written (a full disk, stdout closed): exit 2 with one
    line, not a traceback and exit 1, which a CI job would read as the gate failing."""


class _UntilClosed:
    """Standard output that stops writing once its reader has gone (`auditlib check |
    head`): the command still finishes, and exits with its own code (the gate's). Any other
    failure to write raises OutputError, once; what follows is dropped."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream: TextIO = stream if stream is not None else self._nowhere()
        self._closed = stream is None  # `auditlib check >&-`: Python gives no sys.stdout

    @staticmethod
    def _nowhere() -> TextIO:
        return open(os.devnull, "w")

    def _failed(self, exc: OSError | ValueError) -> OutputError:
        self._stream = self._nowhere()
        why = (exc.strerror if isinstance(exc, OSError) and exc.strerror
               else "standard output is closed")
        return OutputError(f"cannot write the output: {why}")

    def write(self, text: str) -> int:
        if self._closed:
            self._closed = False
            raise OutputError("cannot write the output: standard output is closed")
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._stream = self._nowhere()
            return len(text)
        except (OSError, ValueError) as exc:  # ValueError: a file closed under it
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._stream = self._nowhere()
        except (OSError, ValueError) as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class _Terminated(BaseException):
    """SIGTERM (a CI job cancelled or out of time), raised as Ctrl-C raises KeyboardInterrupt:
    the run's `finally` blocks then stop the kernel and remove the staging folder."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def entry() -> None:
    """The `auditlib` command: main(), then its output flushed and the process ended without
    tearing down every object it made (as mypy does): after a run, 0.1 to 0.2 s of nothing.
    The cyclic garbage collector runs less often, as in mypy: a check of 1,000 apps makes
    millions of objects and hardly any cycles, and collecting them took 0.15 s."""
    gc.set_threshold(200_000, 30, 30)
    for stream in (sys.stdout, sys.stderr):  # a character no encoding takes loses no output
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    sys.stdout = _UntilClosed(sys.stdout)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = main()
    except _Terminated:
        print("auditlib: stopped by SIGTERM", file=sys.stderr)
        code = 128 + signal.SIGTERM
    except SystemExit as exc:  # --help, --version, a usage error: flushed below as the rest
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE if exc.code else EXIT_OK
    except OutputError as exc:  # writing --help or --version, as the arguments are parsed
        print(f"auditlib: {exc}", file=sys.stderr)
        code = EXIT_USAGE
    try:
        sys.stdout.flush()
    except OutputError as exc:  # most output reaches the file only here
        print(f"auditlib: {exc}", file=sys.stderr)
        code = EXIT_USAGE
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
