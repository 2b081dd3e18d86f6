"""The house rules hold, and they would catch a break: the import-linter contracts in
pyproject.toml (layers point down, the domain is Flask-free, blueprints are independent, only the
consent package reads consents), run against the real tree and against copies with one bad import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts, on the ``tracker`` package under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_tree_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("tracker/domain/plan.py", "import flask", "imports neither Flask nor the web layer"),
    ("tracker/domain/plan.py", "from tracker.web import wording", "imports neither Flask nor the web layer"),
    ("tracker/models.py", "from tracker.domain import plan", "Layers point down"),
    ("tracker/tutor/views.py", "from tracker.provider import views", "Blueprints do not import each other"),
    ("tracker/domain/plan.py", "from tracker.models import ConsentGrant", "Only the consent package reads or writes consents"),
    ("tracker/resident/views.py", "from tracker import models; models.ConsentGrant", "Only the consent package reads or writes consents"),
])
def test_one_bad_import_breaks_its_contract(tmp_path, module, line, broken):
    shutil.copytree(ROOT / "tracker", tmp_path / "tracker", ignore=shutil.ignore_patterns("static", "translations", "templates", "__pycache__"))
    (tmp_path / "tests").mkdir()
    for name in ("__init__.py", "import_contracts.py"):
        shutil.copy(ROOT / "tests" / name, tmp_path / "tests" / name)
    target = tmp_path / module
    text = target.read_text()
    marker = "from __future__ import annotations\n"
    target.write_text(text.replace(marker, marker + line + "\n", 1) if marker in text else line + "\n" + text)
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken_section = result.stdout.split("Broken contracts", 1)[-1]
    assert broken in broken_section, result.stdout


def test_the_architecture_picture_is_drawn_from_the_code():
    script = ROOT / "scripts" / "architecture_diagram.py"
    drawn = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert drawn in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"), \
        "the rooms changed: paste the output of scripts/architecture_diagram.py into docs/architecture.md"


def test_the_readmes_layout_names_every_room():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("### Layout", 1)[1].split("###", 1)[0]
    rooms = {p.stem for p in (ROOT / "tracker").iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    rooms |= {p.stem for p in (ROOT / "tracker" / "domain").iterdir() if p.suffix == ".py" and p.stem != "__init__"}
    missing = sorted(room for room in rooms if room not in layout)
    assert not missing, f"README.md's layout does not mention: {missing}"
