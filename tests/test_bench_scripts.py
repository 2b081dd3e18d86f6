"""The bench/ scripts still import: they are not run by the suite (their figures go in
docs/benchmarks.md), so a rename elsewhere would otherwise break them silently."""

from __future__ import annotations

import importlib
import sys

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_script_imports(name, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # some scripts import their neighbours by name
    importlib.import_module(f"bench.{name}")  # imports only: each script runs from its __main__ guard
    sys.modules.pop(f"bench.{name}", None)
