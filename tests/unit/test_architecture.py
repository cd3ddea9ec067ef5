"""The import contracts (pyproject.toml, drawn in docs/architecture.md) hold, and would catch a new cycle."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "core",
    "sso",
    "media_pipeline",
    "resources",
    "search",
    "training",
    "supervision",
    "bundles",
    "home",
    "youke",
)


def lint_imports(cwd):
    """Run import-linter on the project at `cwd`; (exit status, output)."""
    binary = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(binary), "--config", "pyproject.toml", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )
    return done.returncode, done.stdout + done.stderr


def copy_of_project(tmp_path):
    """The packages' Python files and pyproject.toml, to break without touching the checkout."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_checkout_keeps_every_import_contract():
    status, output = lint_imports(ROOT)
    assert status == 0, output
    assert "0 broken" in output


def test_an_import_upwards_breaks_the_layers(tmp_path):
    project = copy_of_project(tmp_path)
    taxonomy = project / "resources" / "models" / "taxonomy.py"
    taxonomy.write_text(taxonomy.read_text() + "\n\ndef _late():\n    from search import views  # noqa\n")
    status, output = lint_imports(project)
    assert status != 0
    assert "Apps depend downwards only" in output and "resources.models.taxonomy -> search.views" in output


def test_django_in_the_core_breaks_its_contract(tmp_path):
    project = copy_of_project(tmp_path)
    intervals = project / "core" / "intervals.py"
    intervals.write_text("from django.conf import settings  # noqa\n" + intervals.read_text())
    status, output = lint_imports(project)
    assert status != 0
    assert "The core imports no Django" in output and "BROKEN" in output


def test_a_cycle_inside_an_app_breaks_its_contract(tmp_path):
    project = copy_of_project(tmp_path)
    # jobs sends the tasks; a task importing jobs back would be the cycle the split removed.
    tasks = project / "media_pipeline" / "tasks.py"
    tasks.write_text(tasks.read_text() + "\n\ndef _late():\n    from . import jobs  # noqa\n")
    status, output = lint_imports(project)
    assert status != 0
    assert "No cycles are allowed in media_pipeline" in output
