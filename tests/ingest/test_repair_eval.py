"""The repair evaluation (bench/eval_repair.py) as a quality gate on the data in tests/data/repair.

Targets from the issue: restored >= 97 %, harmed <= 0.1 %, set b CER after < CER before / 4.
Harm and CER are held to the target. Restoration is held to the 97 % target on every set, which
is just under what the repair reaches today (97.2-97.4 %, see tests/data/repair/NOTES-eval.md):
losing one word on c-r25 or c-r50, or two on a, b or c-r100, fails.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("eval_repair", ROOT / "bench" / "eval_repair.py")
eval_repair = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_repair)

RESTORED_FLOOR = {"a": 0.97, "b": 0.97, "c-r25": 0.97, "c-r50": 0.97, "c-r100": 0.97}


@pytest.fixture(scope="module")
def results():
    return {name: eval_repair.evaluate(name) for name in eval_repair.SETS}


@pytest.mark.parametrize("name", sorted(RESTORED_FLOOR))
def test_restores_and_does_no_harm(results, name):
    r = results[name]
    assert r is not None, f"evaluation set {name} is missing"
    assert r["harmed"] <= 0.001, r["harmed_examples"] if "harmed_examples" in r else r
    assert r["restored"] >= RESTORED_FLOOR[name]
    assert r["cer_after"] < r["cer_before"]


def test_cer_on_real_eng_ocr_falls_by_more_than_four(results):
    r = results["b"]
    assert r["cer_after"] < r["cer_before"] / 4


def test_gold_text_is_left_as_it_is():
    """The gold texts themselves are clean Swedish: the letter repair must change nothing."""
    from ingest.repair import repair_text
    for gold in sorted((ROOT / "tests" / "data" / "repair").rglob("*.gold.txt")):
        _, repairs = repair_text(gold.read_text(encoding="utf-8"))
        assert [r for r in repairs if r.rule.startswith("letters")] == [], gold.name
