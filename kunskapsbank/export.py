"""Export for the yearly redovisning: projects and their mentions, filtered by year, district,
category and status, as CSV for Swedish Excel or as JSON. The web (`/projekt/export.csv`,
`/projekt/export.json`) and the CLI (`kunskapsbank export`) both call this module.

CSV for Swedish Excel: UTF-8 with a byte order mark (else Excel reads it as Windows-1252),
`;` between fields (the list separator where the decimal separator is a comma), CRLF line ends,
amounts as plain numbers with a decimal comma, and text that Excel would take for a formula
(=, +, -, @ first) led by an apostrophe.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from .catalog import Catalog

MAX_FILTER_LENGTH = 200
# Swedish alphabetical order: å, ä, ö after z (in that order), other accents as their base letter.
_SV_LAST = {"å": "\U0010fff0", "ä": "\U0010fff1", "ö": "\U0010fff2",
            "æ": "\U0010fff1", "ø": "\U0010fff2"}


def swedish_key(text: str | None) -> tuple:
    """A sort key for Swedish alphabetical order ('Ängby' after 'Zeta', 'Åby' before 'Äby')."""
    out = []
    for char in (text or "").casefold():
        if char in _SV_LAST:
            out.append(_SV_LAST[char])
            continue
        out.append(unicodedata.normalize("NFD", char)[0])
    return ("".join(out), text or "")


class FilterError(ValueError):
    """A filter value that cannot be used; `message_sv` says why, for the user."""

    def __init__(self, message_sv: str):
        super().__init__(message_sv)
        self.message_sv = message_sv


@dataclass(frozen=True)
class ExportFilter:
    year: int | None = None
    district: str | None = None
    category: str | None = None
    status: str | None = None

    @classmethod
    def parse(cls, year: str | None = None, district: str | None = None,
              category: str | None = None, status: str | None = None) -> "ExportFilter":
        """From text as typed (a form, the command line); '' means no filter."""
        def text(value: str | None) -> str | None:
            value = " ".join(unicodedata.normalize("NFC", value or "").split())
            if len(value) > MAX_FILTER_LENGTH:
                raise FilterError(f"Filtervärdet är för långt (högst {MAX_FILTER_LENGTH} tecken).")
            return value or None
        year_text = text(year)
        if year_text is not None and not (year_text.isdigit() and 1900 <= int(year_text) <= 2100):
            raise FilterError("År ska anges med fyra siffror, till exempel 2019.")
        return cls(int(year_text) if year_text else None, text(district), text(category),
                   text(status))

    def to_json(self) -> dict:
        return {"år": self.year, "stadsdel": self.district, "kategori": self.category,
                "status": self.status}

    def matches(self, row: dict) -> bool:
        def same(a, b) -> bool:
            return (a or "").casefold() == (b or "").casefold()
        return ((self.year is None or row["year"] == self.year)
                and (self.district is None or same(row["district"], self.district))
                and (self.category is None or same(row["category"], self.category))
                and (self.status is None or same(row["status"], self.status)))


_ROWS_SQL = """
SELECT p.id AS project_id, p.name AS project, p.district AS project_district,
       p.category AS project_category, m.id AS mention_id, m.name AS name, m.owner,
       coalesce(m.district, p.district) AS district, coalesce(m.category, p.category) AS category,
       coalesce(m.year, CAST(substr(d.date, 1, 4) AS INTEGER)) AS year, m.status, m.amount_sek,
       m.purpose, m.partner, m.excerpt, d.id AS document_id,
       coalesce(d.title, d.filename) AS document, d.dnr, d.date AS document_date,
       d.document_type
FROM mentions m JOIN projects p ON p.id = m.project_id JOIN documents d ON d.id = m.document_id
"""


def mention_rows(catalog: Catalog, flt: ExportFilter = ExportFilter()) -> list[dict]:
    """Every mention that passes the filter, with its project and document, by project name
    (Swedish order), then year and document date."""
    rows = [dict(r) for r in catalog.db.execute(_ROWS_SQL)]
    rows = [r for r in rows if flt.matches(r)]
    rows.sort(key=lambda r: (swedish_key(r["project"]), r["project_id"], r["year"] or 0,
                             r["document_date"] or "", r["document_id"], r["mention_id"]))
    return rows


def filter_choices(catalog: Catalog) -> dict[str, list]:
    """The values the filters can take: years, districts, categories and statuses in use."""
    rows = mention_rows(catalog)
    return {
        "years": sorted({r["year"] for r in rows if r["year"]}, reverse=True),
        "districts": sorted({r["district"] for r in rows if r["district"]}, key=swedish_key),
        "categories": sorted({r["category"] for r in rows if r["category"]}, key=swedish_key),
        "statuses": sorted({r["status"] for r in rows if r["status"]}, key=swedish_key),
    }


def project_ids(catalog: Catalog, flt: ExportFilter) -> set[int]:
    """The projects with at least one mention that passes the filter."""
    return {r["project_id"] for r in mention_rows(catalog, flt)}


# -- CSV -------------------------------------------------------------------------------------
CSV_COLUMNS = [  # (row key, header)
    ("project_id", "Projekt-id"), ("project", "Projekt"), ("district", "Stadsdel"),
    ("category", "Kategori"), ("year", "År"), ("status", "Status"),
    ("amount_sek", "Belopp (kr)"), ("owner", "Ägare"), ("name", "Namn i dokumentet"),
    ("purpose", "Syfte"), ("partner", "Forskningspartner"), ("document_id", "Dokument-id"),
    ("document", "Dokument"), ("dnr", "Diarienummer"), ("document_date", "Dokumentdatum"),
    ("document_type", "Dokumenttyp"),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_number(value) -> str:
    """A number as Swedish Excel reads one: no thousands separator, a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").replace(".", ",")
    return str(int(value))


def excel_text(value) -> str:
    """Text as a cell: never read as a formula (CSV injection), one line per cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([header for _, header in CSV_COLUMNS])
    for r in rows:
        writer.writerow([excel_number(r[k]) if k in ("project_id", "year", "amount_sek",
                                                    "document_id") else excel_text(r[k])
                         for k, _ in CSV_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# -- JSON ------------------------------------------------------------------------------------
def to_json(rows: list[dict], flt: ExportFilter) -> dict:
    """{"filter", "exported_at", "projects": [{id, name, district, category, mentions: […]}]}"""
    projects: dict[int, dict] = {}
    for r in rows:
        project = projects.setdefault(r["project_id"], {
            "id": r["project_id"], "name": r["project"], "district": r["project_district"],
            "category": r["project_category"], "mentions": []})
        project["mentions"].append({
            "id": r["mention_id"], "name": r["name"], "year": r["year"], "status": r["status"],
            "district": r["district"], "category": r["category"], "owner": r["owner"],
            "amount_sek": r["amount_sek"], "purpose": r["purpose"], "partner": r["partner"],
            "excerpt": r["excerpt"],
            "document": {"id": r["document_id"], "title": r["document"], "dnr": r["dnr"],
                         "date": r["document_date"], "document_type": r["document_type"]}})
    return {"filter": flt.to_json(),
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "project_count": len(projects), "mention_count": len(rows),
            "projects": list(projects.values())}


def export_filename(flt: ExportFilter, suffix: str) -> str:
    """An ASCII file name saying what was exported, e.g. projekt-2019-farsta.csv."""
    parts = ["projekt"] + [str(v) for v in asdict(flt).values() if v is not None]
    name = "-".join(parts)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    name = "".join(c if c.isalnum() or c == "-" else "-" for c in name).strip("-")
    return f"{name[:80]}.{suffix}"
