"""Text quality and the repairs ("Visa rättelser") on the document page, and in the API."""
from __future__ import annotations

import re

from flask import render_template

from kunskapsbank.model import DocumentRecord, PageRecord, Repair
from web.filters import quality_percent, repair_rule_label, visible_text

NBSP = "\u00a0"


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(Före, Efter, Typ) of every repair-table row."""
    return re.findall(r'<td class="repair-text[^"]*">(.*?)</td>\s*'
                      r'<td class="repair-text[^"]*">(.*?)</td>\s*<td>(.*?)</td>', html, re.S)


def test_quality_is_shown_per_page_and_as_mean(client, garbled):
    html = client.get(f"/dokument/{garbled.id}").get_data(as_text=True)
    # page 1 is fully repaired, page 2 is beyond saving
    assert f'<p class="quality-marker">Textkvalitet 100{NBSP}%</p>' in html
    assert f'<p class="quality-marker low">Textkvalitet 10{NBSP}%</p>' in html
    assert f'<th scope="row">Textkvalitet</th><td>55{NBSP}% (genomsnitt' in html
    assert html.count("Texten kan innehålla fel från maskinläsningen.") == 1
    assert html.index("Sida 2") < html.index("Texten kan innehålla fel")
    # the repairs are not shown until asked for
    assert "<table class=\"repairs\">" not in html and "<details" not in html
    assert f'href="/dokument/{garbled.id}?rattelser=1#text-rubrik">Visa rättelser</a>' in html
    assert "Rättningen har gjort 9 ändringar." in html


def test_clean_document_has_full_quality_and_no_note(client, docs):
    html = client.get(f"/dokument/{docs['kris'].id}").get_data(as_text=True)
    assert f"Textkvalitet 100{NBSP}%" in html
    assert "Texten kan innehålla fel" not in html


def test_repairs_view_lists_repairs_with_swedish_labels(client, garbled):
    r = client.get(f"/dokument/{garbled.id}?rattelser=1&q=bilagor")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "<caption>Rättelser på sida 1: 8 ändringar</caption>" in html
    assert "<caption>Rättelser på sida 2: 1 ändring</caption>" in html
    for label in ["Före", "Efter", "Typ"]:
        assert f'<th scope="col">{label}</th>' in html
    rows = _rows(html)
    assert ("Socialndmnden", "Socialnämnden", "Bokstav (OCR)") in rows
    assert ("1", "i", "1 → i (OCR)") in rows
    # the hyphenation joins across a line end: the line break and the trailing space show
    assert ("-↵\nvecklingen␣", "vecklingen↵\n", "Avstavning") in rows
    # the links keep the query, and lead back out of the view
    assert f'href="/dokument/{garbled.id}?q=bilagor">Dölj rättelser</a>' in html
    assert 'href="/?q=bilagor">Tillbaka till sökresultatet' in html
    # the original text is there, folded away
    assert "<details class=\"original-text\">" in html
    assert "<summary>Originaltext för sida 1 (före rättningen)</summary>" in html


def test_original_text_view_shows_raw_text_escaped(client, garbled):
    html = client.get(f"/dokument/{garbled.id}?original=1").get_data(as_text=True)
    assert html.count('<details class="original-text" open>') == 2
    raw = html[html.index('<div class="page-text raw">'):]
    assert "Socialndmnden godkinner forslaget. Arendet galler 1 bilagan." in raw
    assert "finns kvar och ut-\nvecklingen fortsatter." in raw
    # the markup next to the repaired words is text, in the repaired and the raw text alike
    assert "<script>alert(5)" not in html
    assert html.count("&lt;script&gt;alert(5)&lt;/script&gt;") == 2
    assert "Visa originaltexten" not in html  # already shown


def test_no_repairs_on_a_clean_page(client, docs):
    html = client.get(f"/dokument/{docs['rapport'].id}?rattelser=1").get_data(as_text=True)
    assert "Inga rättelser på sida 1." in html
    assert "Rättningen har inte ändrat något." in html


def _render(app, pages, repairs, **kw):
    doc = DocumentRecord(id=9, sha256="0" * 64, filename="x.pdf", media_type="application/pdf",
                         size=10, added_at="2024-01-02T03:04:05+00:00", language="sv", dnr=None,
                         document_type=None, date=None, title=None, pipeline_version="1",
                         page_count=len(pages), ocr_page_count=0)
    by_page: dict[int, list[Repair]] = {}
    for r in repairs:
        by_page.setdefault(r.page, []).append(r)
    with app.test_request_context():
        return render_template("document.html", doc=doc, pages=pages, q="", mean_quality=None,
                               repair_count=len(repairs), repairs_by_page=by_page, **kw)


def test_repair_values_are_escaped_and_whitespace_visible(app):
    pages = [PageRecord(9, 1, "a <script>alert(6)</script>\n\n- 3 -", "a", "ocr", True, 91.0, None)]
    repairs = [Repair(1, 2, "<script>alert(6)</script>", "<b>", "placeholder"),
               Repair(1, 27, "\n\n", "", "page-number"),
               Repair(1, 29, "- 3 -", " ", "page-number"),
               Repair(1, 0, "a", "a", "okänd-regel")]
    html = _render(app, pages, repairs, show_repairs=True, show_original=False)
    assert "<script>alert(6)" not in html and "<b>" not in html
    rows = _rows(html)
    assert ("&lt;script&gt;alert(6)&lt;/script&gt;", "&lt;b&gt;", "Mallskräp") in rows
    assert ("(2 × radbrytning)", "(inget)", "Sidnummer") in rows
    assert ("- 3 -", "(mellanslag)", "Sidnummer") in rows
    assert ("a", "a", "okänd-regel") in rows  # an unknown rule is named as it is
    assert html.count('class="repair-text blank"') == 3
    # no quality known: no marker, the metadata says so
    assert "Textkvalitet –" not in html and '<p class="quality-marker' not in html
    assert '<th scope="row">Textkvalitet</th><td>–</td>' in html
    assert "Maskinläst (OCR), säkerhet 91&nbsp;%" in html


def test_filters():
    assert quality_percent(0.97) == f"97{NBSP}%"
    assert quality_percent(0.849) == f"84{NBSP}%"  # under the note's limit: never shown as 85
    assert quality_percent(0.29) == f"29{NBSP}%"
    assert quality_percent(None) == ""
    labels = {"nfc": "Unicode-normalisering", "mojibake": "Teckenkodning",
              "placeholder": "Mallskräp", "page-number": "Sidnummer",
              "furniture": "Sidhuvud/sidfot", "hyphenation": "Avstavning",
              "letters": "Bokstav (OCR)", "letters:compound": "Bokstav i sammansättning (OCR)",
              "letters:context": "Bokstav efter sammanhang (OCR)", "letters:1-i": "1 → i (OCR)"}
    for rule, label in labels.items():
        assert repair_rule_label(rule) == label
    assert visible_text("") == "(inget)"
    assert visible_text("\n") == "(radbrytning)"
    assert visible_text(" \n") == "(mellanslag + radbrytning)"
    assert visible_text("\t") == "(tabb)"
    assert visible_text(" ord ") == "␣ord␣"
    assert visible_text("a\nb") == "a↵\nb"


def test_api_pages_detail_and_repairs(client, garbled):
    data = client.get(f"/api/documents/{garbled.id}").get_json()
    assert "repairs" not in data
    assert data["pages"] == 2
    assert data["pages_detail"] == [
        {"number": 1, "quality": 1.0, "ocr": False, "ocr_confidence": None, "source": "txt"},
        {"number": 2, "quality": data["pages_detail"][1]["quality"], "ocr": False,
         "ocr_confidence": None, "source": "txt"},
    ]
    assert data["pages_detail"][1]["quality"] < 0.85
    data = client.get(f"/api/documents/{garbled.id}?rattelser=1").get_json()
    assert len(data["repairs"]) == 9
    assert data["repairs"][0] == {"page": 1, "offset": 64, "before": "Socialndmnden",
                                  "after": "Socialnämnden", "rule": "letters"}
    assert {r["rule"] for r in data["repairs"]} == {"letters", "letters:1-i", "hyphenation"}
    assert all(set(r) == {"page", "offset", "before", "after", "rule"} for r in data["repairs"])
    assert client.get(f"/api/documents/{garbled.id}?rattelser=0").get_json().get("repairs") is None
