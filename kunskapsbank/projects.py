"""One project across documents: which catalog project a mention belongs to, and why.

The same project turns up in different years, spellings and OCR states ("Mätinstrument
livskvalitet (gruppbostad)", "Mitinstrument livskvalitet gruppbostad", "Kristeamets
utvärdering"); different projects with similar names must stay apart ("Stärkt
brukarinflytande" and "Stärkt tidigt stöd i samverkan"). A mention joins the best-matching
project when its name key is similar enough and nothing contradicts (another district, another
category); the reason is stored with the mention.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from .model import ProjectMention

MATCH_SCORE = 88  # name similarity (0-100) from which a mention joins an existing project
_FOLD = str.maketrans("åäöéü", "aaoeu")
_STATUS_WORDS = tuple(w.translate(_FOLD) for w in (
    "förstudie", "utvärdering", "utvärderingen", "slutrapport", "följeforskning",
    "utvärdering av", "projektet", "projekt"))


@dataclass(frozen=True)
class KnownProject:
    id: int
    key: str
    district: str | None
    category: str | None


@dataclass(frozen=True)
class Match:
    project_id: int | None  # None: a new project
    reason: str


def name_key(name: str) -> str:
    """Lower case, letters folded (OCR states agree), punctuation and status words dropped,
    a genitive -s before a dropped status word removed ("Kristeamets utvärdering")."""
    text = unicodedata.normalize("NFC", name).casefold().translate(_FOLD)
    text = re.sub(r"[^\w\s]", " ", text)
    words = text.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for status in _STATUS_WORDS:
            parts = status.split()
            if words[:len(parts)] == parts and len(words) > len(parts):
                words = words[len(parts):]
                changed = True
            elif words[-len(parts):] == parts and len(words) > len(parts):
                words = words[:-len(parts)]
                if words[-1].endswith("s") and len(words) == 1:
                    words[-1] = words[-1][:-1]
                changed = True
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """Name similarity of two keys: the plain ratio, or the token-set ratio when the shorter
    name has at least two words (so "bo kvar" does not swallow every "bo …")."""
    score = fuzz.ratio(a, b)
    if min(len(a.split()), len(b.split())) >= 2:
        score = max(score, fuzz.token_set_ratio(a, b) - 3)
    return score


def match(mention: ProjectMention, projects: list[KnownProject]) -> Match:
    key = name_key(mention.name)
    best: tuple[float, KnownProject] | None = None
    for project in projects:
        if mention.district and project.district and mention.district != project.district:
            continue
        if mention.category and project.category and mention.category != project.category \
                and "studieresa" in (mention.category, project.category):
            continue
        score = similarity(key, project.key)
        if best is None or score > best[0]:
            best = (score, project)
    if best is not None and best[0] >= MATCH_SCORE:
        score, project = best
        how = "same name" if score >= 100 else f"name similarity {score:.0f}"
        where = f", same district {project.district}" if project.district and \
            project.district == mention.district else ""
        return Match(project.id, f"{how} to project {project.id}{where}")
    if best is None:
        return Match(None, "new project: no earlier project to compare with")
    return Match(None, f"new project: best candidate {best[1].id} only {best[0]:.0f} similar")
