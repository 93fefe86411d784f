"""Images of an original's pages for the review page: rendered from the archived original
(PDF with pypdfium2, images with Pillow) at screen resolution and cached under
`cache/pages/`, so a page is rendered once."""
from __future__ import annotations

import io
import os
from pathlib import Path

DPI = 100  # an A4 page becomes ~830 px wide: readable beside the text
MAX_WIDTH = 1100  # images (scans) are shrunk to this width
RENDERABLE = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}


def can_render(media_type: str | None) -> bool:
    return media_type in RENDERABLE


def page_png(original: Path, media_type: str, sha256: str, number: int, cache_dir: Path
             ) -> bytes:
    """PNG of page `number` (1-based) of the original; from the cache when it is there."""
    cached = cache_dir / sha256[:2] / f"{sha256}-{number}-{DPI}.png"
    if cached.is_file():
        return cached.read_bytes()
    data = _render(original, media_type, number)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, cached)
    return data


def _render(original: Path, media_type: str, number: int) -> bytes:
    from PIL import Image
    if media_type == "application/pdf":
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(str(original))
        try:
            if not 1 <= number <= len(pdf):
                raise IndexError(f"no page {number}")
            image = pdf[number - 1].render(scale=DPI / 72).to_pil()
        finally:
            pdf.close()
    elif media_type in RENDERABLE:
        with Image.open(original) as source:
            frames = getattr(source, "n_frames", 1)
            if not 1 <= number <= frames:
                raise IndexError(f"no page {number}")
            source.seek(number - 1)
            image = source.convert("RGB") if source.mode not in ("RGB", "L") else source.copy()
        if image.width > MAX_WIDTH:
            image.thumbnail((MAX_WIDTH, MAX_WIDTH * 10))
    else:
        raise ValueError(f"cannot render pages of {media_type}")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
