"""Evaluate the Swedish OCR letter restoration of ingest.repair.repair_text.

    .venv/bin/python bench/eval_repair.py [--json] [--examples N] [SET ...]

Sets (see tests/data/repair/NOTES-eval.md for how each was made):
  a        tests/data/repair/seed000.garbled.txt vs seed000.gold.txt (real eng OCR, hand gold)
  b        tests/data/repair/eng_ocr/{001,004}.ocr.txt vs .gold.txt (clean text, real eng OCR)
  c-r25, c-r50, c-r100
           tests/data/repair/synthetic/{001,004}.rNN.txt vs eng_ocr/*.gold.txt (known rates)

Metrics, summed over the files of a set (all three texts -- input, repaired output, gold -- go
through the same repair-independent normalisation first: form feeds are spaces, and a hyphen at a
line end followed by a word character is removed together with the line break, "utvecklings-\\n
projekt" -> "utvecklingsprojekt", so the repair's hyphen joins are not counted as differences):

  tokens     regex TOKEN: word characters plus the characters the eng model puts in place of
             Swedish letters (& # | § ]), joined by inner - ' . ("FoU-medel", "s.k"); compared
             with hyphens removed ("Signs-ofSafety" == "Signs-of-Safety").
  alignment  input tokens -> gold tokens and output tokens -> gold tokens, each with difflib
             SequenceMatcher on a skeleton KEY (lowercase, å ä & # 4 @ -> a, ö 6 0 -> o, é è -> e,
             1 | ] -> i, no hyphens) that makes a garbled token and its gold token equal; inside
             unequal replace blocks tokens are paired in order by best similarity (>= 0.5).
  garbled    gold tokens whose aligned input token differs (or is missing);
    letter   ... and the input differs from the gold only by confusions listed in
             ingest/data/confusions.json (pairs + from_seeds; i -> 1/| only for the word "i");
    other    the rest (other OCR damage, split/merged words, missing words).
  restored   garbled gold tokens whose aligned output token equals the gold token.
  clean      gold tokens whose input token equals the gold token.
  harmed     clean tokens whose aligned output token differs from the gold token. A clean token
             with NO output token (dropped, e.g. page furniture removed) is counted apart as
             "dropped", not as harmed.
  CER        Levenshtein(input, gold) / len(gold) before, Levenshtein(output, gold) / len(gold)
             after, on the normalised texts with whitespace runs collapsed to one space.

evaluate(set_name) -> dict and SETS are importable; compare(input, output, gold) is the pure
metric on three strings.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "repair"
CONFUSIONS = ROOT / "ingest" / "data" / "confusions.json"

SETS: dict[str, list[tuple[Path, Path]]] = {
    "a": [(DATA / "seed000.garbled.txt", DATA / "seed000.gold.txt")],
    "b": [(DATA / "eng_ocr" / f"{n}.ocr.txt", DATA / "eng_ocr" / f"{n}.gold.txt")
          for n in ("001", "004")],
    **{f"c-r{r}": [(DATA / "synthetic" / f"{n}.r{r}.txt", DATA / "eng_ocr" / f"{n}.gold.txt")
                   for n in ("001", "004")] for r in (25, 50, 100)},
}
TARGETS = {"restored": 0.97, "harmed": 0.001, "cer_ratio_b": 0.25}

_T = r"[\w&#|§\]]"
TOKEN = re.compile(rf"{_T}+(?:[-'.]{_T}+)*")
_KEY = str.maketrans("åä&#4@ö60éè1|]", "aaaaaaoooeeiii")
SWEDISH = "åäöÅÄÖ"


# --------------------------------------------------------------------------------------------
# Normalisation, tokens, alignment

def normalise(text: str) -> str:
    text = text.replace("\f", "\n")
    return re.sub(r"-[ \t]*\n\s*(?=\w)", "", text)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(normalise(text))


def form(tok: str | None) -> str | None:
    """The form tokens are compared in (hyphens do not count)."""
    return None if tok is None else tok.replace("-", "")


def key(tok: str) -> str:
    return tok.lower().replace("-", "").translate(_KEY)


def align(src: list[str], gold: list[str]) -> list[str | None]:
    """For each gold token, the aligned src token (or None)."""
    out: list[str | None] = [None] * len(gold)
    sm = difflib.SequenceMatcher(None, [key(t) for t in src], [key(t) for t in gold],
                                 autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                out[j1 + k] = src[i1 + k]
        elif tag == "replace":
            i = i1
            for j in range(j1, j2):
                best, best_i = 0.0, None
                for ii in range(i, i2):
                    r = ratio(key(src[ii]), key(gold[j]))
                    if r > best:
                        best, best_i = r, ii
                if best_i is not None and best >= 50:
                    out[j] = src[best_i]
                    i = best_i + 1
    return out


# --------------------------------------------------------------------------------------------
# Letter confusions

@lru_cache(maxsize=1)
def confusion_pairs() -> frozenset[tuple[str, str]]:
    data = json.loads(CONFUSIONS.read_text(encoding="utf-8"))
    return frozenset((r["correct"], r["ocr"]) for r in data["pairs"] + data.get("from_seeds", [])
                     if r["ocr"] != r["correct"])


def letter_garbled(inp: str | None, gold: str) -> bool:
    """True when inp differs from gold only by table confusions of Swedish letters
    (and "1"/"|" for the word "i")."""
    if inp is None or inp == gold:
        return False
    table = confusion_pairs()
    if gold in ("i", "I"):
        return (gold, inp) in table or inp in ("1", "|", "l")
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(gold, inp):
        if tag == "equal":
            continue
        if tag == "insert":
            return False
        if tag == "delete":
            if not all((c, "") in table for c in gold[i1:i2]):
                return False
        elif i2 - i1 == j2 - j1:
            if not all((c, o) in table for c, o in zip(gold[i1:i2], inp[j1:j2])):
                return False
        elif i2 - i1 == 1:
            if (gold[i1], inp[j1:j2]) not in table:
                return False
        else:
            return False
    return True


# --------------------------------------------------------------------------------------------
# The metric

COUNTS = ("gold_tokens", "garbled", "restored_n", "garbled_letter", "restored_letter_n",
          "garbled_other", "restored_other_n", "clean", "harmed_n", "dropped",
          "cer_before_edits", "cer_after_edits", "gold_chars")


def compare(input_text: str, output_text: str, gold_text: str) -> dict:
    """Counts for one (input, repaired output, gold) triple; see the module docstring.
    Returns {"counts": {name: int for name in COUNTS}, "unrestored": Counter((input, output,
    gold)), "harmed": Counter((gold, output))}; summarise(counts) turns counts into shares."""
    gold = tokens(gold_text)
    inp = align(tokens(input_text), gold)
    out = align(tokens(output_text), gold)
    c = Counter({k: 0 for k in COUNTS})
    unrestored: Counter = Counter()
    harmed: Counter = Counter()
    c["gold_tokens"] = len(gold)
    for g, i, o in zip(gold, inp, out):
        fg, fi, fo = form(g), form(i), form(o)
        if fi == fg:
            c["clean"] += 1
            if o is None:
                c["dropped"] += 1
            elif fo != fg:
                c["harmed_n"] += 1
                harmed[(g, o)] += 1
            continue
        kind = "letter" if letter_garbled(i, g) else "other"
        c["garbled"] += 1
        c[f"garbled_{kind}"] += 1
        if fo == fg:
            c["restored_n"] += 1
            c[f"restored_{kind}_n"] += 1
        else:
            unrestored[(i, o, g)] += 1
    flat = {name: " ".join(normalise(t).split()) for name, t in
            (("in", input_text), ("out", output_text), ("gold", gold_text))}
    c["gold_chars"] = len(flat["gold"])
    c["cer_before_edits"] = Levenshtein.distance(flat["in"], flat["gold"])
    c["cer_after_edits"] = Levenshtein.distance(flat["out"], flat["gold"])
    return {"counts": dict(c), "unrestored": unrestored, "harmed": harmed}


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def summarise(counts: dict) -> dict:
    c = counts
    return {
        "restored": _share(c["restored_n"], c["garbled"]),
        "restored_letter": _share(c["restored_letter_n"], c["garbled_letter"]),
        "restored_other": _share(c["restored_other_n"], c["garbled_other"]),
        "harmed": _share(c["harmed_n"], c["clean"]),
        "cer_before": _share(c["cer_before_edits"], c["gold_chars"]),
        "cer_after": _share(c["cer_after_edits"], c["gold_chars"]),
        **c,
    }


def default_repair(text: str) -> str:
    from ingest.repair import repair_text
    return repair_text(text)[0]


def evaluate(set_name: str, repair=default_repair, examples: int = 20) -> dict | None:
    """Metrics for one set (None when its files are missing). repair: str -> str."""
    files = SETS[set_name]
    if not all(p.exists() for pair in files for p in pair):
        return None
    total: Counter = Counter()
    unrestored: Counter = Counter()
    harmed: Counter = Counter()
    for inp_path, gold_path in files:
        inp = inp_path.read_text(encoding="utf-8")
        gold = gold_path.read_text(encoding="utf-8")
        r = compare(inp, repair(inp), gold)
        total.update(r["counts"])
        unrestored += r["unrestored"]
        harmed += r["harmed"]
    result = summarise({k: total[k] for k in COUNTS})
    result["files"] = [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
                       for p, _ in files]
    result["unrestored_examples"] = [
        {"input": i, "output": o, "gold": g, "n": n} for (i, o, g), n in unrestored.most_common(examples)]
    result["harmed_examples"] = [
        {"gold": g, "output": o, "n": n} for (g, o), n in harmed.most_common(examples)]
    return result


# --------------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description="Evaluate ingest.repair's Swedish letter restoration")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--examples", type=int, default=20, help="examples per set (default 20)")
    ap.add_argument("sets", nargs="*", choices=[[]] + list(SETS), default=[])
    args = ap.parse_args(argv)
    names = args.sets or list(SETS)
    results = {}
    for name in names:
        r = evaluate(name, examples=args.examples)
        if r is None:
            print(f"set {name}: files missing, skipped", file=sys.stderr)
            continue
        results[name] = r
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0

    print(f"targets: restored >= {TARGETS['restored']:.0%}, harmed <= {TARGETS['harmed']:.1%}, "
          f"set b: CER after < CER before / 4\n")
    head = (f"{'set':7} {'garbled':>7} {'restored':>8} {'letter':>13} {'other':>13} "
            f"{'clean':>6} {'harmed':>13} {'dropped':>7} {'CER before':>10} {'CER after':>9}")
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        print(f"{name:7} {r['garbled']:7d} {_pct(r['restored']):>8} "
              f"{_pct(r['restored_letter'])} /{r['garbled_letter']:5d} "
              f"{_pct(r['restored_other'])} /{r['garbled_other']:5d} "
              f"{r['clean']:6d} {_pct(r['harmed'])} {r['harmed_n']:6d} {r['dropped']:7d} "
              f"{_pct(r['cer_before']):>10} {_pct(r['cer_after']):>9}")
    print()
    for name, r in results.items():
        ok = [f"restored {'OK' if (r['restored'] or 0) >= TARGETS['restored'] else 'below target'}",
              f"harmed {'OK' if (r['harmed'] or 0) <= TARGETS['harmed'] else 'above target'}"]
        if name == "b" and r["cer_before"]:
            ok.append(f"CER after/before {r['cer_after'] / r['cer_before']:.2f} "
                      f"({'OK' if r['cer_after'] < r['cer_before'] / 4 else 'target < 0.25'})")
        print(f"set {name}: " + ", ".join(ok))
    for name, r in results.items():
        print(f"\n== set {name}: most frequent unrestored (input -> output, gold)")
        for e in r["unrestored_examples"]:
            print(f"  {e['n']:4d}  {e['input']!s:>22} -> {e['output']!s:22} gold {e['gold']}")
        print(f"== set {name}: most frequent harmed (gold -> output)")
        for e in r["harmed_examples"]:
            print(f"  {e['n']:4d}  {e['gold']:>22} -> {e['output']}")
        if not r["harmed_examples"]:
            print("  (none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
