"""Evaluation set (c): the clean gold lines garbled synthetically at known rates.

Input: eng_ocr/001.gold.txt and eng_ocr/004.gold.txt (the clean seeds as rendered for set b).
Table: ingest/data/confusions.json "pairs" (the measured eng-model confusions; "from_seeds" is not
used), for each correct letter renormalised over its NON-identity readings.

For each word (regex \\w+) containing å/ä/ö/Å/Ä/Ö: with probability RATE the word is garbled: every
one of its Swedish letters is replaced by a reading sampled from the table. The standalone word
"i" becomes "1" with probability RATE/4. Everything else is left alone, so the output is line for
line with the gold.

    .venv/bin/python tests/data/repair/make_synthetic.py

writes synthetic/{001,004}.r{25,50,100}.txt. One random.Random(SEED + rate + file) per output
file, so each file is reproducible on its own.
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TABLE = ROOT / "ingest" / "data" / "confusions.json"
GOLD = HERE / "eng_ocr"
OUT = HERE / "synthetic"
SEED = 1234
RATES = (25, 50, 100)  # percent
SWEDISH = "åäöÅÄÖ"
WORD = re.compile(r"\w+")


def substitutions() -> dict[str, tuple[list[str], list[float]]]:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    subs: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in table["pairs"]:
        if row["correct"] in SWEDISH and row["ocr"] != row["correct"]:
            subs[row["correct"]].append((row["ocr"], row["p"]))
    out = {}
    for c, rows in subs.items():
        total = sum(p for _, p in rows)
        out[c] = ([o for o, _ in rows], [p / total for _, p in rows])
    return out


def garble(text: str, rate: float, rng: random.Random, subs) -> tuple[str, int]:
    """Return (garbled text, number of words changed)."""
    changed = 0

    def word(m: re.Match) -> str:
        nonlocal changed
        w = m.group(0)
        if w == "i":
            g = "1" if rng.random() < rate / 4 else w
        elif not any(c in SWEDISH for c in w) or rng.random() >= rate:
            g = w
        else:
            g = "".join(rng.choices(*subs[c])[0] if c in SWEDISH else c for c in w)
        changed += g != w
        return g
    return WORD.sub(word, text), changed


def main() -> int:
    subs = substitutions()
    OUT.mkdir(exist_ok=True)
    for num in ("001", "004"):
        gold = (GOLD / f"{num}.gold.txt").read_text(encoding="utf-8")
        for rate in RATES:
            rng = random.Random(SEED * 1000 + rate * 10 + int(num))
            text, changed = garble(gold, rate / 100, rng, subs)
            (OUT / f"{num}.r{rate}.txt").write_text(text, encoding="utf-8")
            print(f"synthetic/{num}.r{rate}.txt: {changed} words garbled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
