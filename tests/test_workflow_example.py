"""docs/examples/scheduled-audit.yml: valid YAML whose auditlib commands our CLI accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from auditlib.cli import parser

WORKFLOW = Path(__file__).resolve().parent.parent / "docs" / "examples" / "scheduled-audit.yml"


def _commands() -> list[list[str]]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    lines = [line.strip() for job in data["jobs"].values() for step in job["steps"]
             for line in str(step.get("run", "")).splitlines()]
    # The shell gives $date the day's date, and $AUDITED the job's value.
    audited = data["jobs"]["audit"]["env"]["AUDITED"]
    # A command alone on its line, or its output read: `summary="$(auditlib run …)"`.
    found = [re.search(r"(?:^|\$\()(auditlib [^)]*)", line) for line in lines]
    return [shlex.split(command[1].replace('"$date"', "2026-01-05")
                        .replace('"$AUDITED"', shlex.quote(audited)))
            for command in found if command]


def test_workflow_is_scheduled_and_manual() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    uses = [step.get("uses", "") for step in data["jobs"]["audit"]["steps"]]
    assert any(use.startswith("github/codeql-action/upload-sarif") for use in uses)
    assert any(use.startswith("peter-evans/create-pull-request") for use in uses)


def test_every_auditlib_command_parses() -> None:
    commands = _commands()
    assert [command[1] for command in commands] == ["run", "check"]
    for command in commands:
        parser().parse_args(command[1:])  # exits (and fails the test) on an unknown option
    run = parser().parse_args(commands[0][1:])
    assert run.publish is True and str(run.out) == "audit-outputs"
    assert parser().parse_args(commands[1][1:]).fail_on == "P0"


def test_auditlib_is_checked_out_beside_the_audited_repository() -> None:
    """Inside it, auditlib's own files (its bundled example) would be audited too."""
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["audit"]["steps"]
    checkouts = [step.get("with", {}) for step in steps
                 if step.get("uses", "").startswith("actions/checkout")]
    audited = next(c["path"] for c in checkouts if "repository" not in c)
    tool = next(c["path"] for c in checkouts if "repository" in c)
    # owner/name: the document names the platform after the folder (QA s27a: "the repo
    # platform")
    assert audited == "${{ github.repository }}"
    assert not Path(tool).is_relative_to(audited) and not Path(audited).is_relative_to(tool)
    run, check = _commands()
    assert parser().parse_args(run[1:]).repo == Path(audited)
    assert parser().parse_args(check[1:]).repo == Path(audited)
    pull_request = next(step["with"] for step in steps
                        if step.get("uses", "").startswith("peter-evans/create-pull-request"))
    assert pull_request["path"] == audited
    assert pull_request["add-paths"].split() == ["docs/auto-scaling.md", "docs/auto-scaling_files"]


def test_the_next_run_restores_the_outputs_this_one_keeps() -> None:
    """As an artifact: a cache unused for 7 days, the schedule's interval, is dropped (QA
    s27a), and the history would start again each week."""
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["audit"]["steps"]
    kept = next(step["with"] for step in steps
                if step.get("uses", "").startswith("actions/upload-artifact"))
    restore = next(step["run"] for step in steps if step.get("name") == "Restore earlier runs")
    assert kept["path"] == "audit-outputs" and f"--name {kept['name']}" in restore
    assert "--dir audit-outputs" in restore
    assert not any(step.get("uses", "").startswith("actions/cache") for step in steps)
