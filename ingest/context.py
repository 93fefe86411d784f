"""Context for OCR readings that are Swedish words either way ("man": man or män, "forsta":
första or förstå, "starka": starka or stärka, "ar": år or är).

The model (ingest/data/context.json, built by tests/data/repair/make_context.py from a Swedish
corpus) holds, for each group of words that eng-model OCR reads alike, how often each member was
seen with a given neighbour: the word before (L1) and the word after (R1), with "<s>"/"</s>" at
sentence ends and "<num>" for numbers. Only neighbours that move the odds clearly are stored.

A decision is naive Bayes in odds form: each candidate's score is its own evidence (log10 word
frequency and log10 P(OCR reading | word), supplied by the caller) plus, for every stored
neighbour feature, log10 of how much that neighbour raises or lowers the member's share of the
group (smoothed counts). No stored neighbour: no opinion (the caller's decision stands).
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Group:
    members: tuple[str, ...]
    shares: tuple[float, ...]  # each member's share of the group's occurrences in the corpus
    features: dict[str, tuple[int, ...]]  # "L1=att" -> count per member


class ContextModel:
    def __init__(self, path: Path = DATA / "context.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.alpha = float(data["alpha"])
        self.groups: dict[str, Group] = {}
        self.group_of: dict[str, str] = {}
        for key, g in data["groups"].items():
            total = sum(g["counts"])
            self.groups[key] = Group(tuple(g["members"]), tuple(c / total for c in g["counts"]),
                                     {f: tuple(c) for f, c in g["features"].items()})
            for member in g["members"]:
                self.group_of[member] = key

    def group(self, readings) -> tuple[str, tuple[str, ...]] | None:
        """The group at least two of `readings` belong to, and those readings."""
        keys = {}
        for word in readings:
            key = self.group_of.get(word)
            if key is not None:
                keys.setdefault(key, []).append(word)
        for key, words in keys.items():
            if len(words) >= 2:
                return key, tuple(words)
        return None

    def scores(self, key: str, candidates: dict[str, float], neighbours: dict[str, str]
               ) -> dict[str, float] | None:
        """candidates: member -> own evidence (log10). neighbours: "L1"/"R1" -> word.
        Returns member -> score, or None when no stored feature applies."""
        group = self.groups[key]
        index = {m: i for i, m in enumerate(group.members)}
        fired = False
        out = dict(candidates)
        for position, word in neighbours.items():
            counts = group.features.get(f"{position}={word}")
            if counts is None:
                continue
            fired = True
            total = sum(counts)
            for member in out:
                i = index[member]
                share = group.shares[i]
                p = (counts[i] + self.alpha * share) / (total + self.alpha)
                out[member] += math.log10(p / share)
        return out if fired else None


@functools.lru_cache(maxsize=1)
def default_context() -> ContextModel:
    return ContextModel()
