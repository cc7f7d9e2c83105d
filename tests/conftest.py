"""Shared test helpers: fixture repositories written from a mapping of paths to text."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

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


@pytest.fixture
def make_repo() -> MakeRepo:
    """`make_repo(tmp_path, {"wrangler.toml": "..."})` writes a fixture repository."""
    return _make_repo
