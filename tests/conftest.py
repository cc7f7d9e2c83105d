"""Shared test helpers: fixture repositories written from a mapping of paths to text."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# No property test is timed: hypothesis's default 200 ms deadline fails an example that a
# busy CI machine runs slowly, which says nothing about the code.
settings.register_profile("auditlib", deadline=None)
settings.load_profile("auditlib")

# Subprocesses (the notebook's kernel, `python -m auditlib.cli`, the `auditlib` command) import
# the auditlib of this checkout, not of the one the virtual environment was installed from.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(Path(__file__).resolve().parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])])

MakeRepo = Callable[[Path, dict[str, str]], Path]


def _make_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write `files` (repository-relative POSIX path -> text) under tmp_path/repo; return it.

    Text is written verbatim, so line numbers in a test are the line numbers in its strings.
    """
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def _commit_all(repo: Path) -> None:
    """Make `repo` a git repository with all it holds committed."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def commit_all() -> Callable[[Path], None]:
    """`commit_all(repo)` makes it a git repository with all it holds committed."""
    return _commit_all


@pytest.fixture
def make_repo() -> MakeRepo:
    """`make_repo(tmp_path, {"wrangler.toml": "..."})` writes a fixture repository."""
    return _make_repo
