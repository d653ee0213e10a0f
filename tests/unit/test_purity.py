"""The pure core must stay pure: no module under metrics/ may import streamlit, sqlalchemy or altair."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

METRICS = Path(__file__).resolve().parents[2] / "metrics"
FORBIDDEN = {"streamlit", "sqlalchemy", "altair"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(METRICS.rglob("*.py")), ids=lambda p: str(p.relative_to(METRICS)))
def test_metrics_module_imports_nothing_forbidden(path: Path) -> None:
    assert not (_imported_roots(path) & FORBIDDEN), f"{path} imports {_imported_roots(path) & FORBIDDEN}"


def test_the_check_itself_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom sqlalchemy.orm import Session\n", encoding="utf-8")
    assert _imported_roots(bad) & FORBIDDEN == {"streamlit", "sqlalchemy"}
