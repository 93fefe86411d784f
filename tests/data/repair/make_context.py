"""Build ingest/data/context.json: neighbour-word statistics for Swedish words that OCR makes
ambiguous ("ar" år/är, "man" man/män, "forsta" första/förstå, "starka" starka/stärka).

Groups (from the lexicon and the confusion table, not from any text): Swedish words of wordfreq's
large list with Zipf >= MIN_ZIPF are keyed by their most likely eng-OCR reading (each å/ä/ö replaced
by its most probable non-identity reading in ingest/data/confusions.json: ä->a, å->a, ö->o). A key
shared by two or more such words, at least one with å/ä/ö, is an ambiguous group.

Counts (from a corpus): every occurrence of a group member in the corpus, lower-cased, with its
neighbours inside the sentence: the word before (L1) and the word after (R1); "<s>"/"</s>" at
sentence ends, "<num>" for a number. A feature is kept when it was seen at least
MIN_FEATURE times with the group's members and, smoothed, it changes the odds of some member
by a factor of at least MIN_RATIO against the member's share of the group (features that tell no
more than the words' frequencies are left out).

Corpus: the speech transcripts of the Journal Digital corpus (Swedish newsreels 1910s-1960s,
transcribed with WhisperX; PyPI package journal-digital 2025.12.30.2, CC BY-NC 4.0, Aspenskog &
Johansson, Modern Times 1936 project). Only counts of word pairs are kept, never text. It shares
no text with the evaluation sets (tests/data/repair), which are Stockholm social-services
documents.

    .venv/bin/pip download --no-deps -d /tmp/jd journal-digital==2025.12.30.2
    .venv/bin/python tests/data/repair/make_context.py /tmp/jd/journal_digital-2025.12.30.2-py2.py3-none-any.whl
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from ingest.lexicon import _wordfreq_zipf  # noqa: E402

TABLE = ROOT / "ingest" / "data" / "confusions.json"
OUT = ROOT / "ingest" / "data" / "context.json"
MIN_ZIPF = 2.5
MIN_FEATURE = 5
MIN_RATIO = 5.0  # a feature is kept when it moves some member's odds by this factor or more
ALPHA = 2.0  # smoothing: pseudo-counts spread over the members by their corpus shares
SWEDISH = "åäö"
_SENTENCE = re.compile(r"[.!?:;]+(?:\s|$)|\n\s*\n")
_WORD = re.compile(r"\w+")


def primary_readings() -> dict[str, str]:
    """Each Swedish letter's most probable non-identity eng-OCR reading (lower case)."""
    best: dict[str, tuple[float, str]] = {}
    for row in json.loads(TABLE.read_text(encoding="utf-8"))["pairs"]:
        letter, ocr = row["correct"], row["ocr"]
        if letter in SWEDISH and ocr and ocr != letter and row["p"] > best.get(letter, (0, ""))[0]:
            best[letter] = (row["p"], ocr.lower())
    return {letter: ocr for letter, (_, ocr) in best.items()}


def groups() -> dict[str, list[str]]:
    table = str.maketrans(primary_readings())
    by_key: dict[str, set[str]] = defaultdict(set)
    for word, zipf in _wordfreq_zipf().items():
        if zipf >= MIN_ZIPF and word.isalpha() and word == word.lower():
            by_key[word.translate(table)].add(word)
    return {key: sorted(words) for key, words in sorted(by_key.items())
            if len(words) >= 2 and any(c in SWEDISH for w in words for c in w)}


def sentences(wheel: Path):
    """Sentences of the corpus's speech transcripts, as lists of lower-case tokens."""
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            if "/corpus/speech/" not in name or not name.endswith(".srt"):
                continue
            lines = z.read(name).decode("utf-8", "replace").splitlines()
            text = " ".join(line.strip() for line in lines
                            if line.strip() and not line.strip().isdigit() and "-->" not in line)
            for sentence in _SENTENCE.split(text):
                words = ["<num>" if w.isdigit() else w.lower() for w in _WORD.findall(sentence)]
                if words:
                    yield words


def build(wheel: Path) -> dict:
    group_of = {w: key for key, words in groups().items() for w in words}
    counts: dict[str, Counter] = defaultdict(Counter)  # group -> Counter((feature, member))
    n_tokens = n_sentences = 0
    for words in sentences(wheel):
        n_sentences += 1
        n_tokens += len(words)
        padded = ["<s>"] + words + ["</s>"]
        for i, w in enumerate(words, start=1):
            key = group_of.get(w)
            if key is None:
                continue
            c = counts[key]
            c[("", w)] += 1
            c[("L1=" + padded[i - 1], w)] += 1
            c[("R1=" + padded[i + 1], w)] += 1
    out_groups = {}
    for key, c in sorted(counts.items()):
        members = sorted({w for (_, w) in c})
        if len(members) < 2:
            continue
        by_feature: dict[str, dict[str, int]] = defaultdict(dict)
        for (feature, w), n in c.items():
            by_feature[feature][w] = n
        prior = by_feature[""]
        n = sum(prior.values())
        features = {}
        for feature, per in sorted(by_feature.items()):
            total = sum(per.values())
            if not feature or total < MIN_FEATURE:
                continue
            ratios = [((per.get(w, 0) + ALPHA * prior[w] / n) / (total + ALPHA)) / (prior[w] / n)
                      for w in members]
            if max(max(ratios), 1 / min(ratios)) >= MIN_RATIO:
                features[feature] = [per.get(w, 0) for w in members]
        if features:
            out_groups[key] = {"members": members, "counts": [prior[w] for w in members],
                               "features": features}
    return {
        "made_by": "tests/data/repair/make_context.py",
        "how": __doc__.strip().split("\n\n")[1].replace("\n", " "),
        "corpus": {"name": "Journal Digital speech transcripts", "package": wheel.name,
                   "licence": "CC BY-NC 4.0", "sentences": n_sentences, "tokens": n_tokens},
        "min_zipf": MIN_ZIPF, "min_feature": MIN_FEATURE, "min_ratio": MIN_RATIO, "alpha": ALPHA,
        "groups": out_groups,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("wheel", type=Path, help="journal-digital wheel (pip download)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    data = build(args.wheel)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
                        + "\n", encoding="utf-8")
    n_features = sum(len(g["features"]) for g in data["groups"].values())
    print(f"{len(data['groups'])} groups, {n_features} features, corpus {data['corpus']['tokens']} "
          f"tokens in {data['corpus']['sentences']} sentences -> {args.out}")


if __name__ == "__main__":
    main()
