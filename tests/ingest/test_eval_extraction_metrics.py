"""Self-checks of the extraction evaluation metrics (bench/eval_extraction.py) on tiny inline
answer keys."""
from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("eval_extraction",
                                                  ROOT / "bench" / "eval_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ev = _load()

KEY = {
    "metadata": {
        "dnr": "3.2.2-109/2018", "document_type": "tjänsteutlåtande", "date": "2019-04-10",
        "title": "Inriktning av FoU-medel för lokala utvecklingsprojekt och studieresor år 2020",
        "nämnd": "Socialnämnden", "förvaltning": "Socialförvaltningen",
        "avdelning": "Avdelningen för stöd och styrning", "handläggare": "Anna Andersson",
        "telefon": "08-508 25 000",
        "signatories": [{"name": "Gunilla Larsson", "role": "förvaltningschef"},
                        {"name": "Per Persson", "role": "avdelningschef"}],
        "years": [2018, 2020],
        "priority_areas": [{"year": 2020, "text": "Barn och unga i behov av särskilt stöd"}],
        "amounts": [500000, 1200000],
    },
    "projects": [
        {"name": "Mätinstrument livskvalitet (gruppbostad)", "owner": "Farsta sdf",
         "district": "Farsta", "category": "lokalt utvecklingsprojekt", "year": 2018,
         "status": "slutrapport", "amount_sek": 150000, "partner": None},
        {"name": "Bo kvar", "owner": "Socialförvaltningen", "district": None,
         "category": "forskningsprojekt", "year": 2018, "status": None, "amount_sek": None,
         "partner": "Stockholms universitet"},
        {"name": "Signs of Safety i familjehemsvården", "owner": "Skärholmens sdf",
         "district": "Skärholmen", "category": "lokalt utvecklingsprojekt", "year": 2018,
         "status": None, "amount_sek": 90000, "partner": None},
    ],
}


def evaluate(meta, projects, key=KEY):
    return ev.evaluate_documents([(meta, projects, key)])


def test_perfect_prediction():
    r = evaluate(copy.deepcopy(KEY["metadata"]), copy.deepcopy(KEY["projects"]))
    assert r["projects"]["f1"] == 1.0
    assert r["projects"]["precision"] == r["projects"]["recall"] == 1.0
    assert r["projects"]["name_only"]["f1"] == 1.0
    assert r["projects"]["on_matched"] == {"status": 1.0, "amount_sek": 1.0, "partner": 1.0}
    for field, e in r["metadata"].items():
        assert e["accuracy"] == 1.0, field
        if field in ev.LIST_FIELDS:
            assert e["precision"] == e["recall"] == 1.0, field
    assert set(r["metadata"]) == set(ev.SCALAR_FIELDS + ev.LIST_FIELDS)


def test_metadata_object_is_accepted():
    from kunskapsbank.model import Metadata, PriorityArea, Signatory
    k = KEY["metadata"]
    meta = Metadata(dnr=k["dnr"], document_type=k["document_type"], date=k["date"],
                    title=k["title"], board=k["nämnd"], administration=k["förvaltning"],
                    department=k["avdelning"], case_officer=k["handläggare"], phone=k["telefon"],
                    signatories=[Signatory(**s) for s in k["signatories"]], years=k["years"],
                    priority_areas=[PriorityArea(**p) for p in k["priority_areas"]],
                    amounts=k["amounts"])
    r = evaluate(meta, None)
    assert all(e["accuracy"] == 1.0 for e in r["metadata"].values())
    assert r["projects"] is None


def test_metadata_normalisation_and_fuzzy_title():
    pred = copy.deepcopy(KEY["metadata"])
    pred["nämnd"] = "  SOCIALNÄMNDEN "
    pred["avdelning"] = "Avdelningen  för stöd\noch styrning"
    pred["title"] = "Inriktning av FoU-medel for lokala utvecklingsprojekt och studieresor ar 2020"
    pred["date"] = "2019-04-11"
    res = ev.compare_metadata(pred, KEY["metadata"])
    assert res["nämnd"]["correct"] and res["avdelning"]["correct"] and res["title"]["correct"]
    assert not res["date"]["correct"]
    assert not ev.scalar_correct("title", "Redovisning av projekt", KEY["metadata"]["title"])


def test_none_in_key_and_none_extracted_is_correct():
    assert ev.scalar_correct("dnr", None, None)
    assert not ev.scalar_correct("dnr", "3.2-1/2019", None)
    assert not ev.scalar_correct("dnr", None, "3.2-1/2019")
    r = ev.compare_metadata({"dnr": None, "years": []}, {"dnr": None, "years": []})
    assert r["dnr"]["correct"] and r["years"]["exact"]


def test_fields_missing_from_the_key_are_not_scored():
    r = ev.compare_metadata({"dnr": "x", "telefon": "123"}, {"dnr": "x"})
    assert set(r) == {"dnr"}


def test_list_fields_micro_precision_recall():
    pred = copy.deepcopy(KEY["metadata"])
    pred["signatories"] = [{"name": "gunilla  larsson", "role": "Förvaltningschef"},
                           {"name": "Per Persson", "role": "sekreterare"}]
    pred["years"] = [2018, 2019, 2020]
    pred["amounts"] = [500000]
    pred["priority_areas"] = [{"year": 2020, "text": "Barn och unga i behov av sarskilt stod"}]
    r = evaluate(pred, None)["metadata"]
    assert r["signatories"]["accuracy"] == 0.0
    assert r["signatories"]["precision"] == r["signatories"]["recall"] == 0.5
    assert r["years"]["accuracy"] == 0.0
    assert r["years"]["recall"] == 1.0 and abs(r["years"]["precision"] - 2 / 3) < 1e-3
    assert r["amounts"]["precision"] == 1.0 and r["amounts"]["recall"] == 0.5
    assert r["priority_areas"]["accuracy"] == 1.0
    wrong_year = [{"year": 2019, "text": KEY["metadata"]["priority_areas"][0]["text"]}]
    assert ev.list_counts("priority_areas", wrong_year, KEY["metadata"]["priority_areas"])["tp"] == 0


def test_missing_project_lowers_recall():
    r = evaluate(KEY["metadata"], copy.deepcopy(KEY["projects"][:2]))["projects"]
    assert r["precision"] == 1.0
    assert abs(r["recall"] - 2 / 3) < 1e-3
    assert r["f1"] < 1.0
    doc = ev.evaluate_documents([(None, KEY["projects"][:2], KEY)], ["d"])["documents"]["d"]
    assert [m["name"] for m in doc["projects"]["unmatched_key"]] == [KEY["projects"][2]["name"]]


def test_wrong_year_is_both_false_positive_and_false_negative():
    pred = copy.deepcopy(KEY["projects"])
    pred[1]["year"] = 2019
    r = evaluate(KEY["metadata"], pred)["projects"]
    assert (r["tp"], r["fp"], r["fn"]) == (2, 1, 1)
    assert r["name_only"]["f1"] == 1.0


def test_wrong_district_or_category_does_not_match():
    pred = copy.deepcopy(KEY["projects"])
    pred[0]["district"] = "Skärholmen"
    pred[2]["category"] = "forskningsprojekt"
    r = evaluate(KEY["metadata"], pred)["projects"]
    assert (r["tp"], r["fp"], r["fn"]) == (1, 2, 2)


def test_owner_compared_when_a_district_is_missing():
    key = {"name": "X-projektet", "owner": "Socialförvaltningen", "district": None,
           "category": "övrigt", "year": 2018}
    assert ev.owner_match({**key, "owner": "socialforvaltningen"}, key)
    assert not ev.owner_match({**key, "owner": "Enskede-Årsta-Vantörs sdf"}, key)
    assert not ev.owner_match({**key, "owner": None}, key)
    assert ev.owner_match({**key, "owner": None}, {**key, "owner": None})


def test_fuzzy_names_match():
    a = "Mätinstrument livskvalitet (gruppbostad)"
    b = "Mätinstrument livskvalitet gruppbostad"
    assert ev.name_score(a, b) >= ev.NAME_MIN
    assert ev.name_score("”Bo kvar”", "Bo kvar.") == 100
    pred = copy.deepcopy(KEY["projects"])
    pred[0]["name"] = b
    pred[2]["name"] = "Signs of Safety i familjehemsvarden"  # OCR lost the å
    r = evaluate(KEY["metadata"], pred)["projects"]
    assert r["f1"] == 1.0


def test_similar_but_different_names_do_not_match():
    assert ev.name_score("Bo kvar", "Bo bra") < ev.NAME_MIN
    pred = copy.deepcopy(KEY["projects"])
    pred[1]["name"] = "Bo bra"
    r = evaluate(KEY["metadata"], pred)["projects"]
    assert (r["tp"], r["fp"], r["fn"]) == (2, 1, 1)
    assert r["name_only"]["fn"] == 1


def test_one_to_one_assignment_prefers_the_best_name():
    key = [{"name": "Bo kvar", "category": "övrigt", "year": 2018},
           {"name": "Bo kvar hemma", "category": "övrigt", "year": 2018}]
    pred = [{"name": "Bo kvar hemma", "category": "övrigt", "year": 2018},
            {"name": "Bo kvar", "category": "övrigt", "year": 2018}]
    m = ev.match_projects(pred, key)
    assert m["tp"] == 2
    assert all(p["name"] == k["name"] for p, k, _ in m["pairs"])
    dup = ev.match_projects(pred[1:] * 2, key[:1])
    assert (dup["tp"], dup["fp"], dup["fn"]) == (1, 1, 0)


def test_pair_fields_on_matched_pairs():
    pred = copy.deepcopy(KEY["projects"])
    pred[0]["amount_sek"] = 15000
    pred[1]["partner"] = "stockholms  universitet"
    r = evaluate(KEY["metadata"], pred)
    p = r["projects"]
    assert p["f1"] == 1.0
    assert abs(p["on_matched"]["amount_sek"] - 2 / 3) < 1e-3
    assert p["on_matched"]["partner"] == 1.0 and p["on_matched"]["status"] == 1.0
    mism = r["documents"]["doc0"]["projects"]["pair_mismatches"]
    assert mism == [{"name": KEY["projects"][0]["name"], "field": "amount_sek", "pred": 15000,
                     "key": 150000}]


def test_no_predictions_and_empty_keys():
    r = evaluate(KEY["metadata"], [])["projects"]
    assert r["recall"] == 0.0 and r["f1"] == 0.0 and r["precision"] is None
    empty = {"metadata": {}, "projects": []}
    assert evaluate({}, [], empty)["projects"]["f1"] == 1.0


def test_micro_over_documents_and_report_runs(capsys):
    other = {"metadata": {"dnr": "1.2-3/2020"}, "projects": KEY["projects"][:1]}
    r = ev.evaluate_documents([(KEY["metadata"], KEY["projects"], KEY),
                               ({"dnr": "9.9-9/2020"}, [], other)], ["a", "b"])
    assert r["metadata"]["dnr"] == {"n": 2, "accuracy": 0.5}
    assert (r["projects"]["tp"], r["projects"]["fn"]) == (3, 1)
    ev.print_report(r)
    out = capsys.readouterr().out
    assert "== b" in out and "key not found" in out and "== a" not in out
