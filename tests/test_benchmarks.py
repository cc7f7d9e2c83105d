"""The benchmark harness runs, its synthetic monorepo audits as planted, and the fast paths
found by profiling give the answers of the slow ones. Nothing here is timed."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import json5
import pytest

import auditlib
from auditlib import codesearch, repofiles, wrangler
from auditlib.errors import ConfigParseError
from auditlib.model import LatencyMonitor, Location
from auditlib.rules import console_latency

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
DATE = "2026-01-01"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generate = _load("generate")


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    repo = tmp_path_factory.mktemp("bench") / "mono"
    return repo, generate.generate(repo, apps=6, files=5)


def test_generated_repository_is_a_git_checkout_with_ignored_decoys(
        monorepo: tuple[Path, Any]) -> None:
    repo, _planted = monorepo
    tracked = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    assert "apps/app-0000/wrangler.toml" in tracked and "apps/app-0002/wrangler.jsonc" in tracked
    assert (repo / "apps/app-0000/node_modules/dep-0/index.js").is_file()
    assert not [path for path in tracked if "node_modules/" in path or "/dist/" in path]


def test_generated_repository_audits_as_planted(monorepo: tuple[Path, Any]) -> None:
    repo, planted = monorepo
    audit = auditlib.run_audit(repo, DATE)
    placeholders = sorted(f.location.path for f in audit.findings if f.rule == "CF001")
    # A TOML config with an all-zeros id, a JSONC config with a REPLACE_ME marker.
    assert placeholders == ["apps/app-0000/wrangler.toml", "apps/app-0005/wrangler.jsonc"]
    assert tuple(placeholders) == planted.placeholder_ids
    assert len(audit.facts.providers) == planted.provider_selections
    assert len(audit.facts.latency) == planted.latency_checks
    assert {c.app for c in audit.facts.configs} == {f"apps/app-{i:04d}" for i in range(6)}
    assert "node_modules" not in audit.to_json() and "/dist/" not in audit.to_json()


def test_padded_modules_are_larger_and_audit_the_same(monorepo: tuple[Path, Any],
                                                      tmp_path: Path) -> None:
    repo, _planted = monorepo
    padded = tmp_path / "padded"
    generate.generate(padded, apps=6, files=5, module_bytes=4096, commit=False)
    module = "apps/app-0001/src/lib/module-01.ts"
    assert (repo / module).stat().st_size < 2048 <= 4096 <= (padded / module).stat().st_size
    assert (padded / module).read_text().startswith((repo / module).read_text())

    def found(root: Path) -> list[tuple[str, str, int]]:
        audit = auditlib.run_audit(root, DATE)
        return sorted((f.rule, f.location.path, f.location.start_line or 0)
                      for f in audit.findings)

    # The padding matches no probe: the same findings, at the same lines.
    assert found(padded) == found(repo)


def test_a_bundle_is_one_line_each_of_whose_checks_and_calls_is_found(
        monorepo: tuple[Path, Any], tmp_path: Path) -> None:
    repo, _planted = monorepo
    bundled = tmp_path / "bundled"
    generate.generate(bundled, apps=6, files=5, bundle_bytes=20_000, commit=False)
    path = "apps/app-0000/public/vendor.min.js"
    text = (bundled / path).read_text(encoding="utf-8")
    calls = text.count("e.histogram(")
    assert text.count("\n") == 1 and len(text) >= 20_000 and calls > 30
    audit, plain = auditlib.run_audit(bundled, DATE), auditlib.run_audit(repo, DATE)
    assert [f.rule for f in audit.findings if f.location.path == path] == ["CF004"] * calls
    assert sum(m.location.path == path for m in audit.facts.metrics) == calls
    # Its calls are metrics in code: CF005 is no longer found; the rest is the same.
    assert ([(f.rule, f.location) for f in audit.findings if f.location.path != path]
            == [(f.rule, f.location) for f in plain.findings if f.rule != "CF005"])


def test_harness_runs_on_a_tiny_tree_and_keeps_the_hand_written_text(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n<!-- bench:begin -->\nold numbers\n<!-- bench:end -->\n\n"
                      "## What mattered\n\nwritten by hand\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench.py"), "--sizes", "3", "--files", "5",
         "--repeat", "1", "--warmup", "0", "--workdir", str(tmp_path / "work"), "--out", str(report)],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    text = report.read_text(encoding="utf-8")
    assert "old numbers" not in text and text.endswith("## What mattered\n\nwritten by hand\n")
    # apps, files, rg, check --format json and its ratio, check (text) and its ratio
    assert re.search(r"^\| 3 \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+ \| [\d.]+x \|",
                     text, re.MULTILINE), text
    # bare, run for the same date and its ratio, run for a new date and its ratio, RSS
    assert re.search(r"^\| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+ \| [\d.]+x \| \d+ \|$", text,
                     re.MULTILINE), text
    # auditlib run on the largest tree: apps, open findings, seconds, RSS, HTML size
    assert re.search(r"^\| 3 \| [1-9]\d* \| [\d.]+ \| \d+ \| [\d.]+ \|$", text, re.MULTILINE), text
    assert "auditlib check" in text and "--json --binary -e" in text and "bare_notebook.py" in text
    assert "large-run-outputs" in text
    assert not list((tmp_path / "work").glob("new-date.*"))  # the new-date folders are removed


# Fast paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    '{"name": "a", "main": "src/index.ts"}',
    '// header\n{\n  "name": "a", // the name\n  "routes": ["https://x.dev/*"]\n}',
    '{\n  /* block\n     comment */ "name": "a/*b*/",\n  "n": 1\n}',
    '{"name": "quote \\" // not a comment", "x": -0, "y": 1e3}',
    '{"name": "a",}',  # a trailing comma (JSON5 that wrangler reads, unlike its quotes and keys)
    '{"a": 1 /* glued */2}',  # an error, as in json5
    '{"name": "a"',  # an error, as in json5
    '["not", "an", "object"]',
])
def test_jsonc_fast_path_reads_what_json5_reads(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def parsed() -> str:  # the values, or the error with its line and column
        try:
            return json.dumps(wrangler.parse("wrangler.jsonc", text))
        except ConfigParseError as exc:
            return f"error: {exc}"

    fast = parsed()
    monkeypatch.setattr(wrangler, "_json", json5.loads)
    assert re.sub(r", expected [^:]*$", "", fast) == parsed()  # what json adds it expected


@pytest.mark.parametrize(("line", "key", "value", "quoted"), [
    ('id = "abc"', "id", "abc", True),
    ('  { binding = "KV", id = \'abc\' },', "id", "abc", True),
    ('"id": "abc",', "id", "abc", True),
    ('preview_id = "abc"', "id", "abc", False),
    ('xid = "abc"', "id", "abc", True),
    ('id = "abcd"', "id", "abc", True),
    ("max_batch_size = 100", "max_batch_size", "10", False),
    ("max_batch_size=10", "max_batch_size", "10", False),
    ('"id" :\t"abc"', "id", "abc", True),
    ('id id = "abc"', "id", "abc", True),
    ('id = abc', "id", "abc", True),
    ('# id = "abc"', "id", "abc", True),
    ("enabled: true", "enabled", "true", False),
])
def test_pair_lookup_agrees_with_its_regex(line: str, key: str, value: str, quoted: bool) -> None:
    shown = f"[\"']{re.escape(value)}[\"']" if quoted else re.escape(value)
    pattern = re.compile(rf"(?:^|[\s{{,\"']){re.escape(key)}[\"']?\s*[=:]\s*{shown}")
    assert wrangler._holds_pair(line, key, value, quoted) == bool(pattern.search(line))


def test_commented_code_is_read_as_by_its_backtracking_regex() -> None:
    """`.*[=(].*[;{}]$` took minutes on a long comment line of `(`; `[^=(]*[=(]` does not
    backtrack and reads each line the same."""
    slow = re.compile(codesearch._COMMENTED_CODE.pattern.replace("[^=(]*[=(]", ".*[=(]"))
    assert slow.pattern != codesearch._COMMENTED_CODE.pattern
    chosen = random.Random(7)
    lines = ["// a = b(c);", "// x(y) {", "// (", "// note: a = b", "//=;", "// ;(", *(
        "//" + "".join(chosen.choice(" =(;{}ab/") for _ in range(chosen.randint(0, 12)))
        for _ in range(20_000))]
    assert [bool(codesearch._COMMENTED_CODE.match(line)) for line in lines] == [
        bool(slow.match(line)) for line in lines]


def test_the_checked_variable_is_the_first_compared_with_its_threshold() -> None:
    """Each threshold's variable is read once per line (a bundle's line holds thousands)."""
    line = ("if (latencyMs > 500 || elapsedMs > 800) { warn() } if (durationMs >= 800) {}"
            " if (latency > 1_000) {} if (waitDuration > " + "9" * 5000 + ") {}")

    def slow(threshold: int) -> str:
        return next((found[1] for found in console_latency._CHECK.finditer(line)
                     if int(found[2]) == threshold), "latency")

    def checked(threshold: int) -> str:
        return console_latency.checked_variable(LatencyMonitor(
            threshold_ms=threshold, sinks=(), snippet=line + "\nnext()",
            location=Location(path="a.ts", start_line=1)))

    assert [checked(threshold) for threshold in (500, 800, 1000)] == [
        slow(threshold) for threshold in (500, 800, 1000)] == ["latencyMs", "elapsedMs", "latency"]
    assert checked(42) == "latency"  # the slow way raised: int() of 5,000 digits


def test_symlinks_are_found_without_stat_and_excluded_folders_skipped(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "node_modules/pkg").mkdir(parents=True)
    (repo / "src/a.ts").write_text("export const a = 1;\n", encoding="utf-8")
    (repo / "src/inside.ts").symlink_to(repo / "src/a.ts")  # fine: not reported
    (repo / "src/broken.ts").symlink_to(repo / "src/missing.ts")
    (repo / "src/outside").symlink_to(tmp_path, target_is_directory=True)
    (repo / "node_modules/pkg/escape").symlink_to(tmp_path)  # in an excluded folder
    (repo / "dist").symlink_to(tmp_path, target_is_directory=True)  # named like one
    assert repofiles.walk_problems(repo, lambda _path: True) == ([
        ("src/broken.ts", f"broken symbolic link to {repo / 'src/missing.ts'}"),
        ("src/outside", "symbolic link to outside the repository: not followed"),
    ], ["src/inside.ts"])


def test_a_line_separator_in_code_does_not_break_the_search(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text('const s = "x\u2028y"; const p = process.env.CART_PROVIDER;\n'
                                   "export class Other {}\n", encoding="utf-8")
    found = codesearch.run_probes(tmp_path)
    assert [(m.probe, m.location.start_line) for m in found] == [
        ("provider-variable", 1), ("exported-class", 2)]
