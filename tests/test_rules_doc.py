"""The rule registry: `auditlib rules` and the generated docs/rules.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditlib import cli
from auditlib.rules import RULES
from auditlib.rulesdoc import rules_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    """Regenerate with: .venv/bin/auditlib rules --format markdown > docs/rules.md"""
    assert DOC.read_text(encoding="utf-8") == rules_markdown()


def test_rules_page_documents_every_rule() -> None:
    text = rules_markdown()
    for rule in RULES:
        section = text.split(f"## {rule.id} {rule.name}\n", 1)[1].split("\n## CF", 1)[0]
        for heading in ("### What it does", "### Why is this bad?", "### Example", "### Fix"):
            assert heading in section, (rule.id, heading)


def test_rules_command_lists_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [[r.id, str(r.severity)] for r in RULES]
    assert all(rule.title in line for rule, line in zip(RULES, lines, strict=True))


def test_rules_command_shows_a_repositorys_severities_and_disabled_rules(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "auditlib.toml").write_text(
        'disable = ["CF004"]\n[severity]\nCF002 = "P2"\nCF001 = "P0"\n', encoding="utf-8")
    assert cli.main(["rules", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["CF002"].split()[1] == "P2" and lines["CF002"].endswith(
        "(P1 by default; set in auditlib.toml)")
    assert lines["CF004"].split()[1] == "off" and lines["CF004"].endswith("(disabled in auditlib.toml)")
    assert lines["CF001"].split()[1] == "P0" and "(" not in lines["CF001"]  # the default again
    assert len(lines) == len(RULES)
    assert cli.main(["rules", str(tmp_path), "--format", "markdown"]) == 2
    assert "registry's defaults" in capsys.readouterr().err
    assert cli.main(["rules", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == f"auditlib: repository not found: {tmp_path / 'none'}\n"  # as check


def test_run_with_a_bad_config_exits_2_before_running(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "auditlib.toml"
    config.write_text('doc_path = "docs/x.md"\ndisable = ["CF999"]\n', encoding="utf-8")
    assert cli.main(["run", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{config}:2:" in err and "CF999" in err
    assert not (tmp_path / "out").exists()
