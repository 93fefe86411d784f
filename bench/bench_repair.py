"""Repair throughput on one core, and peak memory, on a large synthetic text.

The text: the five seeds' lines (three garbled, two clean) in random order, with the clean lines'
Swedish words garbled by the confusion model at 50 % so that word forms vary as in a real
archive; split into pages of ~400 words. Reports words/s for the whole repair (all rules), for the
first pages (cold caches: lexicon loading excluded and reported apart), overall, and the
second half (warm caches, as in a long batch). Words/s are given by the wall clock and by the
process's CPU time: on a shared machine the CPU figure is the one-core throughput, the wall-clock
one is what this run got (the load average is printed beside them).

    .venv/bin/python bench/bench_repair.py [--words N]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds"
CONFUSIONS = ROOT / "ingest" / "data" / "confusions.json"
WORD = re.compile(r"\w+")


def synthetic_pages(n_words: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    lines = [line for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    table = json.loads(CONFUSIONS.read_text(encoding="utf-8"))["pairs"]
    subs: dict[str, list[tuple[str, float]]] = {}
    for row in table:
        if row["correct"] != row["ocr"] and row["correct"] in "åäöÅÄÖ":
            subs.setdefault(row["correct"], []).append((row["ocr"], row["p"]))

    def garble(word: str) -> str:
        if rng.random() > 0.5:
            return word
        return "".join(rng.choices([o for o, _ in subs[c]], [p for _, p in subs[c]])[0]
                       if c in subs else c for c in word)

    pages, page, count = [], [], 0
    while count < n_words:
        line = rng.choice(lines)
        line = re.sub(r"\w+", lambda m: garble(m.group()), line)
        page.append(line)
        count += len(WORD.findall(line))
        if sum(len(WORD.findall(x)) for x in page) >= 400:
            pages.append("\n".join(page) + "\n")
            page = []
    if page:
        pages.append("\n".join(page) + "\n")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=300_000)
    args = parser.parse_args()
    pages = synthetic_pages(args.words)
    words = [len(WORD.findall(p)) for p in pages]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    from ingest.repair import repair_pages, warm
    warm()  # load the word lists, the lookup index and the context model
    load_s = time.perf_counter() - started
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    cpu_started = time.process_time()
    first_n = max(1, len(pages) // 30)
    n_repairs = 0
    half = len(pages) // 2
    for i, page in enumerate(pages):
        if i == first_n:
            first_s = time.perf_counter() - started
        if i == half:
            half_s = time.perf_counter() - started
        n_repairs += len(repair_pages([page])[1])
    total_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first_words = sum(words[:first_n])
    print(f"text: {sum(words)} words on {len(pages)} pages; {n_repairs} repairs made")
    print(f"lexicon load: {load_s:.2f} s (peak RSS {rss0 / 1024:.0f} -> {rss_loaded / 1024:.0f} MB)")
    print(f"first {first_words} words (cold caches): {first_words / first_s:,.0f} words/s")
    print(f"all {sum(words)} words: {sum(words) / total_s:,.0f} words/s in {total_s:.1f} s; "
          f"{sum(words) / cpu_s:,.0f} words per CPU second ({cpu_s:.1f} s CPU) "
          f"(target >= 50,000 words/s on one core)")
    second = sum(words[half:])
    print(f"second half, {second} words (warm caches): {second / (total_s - half_s):,.0f} words/s")
    print(f"peak RSS: {rss / 1024:.0f} MB")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
