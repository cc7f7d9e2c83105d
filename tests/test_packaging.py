"""pyproject.toml and environment.yml list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!;\s\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    expected = {_name(r) for r in wanted if "python_version < '3.11'" not in r}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed: set[str] = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            listed |= {_name(r) for r in entry["pip"] if not r.startswith("-e")}
        elif _name(entry) not in ("python", "pip"):
            listed.add(_name(entry))
    assert listed == expected
    pins = [r for r in wanted if r.startswith("ripgrep")]
    assert pins == ["ripgrep==14.1.0"]


def test_package_imports_from_any_folder(tmp_path: Path) -> None:
    """The installed package, not the checkout folder, must provide auditlib (the kernel
    that runs the notebook may start anywhere)."""
    import subprocess
    import sys

    code = "import auditlib, auditlib.rules; print(auditlib.run_audit.__module__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.stdout.strip() == "auditlib.api", done.stderr


def test_installed_command_flushes_its_output_and_keeps_its_exit_code() -> None:
    """The `auditlib` command ends with os._exit: what it printed into a pipe must still
    arrive whole, with the exit code main() chose."""
    import json
    import os
    import subprocess
    import sys

    command = Path(sys.executable).parent / "auditlib"
    buffered = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    for form in ("json", "text"):  # one large write, and small lines left in the buffer
        done = subprocess.run([str(command), "check", "--format", form, "--fail-on", "P0",
                               "--date", "2026-01-21"], capture_output=True, text=True,
                              check=False, env=buffered)
        assert done.returncode == 1, done.stderr
        if form == "json":
            audit = json.loads(done.stdout)
            assert audit["counts"]["P0"] > 0
        else:
            last = done.stdout.splitlines()[-1]
            assert last.startswith("auditlib: 2026-01-21: ") and last.endswith(
                ", ".join(f"{key} {value}" for key, value in audit["counts"].items())), last
    done = subprocess.run([str(command), "check", "no-such-folder"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2 and "repository not found" in done.stderr


def test_a_reader_that_stops_early_leaves_the_exit_code_and_no_traceback(tmp_path: Path) -> None:
    """`auditlib check | head -1`: the gate's exit code, not a BrokenPipeError."""
    import subprocess
    import sys

    for app in range(300):  # more output than a pipe holds
        (tmp_path / f"apps/a{app}").mkdir(parents=True)
        (tmp_path / f"apps/a{app}/wrangler.toml").write_text(
            f'name = "a{app}"\nmain = "src/index.ts"\n[[kv_namespaces]]\nbinding = "KV"\n'
            'id = "00000000000000000000000000000000"\n', encoding="utf-8")
    command = Path(sys.executable).parent / "auditlib"
    for gate, code in ((["--fail-on", "P0"], 1), ([], 0)):
        process = subprocess.Popen([str(command), "check", str(tmp_path), *gate],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"apps/")
        process.stdout.close()  # the rest is written into a closed pipe
        assert process.wait(timeout=60) == code
        assert b"Traceback" not in process.stderr.read()
        process.stderr.close()


def test_the_wheel_holds_the_notebooks_and_data_and_builds_without_warnings(tmp_path: Path) -> None:
    """`pip install auditlib` (not editable) must carry what `auditlib run` opens: the audit
    notebook, the nbconvert template, the schema and the example; setuptools must not warn
    that data folders would be ignored."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "src"  # a copy: building writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "notebooks", source / "notebooks")
    shutil.copytree(ROOT / "auditlib", source / "auditlib", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                           str(tmp_path / "wheel"), str(source)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    (wheel,) = (tmp_path / "wheel").glob("auditlib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in ("auditlib/notebooks/auto-scaling-audit.ipynb", "auditlib/notebooks/explore.ipynb",
                   "auditlib/templates/auditlib/index.html.j2", "auditlib/schemas/findings.schema.json",
                   "auditlib/examples/base-shop/wrangler.toml"):
        assert wanted in names
    # Installed on its own, away from the checkout, the command finds its notebook there.
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True)
    code = ("import auditlib, auditlib.cli as c; print(auditlib.__file__);"
            " print(c.DEFAULT_NOTEBOOK.is_file())")
    shown = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                           text=True, check=True, env={"PYTHONPATH": str(tmp_path / "site")})
    where, found = shown.stdout.split()
    assert where.startswith(str(tmp_path / "site")) and found == "True", shown.stdout
