"""Bad input, secrets, markup and failed runs: the audit completes, reports, leaks nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import nbformat
import pytest

import auditlib
from auditlib import api, cli, repofiles
from auditlib.errors import AuditError
from auditlib.model import Location, Outcome, Problem
from auditlib.rules import unreadable_input

DATE = "2026-11-26"
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "auto-scaling-audit.ipynb"
VALID = 'name = "ok"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-01"\n' \
        '[[kv_namespaces]]\nbinding = "GOOD_KV"\nid = "REPLACE_ME"\n'


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A repository full of files an audit must survive."""
    repo = tmp_path / "repo"
    (repo / "apps").mkdir(parents=True)
    files = {
        "apps/ok/wrangler.toml": VALID,
        "apps/toml/wrangler.toml": 'name = "t"\n[[kv_namespaces]\nbinding = "X"\n',
        "apps/jsonc/wrangler.jsonc": '{\n  "name": "j",\n  "main": "a" "b"\n}\n',
        ".github/workflows/broken.yml": "on: push\njobs:\n  a: [\n",
    }
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    (repo / "apps/latin1").mkdir()
    (repo / "apps/latin1/wrangler.toml").write_bytes(b'name = "caf\xe9"\nmain = "a.ts"\n')
    (repo / "apps/binary").mkdir()
    (repo / "apps/binary/wrangler.toml").write_bytes(b'name = "b"\n\x00\x01\x02')
    (repo / "apps/huge").mkdir()
    (repo / "apps/huge/wrangler.toml").write_text(
        'name = "h"\n' + "# padding\n" * (repofiles.MAX_FILE_BYTES // 10 + 1), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "wrangler.toml").write_text('name = "outside"\n[vars]\nX = "OUTSIDE_CANARY"\n',
                                            encoding="utf-8")
    (repo / "apps/linked").symlink_to(outside, target_is_directory=True)
    (repo / "apps/loop").symlink_to(repo / "apps/loop")
    return repo


def test_every_bad_file_is_reported_and_the_rest_is_audited(hostile: Path) -> None:
    audit = auditlib.run_audit(hostile, DATE)
    problems = {f.location.path: f for f in audit.findings if f.rule == "CF000"}
    expected = {
        "apps/toml/wrangler.toml": ("apps/toml/wrangler.toml:2", "column"),
        "apps/jsonc/wrangler.jsonc": ("apps/jsonc/wrangler.jsonc:3", "column"),
        ".github/workflows/broken.yml": (".github/workflows/broken.yml:", "column"),
        "apps/latin1/wrangler.toml": ("apps/latin1/wrangler.toml:1", "not UTF-8"),
        "apps/binary/wrangler.toml": ("apps/binary/wrangler.toml:2", "binary content"),
        "apps/huge/wrangler.toml": ("apps/huge/wrangler.toml", "MiB limit: skipped"),
        "apps/linked": ("apps/linked", "outside the repository: not followed"),
        "apps/loop": ("apps/loop", "symbolic link loop"),
    }
    assert set(problems) == set(expected)
    for path, words in expected.items():
        assert all(word in problems[path].message for word in words), problems[path].message
    # Everything else is still audited, the non-UTF-8 config included.
    names = {c.name for c in audit.facts.configs}
    assert names == {"ok", "café".replace("é", "\ufffd")}
    assert any(f.rule == "CF001" and f.subject == "GOOD_KV" for f in audit.findings)
    assert "OUTSIDE_CANARY" not in audit.to_json()
    assert "Audit-status: INCOMPLETE" in audit.markdown()


def test_unreadable_file_is_reported(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "wrangler.toml" and path.parent.name == "ok":
            raise PermissionError(13, "Permission denied")
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    found = [f for f in auditlib.run_audit(hostile, DATE).findings if f.rule == "CF000"]
    assert any(f.location.path == "apps/ok/wrangler.toml" and "Permission denied" in f.message
               for f in found)


PROVIDER_CODE = ("export function pick(env: Env) {\n  const p = env.CART_STORE_PROVIDER;\n"
                 '  if (p === "redis") return new RedisStore();\n  return new MemoryStore();\n}\n')


def _cf000(repo: Path) -> dict[str, str]:
    audit = auditlib.run_audit(repo, DATE)
    return {str(f.location): f.message for f in audit.findings if f.rule == "CF000"}


def test_code_that_is_not_utf8_or_holds_a_nul_keeps_its_evidence_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    latin1 = PROVIDER_CODE.replace("CART_STORE_PROVIDER;", "CART_STORE_PROVIDER; // caf\xe9")
    (tmp_path / "src/store.ts").write_bytes(latin1.encode("latin-1"))
    # A NUL after a metrics call: searched, and said so.
    (tmp_path / "src/metrics.ts").write_bytes(b"env.M.writeDataPoint({});\n// \0\n")
    # A NUL after a provider selection: read up to it, and said so.
    (tmp_path / "src/other.ts").write_text(PROVIDER_CODE.replace("CART_", "OTHER_") + "// \0\n",
                                           encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [s.variable for s in audit.facts.providers] == ["CART_STORE_PROVIDER",
                                                           "OTHER_STORE_PROVIDER"]
    assert [f.message.endswith("binary content (NUL byte): read up to it")
            for f in audit.findings if f.rule == "CF000" and f.location.path == "src/other.ts"] == [True]
    assert [m.location.path for m in audit.facts.metrics] == ["src/metrics.ts"]
    problems = {str(f.location): f.message for f in audit.findings if f.rule == "CF000"}
    assert "not UTF-8" in problems["src/store.ts:2"]
    assert "NUL byte at byte 29): searched whole, read up to it" in problems["src/metrics.ts:2"]


def test_utf16_code_is_read_as_ripgrep_reads_it_and_a_utf16_config_is_named(tmp_path: Path) -> None:
    """ripgrep searches a file with a UTF-16 byte order mark as the text it holds; its
    NUL bytes are no binary content (QA s28b)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "src/store.ts").write_bytes(PROVIDER_CODE.encode("utf-16"))
    (tmp_path / "src/other.ts").write_bytes(
        b"\xfe\xff" + PROVIDER_CODE.replace("CART_", "OTHER_").encode("utf-16-be"))
    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/wrangler.toml").write_bytes(VALID.encode("utf-16"))
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [(s.variable, s.location.start_line, s.location.end_line)
            for s in audit.facts.providers] == [("CART_STORE_PROVIDER", 2, 4),
                                                ("OTHER_STORE_PROVIDER", 2, 4)]
    assert _cf000(tmp_path) == {"apps/a/wrangler.toml:1": "`apps/a/wrangler.toml:1` could not"
                                " be read: UTF-16 text (it starts with a UTF-16 byte order"
                                " mark), not UTF-8: skipped"}
    # A document citing its lines reads them as the probes do (QA s33a).
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/arch.md").write_text(
        "Type: Plan\nStatus: Active\nDomain: Runtime\nLast-reviewed: 2026-11-20\n\n# Store\n\n"
        "The fallback: [store](../src/store.ts#L2-L4).\n", encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [(f.rule, str(f.location)) for f in audit.findings
            if f.rule in ("CF000", "DR005") or f.location.path.startswith("docs/")] == [
        ("CF000", "apps/a/wrangler.toml:1")]


def test_matches_past_a_nul_byte_are_at_their_lines_and_not_read(tmp_path: Path) -> None:
    """ripgrep matches past the NUL, reading each NUL as a line break: a match there is at
    the line its offset is on (QA s35b: line 6 of a 2-line file), and kept (QA s35f: a
    `writeDataPoint` call after a NUL is one). What is read, not only searched, stops at the
    NUL, and one CF000 says so."""
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "src/a.ts").write_bytes(
        b"export const a = 1;\n\0\nfunction t(duration: number) {\n"
        b"  if (duration > 300) { console.warn('slow'); }\n}\nexport class Box {}\n")
    (tmp_path / "src/metrics.ts").write_bytes(
        b'const x = "a\0\0\0\0b";\nexport function m(env) { env.AE.writeDataPoint({}); }\n')
    audit = auditlib.run_audit(tmp_path, DATE)
    assert audit.facts.latency == ()
    assert [(m.location.path, m.location.start_line) for m in audit.facts.metrics] == [
        ("src/metrics.ts", 2)]
    assert {f.message for f in audit.findings if f.location.path.startswith("src/")
            and f.rule == "CF000"} == {
        "`src/a.ts:2` could not be read: binary content (NUL byte): read up to it",  # its class
        "`src/metrics.ts:1` could not be read: binary content (NUL byte at byte 12): searched"
        " whole, read up to it"}


def test_ignore_files_other_than_gitignore_and_the_user_s_excludes_hide_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    for app in ("a", "b", "c", "d"):
        (repo / "apps" / app).mkdir(parents=True)
        (repo / "apps" / app / "wrangler.toml").write_text(VALID, encoding="utf-8")
    (repo / ".ignore").write_text("apps/a/\n", encoding="utf-8")
    (repo / "apps/.rgignore").write_text("b/\n", encoding="utf-8")
    (repo / ".gitignore").write_text("apps/c/\n", encoding="utf-8")  # this one counts
    home = tmp_path / "home"
    (home / ".config/git").mkdir(parents=True)
    (home / ".config/git/ignore").write_text("apps/\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".git/info/exclude").write_text("apps/d/\n", encoding="utf-8")  # this clone's own
    paths = [c.path for c in auditlib.collect(repo).configs]
    assert paths == ["apps/a/wrangler.toml", "apps/b/wrangler.toml", "apps/d/wrangler.toml"]


def test_files_ripgrep_passes_over_in_silence_are_named(tmp_path: Path) -> None:
    """A named pipe where a config should be, a folder name holding a newline, a file name
    that is not UTF-8."""
    (tmp_path / "apps/pipe").mkdir(parents=True)
    os.mkfifo(tmp_path / "apps/pipe/wrangler.toml")
    (tmp_path / "apps/a/.github/actions/ship").mkdir(parents=True)
    (tmp_path / "apps/a/wrangler.toml").write_text(VALID, encoding="utf-8")
    os.mkfifo(tmp_path / "apps/a/package.json")  # read for its scripts
    os.mkfifo(tmp_path / "apps/a/.github/actions/ship/action.yml")  # read when a step runs it
    for unread in ("notes.txt", "apps/pipe/a.test.ts", "apps/pipe/data.json"):
        os.mkfifo(tmp_path / unread)  # names the audit does not read: not reported
    (tmp_path / "apps/new\nline").mkdir()
    (tmp_path / "apps/new\nline/wrangler.toml").write_text(VALID, encoding="utf-8")
    odd = os.fsencode(tmp_path / "apps") + b"/caf\xe9"
    os.mkdir(odd)
    with open(odd + b"/wrangler.toml", "w", encoding="utf-8") as file:
        file.write(VALID)
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [c.path for c in audit.facts.configs] == ["apps/a/wrangler.toml",
                                                     "apps/new\nline/wrangler.toml"]
    problems = {f.location.path: f.message for f in audit.findings if f.rule == "CF000"}
    assert problems.keys() == {"apps/pipe/wrangler.toml", "apps/caf\ufffd/wrangler.toml",
                               "apps/a/package.json", "apps/a/.github/actions/ship/action.yml"}
    assert "not a regular file (a named pipe): not read" in problems["apps/pipe/wrangler.toml"]
    assert "file name is not UTF-8: not read" in problems["apps/caf\ufffd/wrangler.toml"]


def test_links_git_ignores_are_not_inputs_passed_over(
        tmp_path: Path, commit_all: Callable[[Path], None]) -> None:
    """QA s28b P1-1: a local `.venv` (its python a link out of the repository) made every audit
    on that machine INCOMPLETE, and failed `--fail-on P1`."""
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / ".gitignore").write_text(".venv/\nresult\n", encoding="utf-8")
    commit_all(tmp_path)
    (tmp_path / ".venv/bin").mkdir(parents=True)
    (tmp_path / ".venv/bin/python").symlink_to(sys.executable)
    (tmp_path / "result").symlink_to("/nix/store/missing")
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps/shared").symlink_to(tmp_path.parent, target_is_directory=True)
    assert [(f.location.path, f.message) for f in auditlib.run_audit(tmp_path, DATE).findings
            if f.rule == "CF000"] == [
        ("apps/shared", "`apps/shared` could not be read: symbolic link to outside the repository:"
                        " not followed")]


def test_a_machine_s_own_git_settings_change_no_audit(
        tmp_path: Path, commit_all: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s28d P1-3: the global excludes file hid a link out of the repository on one machine,
    and not on another; QA s28b: GIT_DIR (a git hook's) gave another repository's commit."""
    repo, other = tmp_path / "repo", tmp_path / "other"
    for folder in (repo, other):
        folder.mkdir()
        (folder / "wrangler.toml").write_text(VALID, encoding="utf-8")
        (folder / "README.md").write_text(folder.name, encoding="utf-8")  # two commits
        commit_all(folder)
    (repo / "shared").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "excludes").write_text("shared\n", encoding="utf-8")
    (tmp_path / "gitconfig").write_text(f"[core]\n\texcludesFile = {tmp_path / 'excludes'}\n",
                                        encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    audit = auditlib.run_audit(repo, DATE)
    assert [f.location.path for f in audit.findings if f.rule == "CF000"] == ["shared"]
    assert audit.facts.commit == subprocess.run(["git", "-C", str(repo), "--git-dir",
                                                 str(repo / ".git"), "rev-parse", "HEAD"],
                                                capture_output=True, text=True).stdout.strip()
    assert audit.facts.commit != repofiles.git(other, "--git-dir", str(other / ".git"),
                                               "rev-parse", "HEAD").stdout.strip()


def test_a_work_tree_whose_git_dir_is_elsewhere_is_read_through_git_dir(
        tmp_path: Path, commit_all: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s28e: dropping GIT_DIR from git's environment lost a bare repository's work tree."""
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    commit_all(tmp_path)
    commit = repofiles.head_commit(tmp_path)
    assert commit
    (tmp_path / ".git").rename(tmp_path.parent / f"{tmp_path.name}.git")
    monkeypatch.setenv("GIT_DIR", str(tmp_path.parent / f"{tmp_path.name}.git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    assert repofiles.head_commit(tmp_path) == commit


def test_a_checkout_inside_the_work_tree_git_names_is_read_as_its_own(
        tmp_path: Path, commit_all: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s33a #7: a hook of the outer repository exports its GIT_DIR and GIT_WORK_TREE;
    the audited checkout inside it has a .git of its own, and its commit is its own."""
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "vendor" / "app"
    inner.mkdir(parents=True)
    (outer / ".gitignore").write_text("vendor/\n", encoding="utf-8")
    (inner / "wrangler.toml").write_text(VALID, encoding="utf-8")
    for folder in (outer, inner):
        commit_all(folder)
    commit = repofiles.head_commit(inner)
    assert commit and commit != repofiles.head_commit(outer)
    monkeypatch.setenv("GIT_DIR", str(outer / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(outer))
    assert repofiles.head_commit(inner) == commit


def test_a_tree_deeper_than_python_s_stack_is_walked(tmp_path: Path) -> None:
    """QA s28b P0-1: 1,000 folders deep, every command stopped with a RecursionError."""
    deep = tmp_path
    for _ in range(1100):
        deep /= "d"
        deep.mkdir()
    (deep / "loop").symlink_to(deep / "loop")
    try:
        assert repofiles.walk_problems(tmp_path, lambda path: True) == ([
            ("/".join(["d"] * 1100) + "/loop", "symbolic link loop: not followed")], [])
    finally:  # from the bottom up: pytest's clean-up of old folders recurses, and would fail
        (deep / "loop").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent


def test_a_path_longer_than_the_system_takes_is_reported(tmp_path: Path) -> None:
    """QA s28b P0-2: ripgrep said "File name too long", then the audit stopped on it."""
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    folder = os.open(tmp_path, os.O_RDONLY)
    for _ in range(250):  # 5,250 characters: made one folder at a time, from the one above
        os.mkdir("d" * 20, dir_fd=folder)
        inner = os.open("d" * 20, os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    os.close(os.open("wrangler.toml", os.O_CREAT | os.O_WRONLY, dir_fd=folder))
    os.close(folder)
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [c.path for c in audit.facts.configs] == ["wrangler.toml"]
    assert any("too long" in f.message for f in audit.findings if f.rule == "CF000")


def test_a_baseline_larger_than_any_findings_json_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s28b P1-7: `--baseline /dev/zero` was read until memory ran out."""
    monkeypatch.setattr(api, "MAX_BASELINE_BYTES", 100)
    (tmp_path / "big.json").write_text(" " * 101, encoding="utf-8")
    with pytest.raises(AuditError, match=r"^baseline .*big\.json: larger than 0 MiB, so no findings\.json$"):
        api.load_baseline(tmp_path / "big.json")


@pytest.mark.parametrize(("header", "words"), [
    ('"audit_date": "nope"', "its `audit_date` 'nope' is no date (YYYY-MM-DD)"),
    ('"audit_date": 5', "its `audit_date` is no string"),
    ('"repo": []', "its `repo` is no string"),
    ('"audit_date": "20261201"', "is no date (YYYY-MM-DD)"),  # Python 3.11 reads it
])
def test_a_baseline_whose_header_is_not_findings_json_s_is_refused(
        tmp_path: Path, header: str, words: str) -> None:
    """QA s35b: "since nope"; and with `repo: []` no warning of another repository could fire."""
    (tmp_path / "b.json").write_text(f'{{{header}, "findings": []}}', encoding="utf-8")
    with pytest.raises(AuditError, match=re.escape(words)):
        api.load_baseline(tmp_path / "b.json")
    (tmp_path / "b.json").write_text('{"audit_date": "2026-01-01", "repo": "shop", "findings": []}',
                                     encoding="utf-8")
    assert api.load_baseline(tmp_path / "b.json")["repo"] == "shop"


def test_check_prints_one_line_per_finding_whatever_the_path_holds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("new\nline", "next\u2028line"):  # U+2028 splits lines too (str.splitlines)
        (tmp_path / "apps" / folder).mkdir(parents=True)
        (tmp_path / "apps" / folder / "wrangler.toml").write_text(VALID, encoding="utf-8")
    cli.main(["check", str(tmp_path), "--date", DATE])
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith(("apps/new\\nline/wrangler.toml",
                                          "apps/next\\u2028line/wrangler.toml", "(repository)",
                                          "  ", "auditlib: ")) for line in lines), lines


CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed


def test_check_and_verify_text_escape_what_a_terminal_acts_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An untrusted repository cannot colour, move or clear a terminal or CI log: ESC, CSI
    (C1), BEL and DEL are shown escaped, as JSON, JUnit and SARIF escape them."""
    (tmp_path / "wrangler.toml").write_text(
        VALID.replace("GOOD_KV", "K\\u001b[31mRED\\u009b2J\\u0007\\u007f"), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a\x1b[31m.md").write_text(
        "Type: Guide\nStatus: Act\x1b[2Jive\nDomain: Performance\nLast-reviewed: 2026-11-01\n\n# A\n",
        encoding="utf-8")
    cli.main(["check", str(tmp_path), "--date", DATE])
    out = capsys.readouterr().out
    assert not CONTROLS.search(out)
    assert "`K\\x1b[31mRED\\x9b2J\\x07\\x7f`" in out
    assert cli.main(["verify", "--docs", str(tmp_path / "docs"), "--repo", str(tmp_path),
                     "--date", DATE]) == 0
    out = capsys.readouterr().out
    assert not CONTROLS.search(out)
    assert "`docs/a\\x1b[31m.md`" in out and "Act\\x1b" in out


def test_a_ripgrep_stopped_before_it_finished_stops_the_audit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA s28b P0-4: killed (out of memory, a CI timeout) after part of its output, it gave
    a VERIFIED audit missing four findings."""
    stopped = tmp_path / "rg"
    stopped.write_text(f'#!/bin/sh\n"{repofiles.rg_binary()}" "$@" | head -c 1500\nkill -9 $$\n',
                       encoding="utf-8")
    stopped.chmod(0o755)
    monkeypatch.setattr(repofiles, "rg_binary", lambda: str(stopped))
    with pytest.raises(AuditError, match=r"^ripgrep was stopped by SIGKILL \(signal 9\) before it"
                                         r" searched all of .*: the audit would miss what it did"
                                         r" not reach$"):
        auditlib.run_audit(audit_date=DATE)


def test_a_repository_git_cannot_read_is_said_to_be_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        commit_all: Callable[[Path], None]) -> None:
    """In a CI container the checkout may be another user's: git refuses it, and the audit
    names no commit (QA s28b). A git that stands in for that one refuses every command."""
    repo, plain = tmp_path / "repo", tmp_path / "plain"
    for folder in (repo, plain):
        folder.mkdir()
        (folder / "wrangler.toml").write_text(VALID, encoding="utf-8")
    commit_all(repo)
    for folder in (repo, plain):  # read by git, and in no work tree: nothing to say
        assert cli.main(["check", str(folder), "--date", DATE, "--quiet"]) == 0
        assert capsys.readouterr().err == ""
    refusing = tmp_path / "bin" / "git"
    refusing.parent.mkdir()
    refusing.write_text("#!/bin/sh\necho \"fatal: detected dubious ownership in repository at"
                        f" '{repo}'\" >&2\nexit 128\n", encoding="utf-8")
    refusing.chmod(0o755)
    monkeypatch.setenv("PATH", f"{refusing.parent}{os.pathsep}{os.environ['PATH']}")
    assert cli.main(["check", str(repo), "--date", DATE, "--quiet"]) == 0
    assert capsys.readouterr().err == (
        f"auditlib: git cannot read {repo} (detected dubious ownership in repository at"
        f" '{repo}'): the audit names no commit, and reads the files as if git were not there"
        " (.gitignore alone decides)\n")
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no git at all (QA s33a)
    assert cli.main(["check", str(repo), "--date", DATE, "--quiet"]) == 0
    assert capsys.readouterr().err.startswith(f"auditlib: git cannot read {repo} (git is not"
                                              " installed): ")
    assert cli.main(["check", str(plain), "--date", DATE, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_what_ripgrep_cannot_open_is_reported(tmp_path: Path) -> None:
    """ripgrep's complaints (`Permission denied`) become (path, why); tested on what it
    prints, since permissions do not bite when the tests run as root."""
    complaint = "rg: ./packages/auth: Permission denied (os error 13)\nrg: some other note\n"
    ripgrep = repofiles._Ripgrep(["sh", "-c", f"printf '{complaint}' >&2"], tmp_path)
    assert ripgrep.data() == b""
    assert ripgrep.unread() == [("packages/auth", "Permission denied (os error 13)")]


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bite for root")
def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:  # pragma: no cover
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret/a.ts").write_text(PROVIDER_CODE, encoding="utf-8")
    (tmp_path / "secret").chmod(0)
    try:
        assert "Permission denied" in _cf000(tmp_path)["secret"]
    finally:
        (tmp_path / "secret").chmod(0o755)


@pytest.mark.parametrize(("gate", "code", "why"), [
    ([], 0, ""),
    (["--fail-on", "P2"], 2, "; --fail-on P2 does not pass an audit of nothing"),
    (["--fail-on-new", "P0"], 2, "; --fail-on-new P0 does not pass an audit of nothing\n"
     "auditlib: --fail-on-new: no --baseline: every open finding counts as new"),
])
def test_empty_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str], gate: list[str],
                          code: int, why: str) -> None:
    """Nothing to audit is said so, and is no VERIFIED audit (a CI job in the wrong folder):
    explored, it exits 0; a gate (--fail-on, --fail-on-new) that audited nothing does not pass."""
    assert cli.main(["check", str(tmp_path), *gate]) == code
    out, err = capsys.readouterr()
    assert out.endswith("0 open findings: P0 0, P1 0, P2 0, ERROR 0, WAIVED 0;"
                        " audit INCOMPLETE (no wrangler config audited)\n")
    assert err == (f"auditlib: no wrangler config (wrangler.toml, wrangler.json, wrangler.jsonc)"
                   f" found in {tmp_path}: there is nothing to audit{why}\n")
    markdown = auditlib.run_audit(tmp_path, DATE).markdown()
    assert "No wrangler configuration" in markdown and "Audit-status: INCOMPLETE" in markdown


@pytest.mark.parametrize("output", ["json", "sarif", "junit"])
def test_a_gate_that_audited_nothing_still_writes_its_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str) -> None:
    (tmp_path / "tests/fixtures/app").mkdir(parents=True)  # a config of tests: no app
    (tmp_path / "tests/fixtures/app/wrangler.toml").write_text(VALID, encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--fail-on", "P0", "--format", output,
                     "--date", DATE]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(("{", "<?xml")) and "there is nothing to audit; --fail-on P0" in err
    assert auditlib.run_audit(tmp_path, DATE).facts.configs == ()


def test_the_summary_says_what_the_audit_could_not_read_and_why_the_gate_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\noops = \n', encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--fail-on", "P0", "--date", DATE]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].endswith(
        "; audit INCOMPLETE (1 input not read or not audited, no wrangler config audited)")
    assert err == "auditlib: failing: 1 open finding at or above P0\n"  # the CF000


@pytest.mark.parametrize("settings", ["", 'disable = ["CF000"]\n'])
def test_the_summary_says_why_the_audit_is_incomplete_also_without_cf000(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: str) -> None:
    """The reason comes from what was not read, not from CF000's findings."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a/wrangler.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b/wrangler.toml").write_text('name = "b"\noops = \n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(settings, encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--quiet", "--date", DATE]) == 0
    assert capsys.readouterr().out.endswith("; audit INCOMPLETE (1 input not read or not audited)\n")


def test_a_waiver_whose_star_no_longer_crosses_folders_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "apps/web/admin").mkdir(parents=True)
    (tmp_path / "apps/web/admin/wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n',
                                                          encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF002"\npath = "apps/*"\nreason = "later"\n', encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"]) == 0
    assert capsys.readouterr().err == (
        "auditlib: the waiver of CF002 for `apps/*` (auditlib.toml:1) does not cover"
        " `apps/web/admin/wrangler.toml`: its `*` matches within one folder; write `**` to match"
        " across folders\n")


def test_a_waiver_that_matches_no_finding_is_named(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF002"\npath = "wrangler.toml"\nreason = "no backend"\n\n'
        '[[waivers]]\nrule = "CF001"\npath = "apps/*"\nreason = "fixed in Q3"\n', encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"]) == 0
    assert capsys.readouterr().err == (
        "auditlib: the waiver of CF001 for `apps/*` (auditlib.toml:6) matches no finding:"
        " remove it, or correct its rule or path\n")


def test_a_waiver_of_a_folder_says_how_to_waive_what_is_in_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QA s35b: `exclude` takes a folder, a waiver's path does not; the warning said only
    that it matches nothing."""
    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF002"\npath = "apps/a"\nreason = "no backend"\n', encoding="utf-8")
    cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"])
    assert capsys.readouterr().err == (
        "auditlib: the waiver of CF002 for `apps/a` (auditlib.toml:1) matches no finding: it names"
        " a folder; write `apps/a/**` to waive the findings in it\n")


def test_an_inline_suppression_that_suppresses_nothing_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QA s35b: a stale suppression was silent, while a stale waiver is named."""
    (tmp_path / "wrangler.toml").write_text(
        '# auditlib: ignore[CF002] no backend\nname = "w"\nmain = "a.ts"  # auditlib: ignore[CF010] old\n'
        '# auditlib: ignore[CF007] logs elsewhere\ncompatibility_date = "2026-11-01"\n'
        '# auditlib: ignore[CF999] no such rule: CF016 says so\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text('disable = ["CF007"]\n', encoding="utf-8")
    cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"])
    assert capsys.readouterr().err == (
        "auditlib: the suppression of CF010 at `wrangler.toml:3` suppresses nothing (no CF010"
        " finding where it stands): remove it, or correct its rule\n"
        "auditlib: the suppression of CF007 at `wrangler.toml:4` suppresses nothing (CF007 is"
        " disabled (`disable`)): remove it, or correct its rule\n")


def test_an_expired_waiver_with_findings_open_again_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QA s28a: left in the settings for weeks, it said so only in its findings' rows."""
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF002"\npath = "wrangler.toml"\nreason = "r"\nexpires = 2026-09-20\n',
        encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"]) == 0
    assert capsys.readouterr().err == (
        "auditlib: the waiver of CF002 for `wrangler.toml` (auditlib.toml:1) expired on 2026-09-20:"
        " 1 finding it waived is open again; renew it (a later `expires`) or remove it\n")
    assert cli.main(["check", str(tmp_path), "--date", "2026-09-20", "--format", "json"]) == 0
    assert capsys.readouterr().err == ""


def test_a_waiver_that_matches_no_finding_is_named_while_an_input_cannot_be_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QA s28a #5: one config that could not be read hid every stale waiver; now only those
    of what could not be read, and the others say it may hold their finding."""
    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/wrangler.toml").write_text('name = "a"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "apps/b").mkdir()
    (tmp_path / "apps/b/wrangler.toml").write_text('name = "b"\n[[kv_namespaces]\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text("".join(
        f'[[waivers]]\nrule = "CF001"\npath = "{path}"\nreason = "r"\n\n'
        for path in ("apps/a/wrangler.toml", "apps/b/wrangler.toml", "apps/b/**")), encoding="utf-8")
    for command in (["check", str(tmp_path), "--format", "json"],
                    ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"]):
        assert cli.main([*command, "--date", DATE]) == 0
        assert capsys.readouterr().err.splitlines()[-1:] == [
            "auditlib: the waiver of CF001 for `apps/a/wrangler.toml` (auditlib.toml:1) matches no"
            " finding of the inputs that could be read (one that could not may hold it): remove it,"
            " or correct its rule or path"]


def test_a_stale_waiver_of_a_repository_without_config_is_named_plainly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """INCOMPLETE as no config was found, not as an input could not be read (QA s28c #5)."""
    (tmp_path / "auditlib.toml").write_text(
        '[[waivers]]\nrule = "CF001"\npath = "wrangler.toml"\nreason = "r"\n', encoding="utf-8")
    cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"])
    assert ("auditlib: the waiver of CF001 for `wrangler.toml` (auditlib.toml:1) matches no finding:"
            " remove it, or correct its rule or path") in capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("settings", "said"), [
    pytest.param('[[waivers]]\nrule = "CF005"\npath = "(repository)"\nreason = "r"\n',
                 "auditlib: the waiver of CF005 for `(repository)` (auditlib.toml:1) matches no finding:"
                 " remove it, or correct its rule or path (a finding about the whole repository, shown"
                 ' as `(repository)`, has path ".")\n', id="whole-repository"),
    pytest.param('disable = ["CF002"]\n[[waivers]]\nrule = "CF002"\npath = "wrangler.toml"\n'
                 'reason = "r"\n',
                 "auditlib: the waiver of CF002 for `wrangler.toml` (auditlib.toml:2) has nothing to"
                 " waive: CF002 is disabled (`disable`)\n", id="disabled-rule"),
    pytest.param('[[waivers]]\nrule = "CF001"\npath = "\\u001b[2Japps"\nreason = "r"\n',
                 "auditlib: the waiver of CF001 for `\\x1b[2Japps` (auditlib.toml:1) matches no"
                 " finding: remove it, or correct its rule or path\n", id="no-terminal-escape"),
])
def test_why_a_waiver_matches_no_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         settings: str, said: str) -> None:
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text(settings, encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--date", DATE, "--format", "json"]) == 0
    assert capsys.readouterr().err == said


@pytest.mark.parametrize("command", [["check", "--format", "json"], ["rules"]])
def test_settings_in_pyproject_beside_auditlib_toml_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """auditlib.toml comes first: the [tool.auditlib] of pyproject.toml, not read, is named."""
    (tmp_path / "wrangler.toml").write_text('name = "w"\nmain = "a.ts"\n', encoding="utf-8")
    (tmp_path / "auditlib.toml").write_text('disable = ["CF010"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.auditlib]\ndisable = ["CF002"]\n', encoding="utf-8")
    assert cli.main([command[0], str(tmp_path), "--date", DATE][:2 if command == ["rules"] else 4]
                    + command[1:]) == 0
    assert capsys.readouterr().err == (
        "auditlib: pyproject.toml:4: [tool.auditlib] is not read: auditlib.toml holds the"
        " settings, and comes first (keep them in one file)\n")


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_no_repo_means_the_bundled_example_and_says_so(quiet: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--date", DATE, "--format", "json", *quiet]) == 0
    assert capsys.readouterr().err == "auditlib: no REPO given: auditing the bundled example\n"


@pytest.mark.parametrize("command", ["check", "run", "verify"])
def test_a_repository_that_is_a_file_exits_2(tmp_path: Path, command: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    argv = [command, "--repo", str(a_file), "x.md"] if command == "verify" else [command, str(a_file)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a directory" in err[0]


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_repository_that_cannot_be_listed_exits_2(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("auditlib.repofiles.os.scandir", refuse)  # root reads any folder
    assert cli.main([command, str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"auditlib: repository cannot be read: {tmp_path} (Permission denied)"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(("stdout", "why"), [
    (">/dev/full", "No space left on device"), (">&-", "standard output is closed")])
@pytest.mark.parametrize("command", [["rules"], ["check", "{repo}", "--fail-on", "P0"],
                                     ["--version"]])
def test_output_that_cannot_be_written_is_one_line_and_exit_2(
        tmp_path: Path, stdout: str, why: str, command: list[str]) -> None:
    """A full disk or a closed stdout: not a traceback and exit 1, the gate's failure (the
    check here has an open P0, so exit 1 was the gate's own)."""
    (tmp_path / "wrangler.toml").write_text(VALID, encoding="utf-8")
    argv = [sys.executable, "-m", "auditlib.cli", *(a.format(repo=tmp_path) for a in command)]
    done = subprocess.run(["sh", "-c", f'exec "$@" {stdout}', "sh", *argv], cwd=ROOT,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert (done.returncode, done.stderr.splitlines()[-1:]) == (
        2, [f"auditlib: cannot write the output: {why}"]), done.stderr
    assert "Traceback" not in done.stderr


# Secrets ------------------------------------------------------------------------------------

VAR_CANARY = "sk_live_VARCANARY7Qm2Lx9Tz4Wc"
CODE_CANARY = "ghp_CODECANARY8Kd3Nv6Rb1Yq5Hs0Zt7Xp"
QUOTE_CANARY = "Zq4Xw8Rt2Ly6Pn0Vb3Km7Hd9Gc5Jf1Ea"
# Secret vars the file spells otherwise than their values read: with escapes, as tables.
ESCAPED_CANARY, TABLE_CANARY, JSON_CANARY = "EscapedCanary", "TableCanary", "JsoncCanary"
PIPE_CANARY = "Pipe|Canary7Xq2_Zr*v"  # Markdown escapes it where it shows it as text
LONG_CANARY = "f00dcafe" * 12  # a quoted line that holds it is shortened for the document
# Secrets by their shape or their name in any text: a document (where Markdown escapes `_`),
# a negative claim cut near one, a URL's password and a Bearer token in code, a workflow's
# env; and vars named as a password, holding one in a table, in a URL without a user.
DOC_CANARY = "ghp_" + "DOCCANARY4Hs0Zt7Xp8Kd3Nv6Rb1Yq5"
CUT_CANARY = "ghp_" + "CUTCANARY9Lw2Qe5Ty8Ui1Op4As7Df"
URL_CANARY, BEARER_CANARY = "UrlPassCanary2026", "BearerCanary-Qm7Zx2Kp9Lw4"
ENV_CANARY = "wJalrXUtnFEMI/EnvCanary/bPxRfiCYz9"
PASS_CANARY, NESTED_CANARY, REDIS_CANARY = "Pass&Canary3horse", "NestedCanary42", "RedisCanary42"
CANARIES = (VAR_CANARY, CODE_CANARY, QUOTE_CANARY, ESCAPED_CANARY, TABLE_CANARY, JSON_CANARY,
            PIPE_CANARY, LONG_CANARY, DOC_CANARY, CUT_CANARY, URL_CANARY, BEARER_CANARY,
            ENV_CANARY, PASS_CANARY, NESTED_CANARY, REDIS_CANARY)
# The first 16 characters of each canary's longer runs of letters and digits: found also
# where an output escaped or shortened the rest.
PIECES = {piece[:16] for canary in CANARIES for piece in re.split(r"[^A-Za-z0-9]", canary)
          if len(piece) >= 8}


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with secrets planted wherever the audit quotes from."""
    repo = tmp_path_factory.mktemp("leaky") / "base-shop"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    root = repo / "wrangler.toml"
    root.write_text(root.read_text(encoding="utf-8").replace(
        'CART_TTL = "2592000"',
        f'CART_TTL = "2592000"\nSTRIPE_SECRET_KEY = "{VAR_CANARY}"\nSIGNING = "{QUOTE_CANARY}"\n'
        f'DB_PASSWORD = "{ESCAPED_CANARY}\\u0021one"  # escaped\n'
        f'STRIPE_SECRET = {{ live = "{TABLE_CANARY}-live" }}\nPIPE_TOKEN = "{PIPE_CANARY}"\n'
        f'TASKPROV_SECRETS_VERIFY_KEY_INIT = "{LONG_CANARY}"\nDB_PASS = "{PASS_CANARY}"\n'
        f'OAUTH = {{ client_id = "shop", client_secret = "{NESTED_CANARY}" }}\n'
        f'REDIS_URL = "redis://:{REDIS_CANARY}@cache.internal:6379"'),
        encoding="utf-8")
    budgets = repo / "docs" / "performance-budgets.md"
    budgets.write_text(budgets.read_text(encoding="utf-8").replace(
        "expected to meet.", f"expected to meet; the bot deploys with {DOC_CANARY}."),
        encoding="utf-8")
    (repo / "docs" / "placement.md").write_text(
        "Type: Plan\nStatus: Active\nDomain: Cloudflare\nLast-reviewed: 2026-11-01\n\n"
        "# Placement\n\nSmart Placement is not enabled for any app yet, as the platform team"
        " decided in its last review of the shop's workers; the bot that deploys them uses "
        f"{CUT_CANARY} for now.\n", encoding="utf-8")
    workflow = repo / ".github" / "workflows" / "reusable-app.yml"
    workflow.write_text(workflow.read_text(encoding="utf-8").replace(
        "\njobs:", f"\nenv:\n  AWS_SECRET_ACCESS_KEY: {ENV_CANARY}\n\njobs:"), encoding="utf-8")
    # A document quoting the config before the secrets: its drift shows the lines added.
    before = "".join(line for line in root.read_text(encoding="utf-8").splitlines(True)
                     if not line.startswith(("STRIPE", "PIPE", "SIGNING", "DB_")))
    (repo / "docs" / "config.md").write_text(
        "Type: Plan\nStatus: Active\nDomain: Cloudflare\nLast-reviewed: 2026-11-01\n\n"
        f"# Config\n\n## Current wrangler.toml (root)\n\n```toml\n{before}```\n",
        encoding="utf-8")
    (repo / "apps" / "edge").mkdir()
    (repo / "apps" / "edge" / "wrangler.jsonc").write_text(
        '{\n  "name": "edge",\n  "main": "src/index.ts",\n  // the password\n'
        f'  "vars": {{ "API_KEY": "{JSON_CANARY}\\/slash\\u00e9" }}\n}}\n', encoding="utf-8")
    store = repo / "packages/platform-core/src/cartStore/cloudflareDurableStore.ts"
    store.write_text(store.read_text(encoding="utf-8").replace(
        "console.warn(`Cart DO latency",
        f'console.warn("{CODE_CANARY}");\n    console.warn(`Cart DO latency'), encoding="utf-8")
    store.write_text(store.read_text(encoding="utf-8").replace(
        "shouldLogLatency()) {", f'shouldLogLatency()) {{\n      fetch("https://ops:{URL_CANARY}'
        f'@alerts.example.com", {{ headers: {{ Authorization: "Bearer {BEARER_CANARY}" }} }});'),
        encoding="utf-8")
    (repo / "auditlib.toml").write_text(
        '[[probes]]\nname = "tokens"\nregex = "(ghp_\\\\w+)"\ngroups = ["token"]\n',
        encoding="utf-8")
    return repo


def test_secrets_never_reach_any_output(leaky: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    audit = auditlib.run_audit(leaky, DATE)
    assert any(f.rule == "CF011" for f in audit.findings)  # the planted var is found
    assert any(m.probe == "tokens" for m in audit.facts.extra)  # and the planted token
    out = tmp_path / "out"
    assert cli.main(["run", str(leaky), "--out", str(out), "--date", DATE, "--quiet"]) == 0
    for argv in (["check", str(leaky)], ["check", str(leaky), "--format", "json"],
                 ["check", str(leaky), "--format", "sarif"]):
        cli.main(argv)
    terminal = capsys.readouterr()
    outputs = [path.read_bytes() for path in out.rglob("*") if path.is_file()]
    assert len(outputs) >= 8
    for canary in [*CANARIES, *PIECES]:
        assert all(canary.encode() not in data for data in outputs), canary
        assert canary not in terminal.out and canary not in terminal.err, canary
    assert any(b"DR008" in data for data in outputs)  # the drift that quotes the config
    markdown = (out / DATE / "auto-scaling-audit.md").read_text(encoding="utf-8")
    assert 'STRIPE_SECRET_KEY = "«redacted»"' in markdown  # the name is kept


# Markup -------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"


def test_repository_text_cannot_inject_markup(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "wrangler.toml").write_text(
        f'name = "shop{SCRIPT}"\nmain = "src/index.ts"\n'
        f'[[kv_namespaces]]\nbinding = "A|B`{IMAGE}"\nid = "x|y`z"\n'
        f'[vars]\nNOTE = "pipe | and `tick` {IMAGE}"\nFENCE = "```"\n'
        # A backtick that would close a one-backtick span early; line breaks inside names.
        '[[durable_objects.bindings]]\nname = "A_DO"\nclass_name = "A`![i](https://evil.example/p.png)`B"\n'
        '[[durable_objects.bindings]]\nname = "B_DO\\r# H1"\nclass_name = "B"\n'
        '[[durable_objects.bindings]]\nname = "C_DO\\u2028# H2"\nclass_name = "C"\n',
        encoding="utf-8")
    (repo / "docs" / "notes.md").write_text(
        f"Type: Plan\nStatus: Active\nDomain: Cloudflare\nLast-reviewed: 2026-11-01\n\n"
        f"# Deploy {SCRIPT} | notes\n\nCloudflare deploys {IMAGE} with `ticks` | pipes.\n",
        encoding="utf-8")
    (repo / "docs" / f"odd{IMAGE.replace('/', '')}.md").write_text(
        "Type: Plan\nStatus: Active\nDomain: Cloudflare\nLast-reviewed: 2026-11-01\n\n"
        "# Cloudflare odd file\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(repo), "--out", str(out), "--date", DATE, "--quiet"]) == 0
    html = (out / DATE / "auto-scaling-audit.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html  # shown, as text
    markdown = (out / DATE / "auto-scaling-audit.md").read_text(encoding="utf-8")
    for table in re.findall(r"(?:^\|.*\|\n)+", markdown, re.MULTILINE):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table  # every row has the header's number of cells
    fences = re.findall(r"^(`{3,})[a-z]*\n.*?^\1$", markdown, re.MULTILINE | re.DOTALL)
    assert fences  # the quoted config is still one fenced block, whatever it holds
    outside_code = re.sub(r"^(`{3,})[a-z]*\n.*?^\1$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    outside_code = re.sub(r"(`+).+?\1", "", outside_code)
    assert "<script" not in outside_code and "<img" not in outside_code
    assert "![i]" not in outside_code and "evil.example/p.png\"" not in html
    assert not re.search(r"^# H|[\r\u2028]", markdown, re.MULTILINE)  # no line broken in two


# Failed runs --------------------------------------------------------------------------------

def _broken(tmp_path: Path, source: str) -> Path:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(("source", "timeout", "words"), [
    ("import os\nos._exit(3)", 60, "Kernel died"),
    ("import time\ntime.sleep(30)", 3, "timed out"),
], ids=["kernel-dies", "timeout"])
def test_failed_run_leaves_earlier_outputs_untouched(
        tmp_path: Path, source: str, timeout: int, words: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(auditlib.EXAMPLE_REPO, repo)
    out = tmp_path / "out"
    assert cli.main(["run", str(repo), "--out", str(out), "--date", DATE, "--quiet",
                     "--publish"]) == 0
    before = {path: path.read_bytes() for path in [*out.rglob("*"), *repo.rglob("*.md")]
              if path.is_file()}
    code = cli.main(["run", str(repo), "--out", str(out), "--date", DATE, "--quiet",
                     "--publish", "--timeout", str(timeout),
                     "--notebook", str(_broken(tmp_path, source))])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert words.lower() in err.lower() and len(err.splitlines()) == 1, err
    after = {path: path.read_bytes() for path in [*out.rglob("*"), *repo.rglob("*.md")]
             if path.is_file() and not path.name.endswith(".failed.ipynb")}
    assert after == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_two_runs_at_once_into_the_same_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "auditlib.cli", "run", "--out", str(out), "--date", DATE,
               "--quiet"]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ}) for _ in range(2)]
    errors = [run.communicate(timeout=300)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert sorted(p.name for p in (out / DATE).iterdir()) == [
        "auto-scaling-audit.html", "auto-scaling-audit.ipynb", "auto-scaling-audit.md",
        "auto-scaling-audit_files", "findings.json", "findings.sarif"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    expected = auditlib.run_audit(audit_date=DATE).markdown()
    exported = (out / DATE / "auto-scaling-audit.md").read_text(encoding="utf-8")
    assert re.sub(r"## At a Glance\n\n.*?\n\n(?=## )", "", exported, flags=re.DOTALL) == expected


def test_a_kernel_whose_port_another_program_took_is_started_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # jupyter_client picks free ports and the kernel binds them later; another program can
    # take one in between (two runs at once did), and that kernel stops as it starts.
    from jupyter_client.connect import LocalPortCache

    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    choose = LocalPortCache.find_available_port
    chosen: list[int] = []

    def taken_first(self: LocalPortCache, ip: str) -> int:
        chosen.append(held.getsockname()[1] if not chosen else choose(self, ip))
        return chosen[-1]

    monkeypatch.setattr(LocalPortCache, "find_available_port", taken_first)
    out = tmp_path / "out"
    with held:
        assert cli.main(["run", "--out", str(out), "--date", DATE, "--quiet"]) == 0
    assert "the kernel stopped as it started (see above): starting another" in capsys.readouterr().err
    assert len(chosen) == 10  # five ports for each of two kernels
    assert (out / DATE / "findings.json").is_file()
    assert not (out / f"{DATE}.failed.ipynb").exists()


def test_json_output_holds_numbers_past_64_bits(tmp_path: Path) -> None:
    (tmp_path / "wrangler.json").write_text(
        '{"name": "big", "main": "a.ts", "limits": {"cpu_ms": 123456789012345678901234567890}}',
        encoding="utf-8")
    data = json.loads(auditlib.run_audit(tmp_path, DATE).to_json())
    settings = data["facts"]["configs"][0]["top"]["settings"]
    assert settings["limits"]["cpu_ms"] == 123456789012345678901234567890


def test_a_document_may_cite_a_symbolic_link_to_a_file_inside(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "docs").mkdir()
    (repo / "src/real.ts").write_text("a\nb\nc\n", encoding="utf-8")
    (repo / "src/alias.ts").symlink_to("real.ts")
    (tmp_path / "secret.ts").write_text("s\n", encoding="utf-8")
    (repo / "src/out.ts").symlink_to(tmp_path / "secret.ts")
    (repo / "docs/a.md").write_text(
        "# A\n\n[alias](../src/alias.ts#L2-L3), [past the end](../src/alias.ts#L3-L9),"
        " [out](../src/out.ts#L1)\n", encoding="utf-8")
    found = [(f.rule, f.subject) for f in api.verify(repo, ["docs/a.md"], audit_date=DATE).findings
             if f.rule in ("DR004", "DR005")]
    assert sorted(found) == [("DR004", "src/out.ts"), ("DR005", "[past the end](../src/alias.ts#L3-L9)")]


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 11, 26, 9, 30), "2026-11-26"),
    (date(2026, 11, 26), "2026-11-26"),
    ("2026-11-26", "2026-11-26"),
])
def test_the_audit_date_is_a_day(value: object, expected: str) -> None:
    audit = auditlib.run_audit(None, value)  # type: ignore[arg-type]
    assert audit.audit_date == expected
    assert not [f for f in audit.findings if f.outcome.value == "ERROR"]


@pytest.mark.parametrize("value", ["2026-13-45", 20261126, "26/11/2026", "20261126",
                                   "2026-W48-4"])
def test_a_bad_audit_date_is_named(value: object) -> None:
    """Python 3.11's date.fromisoformat also reads the basic (20261126) and week forms."""
    with pytest.raises(ValueError, match=r"^audit_date: not a date \(YYYY-MM-DD\): "):
        auditlib.run_audit(None, value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["20261126", "2026-W48-4", "2026-11-26T10:00", "+2026-11-26"])
@pytest.mark.parametrize("command", [["check"], ["run", "--out", "{tmp}"], ["verify", "--docs", "docs"]])
def test_date_takes_only_the_yyyy_mm_dd_form_its_help_names(
        command: list[str], value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*(a.format(tmp=tmp_path) for a in command), "--date", value])
    assert exit_info.value.code == 2
    assert f"argument --date: not a date (YYYY-MM-DD): {value!r}" in capsys.readouterr().err


def test_a_quoted_line_is_cut_after_its_secrets_are_redacted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A minified config is one line: its quote is cut, and a secret the cut falls inside is
    redacted whole, not shown in part."""
    repo = tmp_path / "repo"
    repo.mkdir()
    head = '{"compatibility_date": "2020-01-01", "name": "'
    lead = head + "n" * (290 - len(head) - len('", "vars": {"API_SECRET": "'))
    line = (lead + f'", "vars": {{"API_SECRET": "{VAR_CANARY}"}}, "pad": "'
            + "y" * 10_000 + '"}')
    assert line.index(VAR_CANARY) == 290
    (repo / "wrangler.json").write_text(line, encoding="utf-8")
    assert cli.main(["check", str(repo), "--format", "json", "--date", DATE]) == 0
    out = capsys.readouterr().out
    [quote] = {f["quote"] for f in json.loads(out)["findings"] if f["rule"] == "CF010"}
    assert quote.startswith(head) and quote.endswith("…") and len(quote) <= 300
    assert VAR_CANARY[:9] not in out  # the quote is cut at its 300th character


def test_a_bundle_s_line_is_written_cut_around_each_of_its_matches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A minified bundle is one line of many matches: findings.json writes each match with
    the part of the line around it, not the whole line again (700 calls on a 150 KB line
    wrote 200 MB), a secret the cut falls inside redacted whole first; each cut holds its
    match, however many secrets before it were redacted. The document's snippets are cut
    alike. The rules still read the whole line."""
    (tmp_path / "src").mkdir()
    (tmp_path / "wrangler.toml").write_text(
        f'name = "b"\nmain = "src/_worker.js"\n[vars]\nAPI_SECRET = "{VAR_CANARY}"\n',
        encoding="utf-8")
    head = "q" * 3000 + VAR_CANARY + "r" * 90  # the first cut starts in the secret
    line = head + "".join(f"x.histogram('m{n}',\"{VAR_CANARY}\");if(elapsedMs{n}>500){{console.warn('s')}};"
                          + f'var k{n}="{VAR_CANARY}";' + "p" * 200 for n in range(40))
    (tmp_path / "src/_worker.js").write_text(line + "\n", encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--format", "json", "--date", DATE]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    metrics, latency = data["facts"]["metrics"], data["facts"]["latency"]
    assert [m["column"] for m in metrics] == [line.index(f"x.histogram('m{n}'") + 3 for n in range(40)]
    assert all(f"x.histogram('m{n}'," in m["text"] and len(m["text"]) <= 302
               for n, m in enumerate(metrics))
    assert all(f"elapsedMs{n}>500" in m["snippet"] and len(m["snippet"]) <= 302
               for n, m in enumerate(latency))
    assert metrics[0]["text"].startswith("…") and metrics[-1]["text"].endswith("…")
    assert VAR_CANARY[-8:] not in out
    assert sum(f["rule"] == "CF004" for f in data["findings"]) == 40
    assert len(out) < 200_000  # the line written whole for each match: 1 MB
    document = api.run_audit(tmp_path, DATE).markdown()
    assert all(f"elapsedMs{n}>500" in document for n in range(40)) and VAR_CANARY[-8:] not in document
    assert len(document) < 100_000


def test_a_long_line_is_cut_around_its_match_however_deep_its_indent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The match's column counts from the line's text, which is shown without its indent;
    and the facts written when orjson cannot (a number past 64 bits) are cut alike."""
    (tmp_path / "wrangler.toml").write_text(
        'name = "deep"\nmain = "a.js"\n[limits]\ncpu_ms = 123456789012345678901234567890\n',
        encoding="utf-8")
    (tmp_path / "a.js").write_text(" " * 300 + "x" * 2000 + "env.AE.writeDataPoint({ a: 1 });"
                                   + "y" * 2000 + "\n", encoding="utf-8")
    assert cli.main(["check", str(tmp_path), "--format", "json", "--date", DATE]) == 0
    [metric] = json.loads(capsys.readouterr().out)["facts"]["metrics"]
    assert metric["column"] == 2008 and "writeDataPoint({ a: 1 })" in metric["text"]
    assert len(metric["text"]) == 302


def test_a_long_summary_of_a_class_is_cut(tmp_path: Path) -> None:
    """A one-line banner above many classes was written whole for each of them."""
    (tmp_path / "wrangler.toml").write_text(
        'name = "a"\nmain = "a.ts"\n[[durable_objects.bindings]]\nname = "ROOM"\n'
        'class_name = "Room"\n', encoding="utf-8")
    (tmp_path / "a.ts").write_text("// " + "banner " * 500 + "\nexport class Room {}\n",
                                   encoding="utf-8")
    data = json.loads(auditlib.run_audit(tmp_path, DATE).to_json())
    [room] = data["facts"]["classes"]
    assert room["summary"].startswith("banner banner") and len(room["summary"]) == 301


# Odd values: one config's bad value loses nothing of the others ---------------------------

ODD_VALUES = {
    "CF008": ('[[durable_objects.bindings]]\nname = "A_DO"\nclass_name = "A"\n'
              '[[migrations]]\ntag = "v1"\nnew_classes = 5\ndeleted_classes = true\n'),
    "CF010": "compatibility_date = 2024-01-01T00:00:00Z\n",
    "CF002": "[placement]\nmode = 2025-01-01\n",
    "CF006": '[[durable_objects.bindings]]\nname = "X_DO"\nclass_name = ["X"]\n',
    "CF014": '[[queues.consumers]]\nqueue = "q"\ndead_letter_queue = {}\n',
}


@pytest.mark.parametrize("rule", ODD_VALUES)
def test_a_value_of_the_wrong_type_stops_no_rule(tmp_path: Path, rule: str) -> None:
    """A date where a string belongs, a number where a list does: the rule still runs, and
    what it finds in the other config stays."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/wrangler.toml").write_text(
        'name = "a"\nmain = "i.ts"\n' + ("" if rule == "CF010" else
                                          'compatibility_date = "2026-10-01"\n') + ODD_VALUES[rule],
        encoding="utf-8")
    (tmp_path / "b/wrangler.toml").write_text(
        'name = "b"\nmain = "i.ts"\ncompatibility_date = "2020-01-01"\n'
        '[[durable_objects.bindings]]\nname = "B_DO"\nclass_name = "B"\n'
        '[[queues.consumers]]\nqueue = "bq"\n', encoding="utf-8")
    audit = auditlib.run_audit(tmp_path, DATE)
    assert [f.message for f in audit.findings if f.outcome == Outcome.ERROR] == []
    assert any(f.rule == rule for f in audit.findings if f.location.path == "b/wrangler.toml"
               or rule == "CF006")
    if rule == "CF010":  # as the file writes it, not as Python does
        assert [f.message for f in audit.findings if f.rule == rule
                and f.location.path == "a/wrangler.toml"] == [
            "`a/wrangler.toml` writes `compatibility_date = 2024-01-01T00:00:00+00:00` without"
            " quotes: a TOML date and time, which wrangler refuses (it expects a string)"]


def test_a_lone_surrogate_or_a_deep_config_loses_no_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`"\\ud83d"` is no character, and 500 levels are more than any JSON writer takes: the
    audit still prints every format, with the other config's findings."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "d").mkdir()
    (tmp_path / "a/wrangler.json").write_text(
        '{"name": "a", "main": "i.ts", "vars": {"GREETING": "\\ud83d"}}', encoding="utf-8")
    (tmp_path / "a/project.json").write_text('{"name": "\\udc00", "targets": {}}',
                                             encoding="utf-8")
    (tmp_path / "b/wrangler.toml").write_text(
        'name = "b"\nmain = "i.ts"\ncompatibility_date = "2020-01-01"\n', encoding="utf-8")
    (tmp_path / "d/wrangler.json").write_text(
        '{"name": "d", "observability": ' + "[" * 500 + "]" * 500 + "}", encoding="utf-8")
    (tmp_path / "e").mkdir()  # QA s28b P0-6: dotted keys nest without brackets
    (tmp_path / "e/wrangler.toml").write_text(
        'name = "e"\n[' + ".".join(["t"] * 1000) + "]\nx = 1\n", encoding="utf-8")
    for output in ("json", "sarif", "text"):
        assert cli.main(["check", str(tmp_path), "--format", output, "--date", DATE]) == 0
        out = capsys.readouterr().out
        out.encode("utf-8")  # no lone surrogate left to write
        assert "b/wrangler.toml" in out and "2020-01-01" in out
        if output == "json":
            found = {f["path"]: f["message"] for f in json.loads(out)["findings"]
                     if f["rule"] == "CF000"}
            assert found == {f"{app}/wrangler.{kind}": f"`{app}/wrangler.{kind}` could not be read:"
                             " nested more than 64 levels deep: not read"
                             for app, kind in (("d", "json"), ("e", "toml"))}


@pytest.mark.parametrize(("problem", "expected"), [
    (Problem(location=Location(path="a.toml", start_line=2), column=3,
             message="Unclosed array"), "Fix the syntax error"),
    (Problem(location=Location(path="x.md", start_line=2), column=3,
             message="not UTF-8: read with replacement characters"), "Save the file as UTF-8"),
    (Problem(location=Location(path="caf?.ts"), column=None,
             message="file name is not UTF-8: not read"), "Rename the file"),
    (Problem(location=Location(path="a"), column=None, message="symbolic link loop: not followed"),
     "Remove the symbolic link"),
    (Problem(location=Location(path="a"), column=None, message="resolves outside the repository:"
                                                                " not read"), "Remove the symbolic link"),
    (Problem(location=Location(path="p/wrangler.toml"), column=None,
             message="not a regular file (a named pipe): not read"), "Replace it with a regular file"),
    (Problem(location=Location(path="wrangler.toml"), column=None,
             message="3000000 bytes, larger than the 2 MiB limit: skipped"), "Make the file smaller"),
    (Problem(location=Location(path="a.yml", start_line=4), column=None,
             message="binary content (NUL byte): skipped"), "Remove the NUL byte"),
    (Problem(location=Location(path="a.ts"), column=None,
             message="Permission denied (os error 13)"), "Make the file readable"),
    (Problem(location=Location(path="apps"), column=None,
             message="Permission denied (os error 13)", folder=True), "Make the folder readable"),
    (Problem(location=Location(path="wrangler.toml"), column=None, ignored=True,
             message="wrangler reads `wrangler.json` in the same folder instead"),
     "Delete each config wrangler does not read"),
])
def test_each_unread_file_is_told_what_fixes_it(problem: Problem, expected: str) -> None:
    assert unreadable_input.action(problem).startswith(expected)
