"""People in a document: handläggare (and telephone) and signatories with their roles.

Decisions:
- case_officer: the name after a "Handläggare" label (same line, "Handläggare: Name", or the
  next line), else a line that is only a name directly followed by a "Telefon" line.
- phone: the "Telefon"/"Tel"/"Tfn" number (label OCR damage tolerated: "Tetofon") nearest after
  the handläggare's name, else the first such number in the document (the letterhead's direct
  line); "Växel" and "Fax" numbers never count. Kept as printed, whitespace collapsed.
- signatories: a role line is a line that ends in one or more role words ("förvaltningschef",
  "avdelningschef", "ordförande", "sekreterare", "socialdirektör", …; OCR damage tolerated:
  "sekieterare", "Férvaliningschef"), with nothing before them but nothing or non-words
  (an address column). The names are the capitalised words at the end of the nearest of the
  three lines above (else the line below); two roles on one line take two names from one line,
  paired in order ("Lena Lundström Stoltz Veronica Wolgast" / "förvaltningschef
  avdelningschef"); the split uses a list of common first names, else gives extra words to the
  earlier name. "Name, Role" on one line (a digital signature table) counts too. A name after
  "Vid protokollet" without a role line is the sekreterare. Roles are given in lower case in
  their dictionary form; each person is listed once, in order of appearance.
"""
from __future__ import annotations

import difflib
import functools
import itertools
import re

from ingest.folding import fold
from kunskapsbank.model import Signatory

ROLES = (
    "förvaltningschef", "avdelningschef", "socialdirektör", "stadsdelsdirektör", "stadsdirektör",
    "ordförande", "sekreterare", "nämndsekreterare", "justerare", "enhetschef",
    "verksamhetschef", "avdelningsdirektör", "direktör", "kanslichef", "biträdande",
    "vice", "tf", "ställföreträdande",
)
_PREFIXES = {"biträdande", "vice", "tf", "ställföreträdande"}
_FOLDED_ROLES = {fold(r): r for r in ROLES}
FIRST_NAMES = set("""
Agneta Agnes Ahmed Alexander Ali Alice Amanda Ana Anders Andreas Anette Ann Anna Anne Anneli
Annika Antonia Arvid Asta Axel Barbro Bengt Birgitta Bo Britt Camilla Carina Carl Caroline
Catarina Cecilia Charlotte Christer Christina Christoffer Daniel David Ebba Eddie Elin Elisabet
Elisabeth Ella Emelie Emil Emma Erik Eva Fatima Felicia Filip Fredrik Gabriella Gillis Gun
Gunilla Gustav Göran Hampus Hanna Hans Helen Helena Henrik Ida Inger Ingrid Isabella Jan Jenny
Jessica Joakim Johan Johanna John Jonas Josefin Karin Karl Katarina Kerstin Kim Kjell Klara
Kristina Lars Leif Lena Lennart Lina Linda Linnea Lisa Lisbeth Louise Magnus Maja Malin Maria
Marie Marcus Margareta Martin Mats Mattias Mikael Mohamed Monica Mona Niklas Nils Olof Olle Oscar
Pelle Per Peter Petra Pia Rebecca Robert Roger Sandra Sara Sofia Stefan Susanne Sven Therese
Thomas Tobias Tomas Torbjörn Ulf Ulla Ulrika Veronica Viktor Viktoria Åsa Öjvind Jonna Annd
Lisbet Maud Elsa Fredrika Hedvig Tove Cecilie Irene Yvonne Marianne Madeleine Jeanette
""".split())
_NAME_WORD = re.compile(r"[A-ZÅÄÖÉÜ][a-zåäöéüø]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéüø]+)?$")
_NOT_NAME = re.compile(
    r"(?:förvaltning\w*|nämnd\w*|avdelning\w*|enhet\w*|stad|Stockholms?|Telefon|Växel|Fax|Box|"
    r"Vid|Till|Från|Handläggare|Sida|Dnr|Bilaga\w*|Datum|Justeras|Sammanfattning|Bakgrund|"
    r"Ärendet|Tjänsteutlåtande|Protokollsutdrag|Summa|Namn)$", re.IGNORECASE)
_PHONE_LABEL = r"(?:T\w{1,3}fon|Tel\.?|Tfn\.?|Mobil(?:telefon)?|Direkt)"
_PHONE = re.compile(
    rf"(?<![\w]){_PHONE_LABEL}\s*[:.]?\s*(?P<num>(?:\+46\s?|0)\d{{1,3}}\s?[-–]?\s?\d[\d \u00a0-]{{3,12}}\d)",
    re.IGNORECASE)
_HANDLAGGARE = re.compile(r"\bHandl\w{0,3}ggare\b\s*[:.]?[ \t]*(?P<rest>[^\n]*)")


# ---------------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=4096)
def role_of_word(word: str) -> str | None:
    """'Förvaltningschef' -> 'förvaltningschef'; 'sekieterare' -> 'sekreterare'; else None."""
    f = fold(word)
    if len(f) < 2:
        return None
    if f in _FOLDED_ROLES:
        return _FOLDED_ROLES[f]
    if len(f) >= 9:  # fuzzy only for long roles: "Justeras" is not "justerare"
        best = difflib.get_close_matches(f, _FOLDED_ROLES, n=1, cutoff=0.75)
        if best and best[0][0] == f[0] and len(best[0]) >= 10 and f[-2:] == best[0][-2:]:
            return _FOLDED_ROLES[best[0]]
    return None


def trailing_roles(line: str) -> list[str]:
    """The roles a line ends with, when nothing but non-words (or nothing) precedes them."""
    tokens = [t.strip("‘'’\"“”.,;:()_") for t in line.split()]
    tokens = [t for t in tokens if t]
    roles: list[str] = []
    i = len(tokens)
    while i > 0:
        role = role_of_word(tokens[i - 1])
        if role is None:
            break
        roles.insert(0, role)
        i -= 1
    if not roles:
        return []
    before = tokens[:i]
    if before and re.fullmatch(r"[a-zåäöA-ZÅÄÖ]+", before[-1]):
        return []  # running text: "… av förvaltningschef"
    # Join prefixes: "vice ordförande", "biträdande förvaltningschef"
    joined: list[str] = []
    for role in roles:
        if joined and joined[-1] in _PREFIXES:
            joined[-1] = f"{joined[-1]} {role}"
        else:
            joined.append(role)
    if any(r in _PREFIXES for r in joined):
        return []
    return joined


def trailing_name_words(line: str) -> list[str]:
    """The capitalised words a line ends with: 'Swedenborgsgatan 20 Gillis Hammar Fredrik
    Jurdell' -> ['Gillis', 'Hammar', 'Fredrik', 'Jurdell']."""
    words: list[str] = []
    for tok in reversed(line.split()):
        tok = tok.strip("‘'’\"“”.,;:_")
        if not tok:
            continue
        if not _NAME_WORD.match(tok) or _NOT_NAME.match(tok) or role_of_word(tok):
            break
        words.insert(0, tok)
    return words


def split_names(words: list[str], k: int) -> list[str] | None:
    """Split the words of k names printed on one line; every name has 2-4 words."""
    n = len(words)
    if k < 1 or not 2 * k <= n <= 4 * k:
        return None
    if k == 1:
        return [" ".join(words)]
    best, best_score = None, None
    for cuts in itertools.combinations(range(2, n - 1), k - 1):
        bounds = (0, *cuts, n)
        parts = [words[a:b] for a, b in zip(bounds, bounds[1:])]
        if any(not 2 <= len(p) <= 4 for p in parts):
            continue
        score = (sum(p[0] in FIRST_NAMES for p in parts),
                 -sum(p[-1] in FIRST_NAMES for p in parts),  # a name rarely ends in one
                 -sum(w in FIRST_NAMES for p in parts for w in p[1:]),
                 [len(p) for p in parts])  # ties: extra words go to the earlier name
        if best_score is None or score > best_score:
            best, best_score = parts, score
    return [" ".join(p) for p in best] if best else None


def _nonblank(lines: list[str], i: int, step: int, count: int) -> list[int]:
    out = []
    j = i + step
    while 0 <= j < len(lines) and len(out) < count:
        if lines[j].strip():
            out.append(j)
        j += step
    return out


# ------------------------------------------------------------------------------ signatories


def find_signatories(text: str) -> list[Signatory]:
    lines = text.splitlines()
    found: list[tuple[int, Signatory]] = []
    used: set[int] = set()
    for i, line in enumerate(lines):
        roles = trailing_roles(line)
        if roles:
            for j in _nonblank(lines, i, -1, 3) + _nonblank(lines, i, 1, 1):
                if j in used or trailing_roles(lines[j]):
                    continue
                names = split_names(trailing_name_words(lines[j]), len(roles))
                if names:
                    used.add(j)
                    found += [(j, Signatory(n, r)) for n, r in zip(names, roles)]
                    break
            continue
        m = re.match(r"\s*((?:[A-ZÅÄÖÉ][\w-]+\s){1,3}[A-ZÅÄÖÉ][\w-]+),\s*(\w+)\b", line)
        if m and role_of_word(m[2]) and split_names(m[1].split(), 1):
            found.append((i, Signatory(m[1], role_of_word(m[2]))))
    # "Vid protokollet" followed by a name and no role line: the sekreterare.
    for i, line in enumerate(lines):
        if len(line) > 30:
            continue
        folded = fold(line)
        if 11 <= len(folded) <= 17 and difflib.SequenceMatcher(
                None, folded, "vidprotokollet").ratio() > 0.85:
            for j in _nonblank(lines, i, 1, 1):
                names = split_names(trailing_name_words(lines[j]), 1)
                if names and j not in used and not any(s.name == names[0] for _, s in found):
                    found.append((j, Signatory(names[0], "sekreterare")))
    result: list[Signatory] = []
    for _, s in sorted(found, key=lambda x: x[0]):
        if not any(r.name == s.name for r in result):
            result.append(s)
    return result


# -------------------------------------------------------------------- handläggare and phone


def _name_on(line: str) -> str | None:
    words = [w.strip(",;") for w in line.split()]
    if 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) and not _NOT_NAME.match(w)
                                    and not role_of_word(w) for w in words):
        return " ".join(words)
    return None


def find_case_officer(text: str) -> tuple[str | None, int | None]:
    """(name, position of the name) of the handläggare."""
    for m in _HANDLAGGARE.finditer(text):
        rest = re.split(r"\s{2,}|\t|\s(?=T\w{1,3}fon\b|Tel\b)", m["rest"].strip())[0]
        name = _name_on(rest)
        if name:
            return name, m.start("rest")
        if not m["rest"].strip():
            nxt = re.match(r"\s*\n\s*([^\n]*)", text[m.end():])
            if nxt:
                cand = re.split(r"\s{2,}|\t", nxt[1].strip())[0]
                name = _name_on(cand)
                if name:
                    return name, m.end() + nxt.start(1)
    lines = text.splitlines()
    pos = 0
    for i, line in enumerate(lines):
        name = _name_on(line.strip())
        if name:
            nxt = _nonblank(lines, i, 1, 1)
            if nxt and _PHONE.match(lines[nxt[0]].strip()):
                return name, pos
        pos += len(line) + 1
    return None, None


def find_phone(text: str, after: int | None = None) -> str | None:
    phones = [(m.start(), re.sub(r"\s+", " ", m["num"]).strip()) for m in _PHONE.finditer(text)]
    if after is not None:
        near = [p for pos, p in phones if 0 <= pos - after <= 200]
        if near:
            return near[0]
    return phones[0][1] if phones else None


def find_people(text: str) -> tuple[str | None, str | None, list[Signatory]]:
    """(case_officer, phone, signatories)."""
    name, pos = find_case_officer(text)
    return name, find_phone(text, pos), find_signatories(text)
