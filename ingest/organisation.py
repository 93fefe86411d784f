"""Which nämnd, förvaltning and avdelning a document belongs to, from repaired Swedish text.

Decisions:
- board (nämnd): the nämnd the document is addressed to ("Till" followed by the nämnd), else
  the nämnd that is the subject of a decision ("1. Socialnämnden godkänner …",
  "Socialnämndens beslut"), else the most often named nämnd in the singular definite form.
  A document that names no nämnd has none (a PM from Socialförvaltningen is not given
  Socialnämnden; board_of_administration() offers that inference to callers who want it).
  Names are matched against a list of Stockholm nämnder with OCR damage tolerated
  ("Socialndmnden" -> "Socialnämnden"); "<District> stadsdelsnämnd" is kept as printed.
  Plurals ("stadsdelsnämnderna") and bare "nämnden" never count.
- administration (förvaltning): a line that is only a förvaltning name (the letterhead), else
  "<X>förvaltningen föreslår", else "<X>förvaltningens avdelning för …" / "avdelningen för …
  vid <X>förvaltningen", else the förvaltning that serves the board (Socialnämnden ->
  Socialförvaltningen, "Farsta stadsdelsnämnd" -> "Farsta stadsdelsförvaltning").
  Stadsdelsförvaltningar named as project owners in the running text do not count.
- department (avdelning): the first "Avdelningen för …" at a line start (letterhead), else the
  first one in the running text (also "<X>förvaltningens avdelning för …"); the phrase runs to
  the end of its noun phrase and is corrected against known avdelningar when close
  ("stadsövergipande" -> "stadsövergripande"). Output form: "Avdelningen för …".
"""
from __future__ import annotations

import difflib
import re
from collections import Counter

from rapidfuzz.distance import Levenshtein

from ingest.folding import fold

BOARDS = (
    "Socialnämnden", "Äldrenämnden", "Arbetsmarknadsnämnden", "Utbildningsnämnden",
    "Kulturnämnden", "Idrottsnämnden", "Stadsbyggnadsnämnden", "Exploateringsnämnden",
    "Trafiknämnden", "Fastighetsnämnden", "Servicenämnden", "Överförmyndarnämnden",
    "Miljö- och hälsoskyddsnämnden", "Stadsdelsnämnden", "Kommunfullmäktige", "Kommunstyrelsen",
)
_FOLDED_BOARDS = {fold(b): b for b in BOARDS}
# Boards that appear as recipients ("Ärendet delges … kommunstyrelsen"), not as the board.
_WEAK_BOARDS = {"Kommunstyrelsen", "Kommunfullmäktige"}
_ADMIN_OF_BOARD = {"Socialnämnden": "Socialförvaltningen", "Äldrenämnden": "Äldreförvaltningen",
                   "Stadsdelsnämnden": "Stadsdelsförvaltningen",
                   "Kommunstyrelsen": "Stadsledningskontoret"}
# Known avdelningar, only to correct small OCR/spelling damage (at most 1 edit per 12 letters).
DEPARTMENTS = (
    "stadsövergripande sociala frågor", "socialtjänst och arbetsmarknad",
    "ekonomi och administration", "individ- och familjeomsorg", "barn och ungdom",
    "funktionsnedsättning", "kommunikation",
)
_DISTRICT_BOARD = re.compile(
    r"\b(?P<district>[A-ZÅÄÖ][a-zåäöé]+(?:[-–/][A-ZÅÄÖ][a-zåäöé]+)*s?)\s+stadsdelsnämnd\b")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöéü][\w-]*")
_DECISION_VERB = re.compile(
    r"\s+(?:godkänner|beslutar|beslöt|överlämnar|fördelar|noterar|antar|anmäler|lägger|"
    r"uppdrar|avslår|beviljar|tillstyrker|hemställer|föreslås|fastställer|godkände)\b")


def _board_of_token(token: str) -> str | None:
    """'Socialnämnden' -> itself; OCR-damaged 'Socialndmnden' -> 'Socialnämnden'."""
    f = fold(token)
    if f in _FOLDED_BOARDS:
        return _FOLDED_BOARDS[f]
    if len(f) >= 10 and (f.endswith("den") or f.endswith("dens") or "nd" in f[-6:]):
        f = f[:-1] if f.endswith("dens") else f
        best = difflib.get_close_matches(f, _FOLDED_BOARDS, n=1, cutoff=0.8)
        if best:
            return _FOLDED_BOARDS[best[0]]
    return None


def board_mentions(text: str) -> list[tuple[int, str, bool]]:
    """(position, board, decides) for every board named in the text; decides is True when
    the board is the subject of a decision verb or of 'beslut'."""
    found = []
    for m in _WORD.finditer(text):
        token = m.group(0)
        if not token[0].isupper() and not token.lower().startswith("social"):
            continue
        board = _board_of_token(token)
        if board is None:
            continue
        after = text[m.end():m.end() + 30]
        decides = bool(_DECISION_VERB.match(after)) or (
            fold(token).endswith("s") and re.match(r"\s+\w{0,2}[bB]\w*slut", after) is not None)
        found.append((m.start(), board, decides))
    for m in _DISTRICT_BOARD.finditer(text):
        decides = bool(_DECISION_VERB.match(text[m.end():m.end() + 30]))
        found.append((m.start(), f"{m['district'].rstrip('s')} stadsdelsnämnd", decides))
    return sorted(found)


def find_board(text: str) -> str | None:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines[:-1]):
        if fold(line) == "till":
            mentions = board_mentions(lines[i + 1])
            if mentions:
                return mentions[0][1]
    mentions = board_mentions(text)
    deciders = [b for _, b, d in mentions if d and b not in _WEAK_BOARDS]
    if deciders:
        return Counter(deciders).most_common(1)[0][0]  # ties: the first named
    strong = [b for _, b, _ in mentions if b not in _WEAK_BOARDS]
    if strong:
        return Counter(strong).most_common(1)[0][0]
    return None


def board_of_administration(administration: str) -> str | None:
    """The nämnd a förvaltning serves: 'Socialförvaltningen' -> 'Socialnämnden'."""
    for board, admin in _ADMIN_OF_BOARD.items():
        if admin == administration and board not in _WEAK_BOARDS:
            return board
    if administration.endswith(" stadsdelsförvaltning"):
        return administration.replace("stadsdelsförvaltning", "stadsdelsnämnd")
    if administration.endswith("förvaltningen") and administration != "Stadsdelsförvaltningen":
        return administration[: -len("förvaltningen")] + "nämnden"
    return None


# ----------------------------------------------------------------------------- förvaltning

_ADMIN_TOKEN = re.compile(
    r"\b(?P<name>(?:[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)*s?\s+stadsdelsförvaltning)|"
    r"[A-ZÅÄÖa-zåäö][a-zåäö]*förvaltningen)(?P<gen>s)?\b")
_NOT_ADMIN = ("stadsdelsförvaltningen", "förvaltningen")


def _clean_admin(name: str) -> str | None:
    if name.lower() in _NOT_ADMIN:
        return None
    if name.endswith("stadsdelsförvaltning"):
        district = name.rsplit(None, 1)[0].rstrip("s")
        return f"{district} stadsdelsförvaltning"
    return name[0].upper() + name[1:]


def find_administration(text: str, board: str | None = None) -> str | None:
    # 1. Letterhead: a line that is only the förvaltning's name.
    for line in text.splitlines():
        m = _ADMIN_TOKEN.fullmatch(line.strip().rstrip("."))
        if m and not m["gen"] and line.strip()[0].isupper():
            name = _clean_admin(m["name"])
            if name:
                return name
    # 2. "<X>förvaltningen föreslår", "<X>förvaltningens avdelning för", "vid <X>förvaltningen"
    for m in _ADMIN_TOKEN.finditer(text):
        after = text[m.end():m.end() + 40]
        before = text[max(0, m.start() - 20):m.start()]
        if (not m["gen"] and re.match(r"\s+föreslår\b", after)) or (
                m["gen"] and re.match(r"\s+avdelning\b", after, re.I)) or (
                not m["gen"] and re.search(r"\bvid\s+$", before) and "avdelning" in
                text[max(0, m.start() - 120):m.start()].lower()):
            name = _clean_admin(m["name"])
            if name:
                return name
    # 3. The förvaltning serving the board.
    if board:
        if board in _ADMIN_OF_BOARD:
            return _ADMIN_OF_BOARD[board]
        if board.endswith(" stadsdelsnämnd"):
            return board.replace("stadsdelsnämnd", "stadsdelsförvaltning")
        if board.endswith("nämnden"):
            return board[: -len("nämnden")] + "förvaltningen"
    return None


# ------------------------------------------------------------------------------- avdelning

_DEPT = re.compile(r"(?P<head>\b[Aa]vd\S{0,2}lning(?:en)?\s+för)\s+(?P<rest>[^\n]*(?:\n[^\n]*){0,8})")
_DEPT_GEN = re.compile(r"förvaltningens\s+avdelning\s+för\s+(?P<rest>[^\n]*(?:\n[^\n]*){0,8})",
                       re.IGNORECASE)
_STOP_WORDS = {"vid", "inom", "ger", "har", "i", "på", "som", "samt", "med", "till", "är",
               "var", "den", "det", "fördelar", "kommer"}


def _department_words(rest: str) -> list[str]:
    """Words of the noun phrase after 'Avdelningen för', up to punctuation, a capitalised
    word or a clause word ('vid', 'inom', 'ger' …); line-end hyphens joined."""
    lines: list[str] = []
    for i, line in enumerate(rest.split("\n")):
        line = line.strip()
        if not line:
            continue  # layout: some text layers put a blank line after every line
        if lines and not lines[-1].endswith("-") and (line[0].isupper() or line[0].isdigit()):
            break
        lines.append(line)
    joined = re.sub(r"(\w)-\s+([a-zåäö])", r"\1\2", " ".join(lines))
    words: list[str] = []
    for tok in joined.split():
        clean = tok.strip("_.,;:()\"”'")
        if not clean:
            if any(c in tok for c in ".,;:"):
                break
            continue
        if clean[0].isupper() or clean[0].isdigit() or (words and clean.lower() in _STOP_WORDS):
            break
        words.append(clean)
        if tok[-1] in ".,;:)" or len(words) >= 6:
            break
    return words


def _department_phrase(rest: str) -> str | None:
    words = _department_words(rest)
    if not words:
        return None
    # The whole phrase, or the part before an "och", close to a known avdelning wins;
    # otherwise the phrase stops at an "och" that follows two or more words.
    ends = [len(words)] + [i for i, w in enumerate(words) if w == "och" and i][::-1]
    for n in ends:
        phrase = " ".join(words[:n]).lower()
        for known in DEPARTMENTS:
            if Levenshtein.distance(phrase, known) <= max(1, len(known) // 12):
                return known
    if "och" in words[2:]:
        words = words[: words.index("och", 2)]
    return " ".join(words)


def find_department(text: str) -> str | None:
    candidates = []
    for m in _DEPT.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        at_line_start = not text[line_start:m.start()].strip()
        phrase = _department_phrase(m["rest"])
        if phrase:
            candidates.append((0 if at_line_start else 1, m.start(), phrase))
    for m in _DEPT_GEN.finditer(text):
        phrase = _department_phrase(m["rest"])
        if phrase:
            candidates.append((1, m.start(), phrase))
    if not candidates:
        return None
    return "Avdelningen för " + min(candidates)[2]
