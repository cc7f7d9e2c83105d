"""The project's own exceptions: each says where the problem is."""

from __future__ import annotations


class AuditError(Exception):
    """Base class for errors auditlib reports to the user in one line."""


class ConfigParseError(AuditError):
    """A file that could not be parsed, with the position of the error when known."""

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = path if line is None else f"{path}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")


def in_text(text: str, line: int | None, column: int | None) -> tuple[int | None, int | None]:
    """A parser's place (from 1) in `text`, where the end of the file (past its last line
    break, or blank lines) is just past its last text: on a line a reader sees."""
    lines = text.rstrip().split("\n")
    if line is not None and line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, column


class RepositoryError(AuditError):
    """The repository to audit is missing or not a directory."""
