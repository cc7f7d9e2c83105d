"""`auditlib run`: one real papermill execution of the notebook, the CLI's exits and messages."""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import papermill
import pytest

import auditlib
from auditlib import cli, execute, history
from auditlib.blocks import plain
from auditlib.errors import AuditError
from auditlib.htmlreport import finish
from auditlib.publish import publish

if TYPE_CHECKING:
    from conftest import MakeRepo

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "auto-scaling-audit.ipynb"
FILES = ["auto-scaling-audit.html", "auto-scaling-audit.ipynb", "auto-scaling-audit.md",
         "auto-scaling-audit_files", "findings.json", "findings.sarif"]
INDEX = ["index.md", "index.html", "history.png"]


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    assert cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet"]) == 0
    return out / "2026-01-21"


def test_run_writes_the_dated_files_and_the_history(run_output: Path) -> None:
    assert sorted(p.name for p in run_output.iterdir()) == FILES
    assert sorted(p.name for p in run_output.parent.iterdir()) == sorted(["2026-01-21", *INDEX])


def test_exported_markdown_is_the_rendered_document(run_output: Path) -> None:
    """The export is the rendered document plus the charts, kept as files beside it."""
    exported = (run_output / "auto-scaling-audit.md").read_text(encoding="utf-8")
    before, glance = exported.split("## At a Glance\n\n", 1)
    charts, after = glance.split("\n\n## ", 1)
    expected = auditlib.run_audit(audit_date="2026-01-21").markdown()
    assert before + "## " + after == expected
    images = re.findall(r"^!\[(.+)\]\((auto-scaling-audit_files/chart-\w+\.png)\)$", charts,
                        re.MULTILINE)
    assert len(images) == 2 and all(alt for alt, _ in images)
    assert all((run_output / path).read_bytes().startswith(b"\x89PNG") for _, path in images)


def test_html_has_no_code_and_real_tables(run_output: Path) -> None:
    html = (run_output / "auto-scaling-audit.html").read_text(encoding="utf-8")
    assert "import auditlib" not in html and "repo_path" not in html
    assert "<table>" in html and "LOGIN_RATE_LIMIT_KV" in html
    # the header block a line each, not one run-on paragraph
    assert '<p class="header-block">Type: Guide<br>\nStatus: Active<br>\n' in html


def test_findings_json(run_output: Path) -> None:
    data = json.loads((run_output / "findings.json").read_text(encoding="utf-8"))
    assert data["audit_date"] == "2026-01-21"
    assert data["repo"] == "base-shop"
    assert data["tool"]["name"] == "auditlib"
    placeholders = [f for f in data["findings"] if f["rule"] == "CF001"]
    assert {(f["path"], f["line"], f["severity"]) for f in placeholders} == {
        ("wrangler.toml", 11, "P0"), ("apps/product-pipeline/wrangler.toml", 8, "P0")}
    assert len(data["facts"]["configs"]) == 7


def test_executed_notebook_kept(run_output: Path) -> None:
    executed = nbformat.read(run_output / "auto-scaling-audit.ipynb", as_version=4)
    outputs = [output for cell in executed.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert outputs
    assert all(set(output.data) == {"text/markdown"} for output in outputs
               if output.output_type == "display_data")


def test_show_makes_an_output_of_each_section_and_each_chart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An output a block made nbconvert's export of 2,590 blocks 3 s slower: a section's
    blocks are one output, and the outputs, joined, are the document."""
    import IPython.display

    from auditlib.blocks import Chart, Table, Text, to_markdown

    shown: list[dict[str, str]] = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda data, raw=False: shown.append(data) if raw else None)
    blocks = [Text("# Title"), Text("Intro."), Text("## A"), Table.of(("K", "V"), [("a", 1)]),
              Chart("bars", b"png"), Chart("more", b"png"), Text("After."), Text("## B"),
              Text("B.")]
    auditlib.show(blocks)
    texts = [data["text/markdown"] for data in shown]
    assert texts == ["# Title\n\nIntro.", "## A\n\n| K | V |\n|---|---|\n| a | 1 |",
                     blocks[4].markdown, blocks[5].markdown, "After.", "## B\n\nB."]
    assert "\n\n".join(texts) + "\n" == to_markdown(blocks)


def test_report_cell_imports_neither_pyplot_nor_pandas(tmp_path: Path) -> None:
    """The kernel draws the charts without pyplot and shows the tables without pandas:
    importing either would slow every run."""
    code = ("import sys; from IPython.core.interactiveshell import InteractiveShell;"
            " InteractiveShell.instance(); import auditlib;"
            " auditlib.show(auditlib.run_audit(audit_date='2026-01-21').blocks(charts=True));"
            " print(sorted({'matplotlib.pyplot', 'pandas'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.stdout.splitlines()[-1:] == ["[]"], done.stderr[-2000:]


def test_the_html_export_parses_only_the_template_page_again(
        run_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTMLExporter parses its whole page with BeautifulSoup and writes it again (10 s of a
    13 s export for 5,070 findings): the outputs' HTML is set aside meanwhile, and the page is
    the same HTML, as a parser reads it, as without that."""
    from bs4 import BeautifulSoup
    from nbconvert.exporters import html as nbconvert_html

    notebook = nbformat.read(run_output / "auto-scaling-audit.ipynb", as_version=4)
    exporters = execute._exporters()
    parsed: list[str] = []
    parse = nbconvert_html.BeautifulSoup
    monkeypatch.setattr(nbconvert_html, "BeautifulSoup",
                        lambda html, **options: parsed.append(html) or parse(html, **options))
    execute._export(notebook, tmp_path, exporters)
    page = (tmp_path / "auto-scaling-audit.html").read_text(encoding="utf-8")
    assert len(parsed) == 1 and "LOGIN_RATE_LIMIT_KV" not in parsed[0]
    assert "LOGIN_RATE_LIMIT_KV" in page and "auditlib-output-" not in page
    monkeypatch.undo()
    whole, _ = exporters[1].from_notebook_node(
        notebook, {"metadata": {"name": "Auto-Scaling Architecture"}})
    assert str(BeautifulSoup(page, "html.parser")) == str(BeautifulSoup(finish(whole), "html.parser"))
    assert page == (run_output / "auto-scaling-audit.html").read_text(encoding="utf-8")


def test_embedded_images_come_out_of_the_markdown_renderer_intact() -> None:
    import mistune

    data = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3).decode("ascii")
    source = (f"![A <chart>](data:image/png;base64,{data})\n\n| Link |\n|---|\n"
              f"| [link](data:image/png;base64,{data}) ![x](data:image/png;base64,7) |\n"
              f'\n![titled](data:image/png;base64,0 "t") ![](data:image/png;base64,{data})\n')
    render = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    assert execute.markdown2html(source) == render(source)
    assert data in execute.markdown2html(source)


def test_repository_text_is_escaped_once_in_the_html() -> None:
    """The Markdown writes `&` and `<` from the repository as entities; the HTML shows them
    as the characters, while raw HTML and `javascript:` links stay harmless."""
    source = (f"# {plain('Performance & Budgets')}\n\n| App |\n|---|\n| {plain('evil</td>')} |"
              "\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))\n")
    html = execute.markdown2html(source)
    assert "<h1>Performance &amp; Budgets</h1>" in html
    assert "<td>evil&lt;/td&gt;</td>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and '<a href="#harmful-link">x</a>' in html


def test_a_pipe_in_code_in_a_table_cell_is_a_pipe_in_the_html() -> None:
    """As GitHub shows it (GFM): `\\|` in a cell is `|`, in a code span too; not outside a table."""
    html = execute.markdown2html("| Quoted line |\n|---|\n| `# TODO \\| ask ops` |\n\n`a \\| b`\n")
    assert "<td><code># TODO | ask ops</code></td>" in html
    assert "<p><code>a \\| b</code></p>" in html


def test_run_prints_paths_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--out", str(tmp_path), "--date", "2026-02-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:6] == [str(tmp_path / "2026-02-01" / name) for name in FILES]
    assert lines[6:9] == [str(tmp_path / name) for name in INDEX]
    summary = auditlib.run_audit(audit_date="2026-02-01").summary()
    assert lines[9] == f"auditlib: 2026-02-01: {summary}"  # as `check` prints it
    assert lines[9].startswith("auditlib: 2026-02-01: 29 open findings: P0 4, P1 11, P2 ")


def test_notebook_parameters_are_documented() -> None:
    parameters = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(parameters) == {"repo_path", "audit_date", "output_dir", "config_path", "doc_path",
                               "baseline_path"}
    assert all(p["help"] for p in parameters.values())


def test_committed_notebook_is_clean() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("argv", [
    ["run", "/no/such/repository"],
    ["run", __file__],
])
def test_bad_repository_exits_2_with_one_line(argv: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("auditlib: repository")


@pytest.mark.parametrize("timeout", ["0", "-5"])
def test_timeout_without_a_limit_exits_2(timeout: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--timeout", timeout])
    assert exit_info.value.code == 2
    assert "--timeout: not a whole number of seconds, 1 or more" in capsys.readouterr().err


def test_bad_date_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--date", "21/01/2026"])
    assert exit_info.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_help_explains_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "run" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    for option in ("--out", "--date", "--kernel", "--timeout", "--doc-path"):
        assert option in out


def test_help_names_every_output_the_default_notebook_and_each_exit_code(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping inside the names
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    top = " ".join(capsys.readouterr().out.split())
    assert "1 the notebook failed (run), an open finding is at or above --fail-on or a new one at" \
        " or above --fail-on-new (check, run), or drift was found (verify); 2 bad arguments or" \
        " input" in top
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for output in ("auto-scaling-audit.md", "auto-scaling-audit.html", "auto-scaling-audit.ipynb",
                   "findings.json", "findings.sarif", "DIR/index.md", "DIR/index.html",
                   "DIR/history.png"):
        assert output in out
    assert "this checkout" not in out and "packaged with auditlib" in out
    assert ("--publish [PATH] write the document into REPO at PATH (default: --doc-path, else"
            " the settings' doc_path, else docs/auto-scaling.md)") in out
    assert cli.DEFAULT_NOTEBOOK.parent == Path(auditlib.__file__).resolve().parent / "notebooks"


UNPAIRED = [
    pytest.param("<!-- auditlib:keep -->\nMY-NOTE\n", 11, "<!-- auditlib:keep --> has no"
                 " matching <!-- /auditlib:keep -->", id="never-closed"),
    pytest.param("MY-NOTE\n<!-- /auditlib:keep -->\n", 12, "<!-- /auditlib:keep --> has no"
                 " matching <!-- auditlib:keep -->", id="never-opened"),
    pytest.param("<!-- auditlib:keep -->a<!-- /auditlib:keep -->\n<!-- auditlib:keep -->\n"
                 "MY-NOTE\n", 12, "<!-- auditlib:keep --> has no matching", id="second-open"),
]
HAND_WRITTEN = ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2026-11-01\n"
                "Audit-status: VERIFIED\n\n# A\n\n## Overview\n\n")


@pytest.mark.parametrize(("notes", "line", "words"), UNPAIRED)
def test_publish_refuses_a_keep_marker_without_its_pair_before_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], notes: str, line: int,
        words: str) -> None:
    document = tmp_path / "repo" / "docs" / "auto-scaling.md"
    document.parent.mkdir(parents=True)
    document.write_text(HAND_WRITTEN + notes, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(tmp_path / "repo"), "--out", str(out), "--publish",
                     "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"auditlib: {document}:{line}: {words}" in err
    assert "the document was not changed" in err
    assert document.read_text(encoding="utf-8") == HAND_WRITTEN + notes
    assert not out.exists()  # refused before the notebook ran


@pytest.mark.parametrize(("notes", "line", "words"), UNPAIRED)
def test_publish_itself_refuses_a_keep_marker_without_its_pair(
        tmp_path: Path, notes: str, line: int, words: str) -> None:
    """The document may change while the notebook runs: publish checks it again."""
    target = tmp_path / "docs" / "auto-scaling.md"
    target.parent.mkdir()
    target.write_text(HAND_WRITTEN + notes, encoding="utf-8")
    images = tmp_path / "run" / "auto-scaling-audit_files"
    images.mkdir(parents=True)
    (images / "chart-0123456789ab.png").write_bytes(b"png")
    with pytest.raises(AuditError, match=re.escape(f"{target}:{line}: {words}")):
        publish("# A\n\n![c](auto-scaling-audit_files/chart-0123456789ab.png)\n", target, images)
    assert target.read_text(encoding="utf-8") == HAND_WRITTEN + notes
    assert sorted(p.name for p in target.parent.iterdir()) == ["auto-scaling.md"]


def test_failed_run_names_the_cell_and_leaves_no_date_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = nbformat.read(NOTEBOOK, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(broken, notebook)
    out = tmp_path / "out"
    code = cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet",
                     "--notebook", str(notebook)])
    assert code == 1
    err = capsys.readouterr().err
    # numbered as in broken.ipynb, not counting papermill's parameters and error cells
    assert (f"in cell {len(broken.cells)} of broken.ipynb (`raise RuntimeError('boom')`):"
            " RuntimeError: boom") in err
    assert not (out / "2026-01-21").exists()
    assert (out / "2026-01-21.failed.ipynb").exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    # A later run of the same date that succeeds removes the failure it replaces.
    assert cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet"]) == 0
    assert (out / "2026-01-21").is_dir()
    assert not (out / "2026-01-21.failed.ipynb").exists()


def _probe(path: Path, *cells: Any) -> Path:
    """A quick notebook at `path`: the audit notebook's parameters cell, then `cells`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells = [cell for cell in notebook.cells
                      if "parameters" in cell.metadata.get("tags", [])] + list(cells)
    nbformat.write(notebook, path)
    return path


def test_timeout_names_the_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                caplog: pytest.LogCaptureFixture) -> None:
    notebook = _probe(tmp_path / "slow.ipynb", nbformat.v4.new_markdown_cell("# Wait"),
                      nbformat.v4.new_code_cell("import time\ntime.sleep(30)"))
    out = tmp_path / "out"
    code = cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet",
                     "--timeout", "1", "--notebook", str(notebook)])
    assert code == 1
    err = capsys.readouterr().err
    assert "failed in cell 3 of slow.ipynb (`import time`): CellTimeoutError:" in err
    assert "Timeout waiting" not in err + caplog.text  # said once, in the error
    kept = nbformat.read(out / "2026-01-21.failed.ipynb", as_version=4).cells[-1]
    assert kept.metadata.papermill["status"] == "failed" and kept.metadata.papermill["exception"]
    assert [output.ename for output in kept.outputs] == ["CellTimeoutError"]


@pytest.mark.parametrize(("kind", "exit_code", "words"), [
    ("not-a-notebook", 2, "not a Jupyter notebook: "),
    ("no-parameters-cell", 2, "has no cell tagged `parameters`"),
    ("saves-nothing", 1, "the audit notebook ran but wrote no findings.json or findings.sarif"),
])
def test_bad_notebook_leaves_the_earlier_run(
        tmp_path: Path, kind: str, exit_code: int, words: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    earlier = tmp_path / "out" / "2026-01-21"
    earlier.mkdir(parents=True)
    (earlier / "findings.json").write_text("{}", encoding="utf-8")
    notebook = _probe(tmp_path / "audit.ipynb")  # the parameters cell only
    if kind == "not-a-notebook":
        notebook.write_text("not a notebook", encoding="utf-8")
    elif kind == "no-parameters-cell":
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                       notebook)
    code = cli.main(["run", "--out", str(earlier.parent), "--date", "2026-01-21", "--quiet",
                     "--notebook", str(notebook)])
    assert code == exit_code
    assert words in capsys.readouterr().err.strip().splitlines()[-1]
    assert [p.name for p in earlier.iterdir()] == ["findings.json"]
    assert [p.name for p in earlier.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("refused", ["earlier", "new"])
def test_a_run_folder_that_cannot_be_replaced_names_the_os_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    """Not "another run keeps replacing it", which is for a race only; the earlier run stays."""
    out_dir, staging = tmp_path / "2026-01-21", tmp_path / ".2026-01-21-new"
    for folder in (out_dir, staging):
        folder.mkdir()
        (folder / "findings.json").write_text(folder.name, encoding="utf-8")
    rename = Path.rename

    def refuse(self: Path, target: Path) -> Path:
        if self == {"earlier": out_dir, "new": staging}[refused]:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(AuditError) as raised:
        execute._swap_in(staging, out_dir)
    assert not isinstance(raised.value, execute.RunFailed)  # exit 2, as --out not writable
    assert str(raised.value) == (f"could not move the new run into {out_dir}: {out_dir} cannot"
                                 " be replaced (Operation not permitted)")
    assert (out_dir / "findings.json").read_text(encoding="utf-8") == out_dir.name
    assert sorted(path.name for path in tmp_path.iterdir()) == [staging.name, out_dir.name]


def test_a_run_folder_replaced_again_and_again_is_a_race(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir, staging = tmp_path / "2026-01-21", tmp_path / ".2026-01-21-new"
    staging.mkdir()

    def raced(self: Path, target: Path) -> Path:
        raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), str(self))

    monkeypatch.setattr(Path, "rename", raced)
    with pytest.raises(execute.RunFailed, match="another run keeps replacing it"):
        execute._swap_in(staging, out_dir)


def test_a_history_file_that_is_a_folder_stops_the_run_before_it_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "index.md").mkdir(parents=True)
    assert cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet"]) == 2
    assert capsys.readouterr().err == (f"auditlib: --out {out}: index.md is a folder: the"
                                       " history is written there\n")
    assert sorted(path.name for path in out.iterdir()) == ["index.md"]


def test_a_history_that_cannot_be_written_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"

    def run(*, out_dir: Path, **_: Any) -> list[Path]:  # no kernel: the run's files only
        out_dir.mkdir()
        auditlib.run_audit(None, out_dir.name).save(out_dir)
        return sorted(out_dir.iterdir())

    def refused(target: Path, data: str | bytes) -> Path:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))

    monkeypatch.setattr(execute, "run", run)
    monkeypatch.setattr(history, "write_atomic", refused)
    assert cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"auditlib: the history in {out} was not updated: {out / 'history.png'} cannot be"
        f" written (Permission denied); the run is in {out / '2026-01-21'}")


def test_explore_notebook_runs(tmp_path: Path) -> None:
    executed = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(executed),
                               parameters={"binding_kind": "d1_databases", "finding_number": 1},
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    cells = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    outputs = [output for cell in cells for output in cell.outputs]
    assert not any(output.output_type == "error" for output in outputs)
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("PIPELINE_DB" in table and "CART_KV" not in table for table in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.parametrize("files", [
    pytest.param({"wrangler.toml": 'name = "w"\nmain = "src/index.ts"\n'}, id="no-binding"),
    pytest.param({"src/x.ts": "export {};\n"}, id="no-config-no-finding"),
])
def test_the_explore_notebook_runs_on_a_repository_without_bindings(
        tmp_path: Path, make_repo: MakeRepo, files: dict[str, str]) -> None:
    """QA s27a P1-1: the bindings frame had no columns without a binding."""
    papermill.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"),
                               str(tmp_path / "explore.ipynb"), kernel_name="python3",
                               parameters={"repo_path": str(make_repo(tmp_path, files))},
                               progress_bar=False, cwd=str(tmp_path))


def test_frames_say_what_the_explore_parameters_may_be() -> None:
    frames = auditlib.frames(audit_date="2026-01-21")
    assert set(frames.bindings_of("d1_databases").name) == {"PIPELINE_DB"}
    with pytest.raises(AuditError, match=r"^binding_kind 'kv': wrangler has no such binding; the"
                                         r" kinds are agent_memory, ai, ai_search, .*"
                                         r" \(this audit found d1_databases, durable_objects, "):
        frames.bindings_of("kv")
    # as a wrangler config writes them (QA s27c #11)
    assert frames.bindings_of("durable_objects.bindings").equals(
        frames.bindings_of("durable_objects"))
    assert set(frames.bindings_of("queues").kind) == {"queues.producers", "queues.consumers"}
    assert frames.finding(0).rule == frames.findings.rule[0]
    with pytest.raises(AuditError, match=f"^finding_number 99: the findings are numbered 0 to"
                                         f" {len(frames.findings) - 1}$"):
        frames.finding(99)
    durable = frames.code[frames.code.kind == "durable-object-class"]
    assert all(detail.startswith("defined in a file of ") for detail in durable.detail)


def test_frames_cover_the_audit() -> None:
    audit = auditlib.run_audit(audit_date="2026-01-21")
    frames = auditlib.frames(audit)
    assert len(frames.configs) == len(audit.facts.configs) == 7
    assert set(frames.bindings.kind) >= {"kv_namespaces", "durable_objects", "d1_databases"}
    assert list(frames.deploy_steps.tool) == ["wrangler pages deploy"]
    assert set(frames.code.kind) == {"provider-selection", "latency-check",
                                     "durable-object-class"}
    assert len(frames.findings) == len(audit.findings)


def test_kernel_imports_what_the_cells_need_as_it_starts(tmp_path: Path) -> None:
    """`auditlib run` has the kernel import auditlib and matplotlib on a thread while
    papermill readies the cells; the cells' namespace gets no name from it."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "python3",
                                       "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("leaked = [n for n in ('threading', 'importlib', 'name')"
                                  " if n in dir()]", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import sys, time\n"
            f"wanted = {execute.PRELOAD!r}\n"
            "deadline = time.monotonic() + 60\n"
            "while not all(m in sys.modules for m in wanted) and time.monotonic() < deadline:\n"
            "    time.sleep(0.05)\n"
            "assert all(m in sys.modules for m in wanted), 'not preloaded'\n"
            "assert leaked == [], leaked"),
    ]
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    execute.run(notebook=path, out_dir=tmp_path / "out", parameters={}, kernel="python3",
                timeout=120, progress=False)
    # The kernel is started before papermill and handed to it: its channels close with it.
    assert [t.name for t in threading.enumerate() if type(t).__name__ == "HBChannel"] == []


def test_unknown_kernel_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = cli.main(["run", "--out", str(out), "--date", "2026-01-21", "--quiet",
                     "--kernel", "no-such-kernel"])
    assert code == 2
    assert "no Jupyter kernel named 'no-such-kernel'" in capsys.readouterr().err
    assert not out.exists()  # a refused run creates nothing


def test_on_findings_is_called_once_findings_json_is_saved(tmp_path: Path) -> None:
    """`run` hands the folder being written to `on_findings` once a cell saved findings.json
    there, while later cells still run (the history chart is drawn then)."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "python3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("open('findings.json', 'w').write('{}')"),
                      nbformat.v4.new_code_cell("import time; time.sleep(0.5)\n"
                                                "open('late.txt', 'w').write('')")]
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    seen: list[tuple[Path, bool, bool]] = []

    def on_findings(folder: Path) -> None:
        seen.append((folder.parent, (folder / "findings.json").is_file(),
                     (folder / "late.txt").exists()))

    out = tmp_path / "out"
    execute.run(notebook=path, out_dir=out, parameters={}, kernel="python3", timeout=120,
                progress=False, on_findings=on_findings)
    assert seen == [(tmp_path, True, False)]
    assert (out / "findings.json").is_file() and (out / "late.txt").is_file()

    def fails(folder: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):  # not lost on its thread
        execute.run(notebook=path, out_dir=out, parameters={}, kernel="python3", timeout=120,
                    progress=False, on_findings=fails)
    assert (out / "late.txt").is_file()  # the earlier run is left in place
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_misspelled_papermill_parameter_fails_the_run(tmp_path: Path) -> None:
    """papermill only warns about a parameter the notebook does not take; the notebook would
    then audit the bundled example. It stops, naming the parameter."""
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"),
                                   str(tmp_path / "explore.ipynb"),
                                   parameters={"repo_pth": str(tmp_path), "binding_kind": "d1"},
                                   kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert raised.value.evalue == (
        "unknown parameter repo_pth (did you mean repo_path?): this notebook takes repo_path,"
        " audit_date, config_path, binding_kind, finding_number")


def test_check_parameters_by_hand_checks_nothing() -> None:
    """Run in JupyterLab without papermill, no cell is papermill's: names defined in other
    cells are the user's own."""
    namespace = {"__annotations__": {"repo_path": str}, "In": ["", 'repo_path = ""', "x = 1"],
                 "x": 1}
    auditlib.check_parameters(namespace)
    namespace["In"] = ["", 'repo_path = ""', '# Parameters\nrepo_path = "a"\n']
    auditlib.check_parameters(namespace)  # a parameter the notebook takes


def test_output_dir_that_does_not_exist_is_made(tmp_path: Path) -> None:
    """`papermill ... -p output_dir res` in a folder without res/: the notebook saves there."""
    auditlib.run_audit(None, "2026-01-21").save(tmp_path / "res" / "week")
    assert sorted(p.name for p in (tmp_path / "res" / "week").iterdir()) == [
        "findings.json", "findings.sarif"]


def test_a_run_stopped_by_sigterm_leaves_no_staging_folder(tmp_path: Path) -> None:
    """A CI job cancelled or out of time: its SIGTERM ends the run as Ctrl-C would, so the
    staging folder holding the findings is removed and the kernel stopped."""
    notebook = _probe(tmp_path / "stopped.ipynb", nbformat.v4.new_code_cell(
        "import os, signal, time\nos.kill(os.getppid(), signal.SIGTERM)\ntime.sleep(60)"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "auditlib.cli", "run", "--out", str(out),
                           "--date", "2026-01-21", "--quiet", "--notebook", str(notebook)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr.splitlines()[-1:]) == (
        143, ["auditlib: stopped by SIGTERM"])
    assert list(out.iterdir()) == []


def test_a_home_that_cannot_be_written_gives_no_ipython_warnings(tmp_path: Path) -> None:
    """A CI container run as another user: IPython warned twice that it used a temporary
    folder (and left each behind); the run gives it one, removed after."""
    done = subprocess.run([sys.executable, "-m", "auditlib.cli", "run", "--out", str(tmp_path / "out"),
                           "--date", "2026-01-21", "--quiet"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "HOME": str(tmp_path / "missing")})
    assert (done.returncode, done.stderr) == (
        0, "auditlib: no REPO given: auditing the bundled example\n")


def test_a_gate_that_audited_nothing_exits_2_and_keeps_its_outputs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scheduled job pointed at the wrong folder: the document is written, the gate fails."""
    repo, out = tmp_path / "repo", tmp_path / "out"
    (repo / "src").mkdir(parents=True)
    assert cli.main(["run", str(repo), "--out", str(out), "--date", "2026-01-21", "--quiet",
                     "--fail-on", "P0"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"auditlib: no wrangler config (wrangler.toml, wrangler.json, wrangler.jsonc) found in"
        f" {repo}: there is nothing to audit; --fail-on P0 does not pass an audit of nothing")
    written = {path.name for path in (out / "2026-01-21").iterdir()}
    assert written >= set(FILES) - {"auto-scaling-audit_files"}  # no configs, no charts
    findings = json.loads((out / "2026-01-21" / "findings.json").read_text(encoding="utf-8"))
    assert findings["audit_status"] == "INCOMPLETE"
