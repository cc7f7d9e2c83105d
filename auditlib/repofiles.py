"""The one place that lists and reads repository files, through ripgrep.

ripgrep honours .gitignore (also outside a git checkout, with --no-require-git),
never follows symbolic links unless told, and skips hidden folders we do not name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import AuditError, ConfigParseError, RepositoryError

MAX_FILE_BYTES = 2 * 2**20  # configs, workflows and documents larger than this are skipped

# Build output and dependency folders that are never audited, even when not ignored.
EXCLUDED_DIRS = (
    ".git", "node_modules", "dist", "build", "out", ".next", ".open-next",
    ".vercel", ".wrangler", ".turbo", ".cache", "coverage",
)


def rg_binary() -> str:
    """The `rg` executable: the one installed beside this Python first, then PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "rg"
    if beside.exists():
        return str(beside)
    found = shutil.which("rg")
    if found is None:
        raise AuditError("ripgrep (rg) not found: install auditlib's dependencies (ripgrep==14.1.0)")
    return found


def check_repository(repo: Path) -> Path:
    if not repo.exists():
        raise RepositoryError(f"repository not found: {repo}")
    if not repo.is_dir():
        raise RepositoryError(f"repository is not a directory: {repo}")
    return repo.resolve()


def _base_args(globs: Sequence[str]) -> list[str]:
    args = [rg_binary(), "--hidden", "--no-require-git", "--no-ignore-parent", "--no-config"]
    for name in EXCLUDED_DIRS:
        args += ["--glob", f"!**/{name}/**"]
    for glob in globs:
        args += ["--glob", glob]
    return args


def _run(args: list[str], repo: Path) -> str:
    # stdin closed: rg would otherwise search a piped stdin instead of the repository.
    proc = subprocess.run(args, cwd=repo, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", check=False, stdin=subprocess.DEVNULL)
    # Exit 1 means "nothing found"; 2 can mean "some file unreadable" with output still valid.
    if proc.returncode not in (0, 1) and not proc.stdout:
        raise AuditError(f"ripgrep failed in {repo}: {proc.stderr.strip()}")
    return proc.stdout


def list_files(repo: Path, globs: Sequence[str]) -> list[str]:
    """Repository-relative POSIX paths of the files matching `globs`, sorted."""
    out = _run([*_base_args(globs), "--files", "."], repo)
    return sorted(Path(line).as_posix() for line in out.splitlines() if line)


def search(repo: Path, patterns: Sequence[str], globs: Sequence[str],
           paths: Sequence[str] = ()) -> Iterator[tuple[str, int, str]]:
    """One ripgrep pass for all `patterns`: yields (path, line number, line text)."""
    args = [*_base_args(globs), "--json"]
    for pattern in patterns:
        args += ["-e", pattern]
    args += ["--", *(paths or ["."])]
    for raw in _run(args, repo).splitlines():
        message: dict[str, Any] = json.loads(raw)
        if message.get("type") != "match":
            continue
        data = message["data"]
        path = data["path"].get("text")
        text = data["lines"].get("text")
        if path is None or text is None:  # non-UTF-8 path or line: nothing we can quote
            continue
        yield Path(path).as_posix().removeprefix("./"), data["line_number"], text.rstrip("\r\n")


def search_command(patterns: Sequence[str], globs: Sequence[str]) -> str:
    """The search as a person would type it, for the report."""
    quoted = " ".join(f"-e '{p}'" for p in patterns)
    globs_text = " ".join(f"-g '{g}'" for g in globs)
    return f"rg {quoted} {globs_text}".strip()


def read_text(repo: Path, path: str, warnings: list[ConfigParseError] | None = None) -> str:
    """The text of a repository file.

    Raises ConfigParseError for a file that is not read: one that resolves outside the
    repository, is larger than MAX_FILE_BYTES or holds a NUL byte (binary). Text that is
    not UTF-8 is decoded with replacement characters and reported in `warnings`.
    """
    full = repo / path
    if not full.resolve().is_relative_to(repo.resolve()):
        raise ConfigParseError(path, None, None, "resolves outside the repository: not read")
    size = full.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ConfigParseError(path, None, None, f"{size} bytes, larger than the"
                               f" {MAX_FILE_BYTES // 2**20} MiB limit: skipped")
    data = full.read_bytes()
    if b"\0" in data:
        line = data[:data.index(b"\0")].count(b"\n") + 1
        raise ConfigParseError(path, line, None, "binary content (NUL byte): skipped")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if warnings is not None:
            warnings.append(ConfigParseError(path, line, column, "not UTF-8: read with"
                                             " replacement characters"))
        return data.decode("utf-8", errors="replace")


def symlink_problems(repo: Path) -> list[tuple[str, str]]:
    """(path, why) for each symbolic link that is broken, loops or leaves the repository.

    Links are never followed: ripgrep does not follow them, and the reader refuses paths
    that resolve outside the repository; this only says what was passed over.
    """
    root = repo.resolve()
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = [name for name in subfolders if name not in EXCLUDED_DIRS]
        for name in sorted([*subfolders, *files]):
            link = Path(folder) / name
            if not link.is_symlink():
                continue
            relative = link.relative_to(root).as_posix()
            try:
                target = link.resolve(strict=True)
            except RuntimeError:
                found.append((relative, "symbolic link loop: not followed"))
                continue
            except OSError:
                found.append((relative, f"broken symbolic link to {os.readlink(link)}"))
                continue
            if not target.is_relative_to(root):
                found.append((relative, "symbolic link to outside the repository: not followed"))
    return sorted(found)
