"""The one place that lists and reads repository files, through ripgrep.

ripgrep honours .gitignore (also outside a git checkout, with --no-require-git),
never follows symbolic links unless told, and skips hidden folders we do not name. Files
git tracks that a .gitignore matches are added from git's index (`tracked_unlisted`).
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import fnmatch
import functools
import os
import posixpath
import re
import shutil
import signal
import stat
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

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
    try:
        with os.scandir(repo):
            pass
    except OSError as exc:
        raise RepositoryError(f"repository cannot be read: {repo} ({exc.strerror})") from None
    return repo.resolve()


def _base_args(globs: Sequence[str], excluded: Sequence[str] = EXCLUDED_DIRS) -> list[str]:
    """ripgrep's flags for the files matching `globs` that .gitignore does not exclude,
    outside the `excluded` folders.

    Included file names go through a file type, not --glob: an including --glob overrides
    .gitignore, a type does not. A glob with a folder (`.github/workflows/*.yml`) selects by
    its file name here and by its whole path in `select`.
    """
    # Only the repository's .gitignore files decide what is ignored: not ripgrep's .ignore
    # and .rgignore, nor the git excludes of whoever runs the audit (global or .git/info).
    args = [rg_binary(), "--hidden", "--no-require-git", "--no-ignore-parent", "--no-config",
            "--no-ignore-dot", "--no-ignore-global", "--no-ignore-exclude"]
    for name in excluded:
        args += ["--glob", f"!**/{name}/**"]
    names = [glob.rsplit("/", 1)[-1] for glob in globs if not glob.startswith("!")]
    args += [f"--glob={glob}" for glob in globs if glob.startswith("!")]
    if names:
        args += [f"--type-add=auditlib:{name}" for name in dict.fromkeys(names)]
        args += ["--type=auditlib"]
    return args


def select(paths: Iterable[str], globs: Sequence[str]) -> list[str]:
    """The `paths` that match one of the including `globs` and none of the excluding (`!`)
    ones, in order: by file name for a glob without a folder, by the whole path otherwise
    (`**/` also matching no folder)."""
    endings, test = _compiled(tuple(globs))
    return [path for path in paths if path.endswith(endings) and test(path)]


def matcher(globs: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether one path matches `globs`, as `select` says."""
    endings, test = _compiled(globs)
    return lambda path: path.endswith(endings) and test(path)


@functools.lru_cache(maxsize=64)
def _compiled(globs: tuple[str, ...]) -> tuple[tuple[str, ...], Callable[[str], bool]]:
    """What every path matching `globs` ends with (each glob's text after its last wildcard,
    a cheap first test), and the whole test, with each kind of glob compiled into one regex:
    a path matches an including glob and no excluding (`!`) one."""
    includes = [glob for glob in globs if not glob.startswith("!")] or ["*"]
    excluded = _matcher([glob[1:] for glob in globs if glob.startswith("!")])
    included = _matcher(includes)
    return tuple(re.split(r"[*?\[\]]", glob)[-1] for glob in includes), lambda path: (
        included(path) and not excluded(path))


def _matcher(globs: list[str]) -> Callable[[str], bool]:
    """Whether a path matches one of `globs`: by file name for a glob without a folder, by the
    whole path otherwise (`**/` also matching no folder)."""
    by_name = _any_of(glob for glob in globs if "/" not in glob)
    by_path = _any_of(form for glob in globs if "/" in glob
                      for form in (glob, glob.replace("**/", "")))
    return lambda path: bool((by_name and by_name(path.rsplit("/", 1)[-1]))
                             or (by_path and by_path(path)))


def _any_of(globs: Iterable[str]) -> Callable[[str], object] | None:
    """One compiled matcher for `globs` (fnmatch's syntax, case-sensitive), or None."""
    translated = [fnmatch.translate(glob) for glob in globs]
    return re.compile("|".join(translated)).match if translated else None


class _Ripgrep:
    """One ripgrep process, started at once and read when its output is wanted.

    Its output goes to a temporary file, not a pipe, so it can run to the end while the
    caller reads other files.
    """

    def __init__(self, args: list[str], repo: Path) -> None:
        self.repo = repo
        # Closed by data(), once ripgrep has exited.
        self.output = tempfile.TemporaryFile()  # noqa: SIM115
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        # stdin closed: rg would otherwise search a piped stdin instead of the repository.
        self.process = subprocess.Popen(args, cwd=repo, stdin=subprocess.DEVNULL,
                                        stdout=self.output, stderr=self.errors)

    def data(self) -> bytes:
        with self.output, self.errors:
            returncode = self.process.wait()
            self.output.seek(0)
            out = self.output.read()
            self.errors.seek(0)
            self.stderr = _decoded(self.errors.read())
            if returncode < 0:  # killed (out of memory, a CI timeout): its output is cut short
                raise AuditError(f"ripgrep was stopped by {_signal_name(-returncode)} before it"
                                 f" searched all of {self.repo}: the audit would miss what it"
                                 " did not reach")
            # Exit 1 means "nothing found"; 2 can mean "some file unreadable" with output
            # still valid.
            if returncode not in (0, 1) and not out:
                raise AuditError(f"ripgrep failed in {self.repo}: {self.stderr.strip()}")
        return out

    def unread(self) -> list[tuple[str, str]]:
        """(path, why) for each file or folder ripgrep could not open (`Permission denied`),
        from what it printed after data()."""
        return [(_relative(found[1]), found[2]) for line in self.stderr.splitlines()
                if (found := _ERROR.match(line))]


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name} (signal {number})"
    except ValueError:
        return f"signal {number}"


# How ripgrep reports a path it could not read: `rg: ./secret: Permission denied (os error 13)`.
_ERROR = re.compile(r"^rg: (.+): ([^:]+)$")


def _decoded(data: bytes) -> str:
    """Text as subprocess's text mode gives it: UTF-8 with replacements, universal newlines."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def _relative(path: str) -> str:
    """A path ripgrep printed (`./apps/a.ts`) as a repository-relative POSIX path."""
    if os.sep == "/":  # the common case, without building a Path per line
        return path.removeprefix("./")
    return Path(path).as_posix().removeprefix("./")


def _listed(out: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """The paths ripgrep printed, each ended by a NUL (a name may hold a newline), as
    `_relative` gives them; and (path, why) for each name that is not UTF-8, left out: no
    output could name that file so that it can be found again."""
    odd: list[tuple[str, str]] = []
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:  # rare: decode each name on its own
        names = []
        for raw in out.split(b"\0"):
            try:
                names.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                odd.append((_relative(raw.decode("utf-8", errors="replace")),
                            "file name is not UTF-8: not read"))
        text = "\0".join(names)
    if os.sep == "/":  # the common case: one replace for all names
        return [name for name in ("\0" + text).replace("\0./", "\0").split("\0") if name], odd
    return [_relative(name) for name in text.split("\0") if name], odd


def list_files(repo: Path, globs: Sequence[str]) -> list[str]:
    """Repository-relative POSIX paths of the files matching `globs`, sorted."""
    return select(start_listing(repo, globs)()[0], globs)


def start_listing(repo: Path, globs: Sequence[str] = ()) -> Callable[
        [], tuple[list[str], list[tuple[str, str]], list[str]]]:
    """Start listing the files of `globs` (all files by default) now; the call returned
    gives their sorted paths (narrow them with `select`), (path, why) for each file or
    folder that could not be listed or named, and those of the paths that only git's
    index brought in (`tracked_unlisted`)."""
    ripgrep = _Ripgrep([*_base_args(globs), "--files", "--null", "."], repo)

    def listing() -> tuple[list[str], list[tuple[str, str]], list[str]]:
        paths, odd = _listed(ripgrep.data())
        tracked, named_oddly = tracked_unlisted(repo, paths, globs)
        return (sorted(paths + tracked), [*odd, *(entry for entry in named_oddly if entry not in odd),
                                          *ripgrep.unread()], tracked)
    return listing


def tracked_unlisted(repo: Path, listed: Iterable[str], globs: Sequence[str] = ()) -> tuple[
        list[str], list[tuple[str, str]]]:
    """The files of `globs` (all by default) in `repo` that git tracks, in its submodules
    too, and ripgrep's listing (`listed`) left out, as it leaves out what a .gitignore
    matches: a file committed before its rule, or with `git add -f`, is in the repository
    all the same. Not those in a folder the audit never searches, links, or files not
    checked out; none outside a git work tree. And (path, why) for each name that is not
    UTF-8."""
    done = git(repo, "ls-files", "-z", "--recurse-submodules")  # relative to `repo`
    if done is None or done.returncode != 0:
        return [], []
    through_link = _links(repo)
    found, odd = [], []
    for path in sorted(select(set(done.stdout.split("\0")).difference(listed), globs)):
        if not path or in_excluded_dir(path):
            continue
        try:
            regular = stat.S_ISREG((repo / path).lstat().st_mode)
        except OSError:  # not checked out (sparse, deleted), a name that is not UTF-8
            if "\ufffd" in path:  # as git's output was decoded
                odd.append((path, "file name is not UTF-8: not read"))
            continue
        if regular and not through_link(posixpath.dirname(path)):
            found.append(path)
    return found, odd


# What a file type's glob reads as syntax (ripgrep's `--type-add` splits at `:`): each is
# given as `?`, any one character, in the glob of one file name.
_GLOB_SYNTAX = re.compile(r"[][*?{}\\:!]")


def local_only(repo: Path, paths: Collection[str]) -> set[str]:
    """Of `paths` (files in `repo` that the listing left out), those only on this machine: a
    .gitignore of the repository excludes them, as the listing reads it (with or without
    git), and git does not track them anyway (a file committed before its rule, or with
    `git add -f`, is in the repository). A symbolic link, a file under one and a file in
    `.git` are left out of the listing for other reasons: never among them."""
    through_link = _links(repo)
    candidates = {path for path in paths
                  if ".git" not in path.split("/")[:-1] and not through_link(path)}
    if not candidates:
        return set()
    # Into the folders the listing never enters (`dist`, `node_modules`) where a path goes.
    entered = {folder for path in candidates for folder in path.split("/")[:-1]}
    names = [_GLOB_SYNTAX.sub("?", posixpath.basename(path)) for path in candidates]
    ripgrep = _Ripgrep([*_base_args(names, [name for name in EXCLUDED_DIRS if name not in entered]),
                        "--files", "--null", "."], repo)
    listed = set(_listed(ripgrep.data())[0])
    unread = [path for path, _why in ripgrep.unread()]  # a folder ripgrep could not open
    ignored = {path for path in candidates - listed
               if not any(path == folder or path.startswith(f"{folder}/") for folder in unread)}
    return ignored - _tracked(repo, ignored)


def _links(repo: Path) -> Callable[[str], bool]:
    """Whether a path of `repo`, or a folder on it, is a symbolic link: each folder asked
    once (30,000 files in 50 folders ask 50 times), without recursion (a path may be deeper
    than Python's stack)."""
    known: dict[str, bool] = {"": False}

    def linked(path: str) -> bool:
        chain = []
        while path not in known:
            chain.append(path)
            path = posixpath.dirname(path)
        found = known[path]
        for each in reversed(chain):  # from the top down
            found = known[each] = found or (repo / each).is_symlink()
        return found
    return linked


def git(repo: Path, *args: str, given: str = "") -> subprocess.CompletedProcess[str] | None:
    """git's answer to `args` in `repo` (`given` on its standard input), its output as text
    (a `\r` in a path kept), or None when git is not installed."""
    program = shutil.which("git")
    if program is None:
        return None
    # The repository at `repo`, not one a git hook or a CI step names in GIT_DIR (unless
    # its GIT_WORK_TREE holds `repo`: a bare repository's work tree; but not a checkout of
    # its own there, with a .git of its own).
    tree = os.environ.get("GIT_WORK_TREE")
    folder = repo.resolve()
    top = Path(tree).resolve() if tree else None
    env = dict(os.environ) if top and folder.is_relative_to(top) and not any(
        (above / ".git").exists() for above in (folder, *folder.parents) if above.is_relative_to(top)) \
        else {name: value for name, value in os.environ.items() if name not in _GIT_PLACES}
    try:
        done = subprocess.run([program, *args], cwd=repo, input=given.encode(),
                              capture_output=True, check=False, env={**env, "LC_ALL": "C"})
    except OSError:
        return None
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8", errors="replace"),
                                       done.stderr.decode("utf-8", errors="replace"))


_GIT_PLACES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
               "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


def git_refusal(repo: Path) -> str | None:
    """Why git cannot read the work tree that holds `repo` ("detected dubious ownership",
    "git is not installed"); None when it reads it, or `repo` is in none."""
    done = git(repo, "rev-parse", "--git-dir")
    if done is None:
        folder = repo.resolve()
        return ("git is not installed" if any((place / ".git").exists()
                                              for place in (folder, *folder.parents)) else None)
    if done.returncode == 0 or "not a git repository" in done.stderr:
        return None
    return next((line.removeprefix("fatal: ") for line in done.stderr.splitlines() if line.strip()),
                f"git exited with {done.returncode}")


def head_commit(repo: Path) -> str | None:
    """The commit checked out in `repo` when it is the root of a git work tree (not a folder
    inside one: the bundled example is no commit of auditlib's), or None."""
    done = git(repo, "rev-parse", "--show-toplevel", "--verify", "-q", "HEAD")
    lines = done.stdout.split("\n") if done and done.returncode == 0 else []
    if len(lines) < 2 or not re.fullmatch(r"[0-9a-f]{40,64}", lines[1]):
        return None
    return lines[1] if Path(lines[0]).resolve() == repo.resolve() else None


def uncommitted(repo: Path) -> list[str]:
    """The files in `repo` (in a git work tree) that have changes not committed, untracked
    ones too, relative to `repo`; none outside a work tree."""
    prefix = git(repo, "rev-parse", "--show-prefix")  # `apps/api/` in a folder of the tree
    done = (git(repo, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
            if prefix and prefix.returncode == 0 else None)
    if prefix is None or done is None or done.returncode != 0:
        return []
    entries = done.stdout.split("\0")
    # `R  new\0old`: a rename's second path is the old one
    return [entry[3:].removeprefix(prefix.stdout.strip()) for index, entry in enumerate(entries)
            if len(entry) > 3 and not (index and entries[index - 1][:1] in ("R", "C"))]


def ignored_by_git(repo: Path, paths: Sequence[str], machine: bool = True) -> list[str]:
    """Those of `paths` (relative to `repo`) that git ignores and does not track, by every
    .gitignore that applies (a parent folder's too) and, with `machine`, this machine's own
    excludes (core.excludesFile); none outside a work tree."""
    own = [] if machine else ["-c", f"core.excludesFile={os.devnull}"]
    done = (git(repo, *own, "check-ignore", "-z", "--stdin", given="\0".join(paths)) if paths
            else None)
    return [path for path in done.stdout.split("\0") if path] if done and done.returncode == 0 else []


def _tracked(repo: Path, paths: Collection[str]) -> set[str]:
    """Those of `paths` that git tracks; none when `repo` is not in a git work tree, or git
    is not installed."""
    done = git(repo, "--literal-pathspecs", "ls-files", "-z", "--", *sorted(paths)) if paths else None
    if done is None:
        return set()
    if done.returncode != 0:
        # Outside a work tree the .gitignore decides alone; a git that cannot answer here
        # ("dubious ownership", a damaged index) cannot tell an ignored file from a
        # committed one: none is said to be only on this machine.
        return set() if "not a git repository" in done.stderr else set(paths)
    return set(done.stdout.split("\0")) & set(paths)


# In ripgrep's JSON Lines, quotes inside values are escaped, so this text occurs only as the
# type of a match message.
_MATCH = b'"type":"match"'


def search_args(patterns: Sequence[str], globs: Sequence[str]) -> list[str]:
    """The `rg --json` command line of one pass for all `patterns` (run in the repository).
    With --binary, a file with a NUL byte is searched whole, not passed over in silence."""
    args = [*_base_args(globs), "--json", "--binary"]
    for pattern in patterns:
        args += ["-e", pattern]
    return [*args, "--", "."]


def search(repo: Path, patterns: Sequence[str], globs: Sequence[str]) -> Matches:
    """One ripgrep pass for all `patterns`: yields (path, line number, line text).

    ripgrep starts when this is called, so the caller can do other work while it searches.
    """
    args = search_args(patterns, globs)
    return Matches(_Ripgrep(args, repo), args[:-2], globs)  # its flags: not `-- .`


_BINARY = b'"binary_offset":'
# How many characters of paths a command line naming files holds (Windows takes 32,767 in all).
NAMED_CHARS = 16_000 if os.name == "nt" else 200_000


class Matches:
    """The lines one ripgrep pass matched, read when iterated. Then `problems` holds (path,
    line, why) for what was not read as it is: a line that is not UTF-8 (quoted with
    replacement characters), a file with a NUL byte (searched whole), a file or folder
    ripgrep could not open."""

    def __init__(self, ripgrep: _Ripgrep, args: list[str], globs: Sequence[str]) -> None:
        self.ripgrep = ripgrep
        self.args = args  # the flags of a pass, for one over named files
        self.globs = globs
        self.named: list[str] = []
        self.problems: list[tuple[str, int | None, str]] = []

    def also(self, paths: Iterable[str]) -> None:
        """Search those of `paths` that the globs select, too (`tracked_unlisted`'s: no pass
        over the folder reaches them), after the first pass. ripgrep searches a file it is
        given by name whatever its globs and .gitignore files say."""
        self.named += select(paths, self.globs)

    def _passes(self) -> Iterator[_Ripgrep]:
        yield self.ripgrep
        chunks: list[list[str]] = [[]]
        size = 0
        for path in self.named:
            if size > NAMED_CHARS:
                chunks.append([])
                size = 0
            chunks[-1].append(f"./{path}")  # not `-`, which ripgrep reads as stdin
            size += len(path) + 3
        for chunk in filter(None, chunks):
            yield _Ripgrep([*self.args, "--", *chunk], self.ripgrep.repo)

    def __iter__(self) -> Iterator[tuple[str, int, str]]:
        for ripgrep in self._passes():
            yield from self._read(ripgrep)

    def _read(self, ripgrep: _Ripgrep) -> Iterator[tuple[str, int, str]]:
        # A file's matches wait for its "end": ripgrep reads each NUL byte as a line break and
        # searches on, so the line of a match past the first NUL is counted again from its
        # offset, in lines that only `\n` ends.
        pending: list[tuple[str, int, str, int]] = []
        # JSON Lines, UTF-8: split on "\n" only (ripgrep leaves U+2028 and U+0085 unescaped).
        for raw in ripgrep.data().split(b"\n"):
            if _MATCH not in raw:  # "begin", "end", "summary": skipped without decoding
                if _BINARY in raw and _BINARY + b"null" not in raw:
                    end = orjson.loads(raw)["data"]
                    if "text" in end["path"]:
                        path = _relative(end["path"]["text"])
                        line = self._line_of(path, end["binary_offset"])
                        self.problems.append((path, line, f"binary content (NUL byte at byte"
                                                          f" {end['binary_offset']}): searched whole,"
                                                          " read up to it"))
                        pending = self._past_nul(path, line or 0, pending)
                if _BINARY in raw:  # a file's "end"
                    yield from ((path, line, text) for path, line, text, _offset in pending)
                    pending = []
                continue
            message: dict[str, Any] = orjson.loads(raw)
            if message.get("type") != "match":
                continue
            data = message["data"]
            path = data["path"].get("text")
            if path is None:  # a name that is not UTF-8: the listing reports it
                continue
            text = data["lines"].get("text")
            if text is None:
                text = base64.b64decode(data["lines"]["bytes"]).decode("utf-8", errors="replace")
                self.problems.append((_relative(path), data["line_number"],
                                      "not UTF-8: read with replacement characters"))
            pending.append((_relative(path), data["line_number"], text.rstrip("\r\n"),
                            data["absolute_offset"]))
        yield from ((path, line, text) for path, line, text, _offset in pending)
        self.problems += [(path, None, why) for path, why in ripgrep.unread()]

    def _past_nul(self, path: str, nul_line: int, pending: list[tuple[str, int, str, int]]
                  ) -> list[tuple[str, int, str, int]]:
        """`pending` with the line of each match past the line of the first NUL counted from
        its offset in the file (dropped when the file cannot be read now)."""
        if all(line <= nul_line for _path, line, _text, _offset in pending):
            return pending
        try:
            data = (self.ripgrep.repo / path).read_bytes()
        except OSError:
            return [match for match in pending if match[1] <= nul_line]
        return [(path, data.count(b"\n", 0, offset) + 1 if line > nul_line else line, text, offset)
                for path, line, text, offset in pending]

    def _line_of(self, path: str, offset: int) -> int | None:
        """The line of byte `offset` in the file at `path` (None if it cannot be read now)."""
        try:
            with (self.ripgrep.repo / path).open("rb") as file:
                return file.read(offset).count(b"\n") + 1
        except OSError:
            return None


def search_command(patterns: Sequence[str], globs: Sequence[str]) -> str:
    """The search as a person would type it, for the report."""
    quoted = " ".join(f"-e '{p}'" for p in patterns)
    globs_text = " ".join(f"-g '{g}'" for g in globs)
    return f"rg {quoted} {globs_text}".strip()


def read_text(repo: Path, path: str, warnings: list[ConfigParseError] | None = None, *,
              listed: bool = False, up_to_nul: bool = False, utf16: bool = False) -> str:
    """The text of a repository file.

    Raises ConfigParseError for a file that is not read: one that resolves outside the
    repository, is larger than MAX_FILE_BYTES, is UTF-16 or holds a NUL byte (binary). With
    `up_to_nul` (code, read as ripgrep searched it), UTF-16 text is read (also with
    `utf16`), and so is the text before a NUL byte, which is reported in `warnings`. Text
    that is not UTF-8 is decoded with replacement characters and reported in `warnings`.
    A `listed` path came from ripgrep, which follows no symbolic link: it is not resolved
    again (`repo` must then be resolved already).
    """
    full = repo / path
    if not listed and not full.resolve().is_relative_to(repo.resolve()):
        raise ConfigParseError(path, None, None, "resolves outside the repository: not read")
    size = full.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ConfigParseError(path, None, None, f"{size} bytes, larger than the"
                               f" {MAX_FILE_BYTES // 2**20} MiB limit: skipped")
    data = full.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if up_to_nul or utf16:  # code: read as ripgrep reads it, the text it holds
            return data.decode("utf-16", errors="replace")
        raise ConfigParseError(path, 1, None, "UTF-16 text (it starts with a UTF-16 byte order"
                               " mark), not UTF-8: skipped")
    if b"\0" in data:
        line = data[:data.index(b"\0")].count(b"\n") + 1
        if not up_to_nul or warnings is None:
            raise ConfigParseError(path, line, None, "binary content (NUL byte): skipped")
        warnings.append(ConfigParseError(path, line, None, "binary content (NUL byte): read up"
                                         " to it"))
        data = data[:data.index(b"\0")]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if warnings is not None:
            warnings.append(ConfigParseError(path, line, column, "not UTF-8: read with"
                                             " replacement characters"))
        return data.decode("utf-8", errors="replace")


def in_excluded_dir(path: str) -> bool:
    """Whether `path` is in a folder the audit does not search (`dist/index.js`)."""
    return any(part in EXCLUDED_DIRS for part in posixpath.normpath(path).split("/")[:-1])


def walk_problems(repo: Path, read: Callable[[str], bool]) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, why) for each entry ripgrep passes over in silence: a symbolic link that is
    broken, loops or leaves the repository, and an entry that is not a regular file (a
    named pipe, a socket) with a path the audit would `read`; and the links to a file
    inside the repository with such a path.

    ripgrep follows no link, and the reader refuses paths that resolve outside the
    repository; the caller decides which links inside it to read (a config: wrangler reads
    it where the link is).
    """
    root = repo.resolve()
    found = []
    links = []
    for entry in _odd_entries(str(root)):
        relative = Path(entry.path).relative_to(root).as_posix()
        if not entry.is_symlink():
            if not read(relative):
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            what = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a device")
            found.append((relative, f"not a regular file ({what}): not read"))
            continue
        try:
            target = Path(entry.path).resolve(strict=True)
        except RuntimeError:
            found.append((relative, "symbolic link loop: not followed"))
            continue
        except OSError:
            with contextlib.suppress(OSError):  # else removed meanwhile: nothing to say
                found.append((relative, f"broken symbolic link to {os.readlink(entry.path)}"))
            continue
        if not target.is_relative_to(root):
            found.append((relative, "symbolic link to outside the repository: not followed"))
        elif target.is_file() and read(relative):
            links.append(relative)
    # Not what the repository's .gitignore files ignore (a local `.venv/bin/python`): no
    # audit of another checkout has it.
    ignored = set(ignored_by_git(root, [*(path for path, _why in found), *links], machine=False))
    return (sorted(entry for entry in found if entry[0] not in ignored),
            sorted(link for link in links if link not in ignored))


def _odd_entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """The symbolic links under `folder`, outside EXCLUDED_DIRS, without following any, and
    the entries that are neither files nor folders.

    The directory entries' types say which entries are which, so no file is stat'ed: this
    costs one listing per folder, like ripgrep's walk.
    """
    folders = [folder]  # a stack, not recursion: a tree may be deeper than Python's stack
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in reversed(entries):
            if entry.is_file(follow_symlinks=False):  # most entries: one test
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in EXCLUDED_DIRS:
                    folders.append(entry.path)
            # A link to a folder named like an excluded one is passed over with it.
            elif not (entry.is_symlink() and entry.name in EXCLUDED_DIRS and entry.is_dir()):
                yield entry
