"""Amounts in kronor from repaired Swedish text.

Decisions:
- An amount is a number followed by a currency unit: "500 000 kr", "3 198 400 kronor",
  "25 000 SEK", "500 tkr" (x 1 000), "2,5 miljoner kronor" / "2,5 mkr" / "1 milj. kr"
  (x 1 000 000), "tre miljoner kronor" / "en halv miljon kronor" (number words before
  miljon/tusen). A range "5 000-10 000 kronor" gives both ends.
- Digit groups may be separated by a space, a no-break space (U+00A0), a thin space (U+2009,
  U+202F) or a period ("500.000 kr"); the decimal mark is a comma (or a period before a
  million/thousand unit: "2.5 mkr").
- Table columns: a header row whose cell says "(kronor)", "(kr)" or "(tkr)" makes the number
  cells of that column (tab-separated rows below it) amounts too.
- A price per head without a unit counts when the sentence speaks of cost: "kostar ca 1 milj.
  kr (11 500 per/person)", "bekostar internaten med ca 4600 per deltagare".
- OCR reads "1" as "i"/"l": "ca: i milj. kr" -> 1 000 000 (only after "ca"/"cirka", so that
  "belopp i miljoner kronor" stays a unit phrase).
- Other numbers without a unit (phone numbers, dnr, dates, counts) are not amounts.
- Result: integers in kronor, in order of first mention, without duplicates.
"""
from __future__ import annotations

import re

_SP = "[ \u00a0\u2009\u202f]"
_NUMBER = (rf"(?<![\d.,])(?:\d{{1,3}}(?:{_SP}\d{{3}})+|\d{{1,3}}(?:\.\d{{3}})+(?![\d])|\d+)"
           r"(?:,\d+|\.\d{1,2}(?=\s*(?:mkr|mnkr|msek|miljon|miljoner|milj|mn|miljard|tkr)))?")
_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
    "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "femton": 15, "tjugo": 20, "trettio": 30,
    "fyrtio": 40, "femtio": 50, "hundra": 100, "några": None,
}
_WORD = r"\b(?:en\s+och\s+en\s+halv|en\s+halv|" + "|".join(
    w for w, v in _WORDS.items() if v) + r")"
_KR = r"(?:kronor|krona|kr\b\.?|SEK\b)"
_MILLION = r"(?:miljoner|miljon|milj\b\.?|mn\b\.?)\s*" + _KR + r"|mkr\b|mnkr\b|msek\b|Mkr\b|MSEK\b"
_BILLION = r"(?:miljarder|miljard|mdr\b\.?)\s*" + _KR + r"|mdkr\b"
_THOUSAND = r"tusen\s*" + _KR + r"|tkr\b|kkr\b|TSEK\b"
_UNIT = rf"(?P<unit>{_BILLION}|{_MILLION}|{_THOUSAND}|{_KR})"
_AMOUNT = re.compile(
    rf"(?:(?P<low>{_NUMBER})\s*[-–—]\s*)?(?:(?P<num>{_NUMBER})|(?P<word>{_WORD}))\s*{_UNIT}",
    re.IGNORECASE,
)
_PER_HEAD = re.compile(
    rf"(?P<num>{_NUMBER})\s*per\s*/?\s*(?:person|deltagare|deltagate|plats|elev|brukare|"
    r"klient|medarbetare|dygn|timme|månad|år)\b", re.IGNORECASE)
_COST_CONTEXT = re.compile(r"kost|pris|avgift|ersättning|belopp|finansier", re.IGNORECASE)
_OCR_ONE = re.compile(r"\b(?:ca|cirka)[.:]?\s+(?P<num>[il])\s+(?P<unit>milj\b\.?\s*kr\b\.?|"
                      r"miljon(?:er)?\s+kronor|mkr\b)")
_HEADER_UNIT = re.compile(r"\((?P<unit>kronor|kr|tkr|sek|tsek|mkr)\)", re.IGNORECASE)


def _multiplier(unit: str) -> int:
    u = unit.lower()
    if u.startswith(("miljard", "mdr", "mdkr")):
        return 1_000_000_000
    if u.startswith(("milj", "mn", "mkr", "msek")):
        return 1_000_000
    if u.startswith(("tusen", "tkr", "kkr", "tsek")):
        return 1_000
    return 1


def parse_number(text: str) -> float | None:
    """'3 198 400' -> 3198400, '2,5' -> 2.5, '500.000' -> 500000, 'tre' -> 3."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t == "en och en halv":
        return 1.5
    if t == "en halv":
        return 0.5
    if t in _WORDS:
        return _WORDS[t]
    t = re.sub(_SP, "", t)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        t = t.replace(".", "")
    t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _value(number: str, unit: str) -> int | None:
    n = parse_number(number)
    if n is None:
        return None
    return int(round(n * _multiplier(unit)))


def _inline_amounts(text: str) -> list[tuple[int, int]]:
    found = []
    for m in _AMOUNT.finditer(text):
        unit = m["unit"]
        if m["low"]:
            low = _value(m["low"], unit)
            if low is not None:
                found.append((m.start("low"), low))
        value = _value(m["num"] or m["word"], unit)
        if value:
            found.append((m.start("num") if m["num"] else m.start("word"), value))
    return found


def _per_head_amounts(text: str) -> list[tuple[int, int]]:
    found = []
    for m in _PER_HEAD.finditer(text):
        before = re.sub(r"\s+", " ", text[max(0, m.start() - 600):m.start()])[-120:]
        if _COST_CONTEXT.search(before):
            value = _value(m["num"], "")
            if value:
                found.append((m.start(), value))
    for m in _OCR_ONE.finditer(text):
        found.append((m.start("num"), _multiplier(m["unit"])))
    return found


def _table_amounts(text: str) -> list[tuple[int, int]]:
    """Number cells under a '(kronor)' column header in tab-separated rows."""
    found = []
    column, multiplier = None, 1
    pos = 0
    for line in text.splitlines(keepends=True):
        cells = line.rstrip("\n").split("\t")
        if len(cells) > 1:
            header = [i for i, c in enumerate(cells) if _HEADER_UNIT.search(c)]
            if header:
                column = header[0]
                multiplier = _multiplier(_HEADER_UNIT.search(cells[column])["unit"])
            elif column is not None and column < len(cells):
                cell = cells[column].strip()
                if re.fullmatch(_NUMBER, cell):
                    value = _value(cell, "")
                    if value:
                        found.append((pos + line.index(cells[column]),
                                      value * multiplier))
        elif line.strip() and column is not None:
            column = None  # the table ended
        pos += len(line)
    return found


def find_amounts(text: str) -> list[int]:
    """Every amount in kronor, in order of first mention, no duplicates."""
    seen: list[int] = []
    for _, value in sorted(_inline_amounts(text) + _per_head_amounts(text)
                              + _table_amounts(text)):
        if value not in seen:
            seen.append(value)
    return seen
