"""Metadata from the repaired text: dnr, document type, date, title here; nämnd, förvaltning
and avdelning in ingest.organisation; handläggare, telephone and signatories in ingest.people;
years and priority areas in ingest.priorities; amounts in ingest.amounts (each module states
its decisions).

Decisions (documented in tests/data/README.md too):
- dnr: the first "Dnr"-labelled number (the label tolerates OCR damage: "Dinr", "Dar",
  "D nr", "Dnr:"); "Diarienummer" also counts; failing that, the first unlabelled number of
  the shape "3.2.2-198/2018". Normalised form: the printed digits are kept, spaces
  removed, and the separator between the classification code and the serial number is "-":
  "Dnr 3.2.2-109/2018" -> "3.2.2-109/2018", "Dinr 3.2:275/2013" -> "3.2-275/2013".
  Other shapes ("SoN 2019/123") are kept as printed, whitespace collapsed.
- document_type: the earliest type signal in the text wins: a line that is just the type word
  (OCR damage tolerated: "Tjansteutldtande"), "Vid protokollet"/"Utdrag ur protokoll" for
  protokollsutdrag. A "Bilaga ..." heading near the top wins over "PM" (a PM sent as an
  appendix is filed as a bilaga). Without any signal: "Förvaltningens förslag till beslut" ->
  tjänsteutlåtande; otherwise "annat".
- date (ISO): a line near the top that is only a date (the document's header date) wins;
  otherwise the first valid date in the text ("2019-04-10", "15 maj 2013", "den 7 juni 2018").
  Impossible dates (2019-13-45) and years outside 1950-2100 are ignored.
- title: the first heading-like paragraph near the top (1-5 lines, 3+ words, starts with a
  capital, not letterhead/address/section heading/dnr/date), joined into one line, cut at a
  known section heading, at most 200 characters.
"""
from __future__ import annotations

import datetime as _dt
import re

from ingest.amounts import find_amounts
from ingest.folding import fold as _fold
from ingest.folding import similar as _similar
from ingest.organisation import find_administration, find_board, find_department
from ingest.people import find_people
from ingest.priorities import find_priority_areas, find_years
from kunskapsbank.model import Metadata

TITLE_MAX = 200

# ------------------------------------------------------------------------------------- dnr

_DNR = re.compile(
    r"(?:\bD\s?[il1]?\s?[nam]\s?r\b\.?|\bDiarienummer\b|\bDiarienr\b\.?)[ \t]*[:.]?[ \t]*"
    r"(?P<value>[^\n]{1,40})",
    re.IGNORECASE,
)
_DNR_NUM = re.compile(
    r"^(?P<code>\d{1,2}(?:\s?[.,]\s?\d{1,3}){0,4})\s?[-–:.;/]\s?(?P<serial>\d{1,6})\s?/\s?"
    r"(?P<year>(?:19|20)\d\d|\d\d)\b"
)


_DNR_UNLABELLED = re.compile(
    r"(?<![\d.])\d{1,2}(?:\.\d{1,3}){1,4}\s?[-–:]\s?\d{1,6}\s?/\s?(?:19|20)\d\d(?!\d)")


def normalise_dnr(value: str) -> str | None:
    value = value.strip()
    m = _DNR_NUM.match(value)
    if m:
        code = re.sub(r"\s", "", m["code"]).replace(",", ".")
        return f"{code}-{m['serial']}/{m['year']}"
    token = re.match(r"^[A-ZÅÄÖa-zåäö]{1,6}\s?\d{4}/\d{1,6}(?:[-.:]\d{1,4})*", value)
    if token:
        return re.sub(r"\s+", " ", token.group(0))
    return None


def find_dnr(text: str) -> str | None:
    for m in _DNR.finditer(text):
        dnr = normalise_dnr(m["value"])
        if dnr:
            return dnr
    # Unlabelled (or a label OCR damaged beyond recognition): the first number of the
    # distinctive classification-code shape "3.2.2-198/2018".
    m = _DNR_UNLABELLED.search(text)
    return normalise_dnr(m.group(0)) if m else None


# ------------------------------------------------------------------------------------- date

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_ISO_DATE = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d-])")
_SV_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:\s*|\s*-\s*)(" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s*-?\s*((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


def _valid(y: int, m: int, d: int) -> str | None:
    if not 1950 <= y <= 2100:
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, str]]:
    """(position, ISO date) of every valid date in the text, in text order."""
    found = []
    for m in _ISO_DATE.finditer(text):
        iso = _valid(int(m[1]), int(m[2]), int(m[3]))
        if iso:
            found.append((m.start(), iso))
    for m in _SV_DATE.finditer(text):
        iso = _valid(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        if iso:
            found.append((m.start(), iso))
    return sorted(found)


def find_date(text: str) -> str | None:
    head_lines = [ln for ln in text.splitlines() if ln.strip()][:40]
    for line in head_lines:
        if _ISO_DATE.fullmatch(line.strip()) or _SV_DATE.fullmatch(line.strip()):
            dates = find_dates(line)
            if dates:
                return dates[0][1]
    dates = find_dates(text)
    return dates[0][1] if dates else None


# ------------------------------------------------------------------------------ document type


_TYPE_WORDS = {
    "tjansteutlatande": "tjänsteutlåtande",
    "protokollsutdrag": "protokollsutdrag",
    "slutrapport": "slutrapport",
    "pm": "pm",
    "promemoria": "pm",
    "beslut": "beslut",
    "bilaga": "bilaga",
}
_PROTOCOL_LINES = ("vidprotokollet", "utdragurprotokollet", "utdragurprotokoll")


def _type_of_line(line: str) -> str | None:
    folded = _fold(line)
    if not folded:
        return None
    if any(_similar(folded, p) for p in _PROTOCOL_LINES):
        return "protokollsutdrag"
    for word, doc_type in _TYPE_WORDS.items():
        if folded == word:
            return doc_type
        if len(word) >= 8 and _similar(folded, word):
            return doc_type
    # "Tjänsteutlåtande Dnr 3.2.2-109/2018", "Slutrapport: Projekt X", "Bilaga 1 - ..."
    first = _fold(line.split()[0]) if line.split() else ""
    if first in ("bilaga", "slutrapport") and len(line.split()) > 1:
        return first
    if first in ("tjansteutlatande", "protokollsutdrag") and re.search(r"\bdnr\b|\d", line, re.I):
        return _TYPE_WORDS[first]
    return None


def find_document_type(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    signals: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if len(line) > 80:
            continue
        doc_type = _type_of_line(line)
        if doc_type is None:
            continue
        if doc_type in ("bilaga", "slutrapport", "beslut", "pm") and i >= 25:
            continue  # "Bilaga" lists at the end of a tjänsteutlåtande are not the type
        signals.append((i, doc_type))
    if signals:
        first = signals[0][1]
        if first == "pm" and any(t == "bilaga" for _, t in signals):
            return "bilaga"
        return first
    if _PROPOSAL.search(text):
        return "tjänsteutlåtande"
    return "annat"


# "Förvaltningens förslag till beslut", tolerating OCR damage of ö ("Forvaltningens",
# "Férvaltningens") and doubled spaces.
_PROPOSAL = re.compile(r"f\w{0,2}rvaltningens\s+f\w{0,2}rslag\s+till\s+beslut", re.IGNORECASE)


# -------------------------------------------------------------------------------------- title

SECTION_HEADINGS = {
    _fold(h) for h in (
        "Sammanfattning", "Bakgrund", "Förvaltningens förslag till beslut", "Ärendet",
        "Ärendets beredning", "Förvaltningens synpunkter och förslag", "Beslut", "Bilaga",
        "Bilagor", "Socialnämndens beslut", "Beslutsgång", "Särskilt uttalande", "Inledning",
        "Innehåll", "Innehållsförteckning", "Förslag till beslut", "Jämställdhetsanalys",
        "Syfte", "Handläggare", "Till", "Attesterat av",
    )
}
_LETTERHEAD = re.compile(
    r"^\s*(?:Avdelning|Enhet|Box\b|Telefon|Tel\b|Tfn|Växel|Fax|E-post|Epost|Handläggare|Till\b"
    r"|Besöksadress|Postadress|Org\.?\s?nr|Dnr|Diarienummer|Sida\b|Datum|Kopia|Från\b"
    r"|Stockholms\s+stad\b|www\.|http)",
    re.IGNORECASE,
)


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs as lists of stripped lines. Text where (almost) every line is followed by a
    blank line ("double-spaced" extraction) uses two or more blank lines as the separator."""
    lines = text.splitlines()
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    gaps = [b - a - 1 for a, b in zip(nonblank, nonblank[1:])]
    double = (bool(gaps) and sum(1 for g in gaps if g >= 1) > 0.7 * len(gaps)
              and any(g >= 2 for g in gaps))
    min_gap = 2 if double else 1
    paras: list[list[str]] = []
    current: list[str] = []
    blank = 0
    for ln in lines:
        if not ln.strip():
            blank += 1
            continue
        if current and blank >= min_gap:
            paras.append(current)
            current = []
        blank = 0
        current.append(ln.strip())
    if current:
        paras.append(current)
    return paras


def _is_heading(line: str) -> bool:
    return _fold(line) in SECTION_HEADINGS


_ORG_SUFFIXES = ("forvaltningen", "forvaltning", "namnden", "kontoret", "stad", "kommun",
                 "avdelningen", "enheten", "stadsledningskontoret")


def _title_candidate(lines: list[str]) -> bool:
    joined = " ".join(lines)
    words = joined.split()
    if len(lines) > 5 or len(words) < 3 or len(joined) < 15 or len(joined) > 400:
        return False
    if not (joined[0].isalpha() and joined[0].isupper()):
        return False
    first = lines[0]
    if _is_heading(first) or _type_of_line(first) in ("tjänsteutlåtande", "protokollsutdrag", "pm"):
        return False
    if any(_LETTERHEAD.match(line) for line in lines):
        return False
    if len(first.split()) == 1 and len(lines) > 1 and _fold(first).endswith(_ORG_SUFFIXES):
        return False  # "Socialförvaltningen" / "Avdelningen för ..." letterhead block
    if "@" in joined or re.search(r"\b\d{3}\s\d{2}\b", joined):  # e-mail, postcode
        return False
    if find_dates(joined) and len(words) <= 4:
        return False
    if re.search(r"[.!?]\s+[A-ZÅÄÖ]", joined):  # several sentences: body text
        return False
    letters = sum(c.isalpha() for c in joined)
    if letters < 0.6 * len(joined.replace(" ", "")):
        return False
    return True


def find_title(pages: list[str]) -> str | None:
    paragraphs = [para for page in pages[:3] for para in _paragraphs(page)]
    for para in paragraphs[:60]:
        # A known section heading inside the paragraph ends the title.
        for i, line in enumerate(para):
            if i and _is_heading(line):
                para = para[:i]
                break
        if not _title_candidate(para):
            continue
        title = " ".join(para)
        title = re.sub(r"\s+", " ", title).strip().rstrip(".").strip()
        if len(title) > TITLE_MAX:
            cut = title[:TITLE_MAX].rsplit(" ", 1)[0]
            title = cut.rstrip(",;:-– ") + "…"
        return title
    return None


def extract_metadata(pages: list[str] | str) -> Metadata:
    """Metadata from the repaired pages (a single string counts as one page)."""
    if isinstance(pages, str):
        pages = [pages]
    text = "\n\n".join(pages)
    title = find_title(pages)
    board = find_board(text)
    administration = find_administration(text, board)
    case_officer, phone, signatories = find_people(text)
    years = find_years(text, title)
    return Metadata(
        dnr=find_dnr(text), document_type=find_document_type(text), date=find_date(text),
        title=title, board=board, administration=administration,
        department=find_department(text), case_officer=case_officer, phone=phone,
        signatories=signatories, years=years, priority_areas=find_priority_areas(text, years),
        amounts=find_amounts(text))
