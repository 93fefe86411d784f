"""Word (.docx) -> text: body paragraphs and table cells in document order; one page."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from .errors import IngestError

log = logging.getLogger(__name__)


def extract_docx_text(path: Path) -> str:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError("Word-filen kunde inte läsas. Filen kan vara skadad.",
                          f"unreadable docx: {exc.__class__.__name__}: {exc}") from exc
    except Exception as exc:  # lxml errors and the like from a damaged package
        raise IngestError("Word-filen kunde inte läsas. Filen kan vara skadad.",
                          f"unreadable docx: {exc.__class__.__name__}: {exc}") from exc

    blocks: list[str] = []

    def add_table(table) -> None:
        for row in table.rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat the same element
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                for inner in cell.tables:
                    add_table(inner)
            line = "\t".join(cells).strip()
            if line:
                blocks.append(line)

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            add_table(Table(child, document))
    # Paragraphs separated by a blank line, like the other extractors' output.
    text = "\n\n".join(b.strip() for b in blocks if b.strip())
    return text + "\n" if text else ""
