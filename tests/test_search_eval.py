"""The search relevance evaluation (bench/eval_search.py, data in tests/data/search/) as a
quality gate. No test here ingests anything: tests/test_end_to_end.py, which ingests sample_docs/
once per module, calls check_search_quality(kb) with its `kb` fixture.

The floors sit just under what the search reaches on sample_docs/; raise them as it improves
(targets: recall@10 >= 0.95, MRR >= 0.85)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("eval_search", ROOT / "bench" / "eval_search.py")
eval_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_search)

RECALL_FLOOR = 0.64
MRR_FLOOR = 0.70


def check_search_quality(kb) -> dict:
    """Run the relevance set on `kb` (a Kunskapsbank holding sample_docs/) and assert the floors."""
    r = eval_search.evaluate(kb)
    misses = "; ".join(f"{m['query']!r} ({m['recall']:.2f})" for m in r["misses"])
    assert not r["skipped"], f"relevant files missing from the catalog: {r['skipped']}"
    assert r["recall@10"] >= RECALL_FLOOR, \
        f"recall@10 {r['recall@10']:.3f} < {RECALL_FLOOR}; misses: {misses}"
    assert r["mrr"] >= MRR_FLOOR, f"MRR {r['mrr']:.3f} < {MRR_FLOOR}; misses: {misses}"
    return r
