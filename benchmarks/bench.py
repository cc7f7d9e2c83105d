"""Benchmark `auditlib check` against one ripgrep pass, and `auditlib run` against its floor.

    .venv/bin/python benchmarks/bench.py [--sizes 100,300,1000] [--files 60] [--repeat 5]
                                         [--module-kb K] [--skip-run]

For each size, a synthetic monorepo is generated once (benchmarks/generate.py, cached in
--workdir). Then `auditlib check REPO --format json`, `auditlib check REPO` (text) and one
`rg --json` pass with the same probe patterns, globs and ignore flags over the same tree run
alternately, after --warmup runs each; the table gives their median wall and CPU times, the
ratios and the peak RSS. Then `auditlib run` on the bundled example, for the same date again
and for a new date, alternates with bare papermill execution plus nbconvert export of an
empty parameterized notebook (benchmarks/bare_notebook.py). Last, `auditlib run` once on the
largest tree: no target, a figure that shows what a large repository's document costs.
auditlib is byte-compiled first.

Prints the tables and writes them into BENCHMARKS.md between the `bench:` markers; the
rest of that file (what mattered, written by hand) is kept.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generate import generate

from auditlib import api, codesearch, repofiles

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AUDIT_DATE = "2026-01-01"  # fixed, so every run audits the same thing
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGET_CHECK, AIM_CHECK, TARGET_RSS_MB, TARGET_RUN = 2.0, 1.5, 300, 1.3
GNU_TIME = Path("/usr/bin/time")


@dataclass(frozen=True, kw_only=True, slots=True)
class Timing:
    seconds: float
    cpu_seconds: float  # user + system, its children included: steadier on a busy machine
    max_rss_kib: int  # peak resident set of the process, or of a child of it if larger


@dataclass(frozen=True, kw_only=True, slots=True)
class SizeResult:
    apps: int
    files: int  # files ripgrep lists in the tree (decoys excluded)
    rg: list[float]
    check: list[float]  # --format json: every fact and finding, serialised and redacted
    text: list[float]  # the default output: one line per finding
    rg_cpu: list[float]
    check_cpu: list[float]
    check_rss_kib: int
    rg_rss_kib: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.check) / statistics.median(self.rg)

    @property
    def text_ratio(self) -> float:
        return statistics.median(self.text) / statistics.median(self.rg)


@dataclass(frozen=True, kw_only=True, slots=True)
class RunResult:
    run: list[float]  # the same date again: the history chart is kept
    new: list[float]  # a new date, into an empty folder: the history chart is drawn
    bare: list[float]
    run_rss_kib: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.run) / statistics.median(self.bare)

    @property
    def new_ratio(self) -> float:
        return statistics.median(self.new) / statistics.median(self.bare)


@dataclass(frozen=True, kw_only=True, slots=True)
class LargeRun:
    apps: int
    findings: int
    timing: Timing
    html_bytes: int


def auditlib_script() -> str:
    """The `auditlib` of the interpreter running this script (the project's venv)."""
    script = Path(sysconfig.get_path("scripts")) / "auditlib"
    if not script.exists():
        raise SystemExit(f"{script} not found: run this with the venv's python (pip install -e .)")
    return str(script)


def timed(command: Sequence[str], cwd: Path | None = None, ok: Sequence[int] = (0,)) -> Timing:
    """Wall time and peak RSS of one run of `command`, stdin closed, stdout to /dev/null.

    The RSS comes from /usr/bin/time when there is one: a child forked from this process
    would count this process's memory as its own until it execs.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "rss"
        wrapped = [str(GNU_TIME), "-f", "%M %U %S", "-o", str(report), *command] \
            if GNU_TIME.exists() else list(command)
        with (Path(scratch) / "stderr").open("w+b") as errors:
            start = time.perf_counter()
            process = subprocess.Popen(wrapped, cwd=cwd, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=errors)
            _pid, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode not in ok:
                errors.seek(0)
                raise SystemExit(f"{shlex.join(command)} exited {process.returncode}:\n"
                                 + errors.read().decode(errors="replace"))
        if GNU_TIME.exists():
            rss, user, system = report.read_text(encoding="utf-8").splitlines()[-1].split()
            return Timing(seconds=seconds, cpu_seconds=float(user) + float(system),
                          max_rss_kib=int(rss))
    return Timing(seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime,
                  max_rss_kib=usage.ru_maxrss)


def alternate(commands: dict[str, tuple[list[str], Path | None, tuple[int, ...]]],
              repeat: int, warmup: int) -> dict[str, list[Timing]]:
    """`warmup` runs of each command, then `repeat` rounds, the order flipped each round."""
    for _run in range(warmup):
        for command, cwd, ok in commands.values():
            timed(command, cwd, ok)
    found: dict[str, list[Timing]] = {name: [] for name in commands}
    names = list(commands)
    for round_number in range(repeat):
        for name in names if round_number % 2 == 0 else reversed(names):
            command, cwd, ok = commands[name]
            found[name].append(timed(command, cwd, ok))
    return found


def probe_search() -> list[str]:
    """The `rg --json` command of the built-in probes, as auditlib runs it."""
    probes = codesearch.PROBES
    return repofiles.search_args([probe.regex for probe in probes], codesearch.pass_globs(probes))


def check_command(repo: Path, output: str = "json") -> list[str]:
    return [auditlib_script(), "check", str(repo), "--format", output, "--date", AUDIT_DATE]


def tree_name(apps: object, files: object, module_kb: float = 0) -> str:
    return f"apps-{apps}-files-{files}" + (f"-kb-{module_kb:g}" if module_kb else "")


def repository(workdir: Path, apps: int, files: int, module_kb: float = 0) -> Path:
    """The generated tree for this size, made once per version of the generator."""
    version = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    repo = workdir / tree_name(apps, files, module_kb)
    stamp = workdir / f"{repo.name}.{version}.done"
    if not stamp.exists():
        if repo.exists():
            shutil.rmtree(repo)  # left by an older generator or an interrupted run
        print(f"generating {repo} ...", file=sys.stderr, flush=True)
        generate(repo, apps, files, module_bytes=round(module_kb * 1024))
        stamp.touch()
    return repo


def bench_size(workdir: Path, apps: int, files: int, repeat: int, warmup: int,
               module_kb: float = 0) -> SizeResult:
    repo = repository(workdir, apps, files, module_kb)
    listed = len(repofiles.list_files(repo, ()))
    print(f"{apps} apps ({listed} files): check and rg, {repeat} rounds ...", file=sys.stderr,
          flush=True)
    found = alternate({"check": (check_command(repo), None, (0,)),
                       "text": (check_command(repo, "text"), None, (0,)),
                       "rg": (probe_search(), repo, (0, 1))}, repeat, warmup)
    return SizeResult(apps=apps, files=listed, rg=[t.seconds for t in found["rg"]],
                      check=[t.seconds for t in found["check"]],
                      text=[t.seconds for t in found["text"]],
                      rg_cpu=[t.cpu_seconds for t in found["rg"]],
                      check_cpu=[t.cpu_seconds for t in found["check"]],
                      check_rss_kib=max(t.max_rss_kib for t in found["check"]),
                      rg_rss_kib=max(t.max_rss_kib for t in found["rg"]))


def run_commands(workdir: Path) -> dict[str, tuple[list[str], Path | None, tuple[int, ...]]]:
    return {
        "run": ([auditlib_script(), "run", "--out", str(workdir / "run-outputs"), "--date",
                 AUDIT_DATE, "--quiet"], None, (0,)),
        "new": (["sh", "-c", 'exec "$0" run --out "$(mktemp -d "$1/new-date.XXXXXX")"'
                 f' --date {AUDIT_DATE} --quiet', auditlib_script(), str(workdir)], None, (0,)),
        "bare": ([sys.executable, str(HERE / "bare_notebook.py"), str(workdir / "bare-outputs")],
                 None, (0,)),
    }


def bench_run(workdir: Path, repeat: int, warmup: int) -> RunResult:
    print(f"auditlib run and bare papermill + nbconvert, {repeat} rounds ...", file=sys.stderr,
          flush=True)
    found = alternate(run_commands(workdir), repeat, warmup)
    for folder in workdir.glob("new-date.*"):
        shutil.rmtree(folder)
    return RunResult(run=[t.seconds for t in found["run"]], new=[t.seconds for t in found["new"]],
                     bare=[t.seconds for t in found["bare"]],
                     run_rss_kib=max(t.max_rss_kib for name in ("run", "new") for t in found[name]))


def large_run_command(workdir: Path, repo: Path) -> list[str]:
    return [auditlib_script(), "run", str(repo), "--out", str(workdir / "large-run-outputs"),
            "--date", AUDIT_DATE, "--quiet"]


def bench_large_run(workdir: Path, repo: Path, apps: int) -> LargeRun:
    """One `auditlib run` on `repo`, into an emptied folder."""
    print(f"auditlib run on {apps} apps, once ...", file=sys.stderr, flush=True)
    shutil.rmtree(workdir / "large-run-outputs", ignore_errors=True)
    timing = timed(large_run_command(workdir, repo), ok=(0, 1))  # 1: a finding at --fail-on
    folder = workdir / "large-run-outputs" / AUDIT_DATE
    counts = json.loads((folder / "findings.json").read_text(encoding="utf-8"))["counts"]
    return LargeRun(apps=apps, findings=sum(counts.values()) - counts.get("WAIVED", 0),
                    timing=timing, html_bytes=(folder / "auto-scaling-audit.html").stat().st_size)


def machine() -> str:
    info = Path("/proc/cpuinfo").read_text(encoding="utf-8") if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rg = subprocess.run([repofiles.rg_binary(), "--version"], capture_output=True, text=True,
                        check=True).stdout.splitlines()[0]
    return (f"{len(os.sched_getaffinity(0))} CPUs available (nproc; {model}), {memory:.0f} GiB RAM,"
            f" {platform.system()} {platform.release()}, Python {platform.python_version()},"
            f" {rg}, auditlib {api.version()}")


def _seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f}"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def results_markdown(sizes: Sequence[SizeResult], run: RunResult | None, argv: Sequence[str],
                     repeat: int, warmup: int, workdir: Path, module_kb: float = 0,
                     large: LargeRun | None = None) -> str:
    lines = [f"Measured on {date.today().isoformat()} with `{shlex.join(argv)}`.", "",
             f"Machine: {machine()}. auditlib's modules are byte-compiled first, as an installed"
             " package's are.", ""]
    if sizes:
        lines += [
            "### `auditlib check` against one ripgrep pass", "",
            "| Apps | Files searched | `rg --json` (s) | `check --format json` (s) | Ratio"
            " | `check` (text) (s) | Ratio | json per 1,000 files (ms) | CPU rg / json (s)"
            " | Peak RSS json (MB) | Peak RSS rg (MB) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sizes:
            per_file = statistics.median(size.check) / size.files * 1e6
            lines.append(f"| {size.apps:,} | {size.files:,} | {_seconds(size.rg)}"
                         f" | {_seconds(size.check)} | {size.ratio:.2f}x"
                         f" | {_seconds(size.text)} | {size.text_ratio:.2f}x | {per_file:.1f}"
                         f" | {_seconds(size.rg_cpu)} / {_seconds(size.check_cpu)}"
                         f" | {size.check_rss_kib / 1024:.0f} | {size.rg_rss_kib / 1024:.0f} |")
        largest = max(sizes, key=lambda size: size.apps)
        lines += ["", f"Wall and CPU (user + system) times are medians of {repeat} alternating runs"
                  f" after {warmup} warm-up run(s) each. On the"
                  f" largest tree ({largest.apps:,} apps): ratio {largest.ratio:.2f}x with"
                  f" `--format json`, {largest.text_ratio:.2f}x with the text output, target"
                  f" {TARGET_CHECK}x (aim {AIM_CHECK}x):"
                  f" {_verdict(max(largest.ratio, largest.text_ratio) <= TARGET_CHECK)};"
                  f" peak RSS {largest.check_rss_kib / 1024:.0f} MB, target under"
                  f" {TARGET_RSS_MB} MB: {_verdict(largest.check_rss_kib / 1024 < TARGET_RSS_MB)}.",
                  ""]
    if run is not None:
        lines += [
            "### `auditlib run` on the bundled example against bare papermill + nbconvert", "",
            "| papermill + nbconvert, empty notebook (s) | `auditlib run`, same date again (s)"
            " | Ratio | `auditlib run`, new date (s) | Ratio | Peak RSS run (MB) |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {_seconds(run.bare)} | {_seconds(run.run)} | {run.ratio:.2f}x"
            f" | {_seconds(run.new)} | {run.new_ratio:.2f}x | {run.run_rss_kib / 1024:.0f} |",
            "", f"Medians of {repeat} alternating runs. A run for the same date again keeps the"
                " history chart; a run for a new date (here: into an empty folder) draws it."
                f" Target {TARGET_RUN}x: {_verdict(run.ratio <= TARGET_RUN)} for the same date,"
                f" {_verdict(run.new_ratio <= TARGET_RUN)} for a new date.", ""]
    if large is not None:
        lines += [
            "### `auditlib run` on the largest tree", "",
            "| Apps | Open findings | `auditlib run` (s) | Peak RSS (MB) | HTML page (MB) |",
            "|---:|---:|---:|---:|---:|",
            f"| {large.apps:,} | {large.findings:,} | {large.timing.seconds:.1f}"
            f" | {large.timing.max_rss_kib / 1024:.0f} | {large.html_bytes / 2**20:.1f} |", "",
            "One run, into an empty folder: no target, what the document of a large repository"
            " costs to make.", ""]
    padding = f" --module-kb {module_kb:g}" if module_kb else ""
    repo = workdir / tree_name("N", "F", module_kb)
    check, text = check_command(repo), check_command(repo, "text")
    check[0] = text[0] = ".venv/bin/auditlib"
    lines += ["### Commands", "",
              "Each measured command runs with stdin closed and stdout to /dev/null"
              + (", under `/usr/bin/time -f '%M %U %S'` for its peak RSS and CPU time:"
                 if GNU_TIME.exists() else
                 "; peak RSS from wait4 (an upper bound: a forked child counts the"
                 " benchmark's own memory until it execs):"), "", "```sh",
              f".venv/bin/python benchmarks/generate.py {repo} --apps N --files F{padding}"
              "  # once per size",
              f"{shlex.join(check)} > /dev/null",
              f"{shlex.join(text)} > /dev/null",
              f"(cd {repo} && {shlex.join(['rg', *probe_search()[1:]])}) > /dev/null"]
    if run is not None:
        commands = run_commands(workdir)
        new = commands["new"][0]
        lines += [shlex.join([".venv/bin/auditlib", *commands["run"][0][1:]]) + " > /dev/null",
                  shlex.join([*new[:3], ".venv/bin/auditlib", *new[4:]]) + " > /dev/null",
                  shlex.join([".venv/bin/python", "benchmarks/bare_notebook.py",
                              *commands["bare"][0][2:]]) + " > /dev/null"]
    if large is not None:
        shown = large_run_command(workdir, repo)
        lines += [shlex.join([".venv/bin/auditlib", *shown[1:]]) + " > /dev/null  # the largest N"]
    lines += ["```"]
    return "\n".join(lines)


def write_report(path: Path, results: str) -> None:
    """Put `results` between the markers of `path`, keeping the text around them."""
    block = f"{BEGIN}\n{results}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = (f"# Benchmarks\n\nGenerated by `benchmarks/bench.py` between the markers;"
                f" the rest is written by hand.\n\n{block}\n\n## What mattered\n\n(to be written)\n")
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,300,1000", help="numbers of apps, comma-separated")
    parser.add_argument("--files", type=int, default=60, help="TypeScript files per app")
    parser.add_argument("--module-kb", type=float, default=0,
                        help="pad each library module to about this many KB (default: no padding,"
                             " about 1.2 KB)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed runs of each command first (default: 1)")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "auditlib-bench",
                        help="where the generated trees are kept between runs")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md",
                        help="the report to update")
    parser.add_argument("--skip-run", action="store_true",
                        help="do not measure `auditlib run` (no notebook kernel)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    # Byte-compiled as an installed package is: with PYTHONDONTWRITEBYTECODE set, each
    # measured process would otherwise compile auditlib's modules from source.
    compileall.compile_dir(str(ROOT / "auditlib"), quiet=1)
    sizes = [bench_size(args.workdir, int(n), args.files, args.repeat, args.warmup, args.module_kb)
             for n in args.sizes.split(",") if n.strip()]
    run = None if args.skip_run else bench_run(args.workdir, args.repeat, args.warmup)
    largest = max(sizes, key=lambda size: size.apps, default=None)
    large = None if args.skip_run or largest is None else bench_large_run(
        args.workdir, repository(args.workdir, largest.apps, args.files, args.module_kb), largest.apps)
    shown = ["python", "benchmarks/bench.py", *(sys.argv[1:] if argv is None else argv)]
    results = results_markdown(sizes, run, shown, args.repeat, args.warmup, args.workdir,
                               args.module_kb, large)
    print(results)
    write_report(args.out, results)
    print(f"\nwrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
