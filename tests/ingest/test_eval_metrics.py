"""Self-checks of the repair evaluation metrics (bench/eval_repair.py) and its data files."""
from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("eval_repair", ROOT / "bench" / "eval_repair.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ev = _load()

GOLD = "Syftet med FoU-arbetet är att stödja utvecklingen\ni staden. Följande år 2019.\n"
GARBLED = "Syftet med FoU-arbetet ar att stodja utvecklingen\n1 staden. Fo!ljande ar 2019.\n"


def shares(inp, out, gold):
    return ev.summarise(ev.compare(inp, out, gold)["counts"])


def test_identity_repair_restores_and_harms_nothing():
    r = shares(GARBLED, GARBLED, GOLD)
    assert r["garbled"] == 5 and r["restored"] == 0.0 and r["harmed"] == 0.0
    assert r["cer_after"] == r["cer_before"] > 0


def test_perfect_repair():
    r = shares(GARBLED, GOLD, GOLD)
    assert r["restored"] == 1.0 and r["harmed"] == 0.0 and r["cer_after"] == 0.0


def test_letter_and_other_damage_are_told_apart():
    r = shares(GARBLED, GARBLED, GOLD)
    # är->ar, stödja->stodja, i->1, år->ar are table confusions; Fo!ljande is other damage
    assert (r["garbled_letter"], r["garbled_other"]) == (4, 1)


def test_harm_is_counted_on_clean_words():
    out = GOLD.replace("staden", "stadén")
    r = shares(GOLD, out, GOLD)
    assert r["garbled"] == 0 and r["harmed_n"] == 1 and r["restored"] is None
    assert ev.compare(GOLD, out, GOLD)["harmed"] == {("staden", "stadén"): 1}


def test_hyphen_joins_and_dropped_furniture_are_not_harm():
    gold = "Sida 2 (6)\nlokala utvecklings-\nprojekt och Signs-of-\nSafety i staden\n"
    out = "lokala utvecklingsprojekt\noch Signs-of-Safety\ni staden\n"
    r = shares(gold, out, gold)
    assert r["harmed_n"] == 0 and r["dropped"] == 3  # "Sida", "2", "6"
    assert r["clean"] == r["gold_tokens"]


def test_tokens_keep_ocr_letter_stand_ins():
    assert ev.tokens("&r #rendet 6ka 1 bilagan") == ["&r", "#rendet", "6ka", "1", "bilagan"]


def test_evaluate_with_identity_repair_on_committed_sets():
    for name in ("b", "c-r50"):
        r = ev.evaluate(name, repair=lambda text: text)
        assert r is not None and r["garbled"] > 100
        assert r["restored"] == 0.0 and r["harmed"] == 0.0
        assert r["cer_after"] == r["cer_before"] > 0


def test_data_files_line_for_line():
    data = ROOT / "tests" / "data" / "repair"
    for num in ("001", "004"):
        gold = (data / "eng_ocr" / f"{num}.gold.txt").read_text(encoding="utf-8").splitlines()
        ocr = (data / "eng_ocr" / f"{num}.ocr.txt").read_text(encoding="utf-8").splitlines()
        assert len(ocr) == len(gold)
        for rate in (25, 50, 100):
            syn = (data / "synthetic" / f"{num}.r{rate}.txt").read_text(encoding="utf-8")
            assert len(syn.splitlines()) == len(gold)


def test_confusion_table_probabilities():
    path = ROOT / "ingest" / "data" / "confusions.json"
    assert path.stat().st_size < 10_000
    table = json.loads(path.read_text(encoding="utf-8"))
    total = defaultdict(float)
    for row in table["pairs"]:
        total[row["correct"]] += row["p"]
    for letter, p in total.items():
        assert p == pytest.approx(1.0, abs=0.002), letter
    assert {"ä", "å", "ö", "Ä", "Å", "Ö"} <= set(total)
    assert all(r["source"] == "seeds" and r["count"] == 0 for r in table["from_seeds"])
