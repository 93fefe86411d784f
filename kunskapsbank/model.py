"""Domain model: plain dataclasses shared by ingest, index, catalog, web and cli.

No ORM and no I/O here. Everything that crosses a package boundary is one of these.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Page:
    """One page of a document, as extracted and repaired."""

    number: int  # 1-based
    raw_text: str  # exactly what the text layer / OCR / file gave (NFC)
    text: str  # repaired text
    source: str  # "text-layer" | "ocr" | "docx" | "txt"
    ocr: bool = False
    ocr_confidence: float | None = None  # mean Tesseract word confidence 0-100, OCR pages only
    from_cache: bool = False  # OCR text came from the OCR cache
    quality: float | None = None  # share of words that are Swedish words after repair, 0-1


@dataclass
class Repair:
    """One change the text repair made (offset is into the page's raw text)."""

    page: int
    offset: int
    before: str
    after: str
    rule: str


@dataclass
class Signatory:
    name: str
    role: str | None = None  # "förvaltningschef", "avdelningschef", "sekreterare", ...


@dataclass
class PriorityArea:
    year: int | None  # the year the funding priority (inriktning) is for
    text: str


@dataclass
class Metadata:
    dnr: str | None = None
    document_type: str | None = None  # tjänsteutlåtande, protokollsutdrag, pm, bilaga, slutrapport, beslut, annat
    date: str | None = None  # ISO 8601 yyyy-mm-dd
    title: str | None = None
    board: str | None = None  # nämnd, e.g. "Socialnämnden"
    administration: str | None = None  # förvaltning, e.g. "Socialförvaltningen"
    department: str | None = None  # avdelning
    case_officer: str | None = None  # handläggare
    phone: str | None = None  # the handläggare's telephone, as printed
    signatories: list[Signatory] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # the years the document reports on
    priority_areas: list[PriorityArea] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)  # amounts in kronor, in order of mention

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_json(self) -> dict:
        """The stable JSON shape: Swedish keys where the issue names them."""
        return {
            "dnr": self.dnr, "document_type": self.document_type, "date": self.date,
            "title": self.title, "nämnd": self.board, "förvaltning": self.administration,
            "avdelning": self.department, "handläggare": self.case_officer,
            "telefon": self.phone,
            "signatories": [asdict(s) for s in self.signatories],
            "years": list(self.years),
            "priority_areas": [asdict(p) for p in self.priority_areas],
            "amounts": list(self.amounts),
        }


@dataclass
class ProjectMention:
    """One project as one document names it."""

    name: str
    owner: str | None = None  # the stadsdelsförvaltning or förvaltning, as printed (repaired)
    district: str | None = None  # canonical district (ingest.districts), if the owner is one
    category: str | None = None  # forskningsprojekt, lokalt utvecklingsprojekt, studieresa, övrigt
    year: int | None = None
    status: str | None = None  # förstudie, utvärdering, beviljad, delvis beviljad, avslagen, ...
    amount_sek: int | None = None
    purpose: str | None = None  # "Syftet med projektet är ..."
    partner: str | None = None  # research partner: university or högskola
    excerpt: str | None = None  # the passage the mention came from


@dataclass
class ProcessedDocument:
    """The result of ingest.process(): everything derived from one file, nothing stored."""

    sha256: str
    filename: str
    media_type: str  # application/pdf, image/png, ..., text/plain
    pages: list[Page]
    language: str | None
    metadata: Metadata
    pipeline_version: str
    projects: list[ProjectMention] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    @property
    def raw_text(self) -> str:
        return "\n\n".join(p.raw_text for p in self.pages)

    @property
    def ocr_pages(self) -> list[int]:
        return [p.number for p in self.pages if p.ocr]

    def to_json(self) -> dict:
        """The stable JSON shape of `kunskapsbank extract --json`."""
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "media_type": self.media_type,
            "pages": len(self.pages),
            "language": self.language,
            "text": self.text,
            "raw_text": self.raw_text,
            "ocr_pages": self.ocr_pages,
            "metadata": self.metadata.to_json(),
            "projects": [asdict(p) for p in self.projects],
            "repairs": [asdict(r) for r in self.repairs],
            "warnings": list(self.warnings),
            "pipeline_version": self.pipeline_version,
        }


@dataclass
class IndexDocument:
    """What the search index holds for one catalog document."""

    id: int
    filename: str
    title: str | None
    dnr: str | None
    date: str | None
    document_type: str | None
    language: str | None
    text: str
    districts: list[str] = field(default_factory=list)  # canonical districts of its projects
    projects: list[str] = field(default_factory=list)  # names of the projects it mentions
    categories: list[str] = field(default_factory=list)  # project categories it mentions
    years: list[int] = field(default_factory=list)  # the years it reports on or decides for
    pipeline_version: str = ""  # the catalog's, kept in the index for `kunskapsbank check`


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class SearchHit:
    id: int
    score: float
    filename: str
    title: str | None
    dnr: str | None
    date: str | None
    document_type: str | None
    snippet: str = ""  # HTML: escaped text with <mark> around matched terms

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[SearchHit]
    page: int = 1
    page_size: int = 10
    notice: str | None = None  # Swedish message for the user, e.g. query syntax fell back
    # facet name ("år", "typ", "stadsdel", "kategori") -> values with counts over all hits
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None  # "Menade du …?": a corrected query, when one finds more
    projects: list[dict] = field(default_factory=list)  # project cards for the query

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "page": self.page,
                "page_size": self.page_size, "notice": self.notice,
                "suggestion": self.suggestion,
                "facets": {k: [asdict(v) for v in vs] for k, vs in self.facets.items()},
                "projects": self.projects,
                "hits": [h.to_json() for h in self.hits]}


@dataclass
class PageRecord:
    """A page as stored in the catalog."""

    document_id: int
    number: int
    raw_text: str
    text: str
    source: str
    ocr: bool
    ocr_confidence: float | None
    quality: float | None = None


@dataclass
class DocumentRecord:
    """A document as stored in the catalog (one row of `documents`)."""

    id: int
    sha256: str
    filename: str  # the user's original file name
    media_type: str
    size: int  # bytes of the original
    added_at: str  # ISO timestamp, UTC
    language: str | None
    dnr: str | None
    document_type: str | None
    date: str | None
    title: str | None
    pipeline_version: str
    page_count: int
    ocr_page_count: int

    @property
    def display_title(self) -> str:
        return self.title or self.filename

    def to_json(self) -> dict:
        return asdict(self)
