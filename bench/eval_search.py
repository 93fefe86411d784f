"""Evaluate search relevance on sample_docs/ against hand-judged queries.

    .venv/bin/python bench/eval_search.py [--home DIR] [--json] [--queries PATH] [--workers N]

Data: tests/data/search/queries.json, a list of {"query", "kind", "relevant": [sample_docs file
names], "note"?}; how it was made and the relevance rule: tests/data/search/README.md.

Without --home the samples are ingested into a temporary KUNSKAPSBANK_HOME (real OCR, ~80-140 s).
With --home DIR an already ingested data directory is used as it is (nothing is ingested, so give
one that holds sample_docs/, e.g. after `kunskapsbank --home DIR ingest sample_docs/`).

Metrics, per query, on kb.search(query, page_size=10):
  recall@10  relevant documents among the first 10 hits / number of relevant documents
             (no query has more than 10, so 1.0 is reachable)
  RR         1 / rank of the first relevant hit (0 when none is in the first 10)
averaged over all queries (MRR) and per kind. Queries whose relevant documents are not all in
the catalog are skipped and listed (a --home that lacks some samples). `evaluate(kb)` returns
the dict that --json prints; `misses` lists the queries with recall@10 < 1 for guidance.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "search" / "queries.json"
SAMPLE_DOCS = ROOT / "sample_docs"
K = 10
TARGETS = {"recall@10": 0.95, "mrr": 0.85}


def load_queries(path: Path = QUERIES) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):  # tolerate {"queries": [...]}
        data = data["queries"]
    return data


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def evaluate(kb, queries: list[dict] | None = None, k: int = K) -> dict:
    """Run every query on `kb` (a kunskapsbank.service.Kunskapsbank holding sample_docs/)."""
    queries = load_queries() if queries is None else queries
    ids = {}
    for row in kb.catalog.db.execute("SELECT id, filename FROM documents"):
        ids.setdefault(row[1], row[0])
    names = {v: k_ for k_, v in ids.items()}

    per_query, skipped = [], []
    for q in queries:
        missing = [f for f in q["relevant"] if f not in ids]
        if missing:
            skipped.append({"query": q["query"], "kind": q["kind"], "not_in_catalog": missing})
            continue
        relevant = {ids[f] for f in q["relevant"]}
        started = time.perf_counter()
        results = kb.search(q["query"], page_size=k)
        ms = (time.perf_counter() - started) * 1000
        hit_ids = [h.id for h in results.hits[:k]]
        found = [i for i in hit_ids if i in relevant]
        first = next((rank for rank, i in enumerate(hit_ids, 1) if i in relevant), None)
        per_query.append({
            "query": q["query"], "kind": q["kind"],
            "recall": round(len(set(found)) / len(relevant), 4),
            "rr": round(1 / first, 4) if first else 0.0,
            "first_rank": first, "total": results.total,
            "missed": sorted(names[i] for i in relevant - set(found)),
            "top": [names.get(i, str(i)) for i in hit_ids],
            "notice": results.notice, "ms": round(ms, 1)})

    kinds: dict[str, list[dict]] = defaultdict(list)
    for r in per_query:
        kinds[r["kind"]].append(r)
    by_kind = {kind: {"n": len(rs), "recall@10": _mean([r["recall"] for r in rs]),
                      "mrr": _mean([r["rr"] for r in rs])}
               for kind, rs in kinds.items()}
    return {
        "n": len(per_query), "k": k,
        "recall@10": _mean([r["recall"] for r in per_query]),
        "mrr": _mean([r["rr"] for r in per_query]),
        "targets": TARGETS,
        "by_kind": by_kind,
        "misses": [r for r in per_query if r["recall"] < 1],
        "skipped": skipped,
        "queries": per_query,
    }


def print_report(r: dict) -> None:
    def mark(value: float, target: float) -> str:
        return "ok" if value >= target else "below"

    print(f"Search relevance on sample_docs/: {r['n']} queries, top {r['k']}")
    print()
    print(f"{'kind':<14}{'n':>4}{'recall@10':>11}{'MRR':>8}")
    for kind, m in sorted(r["by_kind"].items()):
        print(f"{kind:<14}{m['n']:>4}{m['recall@10']:>11.3f}{m['mrr']:>8.3f}")
    print(f"{'all':<14}{r['n']:>4}{r['recall@10']:>11.3f}{r['mrr']:>8.3f}")
    print()
    t = r["targets"]
    print(f"recall@10 {r['recall@10']:.3f}  target >= {t['recall@10']:.2f}  "
          f"({mark(r['recall@10'], t['recall@10'])})")
    print(f"MRR       {r['mrr']:.3f}  target >= {t['mrr']:.2f}  ({mark(r['mrr'], t['mrr'])})")
    if r["misses"]:
        print()
        print(f"Queries with recall@10 < 1 ({len(r['misses'])}):")
        for m in r["misses"]:
            rank = m["first_rank"] or "-"
            print(f"  [{m['kind']}] {m['query']!r}: recall {m['recall']:.2f}, first relevant at "
                  f"{rank}, {m['total']} hits; missed {', '.join(m['missed'])}"
                  + (f"; notice: {m['notice']}" if m["notice"] else ""))
    if r["skipped"]:
        print()
        print(f"Skipped, relevant files not in the catalog ({len(r['skipped'])}):")
        for s in r["skipped"]:
            print(f"  {s['query']!r}: {', '.join(s['not_in_catalog'])}")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description="Evaluate search relevance on sample_docs/")
    ap.add_argument("--home", type=Path,
                    help="an already ingested KUNSKAPSBANK_HOME (default: ingest sample_docs/ "
                         "into a temporary one)")
    ap.add_argument("--queries", type=Path, default=QUERIES,
                    help=f"query set (default {QUERIES})")
    ap.add_argument("--workers", type=int, default=None, help="ingest workers (default: cores)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    from kunskapsbank.config import Config
    from kunskapsbank.service import Kunskapsbank, default_workers

    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="kb-eval-search-") as tmp:
        if args.home:
            if not (args.home / "catalog.sqlite3").exists():
                print(f"no catalog in {args.home}; ingest first: kunskapsbank --home "
                      f"{args.home} ingest sample_docs/", file=sys.stderr)
                return 1
            kb = Kunskapsbank(Config.from_env(args.home))
        else:
            kb = Kunskapsbank(Config.from_env(Path(tmp) / "home"))
            started = time.perf_counter()
            summary = kb.ingest_many([SAMPLE_DOCS], workers=args.workers or default_workers())
            print(f"ingested {summary.count('added')} files, {summary.count('failed')} failed, "
                  f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        try:
            r = evaluate(kb, queries)
        finally:
            kb.close()
    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=1))
    else:
        print_report(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
