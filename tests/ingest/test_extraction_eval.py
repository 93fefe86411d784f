"""The extraction evaluation (bench/eval_extraction.py) as a quality gate on the seed answer keys
(tests/data/extraction/). Targets from the issue: dnr, date and type accuracy >= 0.98 (held to
the target); project mention F1 >= 0.95 (held to a floor just under today's 0.954, so a change
that loses ground fails; the gap is described in tests/data/extraction/README.md)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("eval_extraction",
                                               ROOT / "bench" / "eval_extraction.py")
eval_extraction = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_extraction)

PROJECT_F1_FLOOR = 0.945


@pytest.fixture(scope="module")
def result():
    return eval_extraction.evaluate_seeds()


@pytest.mark.parametrize("field", ["dnr", "date", "document_type"])
def test_core_fields_meet_the_target(result, field):
    assert result["metadata"][field]["accuracy"] >= 0.98


def test_project_mentions_hold_their_level(result):
    projects = result["projects"]
    assert projects["f1"] >= PROJECT_F1_FLOOR, projects
    assert projects["precision"] >= 0.95
