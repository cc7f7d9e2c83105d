"""auditlib.workflows.collect: deploy steps in GitHub Actions workflows, at their line."""

from __future__ import annotations

import pytest
import yaml

from auditlib import workflows
from auditlib.errors import ConfigParseError
from auditlib.workflows import collect

PATH = ".github/workflows/deploy.yml"


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs with libyaml's loader, which collect uses, and with PyYAML's own,
    its fallback: positions, steps and errors must not depend on which one read the file."""
    if request.param == "python":
        monkeypatch.setattr(workflows, "_LOADER", yaml.SafeLoader)
    elif workflows._LOADER is yaml.SafeLoader:
        pytest.skip("this PyYAML is built without libyaml")


def workflow(*steps: str) -> str:
    """A one-job workflow (job `deploy`) whose steps start on line 7."""
    return "name: Deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n" + (
        "".join(steps))


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        workflow("      - uses: actions/checkout@v4\n",
                 "      - run: npx wrangler pages deploy dist --project-name shop\n"),
        [(8, "deploy", "wrangler pages deploy",
          "npx wrangler pages deploy dist --project-name shop")], id="wrangler-pages-deploy"),
    pytest.param(
        workflow("      - name: Deploy\n        run: npx wrangler deploy --env production\n"),
        [(8, "deploy", "wrangler deploy", "npx wrangler deploy --env production")],
        id="npx-wrangler-deploy"),
    pytest.param(
        workflow("      - uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          apiToken: ${{ secrets.CF_TOKEN }}\n"),
        [(7, "deploy", "cloudflare/wrangler-action",
          "cloudflare/wrangler-action@v3: wrangler deploy")], id="wrangler-action-default"),
    pytest.param(
        workflow("      - name: Publish\n        uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          command: pages deploy out --project-name=shop\n"),
        [(8, "deploy", "cloudflare/wrangler-action",
          "cloudflare/wrangler-action@v3: wrangler pages deploy out --project-name=shop")],
        id="wrangler-action-command"),
    pytest.param(
        workflow("      - run: npx wrangler -c apps/api/wrangler.toml --env production deploy\n"),
        [(7, "deploy", "wrangler deploy",
          "npx wrangler -c apps/api/wrangler.toml --env production deploy")],
        id="options-before-the-command"),
    pytest.param(workflow("      - run: npx wrangler --port 8787 dev\n"), [], id="not-a-deploy"),
    pytest.param(workflow("      - if: false\n        run: npx wrangler deploy\n",
                          "      - if: ${{ false }}\n        run: npx wrangler deploy\n"), [],
                 id="a-step-that-never-runs"),
    pytest.param(
        workflow("      - run: pnpm exec opennextjs-cloudflare deploy\n"),
        [(7, "deploy", "opennextjs-cloudflare deploy", "pnpm exec opennextjs-cloudflare deploy")],
        id="opennextjs-cloudflare"),
    pytest.param(
        workflow("      - name: Build and deploy\n        run: |\n          pnpm install\n",
                 "          pnpm build\n          npx wrangler deploy\n"),
        [(11, "deploy", "wrangler deploy", "npx wrangler deploy")], id="block-scalar-third-line"),
    pytest.param(
        workflow("      - run: |\n          npm test\n\n          npx wrangler@3 pages deploy .\n"),
        [(10, "deploy", "wrangler pages deploy", "npx wrangler@3 pages deploy .")],
        id="block-scalar-blank-line"),
    pytest.param(
        workflow("      - uses: actions/checkout@v4\n      - run: npm test\n",
                 "      - run: echo 'wrangler is configured'\n"),
        [], id="no-deploy"),
    pytest.param("name: Lint\non: push\n", [], id="no-jobs"),
    pytest.param(
        workflow("      - uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          command: d1 migrations apply DB --remote\n"),
        [], id="wrangler-action-non-deploy-command"),
    pytest.param(
        workflow("      - uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          command: d1 migrations apply DB --remote\n"
                 "          postCommands: |\n            echo migrated\n"
                 "            npx wrangler deploy --env production\n"),
        [(12, "deploy", "cloudflare/wrangler-action",
          "cloudflare/wrangler-action@v3: npx wrangler deploy --env production")],
        id="wrangler-action-post-commands"),
    pytest.param(
        workflow("      - uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          command: whoami\n"
                 "          preCommands: npx wrangler deploy\n"),
        [(10, "deploy", "cloudflare/wrangler-action",
          "cloudflare/wrangler-action@v3: npx wrangler deploy")],
        id="wrangler-action-pre-commands"),
])
def test_deploy_steps(text: str, expected: list[tuple[int, str, str, str]]) -> None:
    _workflow, steps = collect(PATH, text)
    assert [(s.location.start_line, s.job, s.tool, s.command) for s in steps] == expected
    assert all(s.location.path == PATH and s.workflow == PATH for s in steps)


SECRETS_WORKFLOW = """\
name: Deploy
on: push
env:
  SENTRY_TOKEN: ${{ secrets.SENTRY_TOKEN }}
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    steps:
      - run: npm test
        env:
          TEST_KEY: ${{ secrets.TEST_KEY }}
  deploy:
    runs-on: ubuntu-latest
    env:
      CLOUDFLARE_ACCOUNT_ID: ${{ secrets.CLOUDFLARE_ACCOUNT_ID }}
    steps:
      - run: echo ${{ secrets.OTHER_STEP }}
      - run: npx wrangler deploy
        env:
          CLOUDFLARE_API_TOKEN: ${{secrets.CLOUDFLARE_API_TOKEN}}
          AGAIN: ${{ secrets.CLOUDFLARE_ACCOUNT_ID }}
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(SECRETS_WORKFLOW,
                 [("deploy", ("SENTRY_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN"))],
                 id="workflow-job-step-env"),
    pytest.param(
        workflow("      - uses: cloudflare/wrangler-action@v3\n",
                 "        with:\n          apiToken: ${{ secrets.CF_TOKEN }}\n"),
        [("deploy", ("CF_TOKEN",))], id="action-with"),
    pytest.param(workflow("      - run: npx wrangler deploy\n"), [("deploy", ())],
                 id="no-secrets"),
])
def test_secrets(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert [(s.job, s.secrets) for s in collect(PATH, text)[1]] == expected


def test_secrets_the_wrangler_action_uploads() -> None:
    """Names listed in the wrangler action's `secrets:` input; another action's is not it."""
    text = workflow("      - uses: cloudflare/wrangler-action@v3\n",
                    "        with:\n          secrets: |\n            DB_HOST\n            MAIL_FROM\n",
                    "      - uses: example/notify@v1\n        with:\n          secrets: SLACK_HOOK\n")
    assert collect(PATH, text)[0].uploaded == ("DB_HOST", "MAIL_FROM")


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_lines_end_at_newlines_only(monkeypatch: pytest.MonkeyPatch, loader: str) -> None:
    """U+2028 and U+0085 end a line to YAML 1.1, not to YAML 1.2 (GitHub's) or an editor."""
    if not hasattr(yaml, loader):  # pragma: no cover - PyYAML without libyaml
        pytest.skip(f"no {loader}")
    monkeypatch.setattr(workflows, "_LOADER", getattr(yaml, loader))
    text = ("name: \"Deploy\u2028prod\"\non: push\n# a note\u2029\njobs:\n  deploy:\n"
            "    steps:\n      - name: \"x\u0085y\"\n        run: npx wrangler deploy\n")
    _workflow, steps = collect(PATH, text)
    assert [step.location.start_line for step in steps] == [8]
    assert text.split("\n")[7].strip() == "run: npx wrangler deploy"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("on: push\njobs:\n  deploy:\n    steps:\n      - run: a: b\n", (5, 15),
                 id="mapping-in-plain-scalar"),
    # Never closed: where it opens, not the end of the text past the last line
    pytest.param("on: push\njobs:\n  deploy: [unclosed\n", (3, 11), id="unclosed-flow-sequence"),
    pytest.param("on: push\njobs:\n  d:\n    env:\n      TOKEN: \"abc: x\n    steps:\n"
                 "      - run: a\n", (5, 14), id="unclosed-quoted-scalar"),
    pytest.param("on: push\njobs:\n  d: {a: 1", (3, 6), id="unclosed-flow-mapping-no-newline"),
    pytest.param("on: push\njobs:\n\tdeploy: {}\n", (3, 1), id="tab-indent"),
    pytest.param("name: \"a\u2028b\u0085c\"\non: push\njobs:\n  deploy: [unclosed\n", (4, 11),
                 id="after-breaks-yaml-counts-and-editors-do-not"),
    pytest.param("on: push\njobs:\n  a:\n    steps:\n      - run: |\n          cat > f << EOF\n"
                 "name = \"x\"\nmain = \"y\"\nEOF\n", (7, 1),
                 id="a-heredoc-at-column-0-is-the-line-at-fault"),
])
def test_malformed_yaml(text: str, expected: tuple[int, int]) -> None:
    with pytest.raises(ConfigParseError) as caught:
        collect(PATH, text)
    assert (caught.value.path, caught.value.line, caught.value.column) == (PATH, *expected)
    assert caught.value.message
    if "EOF" in text:
        assert caught.value.message == "while scanning a simple key, could not find expected ':'"


def test_a_long_chain_of_reusable_workflows() -> None:
    """300 workflows each calling the next, read from either end: no recursion error, and
    each caller's value is passed on as far as GitHub passes it (ten deep)."""
    texts = {"main.yml": "on: push\njobs:\n  a:\n    uses: ./w0.yml\n    with: {cmd: deploy}\n"}
    texts |= {f"w{n}.yml": "on:\n  workflow_call:\n    inputs:\n      cmd: {type: string}\njobs:\n"
              f"  a:\n    uses: ./w{n + 1}.yml\n    with: {{cmd: '${{{{ inputs.cmd }}}}'}}\n"
              for n in range(300)}
    for ordered in (texts, dict(reversed(texts.items()))):
        found = workflows.input_sets(ordered)
        assert found["w5.yml"] == [{"cmd": "deploy"}]
        assert len(found) == 300


def test_many_callers_with_large_matrices_pass_at_most_the_limit() -> None:
    """20 callers of 20 jobs, each with a 32 x 32 matrix: 400,000 calls, of which the sets
    of inputs read stop at the limit."""
    matrix = "    strategy:\n      matrix:\n        a: [" + ", ".join(f"a{n}" for n in range(32)) + \
        "]\n        b: [" + ", ".join(f"b{n}" for n in range(32)) + "]\n"
    job = ("  jN:\n    uses: ./reusable.yml\n" + matrix
           + "    with: {app: '${{ matrix.a }}-${{ matrix.b }}'}\n")
    texts = {f"c{c}.yml": "on: push\njobs:\n" + "".join(job.replace("N", str(n)) for n in range(20))
             for c in range(20)}
    texts["reusable.yml"] = ("on:\n  workflow_call:\n    inputs:\n      app: {type: string}\n"
                             "jobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                             "      - run: echo ${{ inputs.app }}\n")
    found = workflows.input_sets(texts)["reusable.yml"]
    assert len(found) == 1024
    assert {"app": "a0-b0"} in found


def test_values_written_to_github_env() -> None:
    job = {"steps": [
        {"run": "# echo \"APP=old\" >> $GITHUB_ENV\necho APP=web >> $GITHUB_ENV\n"
                "echo MODE=x >> $GITHUB_ENV_BACKUP\n"},
        {"run": "if [ -n \"$A\" ]; then echo \"APP=api\" >> \"$GITHUB_ENV\"; fi\n"},
        {"run": "\n".join(f"echo V{n}=a >> $GITHUB_ENV\necho V{n}=b >> $GITHUB_ENV" for n in range(30))},
        {"run": "npx wrangler deploy"}]}
    source = yaml.safe_dump({"on": "push", "jobs": {"deploy": job}})
    # not a commented-out line, nor another file whose name starts alike
    assert workflows._exported(source, "deploy", 2) == [{"APP": "web"}, {"APP": "api"}]
    # 2 ** 31 sets of values: as many as the other combinations of a step are cut to, built lazily
    assert len(workflows._exported(source, "deploy", 3)) == workflows._LIMIT
    # what the steps before each step write, the job's end too; no job, no steps: nothing
    assert [len(workflows._exported(source, "deploy", index)) for index in range(6)] == [
        1, 1, 2, workflows._LIMIT, workflows._LIMIT, workflows._LIMIT]
    assert workflows._exported(source, "other", 1) == workflows._exported("", "deploy", 0) == [{}]


@pytest.mark.parametrize(("script", "writes"), [
    pytest.param("cat > wrangler.ci.toml << EOF\nname = \"w\"\nEOF", ["w/wrangler.ci.toml"],
                 id="heredoc"),
    pytest.param("cat <<-'EOF' > ../wrangler.ci.toml\nname = \"w\"\nEOF", ["wrangler.ci.toml"],
                 id="heredoc-redirected-after"),
    pytest.param('echo "name = w" > a.toml && printf "x" >> b.toml', ["w/a.toml", "w/b.toml"],
                 id="echo-and-printf"),
    pytest.param("envsubst < t.toml | tee -a a.toml b.toml", ["w/a.toml", "w/b.toml"], id="tee"),
    pytest.param("cp -f wrangler.toml ci.toml; mv x.toml y.toml", ["w/ci.toml", "w/y.toml"],
                 id="cp-and-mv"),
    pytest.param("cp a.toml b.toml dist/", ["w/dist/a.toml", "w/dist/b.toml"], id="cp-into-a-folder"),
    pytest.param("echo done >&2; echo \"A=1\" >> $GITHUB_ENV; cat a.toml; cp a.toml", [],
                 id="writes-no-file"),
])
def test_files_a_step_writes(script: str, writes: list[str]) -> None:
    """The files a `run:` step writes (FileEdit), from its folder (`w`)."""
    text = workflow("      - working-directory: w\n        run: |\n"
                    + "".join(f"          {line}\n" for line in script.split("\n")))
    found, _steps = collect(PATH, text)
    assert sorted(path for edit in found.edits for path in edit.writes) == sorted(writes)


@pytest.mark.parametrize(("script", "reads"), [
    pytest.param("envsubst < wrangler.toml > wrangler.prod.toml", ["w/wrangler.toml"], id="envsubst"),
    pytest.param("cp -f ../wrangler.toml ci/wrangler.prod.toml", ["wrangler.toml"], id="cp"),
    pytest.param("sed -e 's/a/b/' t.toml > out.toml && mv out.toml o.toml", ["w/t.toml"], id="sed"),
    pytest.param('echo "wrangler.toml" > a.toml', [], id="echo-reads-nothing"),
])
def test_files_a_step_makes_a_file_from(script: str, reads: list[str]) -> None:
    """The files a command that writes one may read (FileEdit.reads), from its folder (`w`)."""
    text = workflow("      - working-directory: w\n        run: |\n"
                    + "".join(f"          {line}\n" for line in script.split("\n")))
    found, _steps = collect(PATH, text)
    assert sorted(path for edit in found.edits for path in edit.reads) == sorted(reads)


def test_a_runner_selecting_packages_by_name_looks_them_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 `--filter @org/pN` among 3,000 packages had each name matched as a glob against
    every package's (1.8 million matches, 8 s: QA s25d A5): a name that is no glob is looked
    up, and selects the same package."""
    packages = {f"packages/p{n}": (f"@org/p{n}", {}) for n in range(300)}
    text = ("on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
            + "".join(f"          pnpm --filter @org/p{n} exec wrangler deploy -c wrangler.toml\n"
                      for n in range(0, 300, 3)))
    matched: list[str] = []
    glob_match = workflows.glob_match

    def counted(pattern: str, text: str, separator: str = "/") -> bool:
        matched.append(pattern)
        return glob_match(pattern, text, separator)
    monkeypatch.setattr(workflows, "glob_match", counted)
    workflow, steps = collect(".github/workflows/ship.yml", text)
    found = workflows.deployed([workflow], steps, packages=packages)
    assert [path for path, _step in found.configs] == sorted(
        f"packages/p{n}/wrangler.toml" for n in range(0, 300, 3))
    assert len(matched) < 300


@pytest.mark.parametrize(("condition", "runs"), [
    pytest.param("matrix.app == 'api'", False, id="another-value"),
    pytest.param("${{ matrix.app == 'WEB' }}", True, id="case-ignored-in-an-expression"),
    pytest.param("matrix.app != 'web'", False, id="not-equal"),
    pytest.param("matrix.app == 'api' || inputs.target == 'all'", True, id="either"),
    pytest.param("matrix.app == 'web' && github.ref == 'refs/heads/main'", True, id="unknown-is-true"),
    pytest.param("matrix.app == 'api' && github.ref == 'refs/heads/main'", False, id="one-false-term"),
    pytest.param("!cancelled() && matrix.app == 'api'", True, id="a-function-is-not-read"),
    pytest.param("matrix.node == 18", True, id="a-number-is-not-read"),
    pytest.param("", True, id="no-condition"),
    # QA s34c: values known only when the workflow runs
    pytest.param("env.TARGET == 'production'", True, id="an-env-value-set-from-vars"),
    pytest.param("inputs.environment == 'production'", True, id="an-input-a-person-types"),
    pytest.param("matrix.target == 'production'", True, id="a-matrix-value-from-an-expression"),
])
def test_a_step_s_condition_is_read_for_each_combination(condition: str, runs: bool) -> None:
    scope = {("matrix", "app"): "web", ("inputs", "target"): "all", ("matrix", "node"): "18",
             ("env", "TARGET"): "${{ vars.DEPLOY_TARGET }}", ("inputs", "environment"): "staging",
             ("matrix", "target"): "${{ fromJSON(needs.plan.outputs.targets) }}"}
    assert workflows._may_run(condition, scope) is runs
