#!/usr/bin/env python3
"""Regenerate the sample archive in sample_docs/ from the plain-text seeds.

Run from the repository root:

    .venv/bin/python sample_docs/make_samples.py [--seeds DIR] [--out DIR]

The seeds default to ``../shared/seeds`` next to the repository root. Output
goes to the folder this script lives in. The script is deterministic (fixed
random seed, fixed document dates, normalised zip timestamps); running it twice
gives byte-identical files.

Needs: Pillow, fpdf2 (``pip install -e .[samples]``), python-docx, and the
``tesseract`` binary with the ``eng`` model (for the one PDF whose invisible text
layer is deliberately garbled OCR). None of this is needed at runtime or in tests:
the generated files are committed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSerif.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSerif-Bold.ttf"

RANDOM_SEED = 20240611
FIXED_DATE = dt.datetime(2024, 6, 11, 12, 0, 0, tzinfo=dt.timezone.utc)

# --- page geometry (A4 at 300 dpi; the text-layer PDFs use the same layout in mm) ---
DPI = 300
PAGE_W, PAGE_H = 2480, 3508          # 210 x 297 mm
MARGIN_L, MARGIN_R = 295, 236         # 25 mm, 20 mm
MARGIN_T = 236                        # 20 mm
FONT_PX = 46                          # ~11 pt at 300 dpi
LINE_PX = 53                          # ~12.7 pt line pitch
LINES_PER_PAGE = 58                   # visual lines (after wrapping); ~17 mm bottom margin
MIN_LINES_BEFORE_BREAK = 8            # a page marker only breaks a page this full
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R
TABLE_COLS = (0.0, 0.30, 0.78)       # column starts as fractions of TEXT_W
HANG_INDENT = 60                      # px, continuation of "- item" lines


def px_to_mm(px: float) -> float:
    return px * 25.4 / DPI


@dataclass(frozen=True)
class Seed:
    number: str
    slug: str
    clean: bool                       # clean Unicode text (001, 004) vs. old OCR
    drop_empty: bool = False          # seed 001 has an extraction artefact: "" after every line
    title: str = ""
    title_line: str = ""              # start of the seed line that is the document title


SEEDS = [
    Seed("000", "2019_tjansteutlatande_fou-medel", False,
         title="Inriktning av FoU-medel 2020 samt redovisning av projekt 2018"),
    Seed("001", "2018_tjansteutlatande_fou-medel", True, drop_empty=True,
         title="Inriktning av FoU-medel 2019 samt redovisning av projekt 2017"),
    Seed("002", "2018_pm_bilaga_redovisning-fou-projekt-2017", False,
         title="Bilaga - redovisning av forsknings- och lokala utvecklingsprojekt 2017"),
    Seed("003", "2013_protokollsutdrag_lagesbeskrivning-ebp", False,
         title="Lägesbeskrivning om projekt för resultatstyrning och evidensbaserad praktik"),
    Seed("004", "2023_tjansteutlatande_lokala-utvecklingsmedel-2024", True,
         title="Fördelning av lokala utvecklingsmedel och medel för utveckling och lärande 2024",
         title_line="Fördelning av lokala utvecklingsmedel"),
]
SEED_BY_NO = {s.number: s for s in SEEDS}


# ----------------------------------------------------------------------------------
# Reading seeds and splitting them into pages
# ----------------------------------------------------------------------------------
@dataclass
class Line:
    text: str
    page_start: bool = False          # the extraction marked a page start (leading space)


SIDA_RE = re.compile(r"\bSida\s+\S{1,3}\s*\(\d+\)")
MARKUP_RE = re.compile(r"</?i>|\*")


def read_seed(seeds_dir: Path, seed: Seed) -> list[Line]:
    (path,) = sorted(seeds_dir.glob(f"{seed.number}_*.txt"))
    raw = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    lines: list[Line] = []
    for text in raw.split("\n"):
        if seed.drop_empty and text == "":
            continue
        # the old extraction starts every page's text with a single space
        start = len(text) > 1 and text[0] == " " and not text[1].isspace()
        text = MARKUP_RE.sub("", text)                       # seed 004: <i>, *emphasis*
        text = re.sub(r"<(https?://[^>]+)>", r"\1", text)    # seed 004: <https://...>
        text = text.rstrip()
        if not text.strip():
            text = ""
        elif start:
            text = text[1:]
        lines.append(Line(text, start))
    return lines


def furniture_starts(lines: list[Line]) -> set[int]:
    """Index of the first line of every 'Tjänsteutlåtande / Dnr / Sida n (m)' block."""
    starts = set()
    for i, ln in enumerate(lines):
        if not SIDA_RE.search(ln.text):
            continue
        j, blanks = i, 0
        while j > 0 and i - j < 10:
            if lines[j - 1].text == "":
                blanks += 1
                if blanks >= 2:
                    break
            else:
                blanks = 0
            j -= 1
        while j < i and lines[j].text == "":
            j += 1
        starts.add(j)
    return starts


def split_pages(lines: list[Line]) -> list[list[str]]:
    """Logical pages: break at page markers, furniture blocks and long blank runs."""
    furn = furniture_starts(lines)
    pages: list[list[str]] = []
    cur: list[str] = []
    blank_run = 0
    for i, ln in enumerate(lines):
        marker = ln.page_start or i in furn or (ln.text and blank_run >= 3)
        if marker and sum(1 for t in cur if t) >= MIN_LINES_BEFORE_BREAK:
            pages.append(cur)
            cur = []
        cur.append(ln.text)
        blank_run = blank_run + 1 if ln.text == "" else 0
    pages.append(cur)
    out = []
    for p in pages:
        while p and p[0] == "":
            p.pop(0)
        while p and p[-1] == "":
            p.pop()
        # at most two blank lines in a row
        q: list[str] = []
        for t in p:
            if t == "" and len(q) >= 2 and q[-1] == "" and q[-2] == "":
                continue
            q.append(t)
        if q:
            out.append(q)
    return out


# ----------------------------------------------------------------------------------
# Layout: logical lines -> visual lines (wrapped, tables in columns, bold headings)
# ----------------------------------------------------------------------------------
@dataclass
class Seg:
    x: int                            # px from the left text margin
    text: str
    bold: bool = False


VLine = list[Seg]                     # empty list = blank line


class Fonts:
    def __init__(self) -> None:
        self.regular = ImageFont.truetype(str(FONT_REGULAR), FONT_PX)
        self.bold = ImageFont.truetype(str(FONT_BOLD), FONT_PX)

    def get(self, bold: bool) -> ImageFont.FreeTypeFont:
        return self.bold if bold else self.regular


def wrap(text: str, width: float, font: ImageFont.FreeTypeFont, indent: float = 0) -> list[str]:
    """Greedy word wrap; the first line keeps its text exactly when it fits."""
    if font.getlength(text) <= width:
        return [text]
    words = text.split(" ")
    lines, cur = [], ""
    for w in words:
        trial = w if not cur else cur + " " + w
        avail = width - (indent if lines else 0)
        if font.getlength(trial) <= avail or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


def is_heading(lines: list[str], i: int) -> bool:
    t = lines[i].strip()
    if not t or len(t) > 100 or len(t.split()) > 14 or "\t" in t:
        return False
    if t[-1] in ".,;:" or t[0] in "-•–0123456789(" or t[0].islower():
        return False
    before = i == 0 or lines[i - 1] == ""
    after = i + 1 >= len(lines) or lines[i + 1] == ""
    return before and after


def layout_page(lines: list[str], fonts: Fonts, title_line: str = "") -> list[VLine]:
    out: list[VLine] = []
    for i, t in enumerate(lines):
        if t == "":
            out.append([])
            continue
        if "\t" in t:
            cells = t.split("\t")
            cols = [int(f * TEXT_W) for f in TABLE_COLS]
            wrapped = []
            for c, cell in enumerate(cells[: len(cols)]):
                right = cols[c + 1] if c + 1 < len(cols) else TEXT_W
                wrapped.append(wrap(cell.strip(), right - cols[c] - 30, fonts.regular))
            for k in range(max(len(w) for w in wrapped)):
                out.append([Seg(cols[c], w[k]) for c, w in enumerate(wrapped) if k < len(w) and w[k]])
            continue
        bold = is_heading(lines, i) or bool(title_line and t.startswith(title_line))
        font = fonts.get(bold)
        hang = HANG_INDENT if t.lstrip()[:2] in ("- ", "• ", "e ", "¢ ", "o ") else 0
        for k, piece in enumerate(wrap(t, TEXT_W, font, hang)):
            out.append([Seg(hang if k else 0, piece, bold)])
    return out


def squeeze(vl: list[VLine]) -> list[VLine]:
    """Drop blank lines that only pad: repeated blanks, blanks between short letterhead lines."""
    vl = [v for k, v in enumerate(vl) if v or k == 0 or vl[k - 1]]

    def short(v: VLine) -> bool:
        return bool(v) and sum(len(seg.text) for seg in v) < 40

    return [v for k, v in enumerate(vl)
            if v or not (0 < k < len(vl) - 1 and short(vl[k - 1]) and short(vl[k + 1]))]


def paginate(logical_pages: list[list[str]], fonts: Fonts, title_line: str = "") -> list[list[VLine]]:
    """Lay out each logical page; split pages that overflow, preferring a blank line."""
    result = []
    for lp in logical_pages:
        vl = layout_page(lp, fonts, title_line)
        if len(vl) > LINES_PER_PAGE:
            squeezed = squeeze(vl)
            if len(squeezed) <= LINES_PER_PAGE:
                vl = squeezed
        while len(vl) > LINES_PER_PAGE:
            cut = LINES_PER_PAGE
            for k in range(LINES_PER_PAGE, LINES_PER_PAGE - 15, -1):
                if not vl[k - 1] or not vl[k]:
                    cut = k
                    break
            # do not leave a heading alone at the foot of a page
            k = cut
            while k > 0 and not vl[k - 1]:
                k -= 1
            if k > LINES_PER_PAGE // 2 and vl[k - 1] and all(seg.bold for seg in vl[k - 1]):
                cut = k - 1
            page = vl[:cut]
            while page and not page[-1]:
                page.pop()
            result.append(page)
            vl = vl[cut:]
            while vl and not vl[0]:
                vl.pop(0)
        if vl:
            result.append(vl)
    return result


def document_pages(seeds_dir: Path, seed: Seed, fonts: Fonts) -> list[list[VLine]]:
    return paginate(split_pages(read_seed(seeds_dir, seed)), fonts, seed.title_line)


# ----------------------------------------------------------------------------------
# Rendering: clean page image and "scanned" page image
# ----------------------------------------------------------------------------------
def render_page(page: list[VLine], fonts: Fonts) -> Image.Image:
    im = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(im)
    for n, vline in enumerate(page):
        baseline = MARGIN_T + n * LINE_PX + FONT_PX
        for seg in vline:
            draw.text((MARGIN_L + seg.x, baseline), seg.text, fill=0,
                      font=fonts.get(seg.bold), anchor="ls")
    return im


def scan_look(im: Image.Image, rng: random.Random) -> Image.Image:
    """Light skew, slight offset, rough edges, speckle; returns a 1-bit image."""
    angle = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
    dx, dy = rng.randint(-18, 18), rng.randint(-18, 18)
    im = im.rotate(angle, resample=Image.Resampling.BICUBIC, translate=(dx, dy), fillcolor=255)
    size = im.size
    n = size[0] * size[1]
    # rough glyph edges: add zero-mean noise (+-40) before thresholding
    noise = Image.frombytes("L", size, rng.randbytes(n)).point(lambda v: 128 + (v - 128) * 40 // 128)
    im = ImageChops.add(im, noise, scale=1.0, offset=-128)
    im = im.point(lambda v: 255 if v > 140 else 0)
    # single-pixel speckle, about 500 per page
    a = Image.frombytes("L", size, rng.randbytes(n)).point(lambda v: 0 if v < 2 else 255)
    b = Image.frombytes("L", size, rng.randbytes(n)).point(lambda v: 0 if v < 2 else 255)
    im = ImageChops.darker(im, ImageChops.lighter(a, b))
    # a few larger dust specks
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(25, 60)):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.choice((1, 1, 2, 2, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return im.convert("1", dither=Image.Dither.NONE)


# ----------------------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------------------
def write_scanned_pdf(images: list[Image.Image], path: Path, title: str) -> None:
    # Pillow writes mode "1" images with CCITT G4 (CCITTFaxDecode, K=-1) when built
    # with libtiff; no text layer at all.
    images[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=images[1:],
                   title=title, creationDate=FIXED_DATE.timetuple(), modDate=FIXED_DATE.timetuple())


def write_textlayer_pdf(pages: list[list[VLine]], path: Path, title: str) -> None:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author("Socialförvaltningen, Stockholms stad")
    pdf.set_creator("sample_docs/make_samples.py")
    pdf.set_producer("fpdf2")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVuSerif", "", str(FONT_REGULAR))
    pdf.add_font("DejaVuSerif", "B", str(FONT_BOLD))
    size_pt = FONT_PX * 72 / DPI
    for page in pages:
        pdf.add_page()
        for n, vline in enumerate(page):
            baseline = px_to_mm(MARGIN_T + n * LINE_PX + FONT_PX)
            for seg in vline:
                pdf.set_font("DejaVuSerif", "B" if seg.bold else "", size_pt)
                pdf.text(px_to_mm(MARGIN_L + seg.x), baseline, seg.text)
    pdf.output(str(path))


def write_garbled_ocr_pdf(images: list[Image.Image], path: Path) -> None:
    """Page images + invisible text layer from Tesseract's English model (garbles å/ä/ö)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        names = []
        for k, im in enumerate(images, 1):
            p = tmpd / f"page{k:02d}.tif"
            im.save(p, compression="group4", dpi=(DPI, DPI))
            names.append(str(p))
        (tmpd / "pages.txt").write_text("\n".join(names) + "\n")
        env = dict(os.environ, OMP_THREAD_LIMIT="1", TZ="UTC")
        subprocess.run(["tesseract", str(tmpd / "pages.txt"), str(tmpd / "out"),
                        "-l", "eng", "--dpi", str(DPI), "pdf"],
                       check=True, env=env, capture_output=True, timeout=600)
        data = (tmpd / "out.pdf").read_bytes()
    # fixed creation date (same byte length, so the xref stays valid)
    data = re.sub(rb"/CreationDate \(D:[0-9]{14}", b"/CreationDate (D:20240611120000", data)
    path.write_bytes(data)


def write_docx(seeds_dir: Path, seed: Seed, path: Path) -> None:
    import docx
    from docx.shared import Pt

    lines = [ln.text for ln in read_seed(seeds_dir, seed)]
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Serif"
    style.font.size = Pt(11)
    props = document.core_properties
    props.title = seed.title
    props.author = "Socialförvaltningen, Stockholms stad"
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by = "Socialförvaltningen"
    props.revision = 1

    title_done = False
    i = 0
    while i < len(lines):
        t = lines[i].strip()
        if not t:
            i += 1
            continue
        if "\t" in t:                                     # table block
            rows = []
            while i < len(lines) and ("\t" in lines[i] or lines[i].strip() == ""):
                if lines[i].strip():
                    rows.append(lines[i].split("\t"))
                i += 1
            ncols = max(len(r) for r in rows)
            table = document.add_table(rows=0, cols=ncols)
            table.style = "Table Grid"
            for r in rows:
                cells = table.add_row().cells
                for c, v in enumerate(r):
                    cells[c].text = v.strip()
            continue
        if not title_done and seed.title_line and t.startswith(seed.title_line):
            document.add_heading(t, level=1)
            title_done = True
        elif is_heading(lines, i):
            document.add_heading(t, level=2)
        elif t.startswith("- "):
            document.add_paragraph(t[2:], style="List Bullet")
        else:
            document.add_paragraph(t)
        i += 1
    buf = io.BytesIO()
    document.save(buf)
    path.write_bytes(normalise_zip(buf.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order, for byte-identical output."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 6, 11, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder with NNN_*.txt seeds")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: sample_docs/)")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    fonts = Fonts()
    rng = random.Random(RANDOM_SEED)

    pages = {s.number: document_pages(args.seeds, s, fonts) for s in SEEDS}
    scans: dict[str, list[Image.Image]] = {}

    def emit(name: str) -> Path:
        p = out / name
        print(f"writing {p.name}")
        return p

    # 1. born-digital PDFs with a real text layer (clean seeds)
    for no in ("001", "004"):
        s = SEED_BY_NO[no]
        write_textlayer_pdf(pages[no], emit(f"{s.slug}_textlager.pdf"), s.title)

    # 2. image-only scanned PDFs of all five seeds
    for s in SEEDS:
        scans[s.number] = [scan_look(render_page(p, fonts), rng) for p in pages[s.number]]
        write_scanned_pdf(scans[s.number], emit(f"{s.slug}_skannad.pdf"), s.title)

    # 3. single-page scans as image files
    scans["003"][0].save(emit(f"{SEED_BY_NO['003'].slug}_sida1.png"), dpi=(DPI, DPI), optimize=True)
    scans["002"][0].save(emit(f"{SEED_BY_NO['002'].slug}_sida1.tif"), dpi=(DPI, DPI),
                         compression="group4")

    # 4. Word document of a clean seed
    write_docx(args.seeds, SEED_BY_NO["004"], emit(f"{SEED_BY_NO['004'].slug}.docx"))

    # 5. scanned PDF with an invisible, garbled (English-model) OCR text layer
    garbled_imgs = [scan_look(render_page(p, fonts), rng) for p in pages["004"]]
    write_garbled_ocr_pdf(garbled_imgs, emit(f"{SEED_BY_NO['004'].slug}_skannad_ocr-textlager.pdf"))


if __name__ == "__main__":
    main()
