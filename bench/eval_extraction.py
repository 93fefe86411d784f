"""Evaluate document metadata and project-mention extraction against hand-written answer keys.

    .venv/bin/python bench/eval_extraction.py [--json] [--keys PATH] [--lines N] [SEED ...]

Data: tests/data/extraction/answer_keys.json, keyed by seed file name (tests/data/seeds/<name>),
each {"metadata": {...Metadata.to_json() keys...}, "projects": [{name, owner, district,
category, year, status, amount_sek, partner}, ...]}. Keys starting with "_" are notes.

The extraction is run as the pipeline runs it on the seed texts: the seed is split into pages
where a line starts with a single space (the seeds lost their page breaks), the pages are
repaired with ingest.repair.repair_pages (default letter restoration, no domain lexicon), then
ingest.metadata.extract_metadata and ingest.projects.extract_projects(pages, metadata). When
ingest.projects is missing, projects are reported as not evaluated.

Metrics (a field counts only for documents whose key has it; None in the key and None
extracted is correct):
  scalar fields  exact match after normalisation (strip, casefold, collapse whitespace);
                 title: rapidfuzz ratio >= 90 on the normalised strings.
  list fields    signatories, years, priority_areas, amounts: "exact" = the share of documents
                 whose extracted items are exactly the key's items, and micro precision/recall
                 over items. Signatories match by normalised name + role, priority areas by year
                 + ratio >= 80 on the normalised text (one-to-one, best first); years and amounts
                 are compared as sets of integers.
  projects       a prediction matches a key mention when the names match (normalised: casefold,
                 quotes and punctuation removed, whitespace collapsed; token_set_ratio >= 85 or
                 ratio >= 85), the owner matches (canonical district when both have one, else
                 owner fuzzy ratio >= 85 casefolded; both None is a match), the category is
                 equal and the year is equal. One-to-one greedy assignment, best name score
                 first. Precision, recall, F1 (micro over documents), also for names alone, and
                 on the matched pairs the accuracy of status, amount_sek and partner.

evaluate_documents(pairs) takes (Metadata, projects, key) tuples (projects None: not evaluated)
so other callers (e.g. a test that ingests scanned PDFs) can reuse the metrics;
evaluate_seeds() runs the seeds; compare_metadata() and match_projects() are the pure metrics.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterable

from rapidfuzz.fuzz import ratio, token_set_ratio

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "seeds"
KEYS = ROOT / "tests" / "data" / "extraction" / "answer_keys.json"

TARGETS = {"project_f1": 0.95, "dnr": 0.98, "date": 0.98, "document_type": 0.98}

SCALAR_FIELDS = ("dnr", "document_type", "date", "title", "nämnd", "förvaltning", "avdelning",
                 "handläggare", "telefon")
LIST_FIELDS = ("signatories", "years", "priority_areas", "amounts")
TITLE_MIN = 90
PRIORITY_MIN = 80
NAME_MIN = 85
OWNER_MIN = 85
PAIR_FIELDS = ("status", "amount_sek", "partner")


# --------------------------------------------------------------------------------------------
# Normalisation

def norm(value: Any) -> Any:
    """strip, casefold, collapse whitespace (strings, NFC); other values as they are."""
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).casefold().split())
    return value


_NOT_WORD = re.compile(r"[^\w\s]|_")


def name_norm(name: str | None) -> str:
    """A project name for fuzzy comparison: casefold, quotes and punctuation removed (as
    spaces), whitespace collapsed."""
    if not name:
        return ""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", name).casefold()).split())


def name_score(a: str | None, b: str | None) -> float:
    """max(token_set_ratio, ratio) of the normalised names, 0-100."""
    na, nb = name_norm(a), name_norm(b)
    if not na or not nb:
        return 0.0
    return max(token_set_ratio(na, nb), ratio(na, nb))


def _as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return dict(obj)


# --------------------------------------------------------------------------------------------
# One-to-one greedy matching

def greedy_match(preds: list, keys: list, score: Callable[[Any, Any], float | None]
                 ) -> tuple[list[tuple[int, int, float]], list[int], list[int]]:
    """Pairs (pred index, key index, score), best score first, each item used at most once.
    score returns None for a pair that may not match. Returns (pairs, unmatched pred indices,
    unmatched key indices)."""
    cands = []
    for i, p in enumerate(preds):
        for j, k in enumerate(keys):
            s = score(p, k)
            if s is not None:
                cands.append((s, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p: set[int] = set()
    used_k: set[int] = set()
    pairs = []
    for s, i, j in cands:
        if i not in used_p and j not in used_k:
            used_p.add(i)
            used_k.add(j)
            pairs.append((i, j, s))
    return (pairs, [i for i in range(len(preds)) if i not in used_p],
            [j for j in range(len(keys)) if j not in used_k])


# --------------------------------------------------------------------------------------------
# Metadata

def scalar_correct(field: str, pred: Any, key: Any) -> bool:
    p, k = norm(pred), norm(key)
    if p in ("", None) or k in ("", None):
        return p in ("", None) and k in ("", None)
    if field == "title":
        return ratio(p, k) >= TITLE_MIN
    return str(p) == str(k)


def _signatory_score(p: dict, k: dict) -> float | None:
    if norm(p.get("name")) == norm(k.get("name")) and norm(p.get("role")) == norm(k.get("role")):
        return 100.0
    return None


def _priority_score(p: dict, k: dict) -> float | None:
    if p.get("year") != k.get("year"):
        return None
    r = ratio(norm(p.get("text") or ""), norm(k.get("text") or ""))
    return r if r >= PRIORITY_MIN else None


def _ints(items: Iterable) -> set:
    out = set()
    for x in items or []:
        try:
            out.add(int(x))
        except (TypeError, ValueError):
            out.add(x)
    return out


def _sorted(items: set) -> list:
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=str)


def list_counts(field: str, pred: list, key: list) -> dict:
    """{"tp", "fp", "fn", "exact", "missing": [key items], "extra": [pred items]}."""
    pred, key = list(pred or []), list(key or [])
    if field in ("years", "amounts"):
        ps, ks = _ints(pred), _ints(key)
        tp = len(ps & ks)
        missing, extra = _sorted(ks - ps), _sorted(ps - ks)
        return {"tp": tp, "fp": len(ps) - tp, "fn": len(ks) - tp, "exact": ps == ks,
                "missing": missing, "extra": extra}
    score = _signatory_score if field == "signatories" else _priority_score
    pred = [_as_dict(x) for x in pred]
    key = [_as_dict(x) for x in key]
    pairs, up, uk = greedy_match(pred, key, score)
    return {"tp": len(pairs), "fp": len(up), "fn": len(uk), "exact": not up and not uk,
            "missing": [key[j] for j in uk], "extra": [pred[i] for i in up]}


def compare_metadata(pred: Any, key: dict) -> dict:
    """Per-field results for one document. pred: Metadata or its to_json() dict; key: the
    answer key's "metadata" object. Fields absent from the key are not scored.
    Returns {field: {"correct": bool, "pred", "key"}} for scalar fields and
    {field: list_counts(...)} for list fields."""
    p = _as_dict(pred)
    out: dict = {}
    for f in SCALAR_FIELDS:
        if f in key:
            out[f] = {"correct": scalar_correct(f, p.get(f), key[f]), "pred": p.get(f),
                      "key": key[f]}
    for f in LIST_FIELDS:
        if f in key:
            out[f] = list_counts(f, p.get(f), key[f])
    return out


# --------------------------------------------------------------------------------------------
# Projects

def owner_match(p: dict, k: dict) -> bool:
    pd, kd = norm(p.get("district")), norm(k.get("district"))
    if pd and kd:
        return pd == kd
    po, ko = norm(p.get("owner")), norm(k.get("owner"))
    if not po or not ko:
        return not po and not ko
    return ratio(po, ko) >= OWNER_MIN


def project_score(p: dict, k: dict, name_only: bool = False) -> float | None:
    """The name score when p may match k, else None."""
    s = name_score(p.get("name"), k.get("name"))
    if s < NAME_MIN:
        return None
    if not name_only:
        if not owner_match(p, k):
            return None
        if norm(p.get("category")) != norm(k.get("category")):
            return None
        if p.get("year") != k.get("year"):
            return None
    # tie-break towards the closer plain spelling
    return s + ratio(name_norm(p.get("name")), name_norm(k.get("name"))) / 1000


def match_projects(preds: list, keys: list, name_only: bool = False) -> dict:
    """One document's predicted mentions against its key mentions.
    Returns {"tp", "fp", "fn", "pairs": [(pred, key, score)], "unmatched_pred",
    "unmatched_key", "fields": {status|amount_sek|partner: [n correct, n pairs]}}."""
    preds = [_as_dict(x) for x in preds or []]
    keys = [_as_dict(x) for x in keys or []]
    pairs, up, uk = greedy_match(preds, keys, lambda a, b: project_score(a, b, name_only))
    fields = {f: [0, 0] for f in PAIR_FIELDS}
    for i, j, _ in pairs:
        for f in PAIR_FIELDS:
            fields[f][1] += 1
            a, b = preds[i].get(f), keys[j].get(f)
            fields[f][0] += (a == b) if f == "amount_sek" else (norm(a) == norm(b))
    return {"tp": len(pairs), "fp": len(up), "fn": len(uk),
            "pairs": [(preds[i], keys[j], s) for i, j, s in pairs],
            "unmatched_pred": [preds[i] for i in up], "unmatched_key": [keys[j] for j in uk],
            "fields": fields}


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall, F1 = 2tp / (2tp + fp + fn); nothing to find and nothing found is 1.0,
    precision with no predictions (or recall with nothing to find) is None."""
    if tp + fp + fn == 0:
        p = r = f1 = 1.0
    else:
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        f1 = 2 * tp / (2 * tp + fp + fn)
    return {"precision": _round(p), "recall": _round(r), "f1": _round(f1),
            "tp": tp, "fp": fp, "fn": fn}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# --------------------------------------------------------------------------------------------
# Many documents

def evaluate_documents(pairs: Iterable[tuple], names: list[str] | None = None) -> dict:
    """Metrics over documents. pairs: (metadata, projects, key) with metadata a Metadata (or its
    to_json() dict, or None when not extracted), projects a list of ProjectMention/dicts or None
    (not evaluated), key the answer key of the document ({"metadata": ..., "projects": ...}).
    names: a label per document for the per-document report (default "doc0", "doc1", ...)."""
    pairs = list(pairs)
    names = names or [f"doc{i}" for i in range(len(pairs))]
    fields: dict[str, dict] = {}
    proj = {"tp": 0, "fp": 0, "fn": 0}
    proj_name = {"tp": 0, "fp": 0, "fn": 0}
    pair_fields = {f: [0, 0] for f in PAIR_FIELDS}
    projects_evaluated = 0
    documents = {}
    for name, (meta, projects, key) in zip(names, pairs):
        doc: dict = {}
        key_meta = key.get("metadata")
        if key_meta is not None:
            res = compare_metadata(meta, key_meta)
            doc["metadata"] = res
            for f, r in res.items():
                acc = fields.setdefault(f, {"n": 0, "correct": 0})
                acc["n"] += 1
                if f in LIST_FIELDS:
                    acc["correct"] += r["exact"]
                    for c in ("tp", "fp", "fn"):
                        acc[c] = acc.get(c, 0) + r[c]
                else:
                    acc["correct"] += r["correct"]
        if projects is not None and key.get("projects") is not None:
            projects_evaluated += 1
            m = match_projects(projects, key["projects"])
            mn = match_projects(projects, key["projects"], name_only=True)
            for c in ("tp", "fp", "fn"):
                proj[c] += m[c]
                proj_name[c] += mn[c]
            for f in PAIR_FIELDS:
                pair_fields[f][0] += m["fields"][f][0]
                pair_fields[f][1] += m["fields"][f][1]
            doc["projects"] = {
                **prf(m["tp"], m["fp"], m["fn"]),
                "unmatched_key": m["unmatched_key"], "unmatched_pred": m["unmatched_pred"],
                "pair_mismatches": [
                    {"name": k.get("name"), "field": f, "pred": p.get(f), "key": k.get(f)}
                    for p, k, _ in m["pairs"] for f in PAIR_FIELDS
                    if (p.get(f) != k.get(f) if f == "amount_sek" else norm(p.get(f)) != norm(k.get(f)))],
            }
        documents[name] = doc
    metadata = {}
    for f in SCALAR_FIELDS + LIST_FIELDS:
        if f not in fields:
            continue
        acc = fields[f]
        entry = {"n": acc["n"], "accuracy": _round(acc["correct"] / acc["n"])}
        if f in LIST_FIELDS:
            entry.update({k: v for k, v in prf(acc["tp"], acc["fp"], acc["fn"]).items()
                          if k != "f1"})
        metadata[f] = entry
    result = {"documents_n": len(pairs), "metadata": metadata, "documents": documents}
    if projects_evaluated:
        result["projects"] = {
            **prf(**proj), "documents_n": projects_evaluated,
            "name_only": prf(**proj_name),
            "on_matched": {f: (_round(c / n) if n else None) for f, (c, n) in pair_fields.items()},
        }
    else:
        result["projects"] = None
    return result


# --------------------------------------------------------------------------------------------
# The seeds

def split_pages(text: str) -> list[str]:
    """The seed texts lost their page breaks; a line starting with one space begins a page."""
    return re.split(r"\n(?= \S)", text)


def extract_seed(path: Path) -> tuple[Any, list | None]:
    """(Metadata, project mentions or None when ingest.projects is missing) for one seed."""
    from ingest.metadata import extract_metadata
    from ingest.repair import repair_pages
    pages = split_pages(path.read_text(encoding="utf-8"))
    pages = [unicodedata.normalize("NFC", p) for p in pages]
    repaired, _ = repair_pages(pages)
    repaired = [unicodedata.normalize("NFC", p) for p in repaired]
    metadata = extract_metadata(repaired)
    extract_projects, _ = project_extractor()
    if extract_projects is None:
        return metadata, None
    return metadata, extract_projects(repaired, metadata)


def project_extractor() -> tuple[Callable | None, str | None]:
    """(ingest.projects.extract_projects, None), or (None, why it cannot be imported)."""
    sys.path.insert(0, str(ROOT))
    try:
        from ingest.projects import extract_projects
    except ImportError as exc:
        return None, f"{exc.__class__.__name__}: {exc}"
    return extract_projects, None


def load_keys(path: Path = KEYS) -> dict | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def evaluate_seeds(keys: dict | None = None, only: list[str] | None = None) -> dict | None:
    """Run the extraction on the seeds that have a key and score it (None: no answer keys)."""
    sys.path.insert(0, str(ROOT))
    keys = load_keys() if keys is None else keys
    if keys is None:
        return None
    names = [n for n in sorted(keys) if (not only or n in only) and (SEEDS / n).exists()]
    missing = [n for n in sorted(keys) if (not only or n in only) and not (SEEDS / n).exists()]
    pairs = []
    for n in names:
        meta, projects = extract_seed(SEEDS / n)
        pairs.append((meta, projects, keys[n]))
    result = evaluate_documents(pairs, names)
    result["missing_seeds"] = missing
    result["projects_unavailable"] = project_extractor()[1]
    return result


# --------------------------------------------------------------------------------------------
# Report

def _pct(x: float | None) -> str:
    return "    -  " if x is None else f"{100 * x:6.1f}%"


def _mention(m: dict) -> str:
    owner = m.get("district") or m.get("owner")
    extra = "" if m.get("amount_sek") is None else f", {m['amount_sek']} kr"
    return f"{m.get('name')!r} [{owner}; {m.get('category')}; {m.get('year')}{extra}]"


def print_report(r: dict, lines: int = 15) -> None:
    print(f"targets: project F1 >= {TARGETS['project_f1']:.0%}; dnr, date, document_type "
          f"accuracy >= {TARGETS['dnr']:.0%}\n")
    print(f"metadata over {r['documents_n']} document(s)")
    head = f"  {'field':15} {'n':>3} {'accuracy':>8} {'precision':>9} {'recall':>7}  target"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for f, e in r["metadata"].items():
        tgt = ""
        if f in TARGETS:
            tgt = f">= {TARGETS[f]:.0%} " + ("OK" if (e["accuracy"] or 0) >= TARGETS[f] else "BELOW")
        prec = _pct(e.get("precision")) if f in LIST_FIELDS else ""
        rec = _pct(e.get("recall")) if f in LIST_FIELDS else ""
        print(f"  {f:15} {e['n']:3d} {_pct(e['accuracy']):>8} {prec:>9} {rec:>7}  {tgt}")
    p = r["projects"]
    print()
    if p is None:
        why = r.get("projects_unavailable") or "no project keys"
        print(f"projects: not evaluated ({why})")
    else:
        ok = "OK" if (p["f1"] or 0) >= TARGETS["project_f1"] else "BELOW"
        print(f"projects over {p['documents_n']} document(s): P {_pct(p['precision'])}  "
              f"R {_pct(p['recall'])}  F1 {_pct(p['f1'])}  (tp {p['tp']}, fp {p['fp']}, "
              f"fn {p['fn']})  target F1 >= {TARGETS['project_f1']:.0%} {ok}")
        n = p["name_only"]
        print(f"  names only:  P {_pct(n['precision'])}  R {_pct(n['recall'])}  "
              f"F1 {_pct(n['f1'])}")
        print("  on matched pairs: " + ", ".join(
            f"{f} {_pct(v).strip()}" for f, v in p["on_matched"].items()))
    for name, doc in r["documents"].items():
        out = []
        for f, e in doc.get("metadata", {}).items():
            if f in LIST_FIELDS:
                if not e["exact"]:
                    out.append(f"  {f}: missing {e['missing']}, extra {e['extra']}")
            elif not e["correct"]:
                out.append(f"  {f}: got {e['pred']!r}, key {e['key']!r}")
        d = doc.get("projects")
        if d:
            out += [f"  key not found: {_mention(m)}" for m in d["unmatched_key"]]
            out += [f"  predicted, not in key: {_mention(m)}" for m in d["unmatched_pred"]]
            out += [f"  {m['field']} of {m['name']!r}: got {m['pred']!r}, key {m['key']!r}"
                    for m in d["pair_mismatches"]]
        if not out:
            continue
        pf = f" (projects F1 {_pct(d['f1']).strip()})" if d else ""
        print(f"\n== {name}{pf}")
        for line in out[:lines]:
            print(line[:200])
        if len(out) > lines:
            print(f"  ... {len(out) - lines} more")
    for n in r.get("missing_seeds", []):
        print(f"\nkey for {n}: seed file missing, skipped")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description="Evaluate metadata and project-mention extraction "
                                             "on the seed texts")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--keys", type=Path, default=KEYS, help=f"answer keys (default {KEYS})")
    ap.add_argument("--lines", type=int, default=15, help="report lines per document (15)")
    ap.add_argument("seeds", nargs="*", help="seed file names (default: all in the keys)")
    args = ap.parse_args(argv)
    keys = load_keys(args.keys)
    if keys is None:
        print(f"answer keys not found: {args.keys}", file=sys.stderr)
        return 1
    r = evaluate_seeds(keys, args.seeds or None)
    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=1, default=str))
        return 0
    print_report(r, args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
