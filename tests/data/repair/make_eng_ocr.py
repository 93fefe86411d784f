"""Evaluation set (b): the clean seeds 001 and 004 OCRed with the ENGLISH Tesseract model.

For each clean seed: blank lines are dropped (001 has one after every text line), trailing
whitespace is stripped, and lines longer than WRAP characters (004 keeps whole paragraphs on one
line, up to 605 characters) are wrapped at spaces into lines of at most WRAP characters -- only at
spaces, so the text's words are unchanged. Tabs (004 has two tab-separated tables) become four
spaces (the font has no tab glyph). The lines are rendered LINES_PER_PAGE to a page
(DejaVuSerif 11 pt at 300 dpi, one text line = one rendered line, light scan degradation level 1
from make_confusions.py), each page is OCRed with `tesseract -l eng --psm 6`, and blank OCR lines
are dropped. Written, line for line:

    eng_ocr/NNN.gold.txt   the clean lines as rendered
    eng_ocr/NNN.ocr.txt    the OCR output (form feed between pages: no; pages are concatenated)

    .venv/bin/python tests/data/repair/make_eng_ocr.py

If a page's OCR line count differs from its rendered line count the script says so (and the
notes record it); the files are committed, the tests never OCR them again.
"""
from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_confusions as mc  # noqa: E402

ROOT = HERE.parents[2]
SEEDS = ROOT / "tests" / "data" / "seeds"
OUT = HERE / "eng_ocr"
WRAP = 80
LINES_PER_PAGE = 45
FONT, PT, DEGRADE = "serif", 11.0, 1


def gold_lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"[ \t]*\t[ \t]*", "    ", line).strip()  # tabs (004's tables): 4 spaces
        if not line:
            continue
        lines.extend(textwrap.wrap(line, WRAP, break_long_words=False, break_on_hyphens=False)
                     if len(line) > WRAP else [line])
    return lines


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for num in ("001", "004"):
        src = next(SEEDS.glob(f"{num}_*.txt"))
        gold = gold_lines(src)
        pages = [gold[i:i + LINES_PER_PAGE] for i in range(0, len(gold), LINES_PER_PAGE)]
        images = [mc.render_page(p, FONT, PT, degrade=DEGRADE, seed=int(num) * 100 + n)
                  for n, p in enumerate(pages)]
        texts = mc.ocr_pages(images)
        ocr: list[str] = []
        for n, (page, text) in enumerate(zip(pages, texts)):
            got = [line.rstrip() for line in text.splitlines() if line.strip()]
            if len(got) != len(page):
                print(f"{num} page {n + 1}: {len(page)} lines rendered, {len(got)} OCR lines")
            ocr.extend(got)
        (OUT / f"{num}.gold.txt").write_text("\n".join(gold) + "\n", encoding="utf-8")
        (OUT / f"{num}.ocr.txt").write_text("\n".join(ocr) + "\n", encoding="utf-8")
        print(f"{num}: {src.name} -> {len(gold)} gold lines, {len(pages)} pages, "
              f"{len(ocr)} OCR lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
