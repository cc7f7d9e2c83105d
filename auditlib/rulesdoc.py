"""The rules reference, generated from the registry (docs/rules.md is its output)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .blocks import Table
from .config import AuditConfig
from .rules import RULES, Rule

HEADER = ("<!-- Generated from auditlib's rule registry by `auditlib rules --format markdown`."
          " Do not edit by hand. -->")


def rule_doc(rule: type[Rule]) -> str:
    """The rule module's docstring: its first line is the id and name, the rest its text."""
    module = sys.modules[rule.__module__]
    return (module.__doc__ or "").strip()


def rules_text(rules: Sequence[type[Rule]] = RULES, config: AuditConfig | None = None) -> str:
    """A line per rule: id, severity, name and title; with `config`, the severity it sets
    (`off` for a disabled rule) and, after the title, what it changed."""
    lines = []
    for rule in rules:
        severity, note = str(rule.severity), ""
        if config is not None and rule.id in config.disabled_rules:
            severity, note = "off", f"  (disabled in {config.source})"
        elif config is not None and config.severity_overrides.get(rule.id, rule.severity) != rule.severity:
            severity = str(config.severity_overrides[rule.id])
            note = f"  ({rule.severity} by default; set in {config.source})"
        lines.append(f"{rule.id}  {severity:<3} {rule.name:<42} {rule.title}{note}")
    return "\n".join(lines) + "\n"


def rules_markdown(rules: Sequence[type[Rule]] = RULES) -> str:
    parts = [HEADER, "# auditlib rules",
             "Each rule is one module in `auditlib/rules/`; its docstring is the text below."
             " Disable a rule, change its severity or waive its findings in `auditlib.toml`.",
             Table.of(("Id", "Name", "Severity", "Title"),
                      [(rule.id, f"[{rule.name}](#{rule.id.lower()}-{rule.name})",
                        rule.severity, rule.title) for rule in rules]).markdown]
    for rule in rules:
        body = ("\n" + rule_doc(rule).split("\n", 1)[-1].strip()).replace("\n## ", "\n### ")
        parts.append(f"## {rule.id} {rule.name}\n\n**{rule.title}** · severity {rule.severity}"
                     f" · {rule.rationale}.\n{body}")
    return "\n\n".join(parts) + "\n"
