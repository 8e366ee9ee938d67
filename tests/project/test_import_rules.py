"""The app graph points one way (pyproject.toml's import-linter contracts), and the rule has teeth."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "socialbiz",
    "activity",
    "people",
    "movements",
    "feedback",
    "sponsors",
    "conversation",
    "nudges",
    "pilots",
    "dashboards",
    "integrations",
    "api",
    "portal",
    "demo",
]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, env={"PYTHONPATH": str(cwd)}
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("templates", "static", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_apps_import_downwards_only_and_without_cycles():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_import_that_points_up_breaks_the_build(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    (tree / "people" / "upward.py").write_text("from nudges.models import Nudge  # people must not know the nudges\n")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "people is not allowed to import nudges" in result.stdout
    assert "people.upward -> nudges.models" in result.stdout


def test_a_cycle_inside_an_app_breaks_the_build(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    (tree / "nudges" / "models_helper.py").write_text("from . import digest  # noqa\n")
    digest = tree / "nudges" / "digest.py"
    digest.write_text(digest.read_text() + "\nfrom . import models_helper  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "No cycles are allowed in nudges" in result.stdout
