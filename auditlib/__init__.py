"""auditlib: regenerate architecture and operations audit documents from repository evidence.

collect (facts with locations) → evaluate (rules → findings) → render (documents).
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one place it is written: pyproject.toml reads it from here

from .api import EXAMPLE_REPO, Audit, render_markdown, run_audit
from .collect import collect
from .config import AuditConfig
from .evaluate import evaluate
from .frames import Frames, frames
from .notebook import check_parameters, show

__all__ = [
    "EXAMPLE_REPO",
    "Audit",
    "AuditConfig",
    "Frames",
    "check_parameters",
    "collect",
    "evaluate",
    "frames",
    "render_markdown",
    "run_audit",
    "show",
]
