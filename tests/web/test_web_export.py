"""Export for the yearly redovisning from /projekt: CSV for Swedish Excel and JSON, with the
list's filters (REPORTS in conftest.py: Bo kvar 2018 and 2020 in Skärholmen with 500 000 kr
in 2020, Kristeamet 2018 and "Unga <script & vuxna" 2020 in Farsta)."""
from __future__ import annotations

import csv
import io


def csv_rows(response) -> list[dict]:
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_filter_form_has_year_status_and_export_buttons(client, reports):
    html = client.get("/projekt").get_data(as_text=True)
    assert '<label for="ar">År</label>' in html and '<option value="2020">2020</option>' in html
    assert '<label for="status">Status</label>' in html
    assert '<option value="förstudie">Förstudie</option>' in html
    assert 'formaction="/projekt/export.csv"' in html and 'formaction="/projekt/export.json"' \
        in html
    filtered = client.get("/projekt?år=2020&status=förstudie").get_data(as_text=True)
    assert "1 projekt av 3, år 2020, status förstudie." in filtered
    bad = client.get("/projekt?år=tjugo")
    assert bad.status_code == 400
    assert "År ska anges med fyra siffror, till exempel 2019." in bad.get_data(as_text=True)


def test_csv_opens_in_swedish_excel(client, reports):
    response = client.get("/projekt/export.csv?år=2020")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="projekt-2020.csv"'
    rows = csv_rows(response)
    assert [(r["Projekt"], r["År"], r["Belopp (kr)"], r["Stadsdel"]) for r in rows] == [
        ("Bo kvar", "2020", "500000", "Skärholmen"),
        ("Unga <script & vuxna", "2020", "", "Farsta")]
    assert rows[0]["Dokument-id"] == str(reports.r2020)
    farsta = csv_rows(client.get("/projekt/export.csv?stadsdel=Farsta&kategori="))
    assert {r["Projekt"] for r in farsta} == {"Kristeamet", "Unga <script & vuxna"}


def test_json_export_and_its_refusals(client, reports):
    response = client.get("/projekt/export.json?stadsdel=Skärholmen")
    assert response.status_code == 200 and response.is_json
    assert 'filename="projekt-skarholmen.json"' in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["filter"]["stadsdel"] == "Skärholmen" and data["project_count"] == 1
    [bo] = data["projects"]
    assert [m["year"] for m in bo["mentions"]] == [2018, 2020]
    assert bo["mentions"][1]["document"]["id"] == reports.r2020
    bad = client.get("/projekt/export.csv?år=20x0")
    assert bad.status_code == 400 and "fyra siffror" in bad.get_data(as_text=True)
    none = csv_rows(client.get("/projekt/export.csv?kategori=forskningsprojekt"))
    assert none == []  # the header only


def test_export_follows_staff_corrections(fou_client, reports, kb):
    kris = next(m for m in kb.catalog.get_mentions(reports.r2018) if m["name"] == "Kristeamet")
    kb.correct_mention(kris["id"], {"district": "Skärholmen"}, username="fou-anna")
    rows = csv_rows(fou_client.get("/projekt/export.csv?stadsdel=Skärholmen&år=2018"))
    assert [r["Projekt"] for r in rows] == ["Bo kvar", "Kristeamet"]
