"""Build ingest/data/confusions.json: how Tesseract's ENGLISH model misreads Swedish letters.

The training text is independent of the evaluation texts (the seeds): common Swedish words from
wordfreq (top 20 000), mostly words with å/ä/ö, some without, some capitalised / all caps, some
starting with Å/Ä/Ö, and the word "i" in short phrases ("i staden"). The words are shuffled with
a fixed seed, laid out ~8 words a line, rendered to 300 dpi pages with Pillow (DejaVuSans and
DejaVuSerif, 10-11 pt, black on white; three quarters of the pages degraded at three levels: blur,
down/up-sampling through 150-100 dpi, speckle noise, threshold, like an old scan), OCRed with real `tesseract -l eng --psm 6`, and the OCR output is
aligned to the source word by word (difflib on the word sequences, then rapidfuzz Levenshtein
opcodes inside each aligned word pair). We count, for every å ä ö Å Ä Ö in an aligned word and
for every standalone word "i"/"I", what the OCR made of it.

    .venv/bin/python tests/data/repair/make_confusions.py [--pages 14] [--keep DIR]

The render/OCR helpers here are reused by make_eng_ocr.py.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "ingest" / "data" / "confusions.json"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"sans": FONT_DIR / "DejaVuSans.ttf", "serif": FONT_DIR / "DejaVuSerif.ttf"}
DPI = 300
SEED = 20240611
SWEDISH = "åäöÅÄÖ"

# Letters seen in the garbled seeds (000, 002, 003). They go to "from_seeds" with count 0 and a
# floor probability (the measured p, where there is one, is in "pairs").
SEED_SUBSTITUTIONS = [  # each seen in 000/002/003 ("&r", "#rendet", "ocks#", "frin", "6ka"...)
    ("ä", "a"), ("ä", "d"), ("ä", "i"), ("ä", "é"), ("ä", "&"), ("ä", "#"),
    ("å", "a"), ("å", "d"), ("å", "i"), ("å", "é"), ("å", "&"), ("å", "#"),
    ("ö", "o"), ("ö", "6"), ("ö", "é"), ("ö", "0"), ("ö", "d"),
    ("Ä", "A"), ("Å", "A"), ("Ö", "O"),
    ("i", "1"),
]
SEED_FLOOR = 0.01


# --------------------------------------------------------------------------------------------
# Rendering and OCR (shared with make_eng_ocr.py)

def font(name: str = "sans", pt: float = 11.0) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[name]), round(pt * DPI / 72))


def render_page(lines: list[str], font_name: str = "sans", pt: float = 11.0,
                width: int = 2480, height: int = 3508, margin: int = 180,
                degrade: int = 0, seed: int = 0) -> Image.Image:
    """Render lines, one per text line, on a white page (300 dpi; A4 unless told)."""
    f = font(font_name, pt)
    line_h = round(f.size * 1.45)
    widest = max((f.getlength(line) for line in lines), default=0)
    width = max(width, int(widest) + 2 * margin)
    height = max(height, len(lines) * line_h + 2 * margin)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        draw.text((margin, margin + n * line_h), line, font=f, fill=0)
    if degrade:
        img = degrade_image(img, seed, degrade)
    return img


# degradation levels: (gaussian blur radius, resample factor, black threshold)
DEGRADE = {1: (1.1, 0.5, 150), 2: (2.0, 0.35, 170), 3: (2.5, 0.33, 180)}


def degrade_image(img: Image.Image, seed: int, level: int = 1) -> Image.Image:
    """An 'old scan' look: blur, resample through a lower resolution, speckle, threshold.
    Level 1 is light (~150 dpi), 3 is heavy (~100 dpi, bold strokes)."""
    blur, scale, threshold = DEGRADE[level]
    rng = random.Random(seed)
    w, h = img.size
    img = img.filter(ImageFilter.GaussianBlur(blur))
    img = img.resize((int(w * scale), int(h * scale)), Image.BILINEAR).resize((w, h), Image.BILINEAR)
    px = img.load()
    for _ in range(w * h // 2000):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = 0 if rng.random() < 0.3 else 255
    return img.point(lambda v: 0 if v < threshold else 255)


def tesseract(image_path: str, lang: str = "eng", psm: int = 6) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run(["tesseract", image_path, "stdout", "-l", lang, "--psm", str(psm)],
                         capture_output=True, check=True, env=env)
    return out.stdout.decode("utf-8")


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    return out.split()[1]


def ocr_pages(images: list[Image.Image], workers: int = 2, keep: Path | None = None) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n, img in enumerate(images):
            p = Path(keep or tmp) / f"page{n:02d}.png"
            img.save(p, dpi=(DPI, DPI))
            paths.append(str(p))
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(tesseract, paths))


# --------------------------------------------------------------------------------------------
# Training text

def training_words(n_words: int, seed: int = SEED) -> list[str]:
    from wordfreq import top_n_list
    rng = random.Random(seed)
    vocab = [w for w in top_n_list("sv", 20000) if w.isalpha() and len(w) > 1]
    sw = [w for w in vocab if any(c in w for c in "åäö")]
    plain = [w for w in vocab if not any(c in w for c in "åäö")]
    words: list[str] = []
    while len(words) < n_words:
        r = rng.random()
        if r < 0.62:
            w = rng.choice(sw)
        elif r < 0.80:
            w = rng.choice(plain)
        elif r < 0.88:
            w = rng.choice(sw).capitalize()
        elif r < 0.92:
            w = rng.choice(sw).upper()
        elif r < 0.95:
            w = rng.choice([x for x in sw if x[0] in "åäö"]).capitalize()
        else:
            # the word "i" in a short phrase ("i staden", "I bilagan")
            w = ("I" if rng.random() < 0.15 else "i") + " " + rng.choice(vocab)
        words.extend(w.split())
    return words[:n_words]


def lay_out(words: list[str], per_line: int = 8) -> list[str]:
    return [" ".join(words[i:i + per_line]) for i in range(0, len(words), per_line)]


# --------------------------------------------------------------------------------------------
# Alignment and counting

def _key(w: str) -> str:
    return w.lower().translate(str.maketrans("åäöéè&1", "aaoeeai"))


def aligned_word_pairs(src: list[str], ocr: list[str]):
    """Yield (source word, ocr word) for one-to-one aligned positions."""
    sm = difflib.SequenceMatcher(None, [_key(w) for w in src], [_key(w) for w in ocr],
                                 autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            yield from zip(src[i1:i2], ocr[j1:j2])


def char_fates(src: str, ocr: str) -> list[str | None]:
    """For each character of src, what it became in ocr (None: alignment too unclear)."""
    fate: list[str | None] = [None] * len(src)
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(src, ocr):
        if tag == "equal":
            for k in range(i1, i2):
                fate[k] = src[k]
        elif tag == "delete":
            for k in range(i1, i2):
                fate[k] = ""
        elif tag == "replace":
            if i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    fate[i1 + k] = ocr[j1 + k]
            elif i2 - i1 == 1:
                fate[i1] = ocr[j1:j2]
        # "insert" (extra OCR characters): attributed to nothing
    return fate


def count(src_words: list[str], ocr_words: list[str]) -> tuple[Counter, Counter, int]:
    pairs: Counter = Counter()
    totals: Counter = Counter()
    skipped = 0
    for s, o in aligned_word_pairs(src_words, ocr_words):
        o = o.strip(".,;:!?\"'()[]{}‘’“”")
        if s in ("i", "I"):
            totals[s] += 1
            pairs[(s, o)] += 1
            continue
        if not any(c in s for c in SWEDISH):
            continue
        if Levenshtein.distance(_key(s), _key(o)) > max(1, len(s) // 3):
            skipped += 1  # not the same word any more: too unclear to attribute letters
            continue
        for c, f in zip(s, char_fates(s, o)):
            if c in SWEDISH and f is not None:
                totals[c] += 1
                pairs[(c, f)] += 1
    return pairs, totals, skipped


# --------------------------------------------------------------------------------------------

def dumps(data: dict) -> str:
    """JSON with one pair a line (small, readable diffs)."""
    out = []
    for k, v in data.items():
        if isinstance(v, list):
            rows = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in v)
            out.append(f" {json.dumps(k)}: [\n  {rows}\n ]")
        else:
            out.append(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}")
    return "{\n" + ",\n".join(out) + "\n}\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=14)
    ap.add_argument("--lines", type=int, default=40, help="lines per page")
    ap.add_argument("--keep", type=Path, help="keep page images and OCR text here")
    args = ap.parse_args()

    lines = lay_out(training_words(args.pages * args.lines * 8))
    pages = [lines[i:i + args.lines] for i in range(0, len(lines), args.lines)][:args.pages]
    # page n: font sans/serif alternating, 11 or 10 pt, degradation level 0 (clean) .. 3 (heavy)
    images = [render_page(p, "sans" if n % 2 == 0 else "serif", 11.0 if n % 3 else 10.0,
                          degrade=(n // 2) % 4, seed=SEED + n)
              for n, p in enumerate(pages)]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    texts = ocr_pages(images, keep=args.keep)

    pairs: Counter = Counter()
    totals: Counter = Counter()
    skipped = 0
    for n, (page, text) in enumerate(zip(pages, texts)):
        if args.keep:
            (args.keep / f"page{n:02d}.src.txt").write_text("\n".join(page) + "\n")
            (args.keep / f"page{n:02d}.ocr.txt").write_text(text)
        p, t, s = count(" ".join(page).split(), text.split())
        pairs += p
        totals += t
        skipped += s

    rows = []
    order = {c: k for k, c in enumerate("äåöÄÅÖiI")}
    for (c, o), k in sorted(pairs.items(), key=lambda x: (order[x[0][0]], -x[1])):
        rows.append({"correct": c, "ocr": o, "count": k, "p": round(k / totals[c], 4)})
    # Rare one-off readings (count 1, not an identity) are kept: they are real observations.
    # Every substitution seen in the archive's own scans is listed too, measured or not: the
    # repair trusts measured pairs only from a minimum count, but always trusts these.
    from_seeds = [{"correct": c, "ocr": o, "count": 0, "p": SEED_FLOOR, "source": "seeds"}
                  for c, o in SEED_SUBSTITUTIONS]
    data = {
        "made_by": "tests/data/repair/make_confusions.py",
        "how": ("Common Swedish words from wordfreq (not the seeds) rendered at 300 dpi with "
                "DejaVuSans/Serif 10-11 pt (3/4 of the pages degraded like old scans), OCRed with tesseract "
                "-l eng --psm 6, aligned word by word; p = P(ocr | correct) over aligned words; "
                "'i'/'I' counts only the standalone word i."),
        "tesseract": tesseract_version(),
        "lang": "eng",
        "pages": len(pages),
        "letters_seen": dict(sorted(totals.items(), key=lambda x: order[x[0]])),
        "words_skipped_unclear": skipped,
        "pairs": rows,
        "from_seeds": from_seeds,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(dumps(data), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
    for r in rows:
        print(f"  {r['correct']} -> {r['ocr']!r:8} {r['count']:5d}  p={r['p']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
