"""A deterministic synthetic archive of Swedish FoU documents, for search benchmarks.

The same seed and count give the same documents (ids 1..N), each a `kunskapsbank.model.
IndexDocument` shaped like the real ones:

- text: ~600–2 000 words (triangular, mean ~1 200), paragraphs under the real section headings,
  sentences of 8–25 words. Words are drawn from the clean seed texts (001, 004 and the
  hand-corrected 000, weighted by their counts there) mixed with wordfreq's 30 000 most common
  Swedish words under a Zipf (1/rank) distribution, so common words are very common and the tail
  words occur in a handful of documents. One sentence in six is a real sentence of the seeds.
  Project names, districts, years and amounts are woven into the text as in the real decisions.
- metadata: dnr "3.2.2-NNN/YYYY", dates 2005–2024, titles from the real documents' patterns,
  types (tjänsteutlåtande, protokollsutdrag, pm, bilaga, slutrapport, beslut), projects from a
  pool of ~3 000 generated names that live 1–4 years and recur across documents (popularity is
  Zipf-like too), each with one of the 12 canonical districts and a category.

    .venv/bin/python bench/synthetic_archive.py --docs 20 --out /tmp/docs.jsonl [--seed 1]
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kunskapsbank.model import IndexDocument  # noqa: E402

SOURCE_TEXTS = [ROOT / "tests/data/seeds/001_c2847a0ba22ec458.txt",
                ROOT / "tests/data/seeds/004_98bf0cbc657a04e3.txt",
                ROOT / "tests/data/repair/seed000.gold.txt"]

DISTRICTS = ("Bromma", "Enskede-Årsta-Vantör", "Farsta", "Hägersten-Älvsjö",
             "Hässelby-Vällingby", "Järva", "Kungsholmen", "Norrmalm", "Skarpnäck",
             "Skärholmen", "Södermalm", "Östermalm")
CATEGORIES = ("forskningsprojekt", "lokalt utvecklingsprojekt", "studieresa", "övrigt")
CATEGORY_WEIGHTS = (0.25, 0.55, 0.12, 0.08)
TYPES = ("tjänsteutlåtande", "protokollsutdrag", "pm", "bilaga", "slutrapport", "beslut")
TYPE_WEIGHTS = (0.30, 0.20, 0.12, 0.15, 0.13, 0.10)
YEARS = range(2005, 2025)
HEADINGS = ("Sammanfattning", "Bakgrund", "Ärendets beredning", "Ärendet",
            "Förvaltningens synpunkter och förslag", "Redovisning av projekten",
            "Resultat", "Syfte och mål", "Metod", "Slutsatser", "Ekonomi", "Bilagor")
N_PROJECTS = 3000
DOMAIN_SHARE = 0.4     # share of generated words drawn from the seed vocabulary
REAL_SENTENCE_SHARE = 1 / 6

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\"”])")

# Pieces of project names, in the style of the real ones ("Stärkt tidigt stöd i samverkan",
# "Sociala insatsgrupper", "Kristeamet", "Signs-of-Safety", "FIRE-projektet").
_NAME_ADJ = ("Stärkt", "Tidigt", "Samordnat", "Förebyggande", "Hållbart", "Tryggt", "Nytt",
             "Gemensamt", "Flexibelt", "Familjecentrerat", "Kunskapsbaserat", "Uppsökande",
             "Integrerat", "Lokalt", "Strukturerat", "Digitalt", "Motiverande", "Stödjande")
_NAME_NOUN = ("stöd", "föräldrastöd", "arbete", "samarbete", "boende", "hembesök",
              "mottagande", "öppenvårdsstöd", "familjestöd", "nätverksarbete", "ledarskap",
              "samtalsstöd", "skolstöd", "fritidsstöd", "kollegialt lärande",
              "brukarinflytande", "krisstöd", "bemötande", "uppföljningsarbete")
_NAME_TAIL = ("i samverkan", "för unga vuxna", "för barn och unga", "i ytterstaden",
              "för äldre", "på gruppbostäder", "för föräldrar efter separation",
              "mot våld i nära relationer", "för nyanlända", "i socialtjänsten",
              "för personer med missbruk", "i hemtjänsten", "för ensamkommande",
              "vid vräkningshot", "inom LSS", "för hemlösa", "i skolan")
_NAME_TOPIC = ("Sociala insatsgrupper", "Mobila team", "Boendestöd", "Anhörigstöd",
               "Föräldraskapsstöd", "Barnahus", "Housing first", "Case management",
               "Samordnad individuell plan", "Motiverande samtal", "Familjerådslag",
               "Barnsamtal", "Nätverksmöten", "Vräkningsförebyggande arbete",
               "Hedersrelaterat våld", "Ekonomiskt bistånd", "Ungdomsmottagning",
               "Arbetsmarknadsinsatser", "Digital delaktighet", "Mötesplatser för äldre")
_NAME_KIND = ("en förstudie", "en utvärdering", "en kartläggning", "ett utvecklingsarbete",
              "en pilotstudie", "uppföljning", "implementering")
_SYLLABLES = ("kris", "team", "bro", "nav", "väx", "fyr", "stig", "kom", "lots", "bas",
              "hopp", "fri", "mod", "länk", "kraft", "start", "ung", "trygg", "bo", "bygg")
_ACRONYM_LETTERS = "ABCDEFGHIJKLMNOPRSTUV"


def _read_source_texts() -> tuple[list[str], list[str]]:
    """The seed words in order, and the seeds' real sentences (8–25 words, no numbers-only)."""
    words: list[str] = []
    sentences: list[str] = []
    for path in SOURCE_TEXTS:
        raw = path.read_text(encoding="utf-8")
        words.extend(_WORD.findall(raw))
        flat = " ".join(raw.split())
        for s in _SENTENCE_END.split(flat):
            n = len(_WORD.findall(s))
            if 8 <= n <= 25 and s[-1:] in ".!?":
                sentences.append(s)
    return words, sentences


class _Sampler:
    """Draws words: domain words by their seed counts, or wordfreq words by 1/rank."""

    def __init__(self) -> None:
        from wordfreq import top_n_list

        seed_words, self.sentences = _read_source_texts()
        # A word keeps its capital only when the seeds never write it in lower case (names).
        lower_seen = {w for w in seed_words if not w[:1].isupper()}
        counts: dict[str, int] = {}
        for w in seed_words:
            if len(w) >= 2 or w.lower() in ("i", "å", "ö"):
                key = w.lower() if w.lower() in lower_seen else w
                counts[key] = counts.get(key, 0) + 1
        self.domain = sorted(counts, key=lambda w: (-counts[w], w))
        self.domain_cum = list(itertools.accumulate(counts[w] for w in self.domain))
        self.general = [w for w in top_n_list("sv", 30000) if _WORD.fullmatch(w)]
        self.general_cum = list(itertools.accumulate(1.0 / (r + 1) for r in
                                                     range(len(self.general))))

    def words(self, rng: random.Random, n: int) -> list[str]:
        n_domain = sum(1 for _ in range(n) if rng.random() < DOMAIN_SHARE)
        out = rng.choices(self.domain, cum_weights=self.domain_cum, k=n_domain)
        out += rng.choices(self.general, cum_weights=self.general_cum, k=n - n_domain)
        rng.shuffle(out)
        return out


@lru_cache(maxsize=None)
def _sampler() -> _Sampler:
    return _Sampler()


def project_pool(seed: int = 1, n: int = N_PROJECTS) -> list[dict]:
    """~n distinct project names, each with district, category, first year and lifetime."""
    rng = random.Random(f"projects-{seed}")
    names: set[str] = set()
    pool: list[dict] = []
    while len(pool) < n:
        kind = rng.random()
        if kind < 0.35:
            name = f"{rng.choice(_NAME_ADJ)} {rng.choice(_NAME_NOUN)} {rng.choice(_NAME_TAIL)}"
        elif kind < 0.55:
            name = f"{rng.choice(_NAME_TOPIC)} {rng.choice(_NAME_TAIL)}"
        elif kind < 0.7:
            name = f"{rng.choice(_NAME_TOPIC)} – {rng.choice(_NAME_KIND)}"
        elif kind < 0.85:
            word = "".join(rng.sample(_SYLLABLES, rng.choice((2, 2, 3))))
            name = word.capitalize() + rng.choice(("", "", "et", "en", "-projektet"))
        else:
            acronym = "".join(rng.choice(_ACRONYM_LETTERS) for _ in range(rng.choice((3, 4))))
            name = rng.choice((f"{acronym}-projektet", f"Projekt {acronym}", acronym))
        if name in names:
            continue
        names.add(name)
        first = rng.choice(YEARS)
        pool.append({"name": name, "district": rng.choice(DISTRICTS),
                     "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
                     "first_year": first,
                     "last_year": min(YEARS[-1], first + rng.choice((0, 0, 1, 1, 2, 3)))})
    return pool


class SyntheticArchive:
    """`docs(n)` yields the same n documents for the same seed; `doc(i)` gives one."""

    def __init__(self, seed: int = 1):
        self.seed = seed
        self.sampler = _sampler()
        self.projects = project_pool(seed)
        by_year: dict[int, list[dict]] = {y: [] for y in YEARS}
        for p in self.projects:
            for y in range(p["first_year"], p["last_year"] + 1):
                by_year[y].append(p)
        self.by_year = by_year
        # Zipf-like popularity within a year: a few projects are named in many documents.
        self.year_cum = {y: list(itertools.accumulate(1.0 / (r + 1) ** 0.8
                                                      for r in range(len(ps))))
                         for y, ps in by_year.items()}

    # -- pieces ----------------------------------------------------------------------------
    def _pick_projects(self, rng: random.Random, year: int, k: int) -> list[dict]:
        pool = self.by_year[year]
        chosen: dict[str, dict] = {}
        for p in rng.choices(pool, cum_weights=self.year_cum[year], k=k * 2):
            chosen.setdefault(p["name"], p)
            if len(chosen) == k:
                break
        return list(chosen.values())

    def _title(self, rng: random.Random, doc_type: str, year: int, projects: list[dict],
               date: str) -> str:
        p = projects[0]["name"] if projects else "lokala utvecklingsprojekt"
        if doc_type == "tjänsteutlåtande":
            return rng.choice((
                f"Inriktning av FoU-medel för lokala utvecklingsprojekt och studieresor år {year + 1}",
                f"Redovisning av forsknings- och lokala utvecklingsprojekt år {year - 1}",
                f"Inriktning av FoU-medel för lokala utvecklingsprojekt och studieresor år {year + 1}, "
                f"samt redovisning av forsknings- och lokala utvecklingsprojekt år {year - 1}",
                f"Fördelning av FoU-medel år {year}"))
        if doc_type == "protokollsutdrag":
            return rng.choice((f"Protokollsutdrag från socialnämndens sammanträde den {date}",
                               f"Redovisning av FoU-projekt år {year - 1}",
                               f"Inriktning av FoU-medel år {year + 1}"))
        if doc_type == "pm":
            return rng.choice((f"PM om {p}", f"Promemoria: uppföljning av FoU-projekt {year}",
                               f"PM – ansökningar om lokala utvecklingsmedel {year}"))
        if doc_type == "bilaga":
            return rng.choice((f"Bilaga {rng.randint(1, 4)}: Sammanställning av beviljade projekt {year}",
                               f"Bilaga {rng.randint(1, 4)}: Redovisning av forskningsprojekt {year - 1}",
                               f"Bilaga: Projektbeskrivning {p}"))
        if doc_type == "slutrapport":
            return rng.choice((f"Slutrapport: {p}", f"Slutrapport för projektet {p}",
                               f"Utvärdering av {p} – slutrapport"))
        return rng.choice((f"Beslut om FoU-medel för {p}",
                           f"Beslut om fördelning av utvecklingsmedel {year}",
                           f"Beslut: ansökan om medel för {p}"))

    def _sentence(self, rng: random.Random, year: int, projects: list[dict]) -> str:
        s = self.sampler
        if rng.random() < REAL_SENTENCE_SHARE and s.sentences:
            return rng.choice(s.sentences)
        n = rng.randint(8, 25)
        words = s.words(rng, n)
        r = rng.random()
        if projects and r < 0.12:
            p = rng.choice(projects)
            at = rng.randint(0, len(words) - 1)
            words[at:at] = ["projektet", f"”{p['name']}”", "i", f"{p['district']}s",
                            "stadsdelsförvaltning"]
        elif r < 0.2:
            words.insert(rng.randint(0, len(words)), f"år {rng.choice((year - 1, year, year + 1))}")
        elif r < 0.25:
            amount = rng.randrange(50, 2000) * 1000
            words.insert(rng.randint(0, len(words)), f"{amount:,} kronor".replace(",", " "))
        first = words[0]
        words[0] = first[:1].upper() + first[1:]
        if rng.random() < 0.15 and len(words) > 6:
            words[rng.randint(2, len(words) - 3)] += ","
        return " ".join(words) + "."

    def _text(self, rng: random.Random, n_words: int, year: int, projects: list[dict],
              title: str, dnr: str, date: str, doc_type: str) -> str:
        parts = [f"{doc_type.capitalize()}\nDnr {dnr}\nSida 1 (n)\n{date}\n\n{title}\n"]
        count = 0
        headings = list(HEADINGS)
        rng.shuffle(headings)
        h = 0
        while count < n_words:
            if h < len(headings) and (h == 0 or rng.random() < 0.35):
                parts.append(headings[h])
                h += 1
            sentences = []
            for _ in range(rng.randint(3, 7)):
                sent = self._sentence(rng, year, projects)
                sentences.append(sent)
                count += sent.count(" ") + 1
                if count >= n_words:
                    break
            parts.append(" ".join(sentences))
        if projects:  # the real documents name every project they are filed under
            parts.append("Projekt\n" + "\n".join(
                f"- {p['name']}, {p['district']}s stadsdelsförvaltning ({p['category']})"
                for p in projects))
        return "\n\n".join(parts) + "\n"

    # -- documents -------------------------------------------------------------------------
    def doc(self, i: int) -> IndexDocument:
        rng = random.Random(f"{self.seed}-{i}")
        year = rng.choice(YEARS)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        doc_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        k = {"tjänsteutlåtande": rng.randint(3, 14), "protokollsutdrag": rng.randint(2, 10),
             "bilaga": rng.randint(4, 15), "slutrapport": 1}.get(doc_type, rng.randint(0, 3))
        projects = self._pick_projects(rng, year, k)
        dnr = f"3.2.2-{rng.randint(1, 999)}/{year if rng.random() < 0.85 else year - 1}"
        title = self._title(rng, doc_type, year, projects, date)
        n_words = int(rng.triangular(600, 2000, 1000))
        text = self._text(rng, n_words, year, projects, title, dnr, date, doc_type)
        filename = (f"{doc_type.replace('ä', 'a').replace('å', 'a')}_{dnr.replace('/', '_')}"
                    f"_{i}.pdf")
        return IndexDocument(
            id=i, filename=filename, title=title, dnr=dnr, date=date, document_type=doc_type,
            language="sv", text=text,
            districts=sorted({p["district"] for p in projects}),
            projects=[p["name"] for p in projects],
            categories=sorted({p["category"] for p in projects}))

    def docs(self, n: int, start: int = 1) -> Iterator[IndexDocument]:
        for i in range(start, start + n):
            yield self.doc(i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="JSON lines file (default: stdout)")
    parser.add_argument("--stats", action="store_true", help="print word-count statistics")
    args = parser.parse_args()
    archive = SyntheticArchive(args.seed)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    lengths = []
    for doc in archive.docs(args.docs):
        lengths.append(len(_WORD.findall(doc.text)))
        if not args.stats:
            out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    if args.out:
        out.close()
    if args.stats or args.out:
        lengths.sort()
        print(f"{len(lengths)} docs; words min {lengths[0]}, median {lengths[len(lengths) // 2]}, "
              f"mean {sum(lengths) / len(lengths):.0f}, max {lengths[-1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
