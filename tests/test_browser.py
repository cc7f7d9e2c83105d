"""The published HTML report: one self-contained file, checked in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditlib import cli
from auditlib.htmlreport import _anchors

DATE = "2026-11-26"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["run", "--out", str(out), "--date", DATE, "--quiet"]) == 0
    return out / DATE / "auto-scaling-audit.html"


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html)
    assert "<script" not in html  # nothing to run, nothing to fetch
    images = re.findall(r"<img\s[^>]*>", html)
    assert len(images) == 2 and all(re.search(r'\salt="[^"]+"', image) and re.search(
        r'\ssrc="data:image/png;base64,', image) for image in images)
    assert "import auditlib" not in html and "In&nbsp;[" not in html  # no code, no prompts


def test_report_has_contents_badges_and_folded_evidence(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.DOTALL)
    assert toc is not None
    for target in re.findall(r'href="#([^"]+)"', toc.group(0)):
        assert f'id="{target}"' in html
    assert '<span class="badge p0" title="severity P0">P0</span>' in html  # text, not colour only
    assert "<details><summary>Show all" in html
    assert "@media print" in html and "@media (max-width" in html


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs"
                    " Debian's chromium package); the browser checks did not run")
@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_report_loads_in_chromium(report: Path, tmp_path: Path, width: int) -> None:
    url = report.as_uri()
    loaded = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", url,
                       profile=tmp_path / "profile")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    console = [line for line in loaded.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # no console errors or warnings
    dom = loaded.stdout
    assert "<h1" in dom and dom.count("<h2") >= 10
    assert dom.count("<table>") >= 10
    assert dom.count('src="data:image/png;base64,') == 2
    screenshot = tmp_path / f"report-{width}.png"
    shot = _chromium(f"--screenshot={screenshot}", f"--window-size={width},2000", url,
                     profile=tmp_path / "profile-shot")
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a page was drawn, not blank
    print(f"screenshot: {screenshot}")


@given(st.lists(st.sampled_from(["Notes", "notes-2", "Notes 3", "", "section", "section-2",
                                 "A &amp; B", "a-b", "<code>a</code> b"]), max_size=30))
def test_heading_ids_number_repeats_from_2_as_a_scan_would(texts: list[str]) -> None:
    html, found = _anchors("".join(f"<h2>{text}</h2>" for text in texts))
    taken: set[str] = set()
    for (_level, slug, _text), text in zip(found, texts, strict=True):
        base = re.sub(r"[^a-z0-9]+", "-", unescape(re.sub(r"<[^>]+>", "", text)).lower()).strip("-")
        expected, number = base or "section", 2
        while expected in taken:
            expected, number = f"{base}-{number}", number + 1
        taken.add(expected)
        assert slug == expected
    assert len(taken) == len(texts) == html.count(' id="')
