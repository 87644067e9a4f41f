"""Set-up stays honest: environment.yml and pyproject.toml agree; the README's commands are the real ones."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
REQUIRED = {"jupyterlab", "ipywidgets", "pandas", "papermill", "nbval"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml_installs_exactly_the_pyproject_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert {_name(d) for d in conda} == {"python", "pip"}, "Python packages belong in pyproject.toml"
    python = next(d for d in conda if _name(d) == "python")
    assert python.replace("python", "") == project["requires-python"]
    assert pip == ["-e .[test]"], "environment.yml must install the project with the same extra as the README"
    declared = {_name(d) for d in project["dependencies"]} | {_name(d) for d in project["optional-dependencies"]["test"]}
    assert REQUIRED <= declared


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(make \w+)(?:\s+#.*)?$", readme, flags=re.MULTILINE)
    assert "make test" in commands and "make test" in ci
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for command in set(commands):
        assert re.search(rf"^{command.split()[1]}:", makefile, flags=re.MULTILINE), command
