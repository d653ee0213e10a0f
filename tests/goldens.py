"""Golden files: page-level outputs compared exactly with a reviewed copy in tests/golden/.

Set LOOPBOARD_UPDATE_GOLDEN=1 to rewrite them, then read the diff by hand before committing: a golden file is only
as good as that review (each page's tests also check its key figures against an independent reading of the data).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def assert_matches_golden(name: str, value: object) -> None:
    """Compares a JSON-able value with tests/golden/<name>.json (writes it when updating or when it is missing)."""
    path = GOLDEN_DIR / f"{name}.json"
    text = json.dumps(value, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("LOOPBOARD_UPDATE_GOLDEN") == "1" or not path.exists():
        existed = path.exists()
        path.write_text(text, encoding="utf-8")
        if not existed and os.environ.get("LOOPBOARD_UPDATE_GOLDEN") != "1":
            pytest.fail(f"{path.name} was missing and has been written; check it by hand and rerun")
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))
