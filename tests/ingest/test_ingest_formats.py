"""process() on each supported format (text-layer PDF, DOCX, TXT) - no OCR needed here."""
from __future__ import annotations

import hashlib

import docx
from ingest import PIPELINE_VERSION, process
from ingest.detect import DOCX, PDF, TXT


def test_text_layer_pdf(text_pdf, config):
    path = text_pdf([
        ["Tjänsteutlåtande", "Dnr 3.2.2-109/2018", "Sida 1 (3)", "2019-04-10", "",
         "Inriktning av FoU-medel för lokala", "utvecklingsprojekt år 2020", "",
         "Förvaltningens förslag till beslut", "Socialnämnden godkänner redovisningen av",
         "utvecklings-", "projekt och FoU-", "medel för år 2018."],
        ["Tjänsteutlåtande", "Dnr 3.2.2-109/2018", "Sida 2 (3)", "",
         "Bakgrund", "Stödet ges utifrån förvaltningarnas behov – ”citat” här."],
        ["Tjänsteutlåtande", "Dnr 3.2.2-109/2018", "Sida 3 (3)", "",
         "Ärendet delges samtliga stadsdelsnämnder och kommunstyrelsen."],
    ], name="arkivkopia.bin")
    doc = process(path, filename="Tjänsteutlåtande FoU.pdf", config=config)
    assert doc.media_type == PDF
    assert doc.filename == "Tjänsteutlåtande FoU.pdf"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.pipeline_version == PIPELINE_VERSION
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert all(p.source == "text-layer" and not p.ocr and not p.from_cache for p in doc.pages)
    assert doc.ocr_pages == []
    assert "Socialnämnden godkänner redovisningen" in doc.pages[0].raw_text
    assert "utvecklingsprojekt" in doc.pages[0].text
    assert "FoU-medel" in doc.pages[0].text
    assert "”citat”" in doc.pages[1].text and "–" in doc.pages[1].text
    # Page furniture: the header stays once (page 1), page numbers go.
    assert "Dnr 3.2.2-109/2018" in doc.pages[0].text
    assert "Dnr" not in doc.pages[1].text and "Tjänsteutlåtande" not in doc.pages[2].text
    assert "Sida" not in doc.text
    assert doc.language == "sv"
    assert doc.metadata.dnr == "3.2.2-109/2018"
    assert doc.metadata.document_type == "tjänsteutlåtande"
    assert doc.metadata.date == "2019-04-10"
    assert doc.metadata.title == "Inriktning av FoU-medel för lokala utvecklingsprojekt år 2020"
    assert doc.projects == []
    assert {r.rule for r in doc.repairs} >= {"page-number", "furniture", "hyphenation"}
    # Offsets point into the raw text of their page.
    for r in doc.repairs:
        if r.rule in ("page-number", "furniture"):
            raw = doc.pages[r.page - 1].raw_text
            assert raw[r.offset:r.offset + len(r.before)] == r.before
    assert doc.to_json()["pages"] == 3
    # Pure: nothing but (at most) the OCR cache under the data directory.
    assert not config.catalog_path.exists() and not config.index_dir.exists()


def test_pdf_deterministic(text_pdf, config):
    path = text_pdf([["Förvaltningens förslag till beslut: godkänna redovisningen av projekten."]])
    assert process(path, config=config).to_json() == process(path, config=config).to_json()


def test_docx(tmp_path, config):
    document = docx.Document()
    document.add_heading("Slutrapport", level=1)
    document.add_paragraph("Projektet Stärkt brukarinflytande i Södermalms stadsdelsförvaltning")
    document.add_paragraph("Under år 2018 har projektet utvecklat en hållbar struktur för "
                           "brukarinflytande. Rapporten är daterad den 7 juni 2018.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Förvaltning"
    table.cell(0, 1).text = "Summa (kronor)"
    table.cell(1, 0).text = "Skärholmen"
    table.cell(1, 1).text = "500 000"
    path = tmp_path / "rapport.bin"
    document.save(path)
    doc = process(path, config=config)
    assert doc.media_type == DOCX
    assert len(doc.pages) == 1 and doc.pages[0].source == "docx"
    assert "hållbar struktur för brukarinflytande" in doc.text
    assert "Skärholmen\t500 000" in doc.text
    assert doc.metadata.document_type == "slutrapport"
    assert doc.metadata.date == "2018-06-07"
    assert doc.language == "sv"


SWEDISH = ("Förvaltningens förslag till beslut\n\nSocialnämnden godkänner förslaget. "
           "Ärendet överlämnas till stadsdelsnämnderna för kännedom – ”snarast”.\n")


def test_txt_utf8(tmp_path, config):
    path = tmp_path / "a.txt"
    path.write_bytes(SWEDISH.encode("utf-8"))
    doc = process(path, config=config)
    assert doc.media_type == TXT
    assert doc.pages[0].source == "txt"
    assert doc.pages[0].raw_text == SWEDISH
    assert doc.text == SWEDISH


def test_txt_cp1252_and_latin1(tmp_path, config):
    for enc, text in (("cp1252", SWEDISH), ("latin-1", SWEDISH.replace("–", "-").replace("”", '"'))):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(text.encode(enc))
        doc = process(path, config=config)
        assert doc.pages[0].raw_text == text, enc


def test_txt_short_cp1252(tmp_path, config):
    path = tmp_path / "kort.txt"
    path.write_bytes("Hej på dig, åäö.".encode("cp1252"))
    assert process(path, config=config).text == "Hej på dig, åäö."


def test_txt_form_feeds_are_pages(tmp_path, config):
    path = tmp_path / "sidor.txt"
    path.write_text("Första sidan med text.\fAndra sidan med text.\f", encoding="utf-8")
    doc = process(path, config=config)
    assert [p.text for p in doc.pages] == ["Första sidan med text.", "Andra sidan med text."]


def test_txt_mojibake_repaired(tmp_path, config):
    path = tmp_path / "trasig.txt"
    path.write_text("Förvaltningens förslag: fÃ¶rdelning av medel fÃ¶r Ã¥r 2024.\n",
                    encoding="utf-8")
    doc = process(path, config=config)
    assert "fördelning av medel för år 2024" in doc.text
    assert "fÃ¶r" in doc.pages[0].raw_text  # raw text kept as found
    assert any(r.rule == "mojibake" for r in doc.repairs)
