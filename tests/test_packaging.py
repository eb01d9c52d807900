"""pyproject.toml is the source of truth for dependencies; environment.yml must agree."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _norm(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def pyproject_requirements() -> set[tuple[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in ("lab", "test"):
        reqs += project["optional-dependencies"][extra]
    return {_norm(r) for r in reqs}


def conda_requirements() -> tuple[set[tuple[str, str]], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    conda = {_norm(d) for d in plain if not d.startswith(("python", "pip"))}
    return conda, pip_sections


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    conda, _ = conda_requirements()
    pip = pyproject_requirements()
    assert conda - pip == set(), f"only in environment.yml: {sorted(conda - pip)}"
    assert pip - conda == set(), f"only in pyproject.toml: {sorted(pip - conda)}"


def test_environment_yml_installs_the_package_itself_with_pip_and_only_from_conda_forge():
    _, pip_sections = conda_requirements()
    assert pip_sections == [["-e ."]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]


def test_every_dependency_has_lower_and_upper_bounds():
    for name, spec in pyproject_requirements():
        assert ">=" in spec and "<" in spec.replace("<=", ""), f"{name} needs both bounds: {spec!r}"


def test_python_floor_is_3_11():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
