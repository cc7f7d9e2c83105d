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


def test_run_with_a_bad_config_exits_2_before_running(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "auditlib.toml"
    config.write_text('doc_path = "docs/x.md"\ndisable = ["CF999"]\n', encoding="utf-8")
    assert cli.main(["run", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{config}:2:" in err and "CF999" in err
    assert not (tmp_path / "out").exists()
