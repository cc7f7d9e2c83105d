"""Accepted findings: inline suppressions, configured waivers, disabled rules, severity
overrides, and the settings file they come from (auditlib.configfile)."""

from __future__ import annotations

import dataclasses
import fnmatch
import random
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from auditlib import cli
from auditlib import config as settings
from auditlib.api import run_audit
from auditlib.collect import collect
from auditlib.config import DEFAULT_CONFIG, AuditConfig, Waiver, first_waiver, glob_match, heads
from auditlib.configfile import load_config, parse_config
from auditlib.errors import ConfigParseError
from auditlib.evaluate import evaluate, overridden
from auditlib.model import Facts, Finding, Outcome, Severity
from auditlib.wrangler import load

if TYPE_CHECKING:
    from conftest import MakeRepo

Files = dict[str, str]
AS_OF = date(2025, 7, 1)
# A placeholder KV id: CF001 reports it at the `id` line (6).
KV = 'name = "shop"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "TODO"\n'


def findings(tmp_path: Path, make_repo: MakeRepo, files: Files, rule: str = "CF001",
             config: AuditConfig = DEFAULT_CONFIG) -> list[Finding]:
    return [f for f in evaluate(collect(make_repo(tmp_path, files)), config=config)
            if f.rule == rule]


def settled(found: list[Finding]) -> list[tuple[str, int | None, Outcome, str]]:
    return [(f.location.path, f.location.start_line, f.outcome, f.waiver) for f in found]


# Inline suppressions ----------------------------------------------------------------------

def suppressed(prefix: str, comment: str, own_line: bool = False) -> Files:
    """KV with `comment` after the line that starts with `prefix`, or on a line of its own above."""
    lines = KV.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[index:index + 1] = [comment, lines[index]] if own_line else [f"{lines[index]}  {comment}"]
    return {"wrangler.toml": "\n".join(lines) + "\n"}


IGNORE = "# auditlib: ignore[CF001] made on deploy"


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param(suppressed("id =", IGNORE),
                 [("wrangler.toml", 6, Outcome.WAIVED, "inline at `wrangler.toml:6`: made on deploy")],
                 id="same-line"),
    pytest.param(suppressed("id =", IGNORE, own_line=True),
                 [("wrangler.toml", 7, Outcome.WAIVED, "inline at `wrangler.toml:6`: made on deploy")],
                 id="line-above"),
    pytest.param(suppressed("id =", "# auditlib: ignore[cf002, CF001] made on deploy"),
                 [("wrangler.toml", 6, Outcome.WAIVED, "inline at `wrangler.toml:6`: made on deploy")],
                 id="one-of-several-rules"),
    pytest.param(suppressed("id =", "# auditlib: ignore[CF002] other rule"),
                 [("wrangler.toml", 6, Outcome.FAIL, "")], id="other-rule"),
    pytest.param(suppressed("binding =", IGNORE, own_line=True),
                 [("wrangler.toml", 7, Outcome.FAIL, "")], id="two-lines-above"),
    pytest.param({"wrangler.toml": KV, "apps/x/wrangler.toml": 'name = "x"  ' + IGNORE + "\n"},
                 [("wrangler.toml", 6, Outcome.FAIL, "")], id="other-file"),
    pytest.param({"wrangler.toml": 'main = "a.ts"\nkv_namespaces = [{ binding = "CACHE", id = "TODO" }]  '
                  + IGNORE + "\n"},
                 [("wrangler.toml", 2, Outcome.WAIVED, "inline at `wrangler.toml:2`: made on deploy")],
                 id="inline-table"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "kv_namespaces": [\n'
                  '    { "binding": "CACHE", "id": "TODO" }, // auditlib: ignore[CF001] made on deploy\n'
                  '  ],\n}\n'},
                 [("wrangler.jsonc", 4, Outcome.WAIVED, "inline at `wrangler.jsonc:4`: made on deploy")],
                 id="jsonc-same-line"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "kv_namespaces": [\n'
                  '    // auditlib: ignore[CF001] made on deploy\n'
                  '    { "binding": "CACHE", "id": "TODO" },\n  ],\n}\n'},
                 [("wrangler.jsonc", 5, Outcome.WAIVED, "inline at `wrangler.jsonc:4`: made on deploy")],
                 id="jsonc-line-above"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "kv_namespaces": [\n'
                  '    /* auditlib: ignore[CF001] made on deploy */\n'
                  '    { "binding": "CACHE", "id": "TODO" },\n  ],\n}\n'},
                 [("wrangler.jsonc", 5, Outcome.WAIVED, "inline at `wrangler.jsonc:4`: made on deploy")],
                 id="jsonc-block-comment"),
    pytest.param({"wrangler.jsonc": '{\n  "main": "a.ts",\n  "kv_namespaces": [\n'
                  '    { "binding": "CACHE", "id": "https://x//auditlib: ignore[CF001] sneaky" },\n'
                  '  ],\n}\n'},
                 [("wrangler.jsonc", 4, Outcome.FAIL, "")], id="jsonc-string-is-no-comment"),
    pytest.param({"wrangler.toml": KV.replace('"TODO"', '"TODO # auditlib: ignore[CF001] sneaky"')},
                 [("wrangler.toml", 6, Outcome.FAIL, "")], id="toml-string-is-no-comment"),
])
def test_inline_suppression(tmp_path: Path, make_repo: MakeRepo, files: Files,
                            expected: list[tuple[str, int, Outcome, str]]) -> None:
    assert settled(findings(tmp_path, make_repo, files)) == expected


NO_PLACEMENT = "# auditlib: ignore[CF002] no backend to be near"
WAIVED_CF002 = Outcome.WAIVED, "inline at `wrangler.toml:1`: no backend to be near"


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"wrangler.toml": NO_PLACEMENT + "\n" + KV}, [WAIVED_CF002], id="heading-the-file"),
    pytest.param({"wrangler.toml": "\ufeff" + NO_PLACEMENT + "\n\n# the shop\n" + KV},
                 [WAIVED_CF002], id="among-the-first-comments"),
    pytest.param({"wrangler.jsonc": '{\n  // auditlib: ignore[CF002] no backend\n  "main": "a.ts"\n}\n'},
                 [(Outcome.WAIVED, "inline at `wrangler.jsonc:2`: no backend")], id="jsonc"),
    pytest.param({"wrangler.toml": KV.replace('"TODO"', '"TODO"  ' + NO_PLACEMENT)},
                 [(Outcome.FAIL, "")], id="after-a-key"),
    pytest.param({"wrangler.toml": KV + NO_PLACEMENT + "\n"}, [(Outcome.FAIL, "")],
                 id="below-the-first-key"),
])
def test_inline_suppression_of_a_finding_about_the_whole_file(
        tmp_path: Path, make_repo: MakeRepo, files: Files,
        expected: list[tuple[Outcome, str]]) -> None:
    found = findings(tmp_path, make_repo, files, rule="CF002")
    assert [(f.location.start_line, f.outcome, f.waiver) for f in found] == [
        (None, *outcome) for outcome in expected]


def test_suppressed_finding_keeps_no_expiry(tmp_path: Path, make_repo: MakeRepo) -> None:
    [found] = findings(tmp_path, make_repo, suppressed("id =", IGNORE))
    assert (found.outcome, found.waiver_expires, found.severity) == (Outcome.WAIVED, None, Severity.P0)


# Configured waivers -----------------------------------------------------------------------

def waived(rule: str = "CF001", path: str = "wrangler.toml",
           expires: date | None = date(2025, 12, 31)) -> AuditConfig:
    return AuditConfig(audit_date=AS_OF, waivers=(
        Waiver(rule=rule, path=path, reason="created on first deploy", expires=expires),))


@pytest.mark.parametrize(("pattern", "covered"), [
    ("apps/web/*", ["apps/web/wrangler.toml"]),
    ("apps/web/**", ["apps/web/admin/wrangler.toml", "apps/web/wrangler.toml"]),
    ("apps/*/wrangler.toml", ["apps/web/wrangler.toml"]),
    ("**/wrangler.toml", ["apps/web/admin/wrangler.toml", "apps/web/wrangler.toml", "wrangler.toml"]),
    ("*", ["wrangler.toml"]),
])
def test_a_waiver_s_star_stays_in_one_folder(pattern: str, covered: list[str]) -> None:
    """`apps/web/*` must not waive the P0 of a nested app, `apps/web/admin`: `**` does."""
    waiver = Waiver(rule="CF001", path=pattern, reason="r", expires=None)
    paths = ["apps/web/admin/wrangler.toml", "apps/web/wrangler.toml", "wrangler.toml"]
    assert [path for path in paths if waiver.covers("CF001", path)] == covered


PATTERNS = ["apps/web/*", "apps/web/**", "apps/*/wrangler.toml", "**/wrangler.toml", "*", ".",
            "wrangler.toml", "apps/web/wrangler.toml", "apps/w?b/*", "apps/[wa]*/wrangler.*",
            "apps/**/admin/*", "", "apps/web", "(repository)", "./apps/*", "apps//x"]
PATHS = ["apps/web/admin/wrangler.toml", "apps/web/wrangler.toml", "wrangler.toml", ".",
         "apps/api/wrangler.jsonc", "apps/web", "", "apps//x", "apps/wab/wrangler.toml"]


def test_a_path_a_pattern_matches_starts_with_the_pattern_s_literal_head() -> None:
    """What filing waivers by literal_head rests on, for glob_match and for fnmatch."""
    for pattern in PATTERNS:
        for path in PATHS:
            if glob_match(pattern, path) or fnmatch.fnmatchcase(path, pattern):
                assert settings.literal_head(pattern) in heads(path), (pattern, path)


def test_first_waiver_is_the_first_that_covers() -> None:
    """Looked up by rule and literal head, the waiver found is the one a scan of all of them
    in order finds: with several covering one path, the first written."""
    rng = random.Random(7)
    for _ in range(300):
        waivers = [Waiver(rule=rng.choice(["CF001", "CF002"]), path=rng.choice(PATTERNS),
                          reason=str(index), expires=None) for index in range(rng.randint(0, 8))]
        first = first_waiver(waivers)
        for rule in ("CF001", "CF002", "CF003"):
            for path in PATHS:
                expected = next((w for w in waivers if w.covers(rule, path)), None)
                assert first(rule, path) is expected, (waivers, rule, path)


@pytest.mark.parametrize(("config", "outcome", "waiver", "expires"), [
    pytest.param(waived(), Outcome.WAIVED, "created on first deploy", "2025-12-31", id="before-expiry"),
    pytest.param(waived(expires=AS_OF), Outcome.WAIVED, "created on first deploy", "2025-07-01",
                 id="expires-on-audit-date"),
    pytest.param(waived(expires=None), Outcome.WAIVED, "created on first deploy", None, id="no-expiry"),
    pytest.param(waived(expires=date(2025, 6, 30)), Outcome.FAIL,
                 "waiver expired 2025-06-30: created on first deploy", "2025-06-30", id="expired"),
    pytest.param(waived(path="*.toml"), Outcome.WAIVED, "created on first deploy", "2025-12-31",
                 id="glob"),
    pytest.param(waived(path="apps/*"), Outcome.FAIL, "", None, id="glob-not-matching"),
    pytest.param(waived(rule="CF002"), Outcome.FAIL, "", None, id="other-rule"),
])
def test_config_waiver(tmp_path: Path, make_repo: MakeRepo, config: AuditConfig, outcome: Outcome,
                       waiver: str, expires: str | None) -> None:
    [found] = findings(tmp_path, make_repo, {"wrangler.toml": KV}, config=config)
    assert (found.outcome, found.waiver, found.waiver_expires) == (outcome, waiver, expires)
    if outcome == Outcome.FAIL and waiver:
        assert "expired" in found.waiver


def test_waiver_path_glob_picks_configs(tmp_path: Path, make_repo: MakeRepo) -> None:
    files = {"wrangler.toml": KV, "apps/web/wrangler.toml": KV, "apps/api/wrangler.jsonc":
             '{\n  "main": "a.ts",\n  "kv_namespaces": [{ "binding": "CACHE", "id": "TODO" }],\n}\n'}
    found = findings(tmp_path, make_repo, files, config=waived(path="apps/*/wrangler.toml"))
    assert {(f.location.path, f.outcome) for f in found} == {
        ("wrangler.toml", Outcome.FAIL), ("apps/web/wrangler.toml", Outcome.WAIVED),
        ("apps/api/wrangler.jsonc", Outcome.FAIL)}


def test_a_waiver_path_from_the_current_folder_is_from_the_root() -> None:
    config = parse_config("auditlib.toml", WAIVER.replace('"*"', '"./apps/*"')
                          + WAIVER.replace('"*"', '"./"'))
    assert [waiver.path for waiver in config.waivers] == ["apps/*", "."]


def test_waiver_expiring_at_a_toml_datetime() -> None:
    config = parse_config("auditlib.toml", '[[waivers]]\nrule = "CF002"\npath = "*"\n'
                                           'reason = "r"\nexpires = 2025-06-01T00:00:00\n')
    facts = Facts(repo="r", configs=(load("wrangler.toml", 'main = "a.ts"\n'),))
    found = evaluate(facts, config=dataclasses.replace(config, audit_date=AS_OF))
    assert [f.outcome for f in found if f.rule == "CF002"] == [Outcome.FAIL]


# Disabled rules and severity overrides ----------------------------------------------------

@pytest.mark.parametrize(("config", "expected"), [
    pytest.param(DEFAULT_CONFIG, {"CF001": Severity.P0, "CF002": Severity.P1}, id="defaults"),
    pytest.param(AuditConfig(disabled_rules=frozenset({"CF001"})), {"CF002": Severity.P1},
                 id="disabled"),
    pytest.param(AuditConfig(severity_overrides={"CF001": Severity.P2}),
                 {"CF001": Severity.P2, "CF002": Severity.P1}, id="severity-override"),
    pytest.param(AuditConfig(disabled_rules=frozenset({"CF002"}),
                             severity_overrides={"CF001": Severity.P1, "CF002": Severity.P0}),
                 {"CF001": Severity.P1}, id="both"),
])
def test_disabled_rules_and_severity(tmp_path: Path, make_repo: MakeRepo, config: AuditConfig,
                                     expected: dict[str, Severity]) -> None:
    found = evaluate(collect(make_repo(tmp_path, {"wrangler.toml": KV})), config=config)
    assert {f.rule: f.severity for f in found if f.rule in ("CF001", "CF002")} == expected


@pytest.mark.parametrize(("override", "expected"), [
    pytest.param(Severity.P1, {"CACHE": Severity.P1, "CACHE preview_id": Severity.P2}, id="relaxed"),
    pytest.param(Severity.P2, {"CACHE": Severity.P2, "CACHE preview_id": Severity.P2},
                 id="relaxed-to-p2"),
    pytest.param(Severity.P0, {"CACHE": Severity.P0, "CACHE preview_id": Severity.P2},
                 id="the-default"),
])
def test_a_severity_override_moves_no_finding_against_it(
        tmp_path: Path, make_repo: MakeRepo, override: Severity, expected: dict[str, Severity]) -> None:
    text = KV + 'preview_id = "TODO"\n'  # a P2 of the P0 rule CF001
    found = evaluate(collect(make_repo(tmp_path, {"wrangler.toml": text})),
                     config=AuditConfig(severity_overrides={"CF001": override}))
    assert {f.subject: f.severity for f in found if f.rule == "CF001"} == expected


def test_a_tightening_override_tightens_every_finding() -> None:
    assert overridden(Severity.P2, Severity.P1, Severity.P0) == Severity.P0
    assert overridden(Severity.P0, Severity.P1, Severity.P2) == Severity.P2  # CF000 = "P2"
    assert overridden(Severity.P1, None, Severity.P2) == Severity.P2  # a rule not in the registry


# The settings file ------------------------------------------------------------------------

WAIVER = '[[waivers]]\nrule = "CF001"\npath = "*"\nreason = "accepted"\n'


@pytest.mark.parametrize(("text", "line", "words"), [
    pytest.param('doc_path = "docs/a.md"\nbogus = 1\n', 2, "unknown key 'bogus'", id="unknown-key"),
    pytest.param('doc_path = "x.md"\ndisable = ["CF001", "CF999"]\n', 2, "unknown rule id 'CF999'",
                 id="unknown-rule-in-disable"),
    pytest.param('disable = "CF001"\n', 1, "list of rule ids", id="disable-not-a-list"),
    pytest.param('[severity]\nCF001 = "P1"\nCF999 = "P2"\n', 3, "unknown rule id 'CF999'",
                 id="unknown-rule-in-severity"),
    pytest.param('[severity]\nCF001 = "P1"\nCF002 = "P5"\n', 3, "'P5' is not one of",
                 id="bad-severity"),
    pytest.param('# U+2028 in a comment\u2028ends no line, as tomllib counts them\n[severity]\n'
                 'CF999 = "P2"\n', 3, "unknown rule id 'CF999'", id="a-line-break-only-python-sees"),
    pytest.param('severity = { CF002 = "high" }\n', 1, "'high' is not one of",
                 id="bad-severity-inline-table"),
    pytest.param('severity = "P1"\n', 1, "severity",
                 id="severity-not-a-table"),
    pytest.param('disable = ["CF001"]\n[severity]\nCF002 = "P0"\ndisable = ["CF006"]\n', 4,
                 "severity.disable: ['CF006'] is not one of P0, P1, P2; `disable` is a top-level key,"
                 " but written below [severity] it is read into that table: move it above [severity]",
                 id="top-level-key-below-severity"),
    pytest.param(WAIVER + 'latency_threshold_ms = 300\n', 5,
                 "`latency_threshold_ms` is a top-level key, but written below [[waivers]] it is read"
                 " into that table: move it above the first [[waivers]]", id="top-level-key-below-waivers"),
    pytest.param('[[probes]]\nname = "p"\nregex = "a"\ndoc_path = "a.md"\n', 4,
                 "move it above the first [[probes]]", id="top-level-key-below-probes"),
    pytest.param(WAIVER + '\n[[waivers]]\nrule = "CF999"\npath = "*"\nreason = "r"\n', 7,
                 "unknown rule id 'CF999'", id="unknown-rule-in-waivers"),
    pytest.param(WAIVER + '\n[[waivers]]\nrule = "CF002"\npath = "*"\n', 6, "`reason` is required",
                 id="waiver-without-reason"),
    pytest.param(WAIVER + '\n[[waivers]]\nrule = "CF002"\npath = "*"\nreason = "  "\n', 9,
                 "`reason` is required", id="waiver-blank-reason"),
    pytest.param(WAIVER + '\n[[waivers]]\nrule = "CF002"\npath = "*"\nreason = "r"\nuntil = 1\n', 10,
                 "waiver: unknown key 'until' (known: expires, path, reason, rule)",
                 id="waiver-unknown-key"),
    pytest.param('waivers = ["CF001"]\n', 1, "each of waivers must be a table", id="waiver-not-a-table"),
    pytest.param('[[waivers]]\nrule = "CF001"\npath = "/apps/*"\nreason = "r"\n', 3,
                 "waiver: path `/apps/*` starts with `/`: a path is relative to the repository's root"
                 " (`apps/*`)", id="waiver-absolute-path"),
    pytest.param(WAIVER.replace('"*"', '"apps/*"') + '\n[[waivers]]\nrule = "CF001"\npath = "./apps/*"\n'
                 'reason = "r"\n', 6, "waiver: the same rule and path as the waiver at line 1: only the"
                 " first one applies; keep one", id="waiver-twice"),
    # Each error at the waiver that is wrong, never at a key of the next one.
    pytest.param(WAIVER + '\n[[waivers]]\nrule = "CF002"\npath = "*"\n\n' + WAIVER, 6,
                 "`reason` is required", id="waiver-without-reason-before-another"),
    pytest.param(WAIVER.replace("CF001", "CF010") + '\n[[waivers]]\nrule = "CF01"\npath = "*"\n'
                 'reason = "r"\n', 7, "unknown rule id 'CF01'", id="unknown-rule-in-waivers-a-prefix"),
    pytest.param('waivers = [\n  { rule = "CF001", path = "*", reason = "a { ] [" },  # {\n'
                 '  { rule = "CF002", path = "*" },\n]\n', 3, "`reason` is required",
                 id="inline-waiver-without-reason"),
    pytest.param('waivers = [{ rule = "CF001", path = "*", reason = "r" },\n'
                 '           { rule = "CF002", path = "*", reason = "r", expires = "soon" }]\n', 2,
                 "must be a date", id="inline-waiver-bad-expires"),
    pytest.param('disable = ["CF010",\n           "CF01"]\n', 2, "unknown rule id 'CF01'",
                 id="unknown-rule-in-disable-a-prefix"),
    pytest.param('[severity]\nCF010 = "P1"\nCF01 = "P1"\n', 3, "unknown rule id 'CF01'",
                 id="unknown-rule-in-severity-a-prefix"),
    pytest.param('[[probes]]\nname = "a"\nregex = "x"\n\n[[probes]]\nname = "b"\n\n'
                 '[[probes]]\nname = "c"\nregex = "y"\n', 5, "`regex` is required",
                 id="probe-without-regex-before-another"),
    pytest.param('probes = [\n  { name = "a", regex = "x" },\n  { name = "b", regex = "(x)" },\n]\n', 3,
                 "1 capture group but 0 group names", id="inline-probe-groups-missing"),
    pytest.param('[[probes]]\nname = "p"\nregex = "a"\n\nextra = 1\n', 5,
                 "[[probes]]: unknown key 'extra' (known: globs, groups, name, regex)",
                 id="probe-unknown-key"),
    pytest.param('doc_path = "a.md"\n\n[[probes]]\nregex = "a"\n', 3, "[[probes]]: `name` is required",
                 id="probe-without-name"),
    pytest.param('[[probes]]\nname = " "\nregex = "a"\n', 2, "[[probes]]: `name` is empty",
                 id="probe-name-empty"),
    pytest.param('[[probes]]\nname = "p"\nregex = ""\n', 3, "probe 'p': regex is empty: it would match"
                 " every line", id="probe-regex-empty"),
    pytest.param('[[probes]]\nname = "p"\n\nregex = "a(b)"\n', 4,
                 "probe 'p': 1 capture group but 0 group names", id="groups-missing"),
    pytest.param(WAIVER + 'expires = "2025-13-01"\n', 5, "must be a date",
                 id="bad-expires"),
    pytest.param(WAIVER + 'expires = "20270131"\n', 5, "must be a date (YYYY-MM-DD)",
                 id="expires-in-the-basic-form"),
    pytest.param('[severity]\ncf007 = "P0"\nCF007 = "P1"\n', 3, "severity.CF007: CF007 is set twice",
                 id="severity-twice-in-two-cases"),
    pytest.param('doc_path = "a.md"\nrepo_url = "javascript:alert(1)//"\n', 2,
                 "repo_url 'javascript:alert(1)//' is no http(s) address", id="repo-url-not-http"),
    pytest.param('[[probes]]\nname = "p"\nregex = "foo(["\ngroups = []\n', 3, "bad regex",
                 id="bad-probe-regex"),
    pytest.param('[[probes]]\nregex = "foo(["\nname = "p"\n', 2, "bad regex",
                 id="bad-probe-regex-before-name"),
    pytest.param('[[probes]]\nname = "a"\nregex = "(x)"\ngroups = ["x"]\n\n'
                 '[[probes]]\nname = "b"\nregex = "(a)(b)"\ngroups = ["a"]\n', 9,
                 "2 capture groups but 1 group name", id="group-count-mismatch"),
    pytest.param('[[probes]]\nname = "exported-class"\nregex = "class (Foo)"\ngroups = ["x"]\n', 2,
                 "taken by a built-in probe", id="probe-named-like-a-built-in"),
    pytest.param('[[probes]]\nname = "a"\nregex = "x"\n\n[[probes]]\nname = "a"\nregex = "y"\n', 6,
                 "'a': the name is used by an earlier probe", id="probe-name-twice"),
    pytest.param('[[probes]]\nname = "a"\nregex = "foo(?=bar)"\n', 3,
                 "regex: ripgrep: look-around", id="probe-regex-look-around"),
    pytest.param('[[probes]]\nname = "a"\nregex = "x"\n\n[[probes]]\nname = "b"\ngroups = ["x"]\n'
                 'regex = "(a)\\\\1"\n', 8, "regex: ripgrep: backreferences are not supported",
                 id="probe-regex-backreference-in-second-probe"),
    *[pytest.param(f'[[probes]]\nname = "a"\nglobs = ["*.ts"]\nregex = \'{regex}\'\n', 4,
                   f"probe 'a': regex: `{construct}`", id=f"probe-regex-read-differently-{regex}")
      for regex, construct in [(r"\<fetch\>", r"\<"), (r"fetch\>", r"\>"), (r"\b{start}fetch", r"\b{...}"),
                               ("[[:alpha:]]+", "["), ("[^x[:digit:]]", "["), ("[a[bc]]", "["),
                               ("[a-z&&[^aeiou]]+", "&&"), ("[+--]", "--"), ("[a~~b]", "~~"),
                               ("[a||b]", "||")]],
    pytest.param('[[probes]]\nname = "a"\nregex = "x"\nglobs = ["*.ts", "[a"]\n', 4,
                 "globs: ripgrep: error parsing glob '[a': unclosed character class",
                 id="probe-glob-unclosed"),
    *[pytest.param(f'[[probes]]\nname = "a"\nregex = "x"\n\nglobs = ["*.ts", \'{glob}\']\n', 5,
                   f"probe 'a': globs: `{glob}` {why}", id=f"probe-glob-{glob}")
      for glob, why in [("", "is empty"), ("src/sub/", "names a folder, not files: write `src/sub/**`"),
                        ("!src/gen/", "names a folder, not files: write `!src/gen/**`"),
                        ("*.{ts,js}", "has `{`"), ("src/[^.]*.ts", "has `[^`: write `[!`"),
                        (r"src/\*.ts", "has a backslash")]],
    pytest.param('exclude = "templates"\n', 1, "exclude must be a list", id="exclude-not-a-list"),
    *[pytest.param(f'doc_path = "a.md"\nexclude = [\n  "apps/**",\n  "{pattern}",\n]\n', 4,
                   f"exclude: `{pattern}` {why}", id=f"exclude-{pattern}")
      for pattern, why in [("", "is empty"), ("/apps/legacy", "starts with `/`: a path is relative to"
                                                              " the repository's root (`apps/legacy`)"),
                           ("apps/../../x", "leads outside the repository"),
                           (".", "names the whole repository"), ("./**", "names the whole repository")]],
    pytest.param('compatibility_max_age_days = "90"\n', 1, "whole number", id="age-not-a-number"),
    pytest.param('latency_threshold_ms = -5\n', 1, "whole number", id="negative-threshold"),
    pytest.param('compatibility_max_age_days = true\n', 1, "whole number",
                 id="age-boolean"),
    pytest.param('doc_path = "x.md"\n[[waivers]\n', 2, "", id="not-toml"),
])
def test_parse_config_errors(text: str, line: int | None, words: str) -> None:
    with pytest.raises(ConfigParseError) as caught:
        parse_config("auditlib.toml", text)
    assert (caught.value.path, caught.value.line) == ("auditlib.toml", line)
    assert words in caught.value.message


def test_parse_config_values() -> None:
    config = parse_config("auditlib.toml", (
        'doc_path = "docs/scaling.md"\ncompatibility_max_age_days = 90\ndisable = ["CF005"]\n'
        '[severity]\nCF002 = "P2"\n' + WAIVER + 'expires = 2025-12-31\n'
        '[[probes]]\nname = "flags"\nregex = "flag\\\\((\\\\w+)\\\\)"\ngroups = ["flag"]\n'))
    assert config.source == "auditlib.toml"
    assert (config.doc_path, config.compatibility_max_age_days) == ("docs/scaling.md", 90)
    assert config.disabled_rules == frozenset({"CF005"})
    assert config.severity_overrides == {"CF002": Severity.P2}
    assert [(w.rule, w.path, w.reason, w.expires, w.line) for w in config.waivers] == [
        ("CF001", "*", "accepted", date(2025, 12, 31), 6)]
    assert [(p.name, p.groups) for p in config.probes] == [("flags", ("flag",))]


@pytest.mark.parametrize(("regex", "globs"), [
    pytest.param("(?P<flag>\\w+)\\s*=", '["*.ts", "*.js", "!**/gen/**"]', id="named-group-globs"),
    pytest.param("(x)", '["src/[!.]*.ts", "!src/gen/**"]', id="negated-class-glob"),
    pytest.param("^\\s*import\\s+(\\S+)", '["src/*.ts"]', id="folder-glob"),
    *[pytest.param(regex, '["*.ts"]', id=f"read-alike-{regex}")
      for regex in [r"\\<(a)", r"[\[<>](x)", r"[]a](x)", r"[^]a](x)", r"[-a&](x)", r"\b(\w+)\b",
                    r"[\&&](x)"]],
])
def test_probe_accepted_by_python_and_ripgrep(regex: str, globs: str) -> None:
    config = parse_config("auditlib.toml", f'[[probes]]\nname = "p"\nregex = \'{regex}\'\n'
                                           f'groups = ["g"]\nglobs = {globs}\n')
    assert [(p.name, p.regex) for p in config.probes] == [("p", regex)]


def test_a_regex_python_warns_about_is_refused_not_warned_about(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's FutureWarning about a class is the refusal's reason, never a raw warning."""
    monkeypatch.setattr("auditlib.configfile._read_differently", lambda regex: None)
    with pytest.raises(ConfigParseError, match=r"may read it differently: Possible nested set"):
        parse_config("auditlib.toml", '[[probes]]\nname = "p"\nregex = "[[:punct:]]{3}"\n')


@pytest.mark.parametrize("name", ["auditlib.toml", "pyproject.toml"])
def test_toml_syntax_error_gives_position_once(tmp_path: Path, make_repo: MakeRepo,
                                               name: str) -> None:
    header = "[tool.auditlib]\n" if name == "pyproject.toml" else ""
    repo = make_repo(tmp_path, {name: header + "disable = [CF001\n"})
    with pytest.raises(ConfigParseError) as caught:
        load_config(repo)
    line = 2 if header else 1
    assert str(caught.value) == f"{repo / name}:{line}:12: Invalid value"  # not under the cwd


@pytest.mark.parametrize("name", ["auditlib.toml", "pyproject.toml"])
@pytest.mark.parametrize(("text", "line", "column", "message"), [
    pytest.param('doc_path = "a.md"\ndisable = ["CF006"\n\n', 2, 11,
                 "an array (`[`) is not closed before the end of the file", id="unclosed-array"),
    pytest.param('disable = [\n  "CF006",\n  "CF007"\n\n', 1, 11,
                 "an array (`[`) is not closed before the end of the file", id="where-it-opens"),
    pytest.param("x=", 1, 3, "Invalid value (at end of document)", id="no-value"),
    pytest.param('disable = ["CF006', 1, 12, "a quote is not closed before the end of the file",
                 id="open-quote"),
])
def test_toml_syntax_error_at_the_end_gives_where_it_starts(
        tmp_path: Path, make_repo: MakeRepo, name: str, text: str, line: int, column: int,
        message: str) -> None:
    header = "[tool.auditlib]\n" if name == "pyproject.toml" else ""
    repo = make_repo(tmp_path, {name: header + text})
    with pytest.raises(ConfigParseError) as caught:
        load_config(repo)
    assert str(caught.value) == f"{repo / name}:{line + bool(header)}:{column}: {message}"


def test_a_config_file_is_named_from_the_current_folder(
        tmp_path: Path, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(tmp_path, {"auditlib.toml": "disable = [CF001\n"})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigParseError, match=r"^repo/auditlib\.toml:1:12: "):
        load_config(Path("repo"))


def test_another_tool_s_broken_pyproject_is_no_auditlib_config(tmp_path: Path,
                                                               make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": '[project\nname = "x"\n'})
    assert load_config(repo) == AuditConfig()
    (repo / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n')  # not UTF-8
    assert load_config(repo) == AuditConfig()


AUDITLIB_TOML = "compatibility_max_age_days = 30\n"
PYPROJECT = '[project]\nname = "pkg"\n\n[tool.auditlib]\ncompatibility_max_age_days = 60\n'
PYPROJECT_WITHOUT = '[project]\nname = "pkg"\n\n[tool.ruff]\nline-length = 100\n'


@pytest.mark.parametrize(("files", "explicit", "expected"), [
    pytest.param({"auditlib.toml": AUDITLIB_TOML}, None, ("auditlib.toml", 30), id="auditlib-toml"),
    pytest.param({"pyproject.toml": PYPROJECT}, None, ("pyproject.toml", 60), id="pyproject"),
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "pyproject.toml": PYPROJECT}, None,
                 ("auditlib.toml", 30), id="auditlib-toml-first"),
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "ci/audit.toml": "compatibility_max_age_days = 7\n"},
                 "ci/audit.toml", ("ci/audit.toml", 7), id="explicit"),
    pytest.param({"pyproject.toml": PYPROJECT_WITHOUT}, None, (None, 180),
                 id="pyproject-without-tool-auditlib"),
    pytest.param({"README.md": "x\n"}, None, (None, 180), id="no-settings"),
])
def test_load_config(tmp_path: Path, make_repo: MakeRepo, files: Files, explicit: str | None,
                     expected: tuple[str | None, int]) -> None:
    repo = make_repo(tmp_path, files)
    config = load_config(repo, repo / explicit if explicit else None)
    assert (config.source, config.compatibility_max_age_days) == expected
    if expected[0] is None:
        assert config == AuditConfig()


def test_rule_ids_in_the_settings_are_read_in_any_case_as_inline_suppressions_are() -> None:
    config = parse_config("auditlib.toml", 'disable = ["cf010"]\n[severity]\ncf002 = "P2"\n'
                          + WAIVER.replace("CF001", "cf001"))
    assert config.disabled_rules == {"CF010"} and config.severity_overrides == {"CF002": Severity.P2}
    assert [waiver.rule for waiver in config.waivers] == ["CF001"]
    assert parse_config("auditlib.toml", 'repo_url = "HTTPS://github.com/org/repo"\n').repo_url
    with pytest.raises(ConfigParseError, match="no http"):
        parse_config("auditlib.toml", 'repo_url = "https://github.com/org/repo x"\n')


def test_settings_that_are_not_utf8_are_refused_at_their_line(tmp_path: Path) -> None:
    """QA s35b: "position 23", where every other error of the settings gives a line."""
    (tmp_path / "auditlib.toml").write_bytes(b'doc_path = "a.md"\n# caf\xe9\n')
    with pytest.raises(ConfigParseError, match=r"auditlib\.toml:2:6: not UTF-8 \(byte 0xe9\)"):
        load_config(tmp_path)


def test_settings_linked_from_outside_the_repository_are_not_read(tmp_path: Path) -> None:
    """QA s28b P0-9: CF000 said the link was not followed, and its settings (its repo_url in
    every link of the document) were applied."""
    (tmp_path / "outside.toml").write_text('repo_url = "https://outside.example"\n', encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "ci").mkdir(parents=True)
    (repo / "auditlib.toml").symlink_to(tmp_path / "outside.toml")
    assert load_config(repo) == AuditConfig()
    (repo / "ci/audit.toml").write_text(AUDITLIB_TOML, encoding="utf-8")
    (repo / "auditlib.toml").unlink()
    (repo / "auditlib.toml").symlink_to("ci/audit.toml")  # inside: read
    assert load_config(repo).compatibility_max_age_days == 30


@pytest.mark.parametrize(("files", "explicit", "unread"), [
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "pyproject.toml": PYPROJECT}, None,
                 "pyproject.toml:4", id="both"),
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "pyproject.toml": PYPROJECT_WITHOUT}, None, None,
                 id="pyproject-without-tool-auditlib"),
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "pyproject.toml": '[tool.auditlib\n'}, None, None,
                 id="a-broken-pyproject"),
    pytest.param({"auditlib.toml": AUDITLIB_TOML, "pyproject.toml": PYPROJECT}, "auditlib.toml", None,
                 id="explicit"),
    pytest.param({"pyproject.toml": PYPROJECT}, None, None, id="pyproject-alone"),
])
def test_settings_of_pyproject_not_read_beside_auditlib_toml(
        tmp_path: Path, make_repo: MakeRepo, files: Files, explicit: str | None,
        unread: str | None) -> None:
    """auditlib.toml comes first; the [tool.auditlib] of pyproject.toml is named, so that
    the CLI can say that it is not read."""
    repo = make_repo(tmp_path, files)
    assert load_config(repo, repo / explicit if explicit else None).unread_source == unread


def test_load_config_explicit_missing(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"auditlib.toml": AUDITLIB_TOML})
    with pytest.raises(ConfigParseError, match="not found"):
        load_config(repo, repo / "missing.toml")


@pytest.mark.parametrize(("files", "explicit", "expected"), [
    pytest.param({"ci/pyproject.toml": PYPROJECT_WITHOUT}, "ci/pyproject.toml",
                 "ci/pyproject.toml: holds no [tool.auditlib] table: there are no settings to read"
                 " in it", id="pyproject-without-tool-auditlib"),
    pytest.param({"ci/pyproject.toml": '[project]\nname = "auditlib"\n'}, "ci/pyproject.toml",
                 "ci/pyproject.toml: holds no [tool.auditlib] table", id="pyproject-naming-auditlib"),
    pytest.param({"ci/audit.toml": 'doc_path = "a.md"\n[tool.auditlib]\ndisable = ["CF006"]\n'},
                 "ci/audit.toml", "ci/audit.toml:2: unknown key 'tool' (known: compatibility_max_age_days,"
                 " disable, doc_max_age_days, doc_path, exclude, latency_threshold_ms, probes, related_terms,"
                 " repo_url, severity, waivers); [tool.auditlib] is read only from a file named"
                 " pyproject.toml: here, leave out `[tool.auditlib]`, and `tool.auditlib.` in table"
                 " headers", id="tool-auditlib-in-another-file"),
    pytest.param({}, "/dev/null", "/dev/null: not a regular file", id="not-a-regular-file"),
])
def test_an_explicit_config_without_settings_is_an_error(
        tmp_path: Path, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, files: Files,
        explicit: str, expected: str) -> None:
    """A file named on the command line is read, or the run stops: never the defaults unseen."""
    make_repo(tmp_path, {"auditlib.toml": AUDITLIB_TOML, **files})
    monkeypatch.chdir(tmp_path / "repo")
    with pytest.raises(ConfigParseError) as caught:
        load_config(Path("."), Path(explicit))
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(("text", "line"), [
    pytest.param('[project]\nname = "pkg"\n\n[tool.auditlib]\nbogus = 1\n', 5, id="unknown-key"),
    pytest.param('[project]\nname = "pkg"\n\n[tool.auditlib]\ndisable = ["CF999"]\n', 5,
                 id="unknown-rule"),
    pytest.param('[project]\nname = "pkg"\n\n[tool.auditlib]\nname = "audit"\n', 5,
                 id="unknown-key-also-in-project"),
    pytest.param('[[tool.auditlib.waivers]]\nrule = "CF001"\npath = "*"\n\n[tool.ruff]\nline-length = 1\n\n'
                 '[[tool.auditlib.waivers]]\nrule = "CF002"\npath = "*"\nreason = "r"\n', 1,
                 id="waiver-without-reason-before-another-tool"),
    pytest.param('[tool.auditlib]\nwaivers = [\n  { rule = "CF001", path = "*", reason = "r" },\n'
                 '  { rule = "CF1", path = "*", reason = "r" },\n]\n', 4, id="inline-waivers"),
])
def test_pyproject_error_lines(tmp_path: Path, make_repo: MakeRepo, text: str, line: int) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": text})
    with pytest.raises(ConfigParseError) as caught:
        load_config(repo)
    assert (caught.value.path, caught.value.line) == (str(repo / "pyproject.toml"), line)


def test_a_top_level_key_below_a_table_of_pyproject_is_named_with_its_header(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": '[tool.auditlib.severity]\nCF002 = "P0"\n'
                                                  'doc_max_age_days = 30\n'})
    with pytest.raises(ConfigParseError, match=r":3: severity\.doc_max_age_days: 30 is not one of P0,"
                       r" P1, P2; .* move it above \[tool\.auditlib\.severity\]$"):
        load_config(repo)


# Excluded paths ---------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "path", "excluded"), [
    pytest.param("templates", "templates/worker/wrangler.toml", True, id="a-folder-all-below"),
    pytest.param("templates", "apps/templates/wrangler.toml", False, id="from-the-root"),
    pytest.param("templates/**", "templates", True, id="the-folder-itself"),
    pytest.param("apps/*/fixtures", "apps/web/fixtures/a/wrangler.toml", True, id="star-in-a-folder"),
    pytest.param("apps/*/fixtures", "apps/web/admin/fixtures/wrangler.toml", False,
                 id="star-within-one-folder"),
    pytest.param("**/generated/**", "packages/a/generated/client.ts", True, id="any-depth"),
    pytest.param("apps/*/wrangler.dev.toml", "apps/web/wrangler.toml", False, id="a-file-glob"),
    pytest.param("apps/*/wrangler.dev.toml", "apps/web/wrangler.dev.toml", True, id="a-file-glob-hit"),
])
def test_an_exclude_pattern_covers_a_path_or_a_folder_above_it(pattern: str, path: str,
                                                                excluded: bool) -> None:
    assert (settings.exclusion(["other/**", pattern])(path) == pattern) is excluded
    assert settings.exclusion([pattern, pattern + "/**"])(path) in ((pattern,) if excluded else (None,))


def test_an_exclude_pattern_is_tested_on_deep_paths_without_recursion() -> None:
    assert settings.exclusion(["a/*/b"])("/".join(["a"] * 5000)) is None


def test_exclude_is_read_from_the_root() -> None:
    config = parse_config("auditlib.toml", 'exclude = ["./templates/", "apps/*/fixtures", "templates",'
                                           ' "apps/../tools"]\n')
    assert config.exclude == ("templates", "apps/*/fixtures", "tools")


FLAGS = '[[probes]]\nname = "flag"\nregex = "flags\\\\.(\\\\w+)"\ngroups = ["flag"]\n'
DOC = ("Type: Guide\nStatus: Active\nDomain: Performance\nLast-reviewed: 2025-06-30\n\n# Notes\n\n"
       "The template reads its flags at `templates/worker/src/flags.ts:1-2`.\n")
EXCLUDED_REPO = {
    "auditlib.toml": 'exclude = ["templates", "docs/drafts/**", ".github/workflows/old-*.yml",'
                     ' "legacy/**"]\n' + FLAGS,
    "wrangler.toml": KV,
    "src/index.ts": "export default { fetch() { return flags.live } }\n",
    "templates/worker/wrangler.toml": KV.replace('"shop"', '"{{kebabCase name}}"'),
    "templates/worker/src/flags.ts": "flags.beta\nflags.gamma\n",
    "templates/worker/src/data.ts": "flags.delta\n\0",  # binary: ripgrep says so
    "templates/broken/wrangler.json": "{\n  \"name\": \n",
    "docs/notes.md": DOC,
    "docs/drafts/wip.md": DOC.replace("`templates/worker/src/flags.ts:1-2`", "`nowhere.ts:9`"),
    ".github/workflows/old-deploy.yml": "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
                                        "    steps:\n      - run: npx wrangler deploy\n",
}


def test_an_excluded_path_is_not_audited(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Nothing is read there (a config, code, a document, a workflow), and nothing there
    is reported, but a document may cite a file there: it exists."""
    audit = run_audit(make_repo(tmp_path, EXCLUDED_REPO), AS_OF)
    facts = audit.facts
    assert [config.path for config in facts.configs] == ["wrangler.toml"]
    assert [(m.location.path, m.groups["flag"]) for m in facts.extra] == [("src/index.ts", "live")]
    assert [document.path for document in facts.documents] == ["docs/notes.md"]
    assert facts.workflows == ()
    assert sorted({f.location.path for f in audit.findings}) == [".", "wrangler.toml"]
    # The citation is read, and the file it cites is there (else DR005: not in the repository).
    [claims] = facts.claims
    assert ("citation", "templates/worker/src/flags.ts:1-2") in [(c.kind, c.text) for c in claims.claims]
    assert facts.excluded == {"templates": 4, "docs/drafts/**": 1, ".github/workflows/old-*.yml": 1,
                              "legacy/**": 0}
    assert ("Excluded in the settings (`auditlib.toml`), so not audited: `templates` (4 files),"
            " `docs/drafts/**` (1 file), `.github/workflows/old-*.yml` (1 file) and `legacy/**`"
            " (0 files).") in audit.markdown()


def test_what_an_excluded_path_holds_is_not_read_elsewhere_either(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    """QA s34a: an action a workflow runs, the audit document (doc_path), the config wrangler
    reads (the one beside it is not audited in its place), a Worker's entry (CF009)."""
    do_binding = '[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n'
    repo = make_repo(tmp_path, {
        "auditlib.toml": 'doc_path = "docs/audit/scaling.md"\nexclude = ["tools/deploy-action",'
                         ' "docs/audit", "apps/web/wrangler.json", "apps/api/src"]\n',
        ".github/workflows/d.yml": "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                                   "      - uses: ./tools/deploy-action\n",
        "tools/deploy-action/action.yml": "runs: [unclosed\n",
        "docs/audit/scaling.md": DOC.replace("flags.ts:1-2", "gone.ts:1"),
        "apps/web/wrangler.json": '{"name": "web", "main": "src/index.ts"}\n',
        "apps/web/wrangler.toml": 'name = "stale"\nmain = "src/index.ts"\n',
        "apps/api/wrangler.toml": 'name = "api"\nmain = "src/index.ts"\n' + do_binding,
        "apps/api/src/index.ts": "export class Room {}\n"})
    audit = run_audit(repo, AS_OF)
    assert [config.path for config in audit.facts.configs] == ["apps/api/wrangler.toml"]
    assert audit.facts.problems == ()
    assert sorted({f.location.path for f in audit.findings}) == [".", "apps/api/wrangler.toml"]
    assert not [f for f in audit.findings if f.rule == "CF009"]  # its entry is not read


def test_verify_docs_checks_no_excluded_document(tmp_path: Path, make_repo: MakeRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {**EXCLUDED_REPO, "docs/notes.md": "# Notes\n"})
    verify = ["verify", "--docs", str(repo / "docs"), "--repo", str(repo), "--date", "2025-07-01"]
    assert cli.main(verify) == 2
    assert capsys.readouterr().err.strip().endswith(
        "nothing was checked: none of its 1 Markdown file starts with a header block (`Type: …`"
        " lines at the very top; YAML front matter is not one)")
    (repo / "docs/notes.md").write_text(DOC, encoding="utf-8")
    assert cli.main(verify) == 0
    assert "drafts" not in capsys.readouterr().out


def test_findings_in_a_path_excluded_since_are_not_resolved(tmp_path: Path, make_repo: MakeRepo) -> None:
    """Nor is one about the whole repository, when the settings exclude files newly: what it
    counted (a Durable Object only a template binds) may be there."""
    template = EXCLUDED_REPO["templates/worker/wrangler.toml"] + (
        '\n[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n')
    files = {**EXCLUDED_REPO, "auditlib.toml": "", "templates/worker/wrangler.toml": template}
    repo = make_repo(tmp_path, files)
    run_audit(repo, AS_OF).save(tmp_path / "before")
    (repo / "auditlib.toml").write_text('exclude = ["templates"]\n', encoding="utf-8")
    after = run_audit(repo, AS_OF, baseline=tmp_path / "before" / "findings.json")
    changes = after.changes
    assert changes is not None
    assert {entry["path"] for entry in changes.unchecked} >= {"templates/worker/wrangler.toml",
                                                              "templates/broken/wrangler.json", "."}
    assert not [entry for entry in changes.resolved if entry["path"] in (".", "templates/")]
    assert (f" {len(changes.unchecked)} not checked: an input they depend on was not read now (could"
            " not be, or the settings (`auditlib.toml`) exclude it).") in after.markdown()
    # The same exclusion in both runs: a finding about the whole repository fixed is resolved
    after.save(tmp_path / "after")
    (repo / "src/metrics.ts").write_text('env.M.writeDataPoint({ blobs: ["kv_lag"] });\n',
                                         encoding="utf-8")
    fixed = run_audit(repo, AS_OF, baseline=tmp_path / "after" / "findings.json").changes
    assert fixed is not None
    assert "CF006|.|KV replication lag" in [entry["identity"] for entry in fixed.resolved]


def test_an_exclude_pattern_that_excludes_nothing_is_named(
        tmp_path: Path, make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {**EXCLUDED_REPO, "auditlib.toml": 'exclude = ["templates", "legacy"]\n'})
    assert cli.main(["check", str(repo), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "auditlib: exclude `legacy` (auditlib.toml) matches no file the audit reads, or only files"
        " another pattern excludes: remove it, or correct it"]


def test_trailing_suppression_covers_only_its_own_line(tmp_path: Path, make_repo: MakeRepo) -> None:
    repo = make_repo(tmp_path, {"wrangler.toml": (
        'name = "w"\nmain = "a.ts"\n\n[[kv_namespaces]]\n'
        'binding = "CACHE"  # auditlib: ignore[CF001] about the binding name only\n'
        'id = "TODO"\n')})
    found = [f for f in evaluate(collect(repo)) if f.rule == "CF001"]
    assert [(f.location.start_line, f.outcome) for f in found] == [(6, Outcome.FAIL)]


@pytest.mark.parametrize("wrangler", [
    pytest.param('name = "w"\nmain = "a.ts"\n\n[[kv_namespaces]]\nbinding = "RATE_LIMIT"\n'
                 '# auditlib: ignore[CF001] local only\nid = "00000000000000000000000000000000"\n\n'
                 '[[kv_namespaces]]\nbinding = "SESSIONS"\nid = "00000000000000000000000000000000"\n',
                 id="toml"),
])
def test_a_suppression_waives_only_its_own_binding_when_ids_repeat(
        tmp_path: Path, make_repo: MakeRepo, wrangler: str) -> None:
    """The second binding's id is found at its own line, not at the first's identical one."""
    repo = make_repo(tmp_path, {"wrangler.toml": wrangler})
    found = [f for f in evaluate(collect(repo)) if f.rule == "CF001"]
    assert [(f.subject, f.location.start_line, f.outcome) for f in found] == [
        ("RATE_LIMIT", 7, Outcome.WAIVED), ("SESSIONS", 11, Outcome.FAIL)]
