"""Project mentions: every project a document names, with owner, category, year, status, amount,
purpose, research partner and the passage it came from.

Runs on the repaired text. The documents name projects in a few recurring shapes, each handled
by one reader:
  - list items: "- Bo kvar – förstudie (Skärholmens stadsdelsförvaltning, syfte att …)",
    "- Kristeamets utvärdering, Farsta stadsdelsförvaltning.", "- utvärdering av Signs-of-Safety";
  - headings followed by a paragraph: "Bo kvar — förstudie" / "Skärholmens stadsdelsförvaltning
    har genomfört …";
  - quoted names in assessments: "Projektet ”ARN- Aktivera Rätt Nätverk” bedöms …";
  - table rows: "Farsta  Digital Lots för samsjukliga.  500 000".
The category, year and status of a mention come from the section it stands in (lead-ins such as
"I bilaga 1 redovisas tre forskningsprojekt …:", headings such as "Lokala utvecklingsmedel 2024",
"Förslaget innebär att sex stycken ansökningar av LUM avslås.") unless the item says otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from kunskapsbank.model import Metadata, ProjectMention

from . import districts

CATEGORIES = ("forskningsprojekt", "lokalt utvecklingsprojekt", "studieresa", "övrigt")
STATUS_WORDS = {
    "förstudie": "förstudie", "utvärdering": "utvärdering", "slutrapport": "slutrapport",
    "pågående": "pågående",
}
MAX_NAME = 160
SAME_NAME = 95  # name similarity at which two mentions in one document are one project
MAX_EXCERPT = 500

_BULLET = re.compile(r"^\s*(?:[-–—•*·]|[eo¢]\s(?=[A-ZÅÄÖ]))\s*")
_DASH_SPLIT = re.compile(r"\s+[–—-]\s+")
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u2009]\d{3})+|\d{4,7})(?:\s*(?:kr|kronor)\b)?\s*$")
_QUOTED = re.compile(r"[Pp]rojekte[nt]\s*\*?[”\"“]\*?([^”\"“*]{3,160}?)\*?[”\"“]\*?")
_PURPOSE = re.compile(r"\b(Syfte(?:t)?\b[^.]*\.)")
_PARTNER = re.compile(
    r"\b((?:[A-ZÅÄÖ][\w-]*\s)*(?:[A-ZÅÄÖ]\w*universitet(?:et)?|[Uu]niversitetet i \w+"
    r"|Stockholms universitet|Karolinska [Ii]nstitutet|[A-ZÅÄÖ][\w ]*[Hh]ögskola))")
_OWNER_SDF = re.compile(
    r"((?:[A-ZÅÄÖ][\w]*(?:[-/][A-ZÅÄÖ]?[\w]*)*(?:,\s+|\s+och\s+)?)+)\s*"
    r"stadsdelsförvaltning(?:en|ar|arna|s)?\b")
_OWNER_SUBJECT = re.compile(r"(?:^|\(|\.\s|\n)\s*([a-zåäöA-ZÅÄÖ]\w+s\s+\w+)\s+har\s+"
                            r"(?:genomfört|beviljats|provat|i en förstudie)")
_OWNER_ADMIN = re.compile(r"\b([Ss]ocialförvaltningen|[Ss]ocialförvaltningens|"
                          r"[A-ZÅÄÖ]\w+förvaltningen)\b")

# Section lead-ins: (pattern, category, status); the first match on a line sets the context.
_NOT_PROJECTS = re.compile(r"inriktning|föreslås vara|kriterier|prioriterade områden|bilagor\b",
                           re.I)
_SECTION_RULES: list[tuple[re.Pattern, str | None, str | None]] = [
    (re.compile(r"\bavslå[rs]\b|\bavslag\b", re.I), None, "avslagen"),
    (re.compile(r"slutrapport", re.I), None, "slutrapport"),
    (re.compile(r"delvis beviljas|delvis beviljad", re.I), None, "delvis beviljad"),
    (re.compile(r"forskningsprojekt", re.I), "forskningsprojekt", None),
    (re.compile(r"lokala utvecklingsprojekt|lokala utvecklingsmedel|\bLUM\b", re.I),
     "lokalt utvecklingsprojekt", None),
    (re.compile(r"studieres|studiebesök|utveckling och lärande|\bMUL\b", re.I), "studieresa", None),
]
_FUNDED_TABLE = re.compile(r"^(?:Lokala utvecklingsmedel|Medel för utveckling och lärande|"
                           r"Medel för studieresor)\s+(\d{4})\s*$", re.I)


@dataclass
class _Context:
    category: str | None = None
    status: str | None = None
    year: int | None = None
    table: bool = False  # inside a table of funded projects
    list_open: bool = False  # a lead-in just announced a list of projects


@dataclass
class _Item:
    text: str
    context: _Context
    paragraph: str = ""  # the paragraph following a heading
    names: list[str] = field(default_factory=list)


def extract_projects(pages: list[str], metadata: Metadata) -> list[ProjectMention]:
    """Every project the document names, in order, one mention per project."""
    lines = "\n".join(pages).split("\n")
    default_year = _default_year(metadata)
    mentions: list[ProjectMention] = []
    context = _Context(year=default_year)
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        context = _update_context(lines, i, context, default_year)
        if not line:
            i += 1
            continue
        table = _table_row(line, context)
        if table is not None:
            mentions.append(table)
            i += 1
            continue
        if context.table and mentions and mentions[-1].amount_sek and _continues_row(line):
            last = mentions[-1]  # a cell's text wrapped onto the next line
            mentions[-1] = replace(last, name=_clean_name(f"{last.name} {line}"))
            i += 1
            continue
        if _BULLET.match(lines[i]) and context.category and context.list_open:
            text, i = _gather_item(lines, i)
            mention = _read_item(text, context)
            if mention is not None:
                mentions.append(mention)
            continue
        if context.status in ("avslagen", "delvis beviljad"):
            for quoted in _QUOTED.finditer(line):
                mentions.append(_mention(quoted.group(1), line, context))
        if context.category is None:
            mentions.extend(_named_projects(lines, i, default_year))
        heading = _heading(lines, i, context)
        if heading is not None:
            paragraph, j = _gather_paragraph(lines, i + 1)
            mentions.append(_read_heading(heading, paragraph, context))
            i = j
            continue
        i += 1
    return _deduplicate([m for m in mentions if _plausible(m.name)])


def _default_year(metadata: Metadata) -> int | None:
    if metadata.years:
        return min(metadata.years)
    return metadata.year


def _update_context(lines: list[str], i: int, context: _Context,
                    default_year: int | None) -> _Context:
    """A lead-in ("… tre forskningsprojekt som pågått under 2017:", "Redovisning av lokala
    utvecklingsprojekt", "Lokala utvecklingsmedel 2024") sets the context of what follows; a
    lead-in to something else ("Inriktning för 2020 års medel föreslås vara:") ends it."""
    line = lines[i].strip()
    if context.table and line.lower().startswith("summa"):
        return _Context(None, None, context.year)  # the table's last row
    funded = _FUNDED_TABLE.match(line)
    if funded:
        category = "studieresa" if re.search(r"lärande|studie", line, re.I) \
            else "lokalt utvecklingsprojekt"
        return _Context(category, "beviljad", int(funded.group(1)), table=True)
    lead_in = line.endswith(":") or line.lower().startswith(("redovisning av", "förslaget innebär"))
    if not lead_in or len(line) > 200:
        return context
    sentence = _sentence_ending_at(lines, i)
    if _NOT_PROJECTS.search(sentence) and not re.search(r"projekt\b|projekten\b", sentence,
                                                        re.I):
        return _Context(None, None, context.year or default_year)
    category, status, matched = context.category, None, False
    for pattern, cat, stat in _SECTION_RULES:
        if pattern.search(sentence):
            if stat and status is None:
                status = stat
            if cat:
                category, matched = cat, True
                break
    if not matched and status is None:
        return context
    years = [int(y) for y in _YEAR.findall(sentence)]
    year = years[-1] if years else (context.year or default_year)
    return _Context(category, status, year,
                    list_open=line.endswith(":") or status in ("avslagen", "delvis beviljad"))


def _sentence_ending_at(lines: list[str], i: int) -> str:
    """The sentence that ends on line i (it may start a few lines up)."""
    parts = [lines[i].strip()]
    for j in range(i - 1, max(-1, i - 4), -1):
        prev = lines[j].strip()
        if not prev or prev.endswith((".", ":", "!", "?")):
            break
        parts.insert(0, prev)
    return " ".join(parts)


def _table_row(line: str, context: _Context) -> ProjectMention | None:
    """'Farsta<TAB>Digital Lots för samsjukliga.<TAB>500 000' in a table of funded projects;
    also with single spaces between the cells, as OCR gives a table row."""
    if not context.table or line.lower().startswith(("summa", "förvaltning")):
        return None
    amount_match = _AMOUNT.search(line)
    if amount_match is None:
        return None
    amount = int(re.sub(r"\D", "", amount_match.group(1)))
    body = line[:amount_match.start()].rstrip(" \t|.:-")
    cells = [c.strip() for c in re.split(r"\t|\s{2,}", body) if c.strip()]
    if len(cells) >= 2:
        owner_cell, name = cells[0], " ".join(cells[1:])
    else:
        owner_cell, name = _split_owner(body)
        if owner_cell is None:
            return None
    found = {m.canonical for _, _, m in districts.find_all(owner_cell.replace("/", "-"))}
    # a cell naming two districts ("Hägersten/Älvsjö EÅV") is a joint owner, as in the lists
    match = districts.resolve(owner_cell.replace("/", "-"), context.year) \
        if len(found) <= 1 else None
    return ProjectMention(
        name=_clean_name(name), owner=_owner_name(owner_cell, match),
        district=match.canonical if match else None, category=context.category,
        year=context.year, status=context.status, amount_sek=amount, excerpt=line[:MAX_EXCERPT])


def _continues_row(line: str) -> bool:
    if line.lower().startswith(("summa", "förvaltning", "medel ", "-", "–")):
        return False
    found = districts.find_all(line.replace("/", "-"))
    return not (found and found[0][0] <= 2) and len(line) < 120


def _split_owner(body: str) -> tuple[str | None, str]:
    """'Hägersten/Älvsjö EÅV Viewpoint inom …' -> ('Hägersten/Älvsjö EÅV', 'Viewpoint inom …')."""
    admin = re.match(r"(Socialförvaltningen(?:,\s*[Ee]nheten för \w+)?)\s+(.*)", body)
    if admin:
        return admin.group(1), admin.group(2)
    found = districts.find_all(body.replace("/", "-"))
    if not found or found[0][0] > 2:
        return None, body
    end = found[0][1]
    for start, stop, _ in found[1:]:  # a second name right after ("Hägersten/Älvsjö EÅV")
        if start - end <= 2:
            end = stop
    return body[:end].strip(" .,"), body[end:].strip(" .,:-")


def _gather_item(lines: list[str], i: int) -> tuple[str, int]:
    """A list item and its continuation lines (up to the next item, blank line or heading)."""
    parts = [_BULLET.sub("", lines[i]).strip()]
    j = i + 1
    while j < len(lines):
        nxt = lines[j]
        if not nxt.strip():
            # a blank line inside an item (some extractions double every line break)
            following = next((x for x in lines[j + 1:j + 2] if x.strip()), "")
            so_far = " ".join(parts)
            if following and not _BULLET.match(following) and (
                    so_far.count("(") > so_far.count(")") or so_far.endswith("-")
                    or following.strip()[:1].islower() or following.strip()[:1] == "("):
                j += 1
                continue
            break
        if _BULLET.match(nxt) or nxt.strip().endswith(":"):
            break
        if parts[-1].endswith(".") and not parts[-1].endswith(("m.fl.", "bl.a.")) \
                and len(nxt.strip()) < 60 and not nxt.strip()[0].islower():
            break
        parts.append(nxt.strip())
        j += 1
    return _join(parts), j


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text.endswith("-") and part[:1].isupper():
            text += part  # "Enskede-Årsta-" + "Vantör"
        elif text.endswith("-") and part[:1].islower() and not text.endswith(" -"):
            text = text[:-1] + part
        else:
            text = f"{text} {part}".strip()
    return text


def _read_item(text: str, context: _Context) -> ProjectMention | None:
    """'Bo kvar – förstudie (Skärholmens stadsdelsförvaltning, syfte …)',
    'Kristeamets utvärdering, Farsta stadsdelsförvaltning.', 'utvärdering av Signs-of-Safety'."""
    quoted = _QUOTED.search(text)
    if quoted:  # "Projektet ”ARN- Aktivera Rätt Nätverk” bedöms inte …"
        return _mention(quoted.group(1), text, context)
    status = None
    tail = re.search(r"\s[–—-]\s*(" + "|".join(STATUS_WORDS) + r")\b", text)
    if tail and "(" not in text[:tail.start()].replace("(gruppbostad)", ""):
        head = text[:tail.start()] + " – " + tail.group(1)
    elif tail:
        head = text[:tail.start()] + " – " + tail.group(1)
    else:
        head = text.partition("(")[0]
    pieces = _DASH_SPLIT.split(head.strip(), maxsplit=1)
    name = pieces[0]
    if len(pieces) == 2 and pieces[1].strip(" .,").lower() in STATUS_WORDS:
        status = STATUS_WORDS[pieces[1].strip(" .,").lower()]
    elif len(pieces) == 2 and not _owner_of(pieces[1]):
        name = head.strip()
    if "," in name:
        first, _, after = name.partition(",")
        if _owner_of(after) or after.strip(" .").lower() in STATUS_WORDS \
                or after.strip().lower().startswith("socialförvaltningen"):
            name = first
            if after.strip(" .").lower() in STATUS_WORDS:
                status = STATUS_WORDS[after.strip(" .").lower()]
    mention = _mention(name, text, context)
    if status:
        mention = replace(mention, status=status)
    return mention


_ACRONYM_PROJECT = re.compile(r"\b([A-ZÅÄÖ]{2,6})[- ]\s?projekte[nt]\b")


def _named_projects(lines: list[str], i: int, default_year: int | None) -> list[ProjectMention]:
    """Projects named in running text by an acronym: "… kallat FIRE-projektet", "EBP-projektet"."""
    out = []
    for m in _ACRONYM_PROJECT.finditer(lines[i]):
        around = " ".join(x.strip() for x in lines[max(0, i - 2):i + 1])  # what leads up to it
        category = "forskningsprojekt" if re.search(r"forskningsprojekt", around, re.I) \
            else "övrigt"
        context = _Context(category, None, default_year)
        mention = _mention(f"{m.group(1)}-projektet", " ".join(
            x.strip() for x in lines[max(0, i - 2):i + 1]), context)
        out.append(mention)
    return out


def _heading(lines: list[str], i: int, context: _Context) -> str | None:
    """A short title line in a section about projects, followed by a paragraph about it:
    'Bo kvar — förstudie', 'Utvärdering av Signs-of-Safety'."""
    if not context.category or context.table:
        return None
    line = lines[i].strip()
    if not (4 <= len(line) <= 90) or line.endswith((".", ",", ":", ";")) or not line[0].isupper():
        return None
    prev = lines[i - 1].strip() if i else ""
    if prev and not prev.endswith((".", ":", "”", "\"")) and not _STATUS_TAIL.search(prev):
        return None
    nxt = next((x.strip() for x in lines[i + 1:i + 3] if x.strip()), "")
    if not nxt or not nxt[0].isupper():
        return None
    if _STATUS_TAIL.search(line):
        return line
    if context.category == "lokalt utvecklingsprojekt" and re.match(
            r"[A-ZÅÄÖ][\w-]*(?:[ ,]+(?:och\s+)?[A-ZÅÄÖ][\w-]*)*\s+stadsdelsförvaltning", nxt):
        return line
    if context.category == "forskningsprojekt" and re.match(
            r"(?:Utvärdering|Processtöd|Följeforskning|Studie|Analys)\b", line):
        return line
    return None


_STATUS_TAIL = re.compile(r"\s[–—-]\s*(förstudie|utvärdering|slutrapport)\s*$",
                          re.I)


def _gather_paragraph(lines: list[str], i: int) -> tuple[str, int]:
    parts = []
    j = i
    while j < len(lines):
        line = lines[j].strip()
        if not line and parts:
            break
        if parts and (_STATUS_TAIL.search(line) or line.startswith("Redovisning av")):
            break
        if line:
            parts.append(line)
        j += 1
    return _join(parts), j


def _read_heading(heading: str, paragraph: str, context: _Context) -> ProjectMention:
    status = None
    tail = _STATUS_TAIL.search(heading)
    name = heading
    if tail:
        status = tail.group(1).lower()
        name = heading[:tail.start()]
    mention = _mention(name, heading + "\n" + paragraph, context)
    return replace(mention, status=status or mention.status)


def _mention(name: str, passage: str, context: _Context) -> ProjectMention:
    owner, district = _owner_of(passage) or (None, None)
    years = [int(y) for y in _YEAR.findall(passage)]
    year = context.year
    if not context.table and years and context.year is None:
        year = years[0]
    status = context.status
    if status is None and name.strip().lower().startswith("utvärdering av"):
        status = "utvärdering"
    purpose = _PURPOSE.search(passage)
    partner = _PARTNER.search(passage)
    return ProjectMention(
        name=_clean_name(name), owner=owner, district=district, category=context.category,
        year=year, status=status, amount_sek=None,
        purpose=purpose.group(1).strip() if purpose else None,
        partner=partner.group(1).strip() if partner else None,
        excerpt=" ".join(passage.split())[:MAX_EXCERPT])


def _owner_of(text: str) -> tuple[str, str | None] | None:
    """(owner as written, canonical district) for the first owner the text names."""
    sdf = _OWNER_SDF.search(text)
    if sdf:
        named = sdf.group(1).strip(" ,")
        found = {m.canonical for _, _, m in districts.find_all(named)}
        if len(found) > 1:  # "Hässelby-Vällingby, Bromma och Rinkeby-Kista stadsdelsförvaltningar"
            if re.search(r"\b(?:i|för|inom)\s*$", text[:sdf.start()]):
                return None  # "för alla barn i Farsta, …, Skärholmen stadsdelsförvaltningar"
            return sdf.group(0).strip(), None
        match = districts.resolve(named)
        if match is not None:
            return _owner_name(named, match), match.canonical
    first_sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    named = districts.find_all(first_sentence)
    if len({m.canonical for _, _, m in named}) == 1:
        start, end, match = named[0]
        return _owner_name(text[start:end], match), match.canonical
    subject = _OWNER_SUBJECT.search(text)
    if subject:  # "(socialtjänstavdelningens familjerådgivning har genomfört …"
        phrase = subject.group(1)
        return phrase[0].upper() + phrase[1:], None
    admin = _OWNER_ADMIN.search(text)
    if admin:
        word = admin.group(1)
        return word[0].upper() + word[1:].removesuffix("s").removesuffix("en") + "en", None
    return None


def _owner_name(named: str, match) -> str:
    if match is None:
        return named.strip()
    return districts.display_name(match.historical or match.canonical)


def _amount(cell: str) -> int | None:
    m = _AMOUNT.search(cell)
    if not m:
        return None
    return int(re.sub(r"\D", "", m.group(1)))


def _clean_name(name: str) -> str:
    name = re.sub(r"<[^>]+>|\*", "", name)  # markup left in converted documents
    name = name.strip(" \t.,;:–—-\"”“'")
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r" [-—] ", " – ", name)  # a spaced dash is an en dash, however OCR read it
    return name[:MAX_NAME]


def _plausible(name: str) -> bool:
    """A name, not an amount line ("6 460 000 kronor avser …") or a fragment."""
    return 3 <= len(name) <= MAX_NAME and any(c.isalpha() for c in name) \
        and not name[0].isdigit()


def _deduplicate(mentions: list[ProjectMention]) -> list[ProjectMention]:
    """One mention per project per document: the same name (but for an OCR slip) with the same
    (or an unknown) district is one project; later mentions fill the gaps of the first."""
    out: list[ProjectMention] = []
    for m in mentions:
        key = re.sub(r"\W+", " ", m.name.casefold()).strip()
        same = next((k for k, o in enumerate(out)
                     if fuzz.ratio(re.sub(r"\W+", " ", o.name.casefold()).strip(), key)
                     >= SAME_NAME  # an OCR slip ("EBPE-projektet") is the same name
                     and (o.district == m.district or None in (o.district, m.district))
                     and (o.owner == m.owner or None in (o.owner, m.owner)
                          or None not in (o.district, m.district))), None)
        if same is None:
            out.append(m)
            continue
        first = out[same]
        out[same] = replace(first, **{k: v for k, v in vars(m).items()
                                      if getattr(first, k) in (None, "") and v})
    return out
