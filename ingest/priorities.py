"""The years a document is about and the funding priority areas (inriktning) it sets.

Decisions:
- years: the years in the title ("… år 2020 samt redovisning … år 2018"), plus the years that
  the decision proposal ("Förvaltningens förslag till beslut" up to the next heading) and the
  summary ("Sammanfattning", its first 800 characters) name after a subject word: "år 2018",
  "under 2017", "för 2024", "inför år 2020", "avseende 2019", "2020 års", "verksamhetsåret 2019";
  a range "under 2013-2016" gives every year in it. Dates, dnr years ("/2018") and years in
  the rest of the text (history, budgets cited) do not count. Sorted, unique.
- priority_areas: (year, text) for every area of an inriktning or a list of prioriterade
  områden:
  * a bullet list after a line ending in ":" that speaks of inriktning or prioritering
    ("Inriktning för 2020 års medel föreslås vara:", "Prioriterade områden:"); bullets may be
    OCR-damaged ("e", "¢", "o", "•", "-"), an item continues on lines starting in lower case;
  * lines starting in lower case after "… prioriteras ansökningar som" (bullets lost in OCR);
  * a sentence "Följande inriktning föreslås … inför år 2020: A, B och C." split at commas
    and at the last " samt " (else the last " och "), used only for years that have no list.
  The year is the one named in the lead-in, else the nearest earlier line naming a year
  (within 20 lines; a heading such as "Kvalificering och urval för lokala utvecklingsmedel
  2024"), else the document's only subject year, else None. Texts lose the bullet and the
  trailing period, start in lower case (unless an acronym), and are unique per year.
"""
from __future__ import annotations

import re

from kunskapsbank.model import PriorityArea

_YEAR = r"(?:19[5-9]\d|20\d\d)"
_BARE_YEAR = re.compile(rf"(?<![\d/.-]){_YEAR}(?![\d]|-\d\d-\d\d)")
_SUBJECT_YEAR = re.compile(
    rf"\b(?:år|under|för|inför|avseende|verksamhetsåret|budgetåret|kalenderåret)\s+(?:år\s+)?"
    rf"(?P<y1>{_YEAR})(?!-\d\d-\d\d)(?:\s*[-–]\s*(?P<y2>{_YEAR}))?(?![\d])"
    rf"|(?<![\d/.-])(?P<y3>{_YEAR})\s+års\b",
    re.IGNORECASE,
)
_PROPOSAL = re.compile(r"f\w{0,2}rslag\s+till\s+beslut|n\w{0,3}mndens\s+beslut", re.IGNORECASE)
_SUMMARY = re.compile(r"^\s*Sammanfattning\s*$", re.MULTILINE)
_HEADING_AFTER_PROPOSAL = re.compile(
    r"^\s*(?:Sammanfattning|Bakgrund|Ärendet|Beslutsgång|Särskilt uttalande)\s*$", re.MULTILINE)


def _expand(y1: str, y2: str | None) -> list[int]:
    a = int(y1)
    b = int(y2) if y2 else a
    return list(range(a, b + 1)) if 0 <= b - a <= 10 else [a]


def subject_years(text: str) -> list[int]:
    """Years named after a subject word ('år 2018', 'under 2017', '2020 års')."""
    years = []
    for m in _SUBJECT_YEAR.finditer(text):
        years += _expand(m["y1"], m["y2"]) if m["y1"] else [int(m["y3"])]
    return years


def title_years(title: str | None) -> list[int]:
    if not title:
        return []
    years = []
    for m in re.finditer(rf"(?<![\d/.-])({_YEAR})(?:\s*[-–]\s*({_YEAR}))?(?![\d]|-\d\d-\d\d)",
                         title):
        years += _expand(m[1], m[2])
    return years


def _proposal_section(text: str) -> str:
    m = _PROPOSAL.search(text)
    if not m:
        return ""
    rest = text[m.end():m.end() + 4000]
    end = _HEADING_AFTER_PROPOSAL.search(rest)
    return _collapse(rest[:end.start()] if end else rest)[:1500]


def _summary_section(text: str) -> str:
    m = _SUMMARY.search(text)
    return _collapse(text[m.end():m.end() + 3000])[:800] if m else ""


def _collapse(text: str) -> str:
    """Whitespace collapsed, so that section lengths do not depend on the layout."""
    return re.sub(r"\s+", " ", text).strip()


def find_years(text: str, title: str | None = None) -> list[int]:
    years = title_years(title)
    years += subject_years(_proposal_section(text))
    years += subject_years(_summary_section(text))
    return sorted(set(years))


# ---------------------------------------------------------------------------- priority areas

_BULLET = re.compile(r"^\s*(?:[-–—•·▪◦*»©¢+]|[oe](?=\s+[A-ZÅÄÖa-zåäö])|\d{1,2}[.)])\s+(?P<item>\S.*)$")
_LEAD_IN = re.compile(r"inriktning|prioriter", re.IGNORECASE)
# "I årets utlysning prioriteras ansökningar som" + unbulleted lines (OCR "söm" for "som")
_UNBULLETED_LEAD_IN = re.compile(r"prioriter\w*\s+\w+\s+s\wm\s*:?\s*$", re.IGNORECASE)
_INLINE = re.compile(
    r"\b(?P<intro>(?:[Ff]öljande\s+)?[Ii]nriktning(?:en)?\b[^.:\n]{0,160}?):\s*(?P<items>[^.]{3,600}?)\.(?:\s|$)")
_INLINE_VERB = re.compile(r"föreslås|följande|är|vara|gäller|avse", re.IGNORECASE)


def normalise_area(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(".;,:").strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _years_in(line: str) -> list[int]:
    return [int(m.group(0)) for m in _BARE_YEAR.finditer(line)]


def _list_items(lines: list[str], start: int, bullets: bool = True) -> list[str]:
    """Bullet items from lines[start:], continuation lines joined, up to the list's end.
    bullets=False: the OCR lost the bullets; every line starting in lower case after a line
    ending in '.', ',' or ';' starts an item."""
    items: list[str] = []
    for line in lines[start:]:
        if not line.strip():
            continue
        m = _BULLET.match(line) if bullets else None
        lower = line.strip()[0].islower()
        if m:
            items.append(m["item"].strip())
        elif not bullets and lower and (not items or items[-1][-1] in ".,;"):
            items.append(line.strip())
        elif items and lower:
            items[-1] += " " + line.strip()
        else:
            break
    return items


def _list_year(lines: list[str], i: int) -> int | None:
    years = _years_in(lines[i])
    if years:
        return years[-1]
    for j in range(i - 1, max(-1, i - 21), -1):
        if _BULLET.match(lines[j]):
            continue
        years = _years_in(lines[j])
        if years:
            return years[-1]
    return None


def _split_inline(items: str) -> list[str]:
    parts = [p.strip() for p in re.split(r",|;", items) if p.strip()]
    if not parts:
        return []
    last = parts.pop()
    for conj in (" samt ", " och "):
        if conj in last:
            head, tail = last.rsplit(conj, 1)
            parts += [head, tail]
            break
    else:
        parts.append(last)
    return [p for p in parts if p]


def find_priority_areas(text: str, doc_years: list[int] | None = None) -> list[PriorityArea]:
    default_year = doc_years[0] if doc_years and len(doc_years) == 1 else None
    areas: list[PriorityArea] = []
    lines = text.splitlines()
    listed_years: set[int | None] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        window = " ".join(ln.strip() for ln in lines[max(0, i - 1):i + 1])
        if stripped.endswith(":") and _LEAD_IN.search(stripped) and not _BULLET.match(line):
            items = _list_items(lines, i + 1)
        elif _UNBULLETED_LEAD_IN.search(window):
            items = _list_items(lines, i + 1, bullets=False)
        else:
            continue
        if not items:
            continue
        year = _list_year(lines, i) or default_year
        listed_years.add(year)
        areas += [PriorityArea(year, normalise_area(t)) for t in items]
    flat = re.sub(r"[ \t]*\n\s*", " ", text)
    for m in _INLINE.finditer(flat):
        if not _INLINE_VERB.search(m["intro"]) or _BULLET.match(m["items"]):
            continue
        years = _years_in(m["intro"])
        year = years[-1] if years else default_year
        if year in listed_years:
            continue
        areas += [PriorityArea(year, normalise_area(t)) for t in _split_inline(m["items"])]
    unique: list[PriorityArea] = []
    for a in areas:
        if a.text and not any(u.year == a.year and u.text.lower() == a.text.lower()
                              for u in unique):
            unique.append(a)
    return unique
