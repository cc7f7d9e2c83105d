"""The render stage: the auto-scaling audit document as blocks, built from facts and findings.

Pure: no file is read here. Every number, id, path and line comes from the facts; a
section with nothing to report says so in a sentence.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from .blocks import (
    Block,
    Table,
    Text,
    code,
    counted,
    escaped,
    fenced,
    listed,
    plain,
    prose,
    to_markdown,
    visible,
)
from .changes import Changes
from .config import AuditConfig
from .docs import GENERATED_MARKER
from .model import (
    Binding,
    DocClaims,
    Environment,
    Facts,
    Finding,
    LatencyMonitor,
    Location,
    Outcome,
    Severity,
    WranglerConfig,
    places,
)
from .repofiles import in_excluded_dir
from .rules import DRIFT_RULES, RULES
from .rules.base import SILENCED_BY, unread_config_paths, unread_configs
from .rules.base import unread as unread_inputs
from .rules.doc_status import CLAIM_RULES
from .rules.durable_object_class import javascript_worker
from .rules.durable_object_migration import migrated_classes
from .rules.environment_bindings import replaced
from .rules.placeholder_ids import FILLED
from .rules.production_verification import ASPECTS
from .secrets import redact
from .wrangler import KINDS_BY_NAME

TARGET_LABELS = {"pages": "Cloudflare Pages", "worker": "Cloudflare Workers",
                 "unknown": "Unknown (no `main` or `pages_build_output_dir`)"}
RESOURCE_LABELS = {"kv_namespaces": "KV", "durable_objects": "Durable Objects",
                   "d1_databases": "D1", "r2_buckets": "R2", "queues.producers": "Queues",
                   "queues.consumers": "Queues", "hyperdrive": "Hyperdrive",
                   "vectorize": "Vectorize", "services": "Service bindings", "ai": "Workers AI",
                   "ratelimits": "Rate limiting", "dispatch_namespaces": "Workers for Platforms",
                   "analytics_engine_datasets": "Analytics Engine",
                   "workflows": "Workflows", "browser": "Browser Rendering",
                   "containers": "Containers", "assets": "Static assets"}
# What the platform does by itself, shown for the features the repository uses (any of
# the binding kinds, targets or keys named; none: always).
PLATFORM: tuple[tuple[tuple[str, ...], str, str], ...] = (
    ((), "Worker horizontal scaling",
     "Automatic: new isolates start as load grows, no instance count to configure"),
    ((), "Geographic distribution", "Runs in Cloudflare's edge locations worldwide"),
    ((), "Cold starts", "A Worker runs in a V8 isolate: no VM or container boots for it"),
    (("kv_namespaces",), "KV global replication", "Eventually consistent, cached at the edge"),
    (("durable_objects",), "Durable Object instances",
     "Created on demand per id, idle instances evicted automatically"),
    (("containers",), "Container instances",
     "Started on demand for their Durable Objects, up to each class's `max_instances`;"
     " a container's cold start boots it"),
    (("queues.consumers",), "Queue consumers", "Concurrency scales with queue depth"),
    (("pages", "assets"), "Static asset caching", "Automatic at the edge"),
)
RULE_BY_ID = {rule.id: rule for rule in RULES}
DRIFT_IDS = {rule.id for rule in DRIFT_RULES}
INFRA_RULES = tuple(rule for rule in RULES if rule.id not in DRIFT_IDS)
CLAIM_IDS = {rule.id for rule in CLAIM_RULES}


# Why a rule of SILENCED_BY reports nothing now.
_SILENCED_WHY = {"DR009": "as a wrangler config could not be read (CF000), which may hold the"
                          " names the documents give",
                 "CF015": "as a workflow could not be read (CF000), which may deploy the apps"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    facts: Facts
    findings: tuple[Finding, ...]
    audit_date: str
    config: AuditConfig
    version: str
    changes: Changes | None = None
    # The findings by path, in their order: a document or a config asks for its own, and
    # a scan of all of them for each of thousands took minutes.
    _by_path: dict[str, list[Finding]] = field(init=False, repr=False, compare=False)
    # And by rule, path and subject: each of 1,600 environments' bindings asks for its own.
    _by_subject: dict[tuple[str, str, str], list[Finding]] = field(init=False, repr=False,
                                                                  compare=False)

    def __post_init__(self) -> None:
        by_path: dict[str, list[Finding]] = defaultdict(list)
        by_subject: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for finding in self.findings:
            by_path[finding.location.path].append(finding)
            by_subject[finding.rule, finding.location.path, finding.subject].append(finding)
        object.__setattr__(self, "_by_path", by_path)
        object.__setattr__(self, "_by_subject", by_subject)

    def findings_in(self, path: str) -> list[Finding]:
        """The findings at `path`, in their order."""
        return self._by_path.get(path, [])

    def findings_of(self, rule: str, path: str, subject: str) -> list[Finding]:
        """The findings of `rule` at `path` about `subject`, in their order."""
        return self._by_subject.get((rule, path, subject), [])

    def url(self, path: str, location: Location | None = None) -> str:
        """Where a repository file is: under `repo_url` when one is configured, else
        relative to where the document lives; with a `#L` anchor for its lines."""
        target = file_url(self.config, path)
        if location is not None and location.start_line is not None:
            end = location.end_line or location.start_line
            target += f"#L{location.start_line}" + (f"-L{end}" if end != location.start_line
                                                    else "")
        return target

    def link(self, path: str, location: Location | None = None, label: str | None = None) -> str:
        """A Markdown link to a repository file: `name.ts:84-121` and its address."""
        text = label or posixpath.basename(path)
        if location is not None and location.start_line is not None:
            end = location.end_line or location.start_line
            text += f":{location.start_line}" + (f"-{end}" if end != location.start_line else "")
        return f"[{text}]({self.url(path, location)})"

    def where(self, location: Location) -> str:
        """Evidence: the location as code, linked to the file and its lines."""
        if location.path == ".":
            return "the whole repository"
        return f"[{_code(location)}]({self.url(location.path, location)})"

    def places(self, findings: Sequence[Finding], most: int = 3) -> str:
        """Where `findings` are, each place once."""
        return _some([self.where(location) for location in dict.fromkeys(
            f.location for f in findings)], most)

    def not_run(self, rule_ids: Iterable[str]) -> str:
        """A sentence naming those of `rule_ids` the settings disable, which did not run (so
        no finding of theirs says nothing is wrong), and those an input not read silences;
        "" when none is."""
        wanted = set(rule_ids)
        off = [rule.id for rule in RULES if rule.id in wanted and rule.id in self.config.disabled_rules]
        silent = [rule for rule in SILENCED_BY if rule in wanted and rule not in off
                  and SILENCED_BY[rule](self.facts)]
        return " ".join(
            [f"Not checked: {listed(off)} {'is' if len(off) == 1 else 'are'} disabled in"
             f" {settings_name(self.config)}."] * bool(off)
            + [f"Not checked: {rule} {RULE_BY_ID[rule].name}, {_SILENCED_WHY[rule]}."
               for rule in silent])

    def by_rules_run(self, rule_ids: Iterable[str], word: str = "from") -> str:
        """What an empty list of findings adds when some of `rule_ids` did not run, or "".
        Not counted: which of them could have found something at a severity is not known (a
        rule's findings may be below or above its own severity, and CF002, a P1 rule, counted
        under P0 misleads); nor named, as the introduction names them."""
        off = self.config.disabled_rules.intersection(rule_ids)
        return f" {word} the rules that ran (not those disabled in the settings)" if off else ""

    def open_findings(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule_id and f.outcome == Outcome.FAIL]

    def bindings(self, kind: str) -> list[tuple[WranglerConfig, Binding]]:
        """Bindings of `kind` in every config and environment."""
        return [(c, b) for c in self.configs for scope in c.scopes() for b in scope.bindings
                if b.kind == kind]

    @property
    def configs(self) -> list[WranglerConfig]:
        # By folder, then file name: `apps/web` before `apps/web-admin`.
        return sorted(self.facts.configs, key=lambda c: (not c.is_root, c.path.split("/")))

    @property
    def project(self) -> str:
        root = next((c for c in self.facts.configs if c.is_root and c.name), None)
        return plain(root.name if root and root.name else self.facts.repo)


def settings_name(config: AuditConfig) -> str:
    """The settings, with the file they came from as the document may name it: by its path
    in the repository, or by its name alone when it is outside (no machine's folders)."""
    if not config.source:
        return "the settings"
    path = config.source.replace("\\", "/")
    if path.startswith(("/", "../")) or path[1:2] == ":":
        path = posixpath.basename(path)
    return f"the settings ({code(path)})"


def audit_status(facts: Facts, findings: Sequence[Finding]) -> str:
    """VERIFIED when there was a wrangler config to audit, every input was read and every
    rule ran; INCOMPLETE otherwise. A section of a config wrangler refuses (CF020, P0) leaves
    nothing unread."""
    errors = [f for f in findings if f.outcome == Outcome.ERROR]
    unread = any(not problem.refused for problem in facts.problems)
    return "INCOMPLETE" if errors or unread or not facts.configs else "VERIFIED"


def verify_status(findings: Sequence[Finding], facts: Facts) -> str:
    """`auditlib verify`'s word on the documents it checked: DRIFTED when a finding is open (a
    claim, a header, a review date, a document that could not be read); UNCHECKED when
    none is but a rule could not run, or a wrangler config could not be read, so not every
    claim was checked; CURRENT otherwise. The exit code is 1 for both of the first.
    audit_status says whether every input was read."""
    outcomes = {f.outcome for f in findings}
    return ("DRIFTED" if Outcome.FAIL in outcomes else "UNCHECKED"
            if Outcome.ERROR in outcomes or unread_configs(facts) else "CURRENT")



_code = code


def _name(binding: Binding) -> str:
    """A binding's name, with its environment when it is not the top level."""
    return ((_code(binding.name) if binding.name else "(no name)")
            + (f" (env {binding.environment})" if binding.environment else ""))


# The header block of the document, but its review date and status.
HEADER = {"Type": "Guide", "Status": "Active", "Domain": "Performance"}


def _header(ctx: Context) -> list[Block]:
    status = audit_status(ctx.facts, ctx.findings)
    targets = sorted({TARGET_LABELS[c.target].removeprefix("Cloudflare ")
                      for c in ctx.facts.configs if c.target != "unknown"})
    unread = [problem for problem in unread_config_paths(ctx.facts) if not problem.folder]
    counts = (f"{counted(len(ctx.facts.configs), 'wrangler config')}"
              + (f" ({len(unread)}{' more' * bool(ctx.facts.configs)} could not be read),"
                 if unread else ",") +
              f" {counted(len(ctx.facts.workflows), 'workflow file')}"
              " and the code under the repository root")
    # Named once, here: a rule that did not run leaves no finding, which is no pass.
    off = [f"{rule.id} {rule.name}" for rule in RULES if rule.id in ctx.config.disabled_rules]
    disabled = (f" Disabled in {settings_name(ctx.config)}, so not checked: {listed(off)}."
                if off else "")
    # As plainly: what the settings exclude is not audited, and a finding there none.
    kept_out = [f"{_code(pattern)} ({counted(files, 'file')})"
                for pattern, files in ctx.facts.excluded.items()]
    disabled += (f" Excluded in {settings_name(ctx.config)}, so not audited: {listed(kept_out)}."
                 if kept_out else "")
    blocks: list[Block] = [
        Text("".join(f"{key}: {value}\n" for key, value in HEADER.items())
             + f"Last-reviewed: {ctx.audit_date}\nAudit-status: {status}"),
        Text(GENERATED_MARKER),
        Text("# Auto-Scaling Architecture"),
        Text(f"This document describes the auto-scaling configuration **currently in place** for"
             f" the {ctx.project} platform, based on code audit performed {ctx.audit_date}."
             f" It was regenerated by auditlib {ctx.version} from {counts};"
             f" edit the repository, not this file.{disabled}"),
        Text("## Overview"),
    ]
    if not ctx.facts.configs and unread:
        blocks.append(Text("No wrangler configuration could be read, so what this repository"
                           " deploys to Cloudflare is not known."))
    elif not ctx.facts.configs:
        blocks.append(Text("No wrangler configuration (`wrangler.toml`, `wrangler.json`,"
                           " `wrangler.jsonc`) was found in this repository, so there is no"
                           " Cloudflare deployment to audit."))
    else:
        blocks.append(Text(
            f"{ctx.project} deploys to Cloudflare {' and '.join(targets) or 'Workers'}, which"
            " provides automatic horizontal scaling at the edge. This document audits what is"
            " actually configured, not what is theoretically possible."))
    return blocks


def _features(config: WranglerConfig) -> list[str]:
    """What a config uses, in any environment: binding kinds, then containers and assets."""
    kinds = [b.kind for scope in config.scopes() for b in scope.bindings]
    keys = [key for key in ("containers", "assets") if any(
        key in scope.settings or (key == "assets" and "site" in scope.settings)
        for scope in config.scopes())]
    return list(dict.fromkeys([*kinds, *keys]))


def _target(config: WranglerConfig) -> str:
    label = TARGET_LABELS[config.target]
    if config.queue_consumer:
        label += " (Queue Consumer)"
    resources = dict.fromkeys(RESOURCE_LABELS[kind] for kind in _features(config)
                              if kind in RESOURCE_LABELS and kind != "queues.consumers")
    return " + ".join([label, *resources])


def _deployments(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("## Verified Configuration\n\n### Deployment Targets")]
    not_read = unread_config_paths(ctx.facts)
    if not ctx.facts.configs:
        blocks.append(Text("No deployment targets: " + ("no wrangler config could be read."
                                                        if not_read else "no wrangler config was found.")))
    else:
        blocks.append(Table.of(("App", "Deployment Target", "Evidence"), [
            (plain(c.label) + (" (root)" if c.is_root else ""),
             _target(c), _code(c.path)) for c in ctx.configs]))
    if not_read:  # what they deploy is unknown: no row can be made of them
        blocks.append(Text("**Not read:** " + _some([
            f"{_code(problem.location)} ("
            + (f"column {problem.column}: " if problem.column else "") + f"{prose(problem.message)})"
            for problem in sorted(not_read, key=lambda problem: problem.location.path)], 10)
            + " could not be read (CF000): what " + ("it declares" if len(not_read) == 1
                                                      else "they declare") + " is not known."))
    by_workflow: dict[str, list[str]] = defaultdict(list)
    for step in ctx.facts.deploy_steps:
        by_workflow[step.workflow].append(step.tool)
    for workflow, tools in by_workflow.items():
        steps = [s for s in ctx.facts.deploy_steps if s.workflow == workflow]
        secrets = sorted({secret for s in steps for secret in s.secrets})
        numbers = list(dict.fromkeys(str(s.location.start_line) for s in steps))
        lines = ("line " if len(numbers) == 1 else "lines ") + ", ".join(numbers)
        using = f" with {', '.join(_code(s) for s in secrets)}" if secrets else ""
        # A step passing no secret is not covered by another step's token.
        bare = list(dict.fromkeys(str(s.location.start_line) for s in steps if not s.secrets))
        if secrets and bare:
            using += f" (line{'s' if len(bare) > 1 else ''} {', '.join(bare)}: none)"
        via = [_tool(tool) for tool in dict.fromkeys(tools)]
        blocks.append(Text(
            f"**Verified in CI:** {_code(workflow)} ({lines}) deploys via"
            f" {listed(via)}{',' * (len(via) > 1 and bool(using))}{using}."))
    if not by_workflow:
        searched = ", ".join(_code(w.path) for w in ctx.facts.workflows) or "no workflow files"
        unread = [run for workflow in ctx.facts.workflows for run in workflow.script_runs]
        blocks.append(Text(f"**Not verified in CI:** no Cloudflare deploy step was found"
                           f" (searched {searched})" + (
                               "; what " + _some([f"{_code(run.command)} ({ctx.where(run.location)})"
                                                  for run in unread], 3)
                               + f" run{'s' if len(unread) == 1 else ''} is not read, and may deploy"
                               if unread else "") + "."))
    broken = list(dict.fromkeys(p.location.path for p in unread_inputs(ctx.facts)
                                if p.location.path.startswith(".github/workflows/")))
    if broken:  # CF015 reports no app while one cannot be read
        blocks.append(Text(f"**Not read:** {_some([_code(path) for path in broken], 3)} could not"
                           " be read (CF000): what " + ("it deploys" if len(broken) == 1
                                                        else "they deploy") + " is not known."))
    return blocks


def _tool(tool: str) -> str:
    """A deploy step's tool: `wrangler deploy`, or the package script `deploy`."""
    script = tool.removeprefix("package script ")
    return _code(tool) if script == tool else f"the package script {_code(script)}"


def _durable_objects(ctx: Context) -> list[Block]:
    found = ctx.bindings("durable_objects")
    blocks: list[Block] = [Text("### Scaling Resources In Use"), *_not_configured(ctx)]
    if not found:
        return blocks + _hosted(ctx)
    blocks.append(Text("#### Durable Objects"))
    # Where a class is defined, rather than where an index re-exports it.
    classes = {c.name: c for c in sorted(ctx.facts.classes, key=lambda c: c.defined)}
    rows = []
    for _config, binding in found:
        class_name = str(binding.properties.get("class_name", ""))
        summary = classes[class_name].summary if class_name in classes else None
        rows.append((_name(binding), _code(class_name),
                     _code(binding.location), plain(summary) if summary else "—"))
    blocks.append(Table.of(("Binding", "Class", "Location", "Purpose"), rows))
    implementation = []
    # Each file by its name, as the reference writes it, unless two files share the name.
    shown = {classes[name].location.path for name in
             (str(b.properties.get("class_name", "")) for _c, b in found) if name in classes}
    names = Counter(posixpath.basename(path) for path in shown)
    for config, binding in found:
        class_name = str(binding.properties.get("class_name", ""))
        code = classes.get(class_name)
        if code is not None and not code.defined:
            implementation.append(f"- {_code(class_name)}: re-exported at"
                                  f" {ctx.where(code.location)}, from outside this file")
        elif code is not None:
            path = code.location.path
            label = path if names[posixpath.basename(path)] > 1 else None
            implementation.append(
                f"- {ctx.link(path, label=label)}"
                f" ({counted(code.file_lines, 'line')}): {_code(class_name)} at line"
                f" {code.location.start_line}")
        elif binding.properties.get("script_name"):
            implementation.append(f"- {_code(class_name)}: in Worker"
                                  f" {_code(binding.properties['script_name'])}")
        elif not javascript_worker(config.top.settings):
            language = "Python" if str(config.top.settings.get("main", "")).endswith(".py") \
                else "Rust"
            implementation.append(f"- {_code(class_name)}: in {_code(config.path)}'s {language} code,"
                                  " which is not searched")
        elif (entry := config.entry(_scope_of(config, binding))) and in_excluded_dir(entry):
            implementation.append(f"- {_code(class_name)}: in the Worker's build output"
                                  f" {_code(entry)}, which is not searched")
        elif entry in config.missing_entries:
            implementation.append(f"- {_code(class_name)}: not found, and the Worker's entry"
                                  f" {_code(entry)} is not in the repository")
        else:
            implementation.append(f"- {_code(class_name)}: no exported class of that name in code")
    blocks.append(Text("**Implementation:**\n\n" + "\n".join(dict.fromkeys(implementation))))
    blocks.append(Text("**Scaling behavior:** each Durable Object id is a separate instance."
                       " Cloudflare creates instances on demand and evicts idle ones"
                       " automatically."))
    return blocks


def _containers(ctx: Context) -> list[Block]:
    """The container classes and how far each may scale; nothing when none is configured."""
    rows = []
    for config in ctx.configs:
        for scope in config.scopes():
            if not isinstance(scope.settings.get("containers"), list):
                continue
            exports = scope.settings.get("exports")
            # Without `class_name`, the `exports` entry that names the container holds it.
            by_container = {entry.get("container"): name for name, entry in (
                exports.items() if isinstance(exports, dict) else ()) if isinstance(entry, dict)}
            for entry in scope.settings["containers"]:
                if isinstance(entry, dict):
                    named = entry.get("class_name") or by_container.get(entry.get("name"))
                    rows.append((
                        _code(named) if named else "not named",
                        plain(entry.get("max_instances", "not set")),
                        plain(", ".join(f"{key} {value}" for key, value in entry[
                            "instance_type"].items()) if isinstance(entry.get("instance_type"),
                                                                    dict)
                              else entry.get("instance_type", "default")),
                        _code(scope.location_of("containers"))
                        + (f" (env {_code(scope.name)})" if scope.name else "")))
    if not rows:
        return []
    return [Text("#### Containers"),
            Table.of(("Class", "Max instances", "Instance type", "Location"), rows)]


def _placeholders(ctx: Context, binding: Binding) -> list[Finding]:
    """The CF001 findings (open or waived) on `binding`'s ids."""
    subject = binding.name + (f" (env {binding.environment})" if binding.environment else "")
    return ctx.findings_of("CF001", binding.location.path, subject)


def _id(binding: Binding, key: str) -> str:
    """The id under `key`, as code; an omitted one is created by wrangler on deploy."""
    if key not in binding.properties:
        return "none (created on deploy)"
    return _shown(binding.properties[key])


def _scope_of(config: WranglerConfig, binding: Binding) -> Environment:
    return next(s for s in config.scopes() if s.name == binding.environment)


def _shown(value: object) -> str:
    """A value as code: an empty one as `""`, not as an empty code span."""
    return _code(value) if value != "" else '`""`'


def _bucket(binding: Binding) -> tuple[str, str]:
    """An R2 binding's bucket and status: an omitted bucket is created on deploy (wrangler
    4.45 and later), an empty name is refused."""
    name = binding.properties.get("bucket_name")
    if name is None:
        return "none (created on deploy)", "Created on deploy"
    if isinstance(name, str) and name.strip():
        return _code(name), "Configured"
    return _shown(name), "**No bucket name**: wrangler refuses it"


def _id_status(ctx: Context, binding: Binding, key: str) -> str:
    found = _placeholders(ctx, binding)
    if not found:
        if key not in binding.properties:
            return "Created on deploy"
        return "Not checked (CF001 is disabled)" if "CF001" in ctx.config.disabled_rules else "Real ID"
    return ("**Placeholder**" + (" (a CI step rewrites it)" if all(FILLED in f.message for f in found)
                                 else "")
            + (" (waived)" if all(f.outcome == Outcome.WAIVED for f in found) else ""))


def _resources(ctx: Context) -> list[Block]:
    blocks: list[Block] = []

    def heading(title: str, kind: str) -> list[tuple[WranglerConfig, Binding]]:
        found = ctx.bindings(kind)
        apps = sorted({c.label for c, _ in found})
        only = f" ({plain(apps[0])} only)" if len(apps) == 1 and len(ctx.facts.configs) > 1 else ""
        if found:
            blocks.append(Text(f"#### {title}{only}"))
        return found

    kv = heading("KV Namespaces", "kv_namespaces")
    if kv:
        blocks.append(Table.of(("Binding", "ID", "Location", "Status"), [
            (_name(b), _id(b, "id"), _code(b.location), _id_status(ctx, b, "id"))
            for _, b in kv]))
        for _, binding in kv:
            # Bindings are not inherited: a placeholder holds back only its own environment.
            deploying = (f"env {_code(binding.environment)}" if binding.environment
                         else "the top level")
            for finding in _placeholders(ctx, binding):
                if finding.outcome == Outcome.FAIL:
                    filled = FILLED in finding.message
                    blocks.append(Text(
                        f"**Gap:** {_name(binding)} uses a placeholder ID"
                        f" ({_code(finding.location)})"
                        + (", which a CI step rewrites before a deploy: deploying"
                           f" {deploying} from anywhere else" if filled else f": deploying {deploying}")
                        + " needs a real namespace ID."))
    d1 = heading("D1 Database", "d1_databases")
    if d1:
        blocks.append(Table.of(("Binding", "Database", "Location", "Status"), [
            (_name(b), _shown(b.properties.get("database_name", "")),
             _code(b.location), _id_status(ctx, b, "database_id").replace(
                 "**Placeholder**", "**Placeholder ID**"))
            for _, b in d1]))
    r2 = heading("R2 Storage", "r2_buckets")
    if r2:
        blocks.append(Table.of(("Binding", "Bucket", "Location", "Status"), [
            (_name(b), bucket, _code(b.location), status)
            for _, b in r2 for bucket, status in [_bucket(b)]]))
    blocks += _queues(ctx)
    shown = {"kv_namespaces", "d1_databases", "r2_buckets", "durable_objects",
             "queues.producers", "queues.consumers"}
    rows = [(_name(b), KINDS_BY_NAME[b.kind].label, _code(b.location))
            for c in ctx.configs for scope in c.scopes() for b in scope.bindings
            if b.kind not in shown]
    rows += [(_code(name) + (f" (env {scope.name})" if scope.name else ""),
              "static assets binding", _code(scope.location_of("assets")))
             for c in ctx.configs for scope in c.scopes() if (name := scope.assets_binding)]
    if rows:
        blocks += [Text("#### Other Bindings"), Table.of(("Binding", "Kind", "Location"), rows)]
    return blocks


def _hosted(ctx: Context) -> list[Block]:
    """The Durable Object classes a Worker's migrations declare though no config binds any:
    other Workers' code binds them (`script_name`), or none does."""
    hosted = [(config, sorted({name for scope in config.scopes()
                               for name in migrated_classes(scope.settings.get("migrations"))}))
              for config in ctx.configs if config.target == "worker"]
    return [Text(f"{_code(config.path)} hosts the Durable Object"
                 f" {'class' if len(names) == 1 else 'classes'}"
                 f" {_some([_code(name) for name in names], 10)} (declared by its migrations),"
                 " which no config binds.") for config, names in hosted if names]


def _not_configured(ctx: Context) -> list[Block]:
    """The kinds of resource none is configured of, in one sentence rather than a heading
    each."""
    absent = [words for words, kinds in (
        ("Durable Object bindings", ("durable_objects",)), ("KV namespaces", ("kv_namespaces",)),
        ("D1 databases", ("d1_databases",)), ("R2 buckets", ("r2_buckets",)),
        ("queues", ("queues.producers", "queues.consumers")))
        if not any(ctx.bindings(kind) for kind in kinds)]
    if not absent:
        return []
    listed = ", ".join(absent[:-1]) + " or " + absent[-1] if len(absent) > 1 else absent[0]
    return [Text(f"No {listed} are configured.")]


# A producer that names no queue: wrangler finds or creates one on deploy (workers-sdk #13352).
PROVISIONED = "\0provisioned"


def _queues(ctx: Context) -> list[Block]:
    producers = ctx.bindings("queues.producers")
    consumers = ctx.bindings("queues.consumers")
    apps = sorted({c.name or c.app for c, _ in producers + consumers})
    only = f" ({' + '.join(map(plain, apps))})" if 0 < len(apps) <= 2 else ""
    blocks: list[Block] = [Text(f"#### Queues{only}")]
    queues = sorted({str(b.properties.get("queue", PROVISIONED)) for _, b in producers + consumers},
                    key=lambda queue: (queue == PROVISIONED, queue))  # the named first
    if not queues:
        return []  # said with the other kinds none is configured of
    # Each queue's producers and consumers, found once (4,000 queues took 32 s): a queue
    # that is not a string (malformed) is listed by its text, with neither.
    producing: dict[str, list[tuple[WranglerConfig, Binding]]] = defaultdict(list)
    consumed: dict[str, list[tuple[WranglerConfig, Binding]]] = defaultdict(list)
    for by_queue, bindings in ((producing, producers), (consumed, consumers)):
        for config, binding in bindings:
            if isinstance(name := binding.properties.get("queue", PROVISIONED), str):
                by_queue[name].append((config, binding))
    rows = []
    for queue in queues:
        sent_by = [f"{_code(b.name)} ({plain(_worker(c, b))})" for c, b in producing[queue]]
        consuming = dict.fromkeys(  # each Worker and its settings, once
            (plain(_worker(c, b)), ", ".join(_code(f"{key}: {value}") for key, value in b.properties.items()
                                             if key != "queue") or "defaults")
            for c, b in consumed[queue])
        consumed_by = [worker for worker, _ in consuming]
        settings = [setting for _, setting in consuming]
        rows.append((_code(queue) if queue != PROVISIONED else "none named: wrangler provisions one",
                     ", ".join(sent_by) or "—", ", ".join(consumed_by) or "—",
                     "; ".join(settings) or "No consumer"))
    blocks.append(Table.of(("Queue", "Producer", "Consumer", "Consumer Config"), rows))
    if consumers:
        blocks.append(Text("**Scaling:** Queue consumers scale based on queue depth"
                           " (Cloudflare-managed)."))
    return blocks


def _worker(config: WranglerConfig, binding: Binding) -> str:
    """The Worker that holds `binding`: an environment deploys its own (`NAME-ENV`)."""
    for scope in config.environments:
        if scope.name == binding.environment and scope.settings.get("name"):
            return str(scope.settings["name"])
    return config.name or config.app


def _providers(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("### Provider Selection Logic")]
    selections = ctx.facts.providers
    if not selections:
        return [*blocks, Text("No storage provider selection (`*_PROVIDER` variables) was found"
                              " in code.")]
    blocks.append(Text("The codebase supports multiple storage backends with provider"
                       " selection:"))
    blocks.append(Table.of(("Variable", "Options", "Default", "Evidence"), [
        (_code(s.variable), ", ".join(_code(o) for o in s.options) or "—",
         _code(s.default) if s.default else "Auto-detect", _code(s.location))
        for s in selections]))
    chains = []
    for selection in selections:
        steps = []
        for number, branch in enumerate(selection.chain, 1):
            condition = ("Otherwise" if branch.condition == "otherwise"
                         else f"If {_code(branch.condition)}")
            note = (" (**does not scale horizontally**)"  # the last: several may share a line
                    if selection.memory_fallback and number == len(selection.chain) else "")
            steps.append(f"{number}. {condition} → {_code(branch.store)}"
                         f" (line {branch.location.start_line}){note}")
        evidence = ctx.link(selection.location.path, selection.location)
        chains.append(f"{_code(selection.variable)} ({evidence}):\n\n" + "\n".join(steps) if steps
                      else f"{_code(selection.variable)} ({evidence}): its branches construct no store"
                           " the audit reads (such as `new RedisStore(…)`; a built-in `Map` is not taken"
                           " for one)")
    blocks.append(Text("**Fallback chain (verified in code):**\n\n" + "\n\n".join(chains)))
    return blocks


def _latency(ctx: Context) -> list[Block]:
    monitors = ctx.facts.latency
    if not monitors:
        return [Text("### Latency Monitoring\n\nNo latency checks (a duration compared with a"
                     " threshold) were found in code.")]
    # Checks that report alike are told together; each group says what its checks do.
    groups: dict[tuple[int, tuple[str, ...]], list[LatencyMonitor]] = defaultdict(list)
    for monitor in monitors:
        groups[(monitor.threshold_ms, tuple(sorted(set(monitor.sinks))))].append(monitor)
    told = []
    for (threshold, sinks), found in groups.items():
        files = ", ".join(dict.fromkeys(_code(posixpath.basename(m.location.path))
                                        for m in found))
        told.append(f"{counted(len(found), 'latency check')} ({files})"
                    f" {'reports' if len(found) == 1 else 'report'} calls slower than"
                    f" {threshold}ms to {' and '.join(f'the {s}' for s in sinks) or 'nowhere'}")
    summary = (f"{told[0]}:" if len(told) == 1 else
               f"{counted(len(monitors), 'latency check')} report slow calls:\n\n"
               + "\n".join(f"- {sentence}" for sentence in told))
    blocks: list[Block] = [Text(f"### Latency Monitoring (In Place)\n\n{summary}")]
    for monitor in monitors:
        where = f"{posixpath.basename(monitor.location.path)}:{monitor.location.start_line}"
        if monitor.location.end_line and monitor.location.end_line != monitor.location.start_line:
            where += f"-{monitor.location.end_line}"
        blocks.append(fenced(f"// {where}\n{monitor.snippet}", "typescript"))
    if not ctx.facts.metrics:
        blocks.append(Text("No metrics sink was found in code: these checks are its **only**"
                           " latency monitoring."))
    return blocks


def _gaps(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("## Gaps Identified\n\n### Critical Gaps")]
    rows = []
    for rule in INFRA_RULES:
        # A row for each severity: its count is of the findings of that severity alone.
        for severity in (Severity.P0, Severity.P1):
            found = [f for f in ctx.open_findings(rule.id) if f.severity == severity]
            # Files not audited are counted as files: one may have two problems (CF000).
            count = len({f.location.path for f in found}) if rule.id == "CF000" else len(found)
            if found:
                rows.append((str(severity), f"**{rule.title}**", rule.rationale,
                             f"{rule.status} ({count})", ctx.places(found)))
    rows.sort(key=lambda row: row[0])  # the most severe first; else in the rules' order
    infra = [rule.id for rule in INFRA_RULES]
    blocks.append(Table.of(("Severity", "Gap", "Impact", "Status", "Evidence"), rows) if rows
                  else Text(f"No P0 or P1 gaps were found{ctx.by_rules_run(infra, 'by')}."))
    errors = [f for f in ctx.findings if f.outcome == Outcome.ERROR]
    if errors:
        blocks.append(Text("**Rules that could not run:**\n\n" + "\n".join(
            f"- {prose(f.message)}" for f in errors)))
    blocks.append(Text("### Missing Configuration"))
    missing = [f for f in ctx.open_findings("CF002") if f.subject == "placement"]
    in_env = [f for f in ctx.open_findings("CF002") if f.subject != "placement"]
    search = ctx.facts.searches.get("placement")
    if missing:
        # A config whose environments set Smart Placement of their own has it there.
        in_envs = {c.path: [scope for scope in c.environments if "placement" in scope.declared
                            and places(scope.settings.get("placement"))]
                   for c in ctx.facts.configs}
        nowhere = [f.location.path for f in missing if not in_envs.get(f.location.path)]
        scope = ("any wrangler config" if len(nowhere) == len(ctx.facts.configs)
                 else f"{len(nowhere)} of {len(ctx.facts.configs)} wrangler configs")
        modes = {c.path: (c.placement or {}).get("mode") for c in ctx.facts.configs
                 if c.placement is not None}
        off = [_code(f.location) for f in missing if modes.get(f.location.path, 0) == "off"]
        other = [_code(f.location) for f in missing
                 if f.location.path in modes and modes[f.location.path] != "off"]
        placed = {c.path for c in ctx.facts.configs if "placement" in c.top.settings}
        odd = [_code(f.location) for f in missing  # `placement = "smart"`
               if f.location.path in placed and f.location.path not in modes]
        sentences = [f"Smart Placement is **not configured** in {scope}: "
                     + _some([_code(path) for path in nowhere], 10) + "."] if nowhere else []
        sentences += [f"{_code(f.location.path)} sets Smart Placement only in env " + ", ".join(
            f"{_code(env.name)} ({_code(env.location_of('placement'))})"
            for env in in_envs[f.location.path]) + ", not at its top level."
            for f in missing if in_envs.get(f.location.path)]
        if off:
            sentences.append(f"{_some(off, 10)} {'turns' if len(off) == 1 else 'turn'} it off"
                             ' (`mode = "off"`).')
        if other:
            sentences.append(f"{_some(other, 10)} {'sets' if len(other) == 1 else 'set'} a"
                             ' placement whose mode is not `"smart"`.')
        if odd:
            sentences.append(f"{_some(odd, 10)} {'sets' if len(odd) == 1 else 'set'} `placement`"
                             " to a value that is not a section.")
        blocks.append(Text(" ".join(sentences)))
        absent = [f.location.path for f in missing if f.location.path not in placed]
        if any(path.endswith(".toml") for path in absent):
            blocks.append(Text('```toml\n# NOT PRESENT - should be added for production:\n'
                               '[placement]\nmode = "smart"\n```'))
        if any(not path.endswith(".toml") for path in absent):
            blocks.append(Text('```jsonc\n// NOT PRESENT - should be added for production:\n'
                               '"placement": { "mode": "smart" }\n```'))
    elif placement_off := ctx.not_run(["CF002"]):
        blocks.append(Text(placement_off))
    elif ctx.facts.configs:
        blocks.append(Text("Smart Placement is configured "
                           + ("at the top level of" if in_env else "in") + " every wrangler config."))
    if in_env:  # `wrangler.toml` (env `production`) sets its own placement (`mode = "off"`)…
        blocks.append(Text(" ".join(f"{prose(f.message)} ({_code(f.location)})." for f in in_env)))
    if search is not None and "CF002" not in ctx.config.disabled_rules:  # no evidence of a check
        result = ("no results" if not search.matches else
                  f"{counted(len(search.matches), 'result')}: "
                  + ", ".join(_code(m.location) for m in search.matches))
        blocks.append(Text(f"**Searched:** {_code(search.command)} — {result}."))
    blocks.append(Text("### No Production Verification"))
    unmeasured = ctx.open_findings("CF006")
    if unmeasured:
        kinds = {aspect: kind for aspect, kind, _action in ASPECTS if kind}
        blocks.append(Table.of(("Item", "Status", "Relies on"), [
            (f.subject, RULE_BY_ID["CF006"].status,
             _some(list(dict.fromkeys(_code(b.location) for _c, b in ctx.bindings(
                 kinds[f.subject]))), 3) if f.subject in kinds else "every app")
            for f in unmeasured]))
    elif verification_off := ctx.not_run(["CF006"]):
        blocks.append(Text(verification_off))
    else:
        measured = ", ".join(_code(m.location) for m in ctx.facts.metrics[:3])
        blocks.append(Text(f"Scaling behaviour is measured in code ({measured})." if measured
                           else "No unmeasured scaling behaviour was found."))
    metrics = ctx.facts.searches.get("metrics")
    if metrics is not None and not metrics.matches:
        blocks.append(Text(f"**Searched for metrics:** {_code(metrics.command)} — no results."))
    return blocks


def _platform(ctx: Context) -> list[Block]:
    used = {feature for c in ctx.facts.configs for feature in _features(c)}
    used |= {c.target for c in ctx.facts.configs}
    rows = [(aspect, behaviour) for needs, aspect, behaviour in PLATFORM
            if ctx.facts.configs and (not needs or used.intersection(needs))]
    blocks: list[Block] = [Text("## What Cloudflare Provides Automatically\n\nThese behaviors"
                                " are inherent to Cloudflare's platform (no configuration"
                                " required), listed for the features this repository uses:")]
    blocks.append(Table.of(("Aspect", "Behavior"), rows) if rows
                  else Text("No Cloudflare features are in use."))
    return blocks


def _root_config(ctx: Context) -> list[Block]:
    root = next((c for c in ctx.configs if c.is_root), None)
    if root is None:
        return [Text("## Current wrangler config (root)\n\nThere is no wrangler config at the"
                     " repository root.")]
    language = "toml" if root.path.endswith(".toml") else "jsonc"
    return [Text(f"## Current {root.path} (root)"),
            fenced(root.text.rstrip(), language)]


MOST_ACTIONS = 5


def _actions(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("## Recommended Actions")]
    # Headed by severity alone: any rule's severity can be configured, so no topic fits.
    for severity in Severity:
        found_here = [f for f in ctx.findings if f.severity == severity
                      and f.outcome == Outcome.FAIL and f.rule not in DRIFT_IDS]
        # A rule with more than MOST_ACTIONS fixes of its own (one for each placeholder id)
        # gets one item, in its general words, with every place.
        fixes = defaultdict(set)
        for finding in found_here:
            fixes[finding.rule].add(finding.remediation)
        grouped: dict[str, list[Finding]] = defaultdict(list)
        general = set()
        for finding in found_here:
            if len(fixes[finding.rule]) > MOST_ACTIONS and finding.rule in RULE_BY_ID:
                action = finding.action or RULE_BY_ID[finding.rule].remediation
                general.add(action)
                grouped[action].append(finding)
            else:
                grouped[finding.remediation].append(finding)
        items = []
        for number, (action, found) in enumerate(grouped.items(), 1):
            places = len(dict.fromkeys(f.location for f in found))
            where = (f" — in {places} places: {ctx.places(found)}" if places > 1
                     else "" if found[0].location.path == "." else f" ({ctx.places(found)})")
            if action in general:  # what each place holds: `CART_DO`, not only where it is
                names = dict.fromkeys(name for f in found if (name := f.subject.split(" (env ")[0]))
                where = (f" — for {_some([_code(name) for name in names], 10)}"
                         + (f", in {places} places: " if places > 1 else ", at ")
                         + ctx.places(found))
            items.append(f"{number}. {prose(action)}{where}")
        blocks.append(Text(f"### {severity}\n\n" + ("\n".join(items) if items else
                           f"Nothing at {severity}{ctx.by_rules_run(r.id for r in INFRA_RULES)}.")))
    return blocks


def _quote(text: str, most: int = 80) -> str:
    return _code(text if len(text) <= most else text[:most - 1] + "…") if text else "—"


def _findings(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("## Findings")]
    shown = [f for f in ctx.findings if f.outcome != Outcome.WAIVED]
    if not shown:
        blocks.append(Text(f"No open findings{ctx.by_rules_run(RULE_BY_ID.keys())}."))
    else:
        blocks.append(Table.of(("Severity", "Rule", "Finding", "Evidence", "Quoted line"), [
            (f.severity if f.outcome == Outcome.FAIL else f"{f.severity} (ERROR)",
             f"{f.rule} {RULE_BY_ID[f.rule].name}" if f.rule in RULE_BY_ID else f.rule,
             prose(f.message + (f" ({f.waiver})" if f.waiver else "")), ctx.where(f.location),
             _quote(f.quote)) for f in shown]))
    waived = [f for f in ctx.findings if f.outcome == Outcome.WAIVED]
    blocks.append(Text("### Waived"))
    blocks.append(Table.of(("Rule", "Finding", "Evidence", "Reason", "Expires"), [
        (f.rule, prose(f.message), ctx.where(f.location), prose(f.waiver),
         f.waiver_expires or "never")
        for f in waived]) if waived else Text("No findings are waived."))
    return blocks


def _some(items: Sequence[str], most: int = 6) -> str:
    """`items` for a table cell: the first `most`, and how many more."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _environments(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("### Environments")]
    rows = []
    for config in ctx.configs:
        top = config.top
        for scope in config.environments:
            have = {(b.kind, b.name) for b in scope.bindings} | {("vars", v.name)
                                                                  for v in scope.vars}
            # As CF012 says; and a Pages environment that sets none of them keeps them all.
            own = {b.kind for b in scope.bindings}
            missing = [_code(b.name) for b in top.bindings if (b.kind, b.name) not in have
                       and not replaced(b.kind, own, config.target)]
            missing += [_code(v.name) for v in top.vars if ("vars", v.name) not in have]
            missing += [_code("containers")] if ("containers" in top.declared
                                                and "containers" not in scope.declared) else []
            if config.target == "pages" and not (scope.bindings or scope.vars):
                missing = []
            # A Worker's environment gets a name of its own (`api-production`), not the top's
            inherited = sorted(key for key in scope.settings if key not in scope.declared and (
                key != "name" or scope.settings[key] == top.settings.get(key)))
            rows.append((_code(config.path), _code(scope.name),
                         _code(scope.settings.get("name", "—")),
                         _some([_code(b.name) for b in scope.bindings]) or "none",
                         _some([_code(v.name) for v in scope.vars]) or "none",
                         _some(inherited) or "nothing", _some(missing) or "—"))
    if not rows:
        return [*blocks, Text("No config declares `[env.*]` sections: each deploys its top"
                              " level only." if ctx.facts.configs else
                              "No wrangler config was found.")]
    blocks.append(Text("Effective configuration of each environment: bindings and vars are"
                       " only those it declares; other keys are inherited from the top level."))
    blocks.append(Table.of(("Config", "Environment", "Name", "Bindings", "Vars", "Inherits",
                            "Lacks from the top level"), rows))
    return blocks


def _extra(ctx: Context) -> list[Block]:
    if not ctx.config.probes:
        return []
    names = ", ".join(_code(probe.name) for probe in ctx.config.probes)
    if not ctx.facts.extra:
        return [Text(f"## Additional Evidence\n\nThe configured probes ({names}) found nothing.")]
    return [Text(f"## Additional Evidence\n\nMatches of the configured probes ({names}):"),
            Table.of(("Probe", "Location", "Groups", "Line"), [
                (_code(m.probe), _code(m.location),
                 ", ".join(f"{key}: {_code(value)}" for key, value in m.groups.items()) or "—",
                 _quote(m.text)) for m in ctx.facts.extra])]


def _related(ctx: Context) -> list[Block]:
    blocks: list[Block] = [Text("## Related Documents")]
    terms = tuple(term.lower() for term in ctx.config.related_terms)
    related = []
    others = [d for d in ctx.facts.documents if d.path != ctx.config.doc_path]
    for document in others:
        about = " ".join(filter(None, (document.title, document.summary,
                                       document.header.get("Domain")))).lower()
        if any(term in about for term in terms):
            summary = f" — {plain(document.summary)}" if document.summary else ""
            label = plain(document.title or document.path)
            related.append(f"- {ctx.link(document.path, label=label)}{summary}")
    if not others:
        blocks.append(Text("No other document was found under `docs/`."))
    elif not related:  # not "none found" above a Documentation Health table that lists them
        read = _some([_code(d.path) for d in others])
        named = ", ".join(f'"{term}"' for term in ctx.config.related_terms)
        blocks.append(Text(f"No document under `docs/` names {named} in its title, summary or"
                           f" `Domain` (read: {read})." if named else
                           f"No related terms are configured (`related_terms`): no document under"
                           f" `docs/` is listed (read: {read})."))
    else:
        blocks.append(Text("\n".join(related)))
    return blocks


def _drift(ctx: Context) -> list[Block]:
    path = ctx.config.doc_path
    last = next((document for document in ctx.facts.claims if document.path == path), None)
    if last is not None and last.generated:
        return _notes_drift(ctx, last)
    heading = Text("## Drift since the last hand-written version")
    if last is None:
        return [heading, Text(f"There is no hand-written version at {_code(path)} to compare with.")]
    found = sorted((f for f in ctx.findings_in(path) if f.rule in DRIFT_IDS),
                   key=lambda f: f.location.start_line or 0)  # the header's first
    off = [Text(note)] if (note := ctx.not_run(CLAIM_IDS)) else []
    if not found:
        return [heading, Text(f"Every claim of the hand-written {_code(path)}"
                              + (" that was checked" if off else "") + " still holds."), *off]
    return [heading, Text(f"Where {_code(path)} and the repository disagree: what it claims that is"
                          " no longer true, and what it leaves out:"),
            *_drift_table(found), *off]


def _notes_drift(ctx: Context, last: DocClaims) -> list[Block]:
    """The drift of a generated document at the doc_path: that of its hand-written notes
    only. The rest is the last run's output, which this one rewrites; what changed since is
    in "Changes since", not drift."""
    path = last.path
    heading = Text("## Drift of the hand-written notes")
    about = (f"The last version of {_code(path)} was generated by auditlib: this document"
             " replaces it, and its generated text is not compared with the repository.")
    if not last.notes:
        return [heading, Text(f"{about} It holds no hand-written notes (keep blocks) to check.")]
    # Its claims' drift: its header and age are those of the output this one replaces.
    found = sorted((f for f in ctx.findings_in(path) if f.rule in CLAIM_IDS),
                   key=lambda f: f.location.start_line or 0)
    notes = counted(last.notes, "hand-written note")
    off = [Text(note)] if (note := ctx.not_run(CLAIM_IDS)) else []
    if not found:
        return [heading, Text(f"{about} Every claim of its {notes} (keep blocks, carried over)"
                              + (" that was checked" if off else "") + " still holds."), *off]
    return [heading, Text(f"{about} Where its {notes} (keep blocks, carried over) and the"
                          " repository disagree:"), *_drift_table(found, ctx), *off]


def _drift_table(found: Sequence[Finding], ctx: Context | None = None) -> list[Block]:
    """The drift of one document, each at its line; `ctx`: each line linked (to the keep
    block's line in the document published from this one, where publishing moves it)."""
    return [Table.of(("Line", "Rule", "Claim and present truth"), [
        (f"[{f.location.start_line}]({ctx.url(f.location.path, f.location)})"
         if ctx and f.location.start_line else f.location.start_line or "—",
         f"{f.rule} {RULE_BY_ID[f.rule].name}",
         prose(f.message) + (" (waived)" if f.outcome == Outcome.WAIVED else ""))
        for f in found])]


def _doc_health(ctx: Context, folder: str = "docs", regenerating: bool = True) -> list[Block]:
    """The documents' freshness table; `regenerating`: in the document that replaces the
    generated one at the settings' `doc_path` (not in `verify`, which replaces none)."""
    heading = Text("## Documentation Health")
    if not ctx.facts.claims:
        where = "the repository" if folder == "." else _code(f"{folder}/")
        return [heading, Text(f"No document under {where} has a header block to check.")]
    today = date.fromisoformat(ctx.audit_date)
    rows = []
    unchecked = "not checked"  # its rules are disabled: no finding of theirs is no count
    links_off = "DR004" in ctx.config.disabled_rules
    drift_off = ctx.config.disabled_rules >= CLAIM_IDS
    for document in ctx.facts.claims:
        # Drift is a claim the repository contradicts (DR004 to DR010), waived or not, as
        # DR003 counts it; the age of a review is its own column.
        found = [f for f in ctx.findings_in(document.path)
                 if f.rule in CLAIM_IDS and f.outcome != Outcome.ERROR]
        # This document's last publication, which it replaces: as it is now (its keep
        # blocks' drift carried over), not as it was.
        this = regenerating and document.generated and document.path == ctx.config.doc_path
        header = {**HEADER, "Last-reviewed": ctx.audit_date} if this else document.header
        try:
            age: object = (today - date.fromisoformat(header.get("Last-reviewed", ""))).days
        except ValueError:
            age = "—"
        if isinstance(age, int) and age < 0:  # DR001 reports it
            age = "in the future"
        rows.append((_code(document.path) + " (this document)" * this, *(
            plain(header.get(key, "—")) for key in ("Type", "Status", "Domain", "Last-reviewed")),
            age,
            unchecked if links_off else _waived_of([f for f in found if f.rule == "DR004"]),
            unchecked if drift_off else _waived_of(found)))
    off = [Text(note)] if (note := ctx.not_run(CLAIM_IDS)) else []
    return [heading, Table.of(("Document", "Type", "Status", "Domain", "Last-reviewed",
                               "Age (days)", "Broken links", "Drift findings"), rows), *off]


def _waived_of(found: Sequence[Finding]) -> str:
    """How many `found` there are, and how many of them are waived: "3 (1 waived)"."""
    waived = sum(f.outcome == Outcome.WAIVED for f in found)
    return f"{len(found)} ({waived} waived)" if waived else str(len(found))


def _path_of(entry: dict[str, Any]) -> str:
    """Where an earlier run's finding was: its path, or the whole repository (as
    Context.where says it)."""
    return "the whole repository" if entry.get("path") == "." else _code(entry.get("path", ""))


def _last_seen(entry: dict[str, Any]) -> str:
    """An earlier run's finding, as a table cell: its message, and the run that last saw it
    when that is older than the baseline (it was not checked since)."""
    return prose(str(entry.get("message", "")) + (
        f" (last seen in the run of {entry['last_seen']})" if entry.get("last_seen") else "")
        + (" (waived when last seen)" if entry.get("outcome") == "WAIVED" else ""))


def _changes(ctx: Context) -> list[Block]:
    changes = ctx.changes
    if changes is None:
        return []
    reopened = f" {len(changes.reopened)} reopened," if changes.reopened else ""
    blocks: list[Block] = [Text(
        f"## Changes since {changes.since}\n\n{len(changes.new)} new,{reopened}"
        f" {len(changes.resolved)} resolved, {len(changes.still_open)} still open,"
        f" {len(changes.waived)} waived."
        + (f" {len(changes.unchecked)} not checked: an input they depend on was not read"
           " now" + (f" (could not be, or {settings_name(ctx.config)} exclude it)"
                     if any(ctx.facts.excluded.values()) else "") + "."
           if changes.unchecked else "")
        + (f" {len(changes.disabled)} not checked: their rule is disabled in"
           f" {settings_name(ctx.config)}." if changes.disabled else "")
        # As `auditlib run` warns on stderr: a notebook or the API shows no warning.
        + (f" The earlier run audited {_code(changes.repo)}, not {_code(ctx.facts.repo)}: these"
           " changes compare two repositories (or one checked out under two names)."
           if changes.repo and changes.repo != ctx.facts.repo else "")
        + (f" The earlier run is dated after this audit ({ctx.audit_date}): these changes run"
           " backwards." if re.fullmatch(r"\d{4}-\d{2}-\d{2}", changes.since)
           and changes.since > ctx.audit_date else ""))]
    for label, found in (("New", changes.new), ("Reopened (no longer waived)", changes.reopened)):
        if found:
            blocks += [Text(f"**{label}:**"), Table.of(("Severity", "Rule", "Finding", "Evidence"), [
                (f.severity, f.rule, prose(f.message), ctx.where(f.location)) for f in found])]
    if changes.resolved:
        blocks += [Text("**Resolved:**"), Table.of(("Severity", "Rule", "Finding", "Was at"), [
            (entry.get("severity", ""), entry.get("rule", ""), _last_seen(entry),
             _path_of(entry)) for entry in changes.resolved])]
    # Still there, for all anyone knows: not resolved.
    for label, entries in (("Not checked (an input was not read)", changes.unchecked),
                           ("Not checked (rule disabled)", changes.disabled)):
        if entries:
            blocks += [Text(f"**{label}:**"), Table.of(("Severity", "Rule", "Finding", "Last seen at"), [
                (entry.get("severity", ""), entry.get("rule", ""), _last_seen(entry),
                 _path_of(entry)) for entry in entries])]
    return blocks


def _glance(ctx: Context) -> list[Block]:
    from .charts import bindings_by_app, findings_by_app

    charts = [chart for chart in (findings_by_app(ctx.facts, ctx.findings), bindings_by_app(ctx.facts))
              if chart]
    return [Text("## At a Glance"), *charts] if charts else []


def build(facts: Facts, findings: Sequence[Finding], *, audit_date: str, config: AuditConfig,
          version: str, changes: Changes | None = None, charts: bool = False) -> list[Block]:
    """The document, section by section, as the reference audit shows it; `charts` adds
    an "At a Glance" section with images (for the notebook and its exports)."""
    ctx = Context(facts=facts, findings=tuple(findings), audit_date=audit_date, config=config,
                  version=version, changes=changes)
    # The header block, the marker, the title and the first paragraph, then Overview.
    header = _header(ctx)
    glance = _glance(ctx) if charts else []
    return [*header[:4], *_changes(ctx), *header[4:], *glance, *_deployments(ctx),
            *_environments(ctx), *_durable_objects(ctx), *_containers(ctx), *_resources(ctx),
            *_providers(ctx),
            *_latency(ctx), *_gaps(ctx), *_platform(ctx), *_root_config(ctx), *_actions(ctx),
            *_drift(ctx), *_findings(ctx), *_extra(ctx), *_related(ctx), *_doc_health(ctx)]


def file_url(config: AuditConfig, path: str) -> str:
    """Where the document links the repository file at `path`, without its lines' anchor:
    under `repo_url` when one is configured, else relative to where the document lives."""
    if config.repo_url:
        return f"{config.repo_url.rstrip('/')}/{quote(path)}"
    return quote(posixpath.relpath(path, posixpath.dirname(config.doc_path) or "."))


# A finding's line escapes the line breaks a reader may split on too.
_NOT_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` as part of one line of text output: its control characters and line breaks
    escaped."""
    return _NOT_ONE_LINE.sub(escaped, text)


def finding_line(finding: Finding, secrets: Iterable[str] = ()) -> str:
    """A finding as one line of text output (`check`, `verify`), its values redacted and
    its control characters escaped: `path:line: P0 CF001 Title: message`, and why a waiver
    no longer applies."""
    where = "(repository)" if finding.location.path == "." else finding.location
    expired = f" ({finding.waiver})" if finding.waiver else ""
    return one_line(redact(
        f"{where}: {finding.severity} {finding.rule} {finding.title}: {finding.message}{expired}",
        secrets))


def render_verify(audit_facts: Facts, findings: Sequence[Finding], *, audit_date: str,
                  config: AuditConfig, folder: str | None) -> str:
    """`auditlib verify` as text: the freshness table (docs mode: the documents under
    `folder`), then one line a finding."""
    ctx = Context(facts=audit_facts, findings=tuple(findings), audit_date=audit_date,
                  config=config, version="")
    parts = [to_markdown(_doc_health(ctx, folder, regenerating=False)[1:])] if folder is not None else []
    open_findings = [f for f in findings if f.outcome == Outcome.FAIL]
    errors = [f for f in findings if f.outcome == Outcome.ERROR]  # rules that could not run
    parts += [finding_line(f) + "\n" for f in (*open_findings, *errors)]
    parts += [f"{document.path}: generated by auditlib: "
              + (f"only the claims of its {counted(document.notes, 'hand-written note')} (keep"
                 " blocks) are checked" if document.notes else
                 "it holds no hand-written notes (keep blocks) to check")
              + "; `auditlib run --publish` regenerates the rest\n"
              for document in audit_facts.claims if document.generated]
    # A config that could not be read: what the documents say of it was not checked.
    configs = unread_configs(audit_facts)
    parts += [f"{problem.location}: not read ({problem.message}): what the documents say of it"
              " was not checked\n" for problem in configs]
    documents = len(audit_facts.claims)
    drifted = sum(f.rule in CLAIM_IDS for f in open_findings)  # the rest: headers and age
    others = len(open_findings) - drifted
    # A rule disabled in the settings left no finding, which is no pass.
    off = [f"{rule.id} {rule.name}" for rule in RULES if rule.id in config.disabled_rules
           and (rule.id in DRIFT_IDS or rule.id == "CF000")]
    unchecked = "; ".join([f"{counted(len(errors), 'rule')} could not run"] * bool(errors)
                          + [f"{counted(len(configs), 'wrangler config')} could not be read"]
                          * bool(configs)
                          + [f"{listed(off)} disabled in {settings_name(config)}"] * bool(off))
    unchecked = f"; {unchecked}, so not every claim was checked" if unchecked else ""
    parts.append(f"{counted(len(open_findings), 'finding')} in {counted(documents, 'document')}"
                 f" ({counted(drifted, 'drifted claim')}"
                 + (f", {others} about headers, review dates or unread files" if others else "")
                 + f"){unchecked}\n" if open_findings else
                 f"no drift found in {counted(documents, 'document')}{unchecked}\n" if unchecked else
                 f"no drift: every claim of {counted(documents, 'document')} holds\n")
    return visible("".join(parts))  # the table shows documents' paths and headers
