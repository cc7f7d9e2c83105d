"""CF015 app-not-deployed-by-ci.

## What it does
Reports each wrangler config that no CI deploy step deploys. A deploy is a command that
runs `wrangler deploy` (or `pages deploy`, its alias `pages deployment create`, `versions
deploy`, next-on-pages, opennextjs-cloudflare), the wrangler or Pages action (and a deploy
among the commands the wrangler action runs before and after its own, `preCommands` and
`postCommands`, in its `workingDirectory`), or a package manager or task runner running a
package script: the `package.json` beside each wrangler config and the root's are read (and
an Nx `project.json`'s `nx:run-commands` targets, run from the workspace's root or their
`cwd`), and a script run is read as the commands it runs, in its package's folder, with the
arguments passed after `--` (`"deploy": "wrangler deploy"`, `"release": "npm run build &&
npm run deploy:prod"`, `run-s build deploy:*`, a root `"deploy": "turbo run deploy"`), and
run by npm with its `pre` and `post` scripts (`postbuild`).
A step running a local composite action (`uses: ./.github/actions/deploy`) deploys by the
action's steps, with the action's inputs (their defaults, then the step's `with:`), and by
the local actions those run in turn. A step whose command is an input (`command: ${{
inputs.command }}`) deploys what each caller's command deploys. Comments, `echo`, quoted
text, heredocs, `--dry-run`, `if: false` and pnpm's own `pnpm deploy` deploy nothing, nor
do workflows in folders under `.github/workflows`; a step's `if:` that compares matrix
values with text (`matrix.app == 'api'`) is read for each combination of the matrix, case
ignored as GitHub compares (an input, an `env` value or a function may be anything). Each
deploy deploys, in the folder its `cd`s lead to (`cd -`, `pushd`, `popd` and subshells followed):
- the app whose folder or config it names (`--config`/`-c`, `--cwd`, a path argument such
  as `apps/site/dist`; a config of another name, `--config wrangler.prod.jsonc`, is read
  and audited too), or the app of the folder it runs in (`working-directory`, the job's
  or workflow's `defaults.run.working-directory`, the action's `workingDirectory`), also
  under another name (`--name api-preview`, `--project-name web-production`);
- the app whose wrangler `name` it names (`--name`, `--project-name`), or whose package a
  runner runs wrangler in (`pnpm -F web exec wrangler deploy`); a config or folder named
  there is taken from the folder of each package the runner selects (`pnpm --filter
  @org/site exec wrangler deploy --config ../../cf/wrangler.jsonc`).

A config a workflow step makes the deployed config from is deployed as that one
(`envsubst < wrangler.toml > wrangler.prod.toml`, `cp wrangler.toml wrangler.prod.toml`
then `sed -i`). A config whose folder is deployed with another config of the same Worker
(the same `name`: `-c wrangler.worker.json` in `apps/web`) is reported all the same, as not
what runs: the finding names the config deployed there and the step.

A runner (pnpm, npm, yarn, bun, turbo, nx, lerna, `npx turbo@2` too) runs a script in the
packages it selects, of the workspace's (the folders `packages` of `pnpm-workspace.yaml`
or `workspaces` of the root `package.json` lists; without either, any folder's): by folder
(`--filter ./apps/web`, `-C`, `--workspace apps/web`), by name (`yarn workspace @org/web`,
`npm -w @org/web`, `lerna --scope`, `turbo run @org/web#deploy`, and without its scope
when no other package has that name: `pnpm --filter web`, `nx run web:deploy`), by a
filter's glob (`--filter "./apps/*"`, `--filter "@org/*"`), or every package that has it
(`pnpm -r run deploy`, `turbo run build deploy`, `nx run-many -t deploy`, and a filter of
what changed since a commit, `--filter=[HEAD^1]`, as any package may have) but those
excluded and, unless the runner includes it (`--include-workspace-root`, `yarn workspaces
foreach -A`), the workspace's root; `turbo run` inside a package runs that package's task.

A folder belongs to the deepest app folder that holds it, as wrangler looks for its config
up from where it runs. `${{ matrix.KEY }}` (each combination of the job's matrix, `include`
entries as GitHub adds them), `${{ env.KEY }}` (also each value an earlier step of the job
writes, `echo "KEY=prod" >> $GITHUB_ENV`), `$KEY` and `${{ inputs.KEY }}` (each
caller's `with:`, the input's `default` and `options`) are filled in, and so is the
first operand of `${{ inputs.app || 'web' }}` that is not empty, and GitHub's if/else
(`${{ inputs.deploy && 'deploy' || 'versions upload' }}`); a shell loop over words
written out (`for app in api web; do`) is read once for each word, while a step's commands
stay within 10,000 lines (loops inside loops multiply them). A target known only at run time
(`fromJSON(...)`, a loop over a glob or past that limit, `cd apps/$app`) names no app: the finding
names the step, which may deploy it. While a workflow cannot be read (CF000), no app is
reported: that workflow may deploy it.

A step that runs a script or a Makefile of the repository (`./scripts/deploy.sh api`,
`bash scripts/deploy.sh`, `make deploy-web`), and a job that calls another repository's
reusable workflow (`uses: org/platform/.github/workflows/deploy.yml@v1`), are not read:
what they deploy is not known, and the finding names them; so is a command given a
Cloudflare token (`CLOUDFLARE_API_TOKEN`, `CF_API_TOKEN`) that says deploy in words the
audit cannot follow (`pnpm runx deploy-published-workers`).

A deploy that names a config the repository does not hold (`--config
wrangler.production.toml`) is reported at its step: wrangler fails there (once for a config a
runner names in the packages it selects, with how many of them lack it). One that a
workflow step writes (`envsubst < wrangler.tmpl.toml > wrangler.production.toml`, with `sed`,
`yq`, `jq`, ..., a heredoc `cat > wrangler.production.toml << EOF`, `echo` or `printf` into
it, `tee`, `cp`, `mv`) is not; one a script makes is reported all the same. Nor is one in a
build's output folder (`dist/`, `build/`, `out/`), as the Cloudflare Vite plugin writes
`dist/<worker>/wrangler.json`: it deploys the app whose folder holds that build folder.
So is a deploy step that runs in a folder the repository does not hold (`workingDirectory:
apps/legacy-api`), unless it may be there when the step runs: a build's output folder, or
a generated one (a part of its path starts with `.`: `.output/server`); a step writes
into it; an earlier step of the job gives its path on a command that may make it (`mkdir -p
out`, `git clone URL out`, `tar -C out`, `cp -r apps/api out`, `node gen.js > out/x.js`; not
`cd out` nor `--filter ./out`, which a workflow left behind by a renamed app also has) or as
a `path:` input, downloads artifacts, or checks out another repository or one into a
`path:`; or an earlier step runs a build and the folder, named as a build's output
(`storybook-static`, `site`), would be in the root or in a package's folder. On a Windows
runner its case is ignored.

A `wrangler deploy` with an environment (`--env prod`, `-e prod`, the wrangler action's
`environment`) that the config it deploys does not define, when it defines others, is
reported at its step too: wrangler stops there ("No environment found in configuration with
name …"). With no environments defined, wrangler only warns. A config deployed only by
commands of the other kind is reported as not deployed: wrangler refuses a Pages project to
`wrangler deploy` (the wrangler action's default), and `wrangler pages deploy` ignores a
Worker's config (a config's deploys are told by its folder or path, else by its name). A
`wrangler pages deploy` given `--config` or an environment (`--env`, the wrangler action's
`environment` when the command gives none) is reported at its step: wrangler refuses both
for Pages, whatever they name. Only the options from wrangler on are read, not a wrapper's
(`dotenv -e .env -- wrangler …`), nor quoted text.

## Why is this bad?
An app deployed by hand from a laptop drifts from `main`: nobody can tell which commit
runs in production, and the configuration audited here may not be what is deployed.

## Example
`apps/worker/wrangler.toml` exists, and `.github/workflows/` deploys only `apps/web`.

## Fix
Deploy the app from a workflow (`wrangler deploy` in `apps/worker`, or a job calling the
reusable deploy workflow with its folder).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator

from ..blocks import code, listed
from ..config import AuditConfig
from ..model import Facts, Finding, Location, Severity, WranglerConfig
from ..repofiles import in_excluded_dir
from ..workflows import names_config
from ..wrangler import CONFIG_NAMES
from .base import Rule, deepest_app, unread_workflow


class AppNotDeployedByCi(Rule):
    id = "CF015"
    name = "app-not-deployed-by-ci"
    title = "App not deployed by CI"
    severity = Severity.P2
    rationale = "Deployed by hand, the running app can differ from the repository"
    remediation = "Deploy the app from a CI workflow"
    status = "Manual deploy"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        if unread_workflow(facts):
            return  # the workflow that could not be read may deploy them (CF000 says so)
        found = facts.deployed
        unread = [run for workflow in facts.workflows for run in workflow.script_runs]
        # What the audit does not read, which may deploy it: scripts of the repository a
        # step runs, and deploys whose target is known only at run time.
        hedge = ", nor ".join(part for part in (
            unread and f"what {_some([(run.command, run.location) for run in unread])}"
                       f" run{'s' if len(unread) == 1 else ''}",
            found.unknown and f"which app {_some(list(found.unknown))}"
                              f" deploy{'s' if len(found.unknown) == 1 else ''}, known only at"
                              " run time") if part)
        deploys = deployed_by_ci(facts)
        names = {c.path: c.name for c in facts.configs}
        read = {path for workflow in facts.workflows for edit in workflow.edits
                for path in edit.reads}
        kinds = deploy_kinds(facts)
        for wrangler_config in facts.configs:
            if deploys(wrangler_config):
                reaching, by_name = kinds(wrangler_config)
                if (target := wrangler_config.target) in ("pages", "worker") and (
                        reaching and target not in reaching):
                    yield cls._kind(wrangler_config, by_name)
                continue
            named = list(dict.fromkeys(
                name for name in (wrangler_config.name, wrangler_config.package,
                                  None if wrangler_config.is_root else wrangler_config.app)
                if name))
            why = (f"{' or '.join(code(n) for n in named)} not named by a deploy step" if named
                   else "no deploy step runs in the repository's root, and it has no name")
            message = f"no CI workflow deploys {code(wrangler_config.path)} ({why})"
            if hedge:
                message = message.replace("no CI workflow", "no deploy step the audit reads", 1)
            # Its folder deployed with another config: of the same Worker (`-c
            # wrangler.worker.json`), or of another name, another Worker.
            in_folder = [(path, step) for path, step in found.configs
                         if (posixpath.dirname(path) or ".") == wrangler_config.app
                         and path != wrangler_config.path]
            others = [(path, step) for path, step in in_folder
                      if wrangler_config.name and names.get(path) == wrangler_config.name]
            folder = ("the repository's root" if wrangler_config.app == "."
                      else code(wrangler_config.app))
            if in_folder:
                message = (f"CI deploys {folder} with " + " and ".join(
                    f"{code(path)} ({code(step)})" for path, step in others or in_folder)
                    + ", not with this config")
            if hedge:
                message += f"; it does not read {hedge}, which may deploy it"
            yield cls.finding(
                location=Location(path=wrangler_config.path), subject="deploy",
                message=message, remediation=(
                    f"Deploy {code(wrangler_config.path)} from a CI workflow, or delete it if"
                    f" {code(others[0][0])} is the config that runs"
                    if others and wrangler_config.path not in read  # a workflow needs it
                    else f"Deploy {code(wrangler_config.path)} from a CI workflow" if others
                    else "Deploy each app from a CI workflow"))
        # A config a step makes before the deploy (`envsubst < a.toml > wrangler.prod.toml`,
        # `cat > wrangler.prod.toml << EOF`) is there when it runs; so is one a build writes
        # (the Cloudflare Vite plugin's `dist/<worker>/wrangler.json`).
        written = {path for workflow in facts.workflows for edit in workflow.edits
                   for path in edit.writes}
        # A config a runner's deploy names in each of the packages it selects: once a step.
        given_as = {(step, path): given for step, given, paths in found.selected for path in paths}
        selected = {(step, given): len(paths) for step, given, paths in found.selected}
        missing: dict[tuple[Location, str], list[str]] = {}
        for path, step in found.missing_configs:
            if path not in written and not in_excluded_dir(path):
                missing.setdefault((step, given_as.get((step, path), path)), []).append(path)
        for (step, given), paths in missing.items():
            among = selected.get((step, given))
            where = "" if among is None else (
                f" in {len(paths):,} of the {among:,} packages it selects"
                f" ({', '.join(code(path) for path in paths[:3])}"
                + (f" and {len(paths) - 3:,} more" if paths[3:] else "") + ")")
            yield cls.finding(
                location=step, subject=given,
                message=f"the deploy at {code(step)} names {code(given)}, which is not in the"
                        f" repository{where}: wrangler fails there, unless an earlier step makes it",
                remediation=f"Commit {code(given)}, or correct the config the deploy names"
                            + ("" if among is None else ", or the packages it selects"))
        yield from cls._environments(facts, written)
        for option, step in found.pages_refused:
            yield cls.finding(
                location=step, subject=f"pages deploy {option}",
                message=(f"the deploy at {code(step)} runs `wrangler pages deploy` with"
                         f" `{option}`, which wrangler refuses for Pages (\"{_PAGES_REFUSES[option]}\"):"
                         " it fails there"),
                remediation=("Remove `--config`: run the deploy in the folder of the project's"
                             " config (`working-directory`)" if option == "--config" else
                             "Remove `--env` (and the wrangler action's `environment`): a Pages"
                             " deploy picks production or preview by its `--branch`"))
        for folder, step in found.missing_folders:
            if not in_excluded_dir(f"{folder}/-") and not any(
                    path.startswith(f"{folder}/") for path in written):
                yield cls.finding(
                    location=step, subject=folder,
                    message=f"the deploy at {code(step)} runs in {code(folder)}, which is not in"
                            " the repository: it fails there, unless an earlier step makes it",
                    remediation=f"Correct the folder the deploy at {code(step)} runs in")


    @classmethod
    def _kind(cls, wrangler_config: WranglerConfig, by_name: bool) -> Finding:
        """A config whose deploys are all of the other kind: wrangler refuses a Pages project
        to `wrangler deploy`, and `wrangler pages deploy` ignores a Worker's config; reached
        `by_name` alone, a deploy of another app of that name."""
        path = code(wrangler_config.path)
        pages = wrangler_config.target == "pages"
        named = (f" (by its name {code(wrangler_config.name)}, which that deploy gives another"
                 " app)" if by_name and wrangler_config.name else "")
        return cls.finding(
            location=Location(path=wrangler_config.path), subject="deploy",
            message=(f"CI deploys {path} only with `wrangler deploy`{named}, which refuses a Pages"
                     " project (\"It looks like you've run a Workers-specific command in a Pages"
                     " project\"): it is not deployed" if pages else
                     f"CI deploys {path} only with `wrangler pages deploy`{named}, which ignores a"
                     " config without `pages_build_output_dir`: the Worker is not deployed"),
            remediation=(f"Deploy {path} with `wrangler pages deploy` (the wrangler action's"
                         " `command: pages deploy`)" if pages else
                         f"Deploy {path} with `wrangler deploy`"))

    @classmethod
    def _environments(cls, facts: Facts, written: set[str]) -> Iterator[Finding]:
        """Each deploy with an environment (`--env prod`) that the config it deploys does not
        define, when it defines others: wrangler stops there ("No environment found in
        configuration with name …"). A config a step writes may have it by then."""
        by_path = {c.path: c for c in facts.configs}
        # The config wrangler finds up from a folder: not one of another name a deploy names.
        folders = {c.app: c for c in facts.configs if posixpath.basename(c.path) in CONFIG_NAMES}
        for target, env, step in facts.deployed.environments:
            found = by_path.get(target) if names_config(target) else (
                folders.get(deepest_app(target, folders) or ""))
            if found is None or found.path in written or not found.environments:
                continue
            defined = [scope.name for scope in found.environments]
            if env not in defined:
                yield cls.finding(
                    location=step, subject=f"{target} --env {env}",
                    message=(f"the deploy at {code(step)} deploys {code(found.path)} with"
                             f" `--env {env}`, which it does not define (it defines "
                             + listed([code(name) for name in defined], most=5)
                             + "): wrangler stops there"),
                    remediation=f"Correct the environment the deploy at {code(step)} names, or"
                                f" define `{env}` in {code(found.path)}")


# What wrangler says when it refuses an option of `pages deploy` (pages/deploy.ts).
_PAGES_REFUSES = {
    "--config": "Pages does not support custom paths for the Wrangler configuration file",
    "--env": "Pages does not support targeting an environment with the --env flag"}


def _some(runs: list[tuple[str, Location]]) -> str:
    """The first three commands, each with its line, and how many more."""
    shown = [f"{code(command)} ({code(location)})" for command, location in runs[:3]]
    return ", ".join(shown) + (f" and {len(runs) - len(shown)} more" if runs[3:] else "")


def deployed_by_ci(facts: Facts) -> Callable[[WranglerConfig], bool]:
    """Whether a CI deploy step deploys a config: from its folder, by its own path
    (`--config wrangler.prod.jsonc`), or by its name. A config a build writes
    (`--config dist/server/wrangler.json`, not in the repository) deploys the app whose
    folder holds the build's. A config a workflow step makes the deployed one from
    (`envsubst < wrangler.toml > wrangler.prod.toml`, `cp wrangler.toml wrangler.prod.toml`)
    is deployed as that one."""
    found = facts.deployed
    app_of = _target_app(facts)
    apps = {app_of(path) for path in found.folders}
    made_from = _made_from(facts)

    def deploys(wrangler_config: WranglerConfig) -> bool:
        return bool(wrangler_config.app in apps or wrangler_config.path in made_from
                    or _names(wrangler_config).intersection(found.names))
    return deploys


def _names(wrangler_config: WranglerConfig) -> set[str]:
    """The names a deploy reaches a config by: the wrangler name it gives, or the package a
    runner runs wrangler in (`pnpm -F web exec wrangler deploy`: pnpm matches it without its
    scope too)."""
    package = wrangler_config.package
    return {name for name in (wrangler_config.name, package, package.rpartition("/")[2]
                              if package and package.startswith("@") else None) if name}


def _target_app(facts: Facts) -> Callable[[str], str | None]:
    """The app a deploy's folder or config path deploys (_app); a config a build writes
    (`dist/server/wrangler.json`), the app whose folder holds the build's."""
    folders = {c.app for c in facts.configs}
    built = {path for path, _step in facts.deployed.missing_configs if in_excluded_dir(path)}
    return lambda path: deepest_app(path, folders) if path in built else _app(path, folders)


def _made_from(facts: Facts) -> set[str]:
    """The paths deployed, and each file a workflow step makes one of them from, in turn
    (`cp a b`, `envsubst < b > c`)."""
    edits = [edit for workflow in facts.workflows for edit in workflow.edits]
    made_from, more = set(facts.deployed.folders), set(facts.deployed.folders)
    while more:
        more = {path for edit in edits if more.intersection(edit.writes)
                for path in edit.reads} - made_from
        made_from |= more
    return made_from


def deploy_kinds(facts: Facts) -> Callable[[WranglerConfig], tuple[set[str], bool]]:
    """What deploys a config, as deployed_by_ci finds the deploys that reach it: "pages"
    (`wrangler pages deploy`), "worker" (`wrangler deploy`); by its folder or path, else by
    its name (a Worker and a Pages project may share one). Not known (none) for a config a
    step makes the deployed one from. And whether they reach it by its name alone."""
    app_of = _target_app(facts)
    made = _made_from(facts) - set(facts.deployed.folders)
    by_target: dict[str | None, set[str]] = {}
    for target, kind in facts.deployed.kinds:
        for key in (target,) if target.startswith("name:") else (target, app_of(target)):
            by_target.setdefault(key, set()).add(kind)

    def kinds(wrangler_config: WranglerConfig) -> tuple[set[str], bool]:
        if wrangler_config.path in made:
            return set(), False
        direct = by_target.get(wrangler_config.app, set()) | by_target.get(wrangler_config.path, set())
        return (direct, False) if direct else (set().union(*(
            by_target.get(f"name:{name}", set()) for name in _names(wrangler_config))), True)
    return kinds


def _app(path: str, folders: set[str]) -> str | None:
    """The app a deploy from `path` deploys: the deepest app folder that holds it ("." the
    root), as wrangler looks for its config up from where it runs; a config path names
    its own folder only."""
    if posixpath.basename(path) in CONFIG_NAMES:
        return posixpath.dirname(path) or "."
    if path.endswith((".toml", ".json", ".jsonc")):  # another config (`wrangler.cron.toml`)
        return None
    return deepest_app(path, folders)
