"""Search that understands Swedish and forgives OCR: folding, compounds, field names, filters,
facets, sorting, "Menade du …?" and "Liknande dokument". Real Whoosh in temporary directories."""
from __future__ import annotations

import pytest

from index import SearchIndex
from index.analysis import fold, split_compound, swedish_analyzer
from index.query import FALLBACK_NOTICE
from kunskapsbank.model import IndexDocument

DOCS = [
    IndexDocument(1, "1.pdf", "Redovisning av FoU-medel", "3.2.2-109/2018", "2018-04-10",
                  "tjänsteutlåtande", "sv",
                  "Socialförvaltningen redovisar Kristeamet och det vräkningsförebyggande arbetet "
                  "i Skärholmen. Missbruksvården har utvecklats.",
                  districts=["Skärholmen"], projects=["Kristeamet"],
                  categories=["lokalt utvecklingsprojekt"]),
    IndexDocument(2, "2.pdf", "Bo kvar", "3.2.2-200/2016", "2016-11-02", "pm", "sv",
                  "Bo kvar är ett utvecklingsprojekt i Farsta. Förvaltningen följer upp "
                  "samlarsyndrom hos äldre.",
                  districts=["Farsta"], projects=["Bo kvar"],
                  categories=["lokalt utvecklingsprojekt"]),
    IndexDocument(3, "3.pdf", "Forskning om hemlöshet", "3.2.2-17/2015", "2015-02-20",
                  "protokollsutdrag", "sv",
                  # old OCR: the Swedish letters lost
                  "Forvaltningen har beviljat medel till forskningsprojektet om hemloshet i "
                  "Enskede-Arsta-Vantor och Farsta.",
                  districts=["Enskede-Årsta-Vantör", "Farsta"], projects=["Hemlöshetsstudien"],
                  categories=["forskningsprojekt"]),
    IndexDocument(4, "4.pdf", "Studieresa till Malmö", "SDN 2019/45", "2019-09-30", "pm", "sv",
                  "En studieresa för personalen inom missbruk och vård i Farsta.",
                  districts=["Farsta"], projects=["Studieresa Malmö"],
                  categories=["studieresa"]),
    IndexDocument(5, "5.txt", None, None, None, None, "sv",
                  "Anteckningar utan datum om stadsdelsförvaltningarnas arbete med hemlöshet."),
]
TEXTS = {d.id: d.text for d in DOCS}


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    ix = SearchIndex(tmp_path_factory.mktemp("swedish") / "index")
    ix.add(DOCS)
    yield ix
    ix.close()


def ids(results):
    return [h.id for h in results.hits]


def search(ix, q, **kw):
    return ix.search(q, text_for=TEXTS.get, **kw)


# -- analysis ---------------------------------------------------------------------------------
def test_compound_splitting_with_linking_s():
    assert split_compound("missbruksvård") == ("missbruk", "vård")
    assert split_compound("utvecklingsprojekt") == ("utveckling", "projekt")
    assert split_compound("organisationen") == ()  # common as it stands
    assert split_compound("projekt") == ()  # short


def test_compound_parts_share_the_position_of_the_word():
    tokens = [(t.text, t.pos) for t in swedish_analyzer()("nya utvecklingsprojekt", positions=True)]
    assert ("utveckling", 1) in tokens and ("projek", 1) in tokens
    assert [t.text for t in swedish_analyzer()("utvecklingsprojekt", mode="query")] == \
        ["utvecklingsprojek"]  # a query word is matched as written


def test_ligatures_and_folding():
    assert [t.text for t in swedish_analyzer()("ﬁnansiering")] == \
        [t.text for t in swedish_analyzer()("finansiering")]
    assert fold("Skärholmen") == "skarholmen"


def test_analyzer_tokens_positions_and_chars():
    tokens = [(t.text, t.pos, t.startchar, t.endchar) for t in swedish_analyzer()(
        "Och missbruksvården i Farsta", positions=True, chars=True)]
    assert tokens == [("missbruksvård", 0, 4, 19), ("missbruk", 0, 4, 19), ("vård", 0, 4, 19),
                      ("farst", 1, 22, 28)]  # stop words take no position


# -- folding and compounds in search ------------------------------------------------------------
def test_folded_query_finds_swedish_spelling(ix):
    assert {2, 3} <= set(ids(search(ix, "forvaltningen")))
    assert 1 in ids(search(ix, "vrakningsforebyggande"))


def test_folding_works_for_prefixes_and_phrases(ix):
    assert {2, 3} <= set(ids(search(ix, "forvaltn*")))
    assert 3 in ids(search(ix, "förvaltn*"))  # "Forvaltningen": OCR lost the ö
    assert ids(search(ix, '"forvaltningen foljer upp"')) == [2]
    assert ids(search(ix, '"Förvaltningen har beviljat"')) == [3]


def test_exact_spelling_ranks_above_folded_only(ix):
    results = search(ix, "förvaltningen")
    assert set(ids(results)) >= {2, 3}
    assert ids(results).index(2) < ids(results).index(3)  # 3 has only "Forvaltningen"


def test_folded_hit_is_highlighted(ix):
    hit = next(h for h in search(ix, "hemlöshet").hits if h.id == 3)
    assert "<mark" in hit.snippet and "hemloshet</mark>" in hit.snippet


def test_compound_parts_are_found(ix):
    assert 2 in ids(search(ix, "projekt"))  # "utvecklingsprojekt"
    assert 1 in ids(search(ix, "vård"))  # "Missbruksvården"
    assert ids(search(ix, "missbruksvård")) == [1]
    assert ids(search(ix, '"ett utvecklingsprojekt i Farsta"')) == [2]  # phrases still work


def test_compound_part_is_highlighted(ix):
    hit = next(h for h in search(ix, "vård").hits if h.id == 1)
    assert "Missbruksvården</mark>" in hit.snippet


# -- field names and operators --------------------------------------------------------------------
@pytest.mark.parametrize("query, expected", [
    ("dnr:3.2.2-109/2018", {1}),
    ("3.2.2-109/2018", {1}),
    ("3.2.2 - 109/2018", {1}),
    ("Dnr 3.2.2-109/2018", {1}),
    ("dnr: 3.2.2 – 109/2018", {1}),
    ("Dnr SDN 2019/45", {4}),
    ("år:2016", {2}),
    ("år:2015..2018", {1, 2, 3}),
    ("år:[2016 TO 2019]", {1, 2, 4}),
    ("år:2018..", {1, 4}),
    ("typ:pm", {2, 4}),
    ("typ:PM", {2, 4}),
    ("typ:Tjänsteutlåtande", {1}),
    ("typ:tjansteutlatande", {1}),
    ("typ:protokollsutdrag", {3}),
    ("stadsdel:Farsta", {2, 3, 4}),
    ("stadsdel:skarholmen", {1}),
    ("stadsdel:SKÄRHOLMEN", {1}),
    ('stadsdel:"Enskede-Årsta-Vantör"', {3}),
    ("stadsdel:enskede-arsta-vantor", {3}),
    ("projekt:Kristeamet", {1}),
    ('projekt:"bo kvar"', {2}),
    ("projekt:hemloshetsstudien", {3}),
    ("kategori:forskningsprojekt", {3}),
    ("kategori:forskning", {3}),
    ("kategori:lokalt", {1, 2}),
    ('kategori:"lokalt utvecklingsprojekt"', {1, 2}),
    ("kategori:studieresa", {4}),
    ("Farsta OCH år:2016", {2}),
    ("Farsta ELLER Skärholmen", {1, 2, 3, 4}),
    ("Farsta INTE stadsdel:farsta", set()),
    ("stadsdel:farsta INTE typ:pm", {3}),
    ("(typ:pm ELLER typ:tjänsteutlåtande) OCH år:2019", {4}),
    ("Kriste*", {1}),
    ('"vräkningsförebyggande arbetet"', {1}),
])
def test_field_names_and_operators(ix, query, expected):
    results = search(ix, query)
    assert set(ids(results)) == expected, query
    assert results.notice is None


def test_plain_term_matches_project_name_first(ix):
    assert ids(search(ix, "Kristeamet"))[0] == 1


@pytest.mark.parametrize("query", [
    '"unclosed', "(år:2015", "år:abc", "år:..", "typ:", "stadsdel:(", "dnr:", "kategori:'",
    "AND OR NOT", "OCH", "*", "title:[a TO", "år:[2015 TO", ":::", "projekt:\"x", "\\", "'",
    "år:2015..2019..2020", "stadsdel:xyz", "typ:okänd", "ä" * 300])
def test_malformed_queries_never_raise(ix, query):
    results = search(ix, query)
    assert results.total >= 0
    assert results.notice in (None, FALLBACK_NOTICE)


# -- filters, facets, sorting ---------------------------------------------------------------------
def test_facets_count_all_hits(ix):
    results = ix.search("Farsta", page_size=1)
    assert results.total == 3 and len(results.hits) == 1
    facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
    assert facets["år"] == {"2019": 1, "2016": 1, "2015": 1}
    assert [v.value for v in results.facets["år"]] == ["2019", "2016", "2015"]
    assert facets["typ"] == {"pm": 2, "protokollsutdrag": 1}
    assert facets["stadsdel"] == {"Farsta": 3, "Enskede-Årsta-Vantör": 1}
    assert facets["kategori"] == {"lokalt utvecklingsprojekt": 1, "forskningsprojekt": 1,
                                  "studieresa": 1}


@pytest.mark.parametrize("filters, expected", [
    ({"år": 2016}, {2}),
    ({"år": "2019"}, {4}),
    ({"typ": "pm"}, {2, 4}),
    ({"typ": "PM"}, {2, 4}),
    ({"stadsdel": "Farsta"}, {2, 3, 4}),
    ({"stadsdel": "enskede-arsta-vantor"}, {3}),
    ({"kategori": "studieresa"}, {4}),
    ({"kategori": "forskning"}, {3}),
    ({"typ": "pm", "år": 2019}, {4}),
    ({"år": None, "typ": ""}, {2, 3, 4}),
    ({"år": "inte ett år"}, set()),
])
def test_filters(ix, filters, expected):
    results = search(ix, "Farsta", filters=filters)
    assert set(ids(results)) == expected
    assert results.total == len(expected)


def test_facets_follow_the_filter(ix):
    results = search(ix, "Farsta", filters={"typ": "pm"})
    assert {v.value: v.count for v in results.facets["typ"]} == {"pm": 2}
    assert {v.value: v.count for v in results.facets["år"]} == {"2019": 1, "2016": 1}


def test_sort_by_date_newest_first(ix):
    results = search(ix, "hemlöshet ELLER Farsta ELLER Skärholmen", sort="date")
    assert ids(results) == [4, 1, 2, 3, 5]  # the undated one last
    relevance = search(ix, "hemlöshet ELLER Farsta ELLER Skärholmen")
    assert set(ids(relevance)) == set(ids(results))


def test_sort_by_date_pages(ix):
    pages = [ids(search(ix, "Farsta ELLER hemlöshet", sort="date", page=p, page_size=2))
             for p in (1, 2)]
    assert pages == [[4, 2], [3, 5]]


# -- "Menade du …?" ------------------------------------------------------------------------------
@pytest.mark.parametrize("query, suggestion", [
    ("samlarsyndrm", "samlarsyndrom"),
    ("vräkningsförebygande", "vräkningsförebyggande"),
    ("Kristemaet", "Kristeamet"),
    ("samlarsyndrm hos", "samlarsyndrom hos"),
])
def test_suggestion_for_misspelt_word(ix, query, suggestion):
    results = search(ix, query)
    assert results.total == 0
    assert results.suggestion == suggestion
    assert search(ix, results.suggestion).total > 0


def test_no_suggestion_when_query_finds_enough_or_nothing_better(ix):
    assert search(ix, "Farsta").suggestion is None
    assert search(ix, "Kristeamet").suggestion is None  # one hit, spelt right
    assert search(ix, "xqzwvy").suggestion is None


# -- "Liknande dokument" -----------------------------------------------------------------------------
def test_more_like_this_excludes_the_document_itself(ix):
    similar = ix.more_like_this(3, TEXTS[3], limit=5)
    assert similar and 3 not in [h.id for h in similar]
    assert len(similar) <= 5
    assert similar[0].id in (2, 5)  # Farsta / hemlöshet / förvaltning
    assert ix.more_like_this(3, "", limit=5) == []


# -- versions -----------------------------------------------------------------------------------
def test_version_change_empties_the_index(tmp_path, monkeypatch):
    first = SearchIndex(tmp_path / "ix")
    first.add(DOCS[:2])
    first.close()
    import index.store
    monkeypatch.setattr(index.store, "SCHEMA_VERSION", index.store.SCHEMA_VERSION + ".next")
    again = SearchIndex(tmp_path / "ix")
    assert again.created and again.doc_count() == 0
    again.close()


def test_index_of_an_older_version_is_replaced_even_if_it_cannot_be_read(tmp_path):
    """An old index pickles analysers this version no longer has: it must be started afresh,
    not fail to open."""
    first = SearchIndex(tmp_path / "ix")
    first.add(DOCS[:2])
    first.close()
    (tmp_path / "ix" / "KUNSKAPSBANK_SCHEMA").write_text("schema-3.sv-3\n")
    for toc in (tmp_path / "ix").glob("*.toc"):
        toc.write_bytes(b"not a pickle of this version")
    again = SearchIndex(tmp_path / "ix")
    assert again.created and again.doc_count() == 0
    again.add(DOCS[:1])
    assert ids(search(again, "Kristeamet")) == [1]
    again.close()


def test_schema_version_includes_analysis_version():
    from index.analysis import ANALYSIS_VERSION
    from index.schema import SCHEMA_VERSION
    assert ANALYSIS_VERSION in SCHEMA_VERSION


def test_year_also_matches_the_years_a_document_reports_on(tmp_path):
    """A decision dated December 2023 about the funds for 2024 is found by år:2024."""
    from index import SearchIndex
    from kunskapsbank.model import IndexDocument
    ix = SearchIndex(tmp_path / "ix")
    ix.add([IndexDocument(1, "a.txt", "Fördelning av medel 2024", None, "2023-12-12",
                          "tjänsteutlåtande", "sv", "medel för utveckling", years=[2024]),
            IndexDocument(2, "b.txt", "Redovisning", None, "2019-04-10", "tjänsteutlåtande",
                          "sv", "redovisning av projekt", years=[2018, 2020])])
    assert [h.id for h in ix.search("år:2024").hits] == [1]
    assert [h.id for h in ix.search("år:2023").hits] == [1]
    assert {h.id for h in ix.search("år:2017..2018").hits} == {2}
    assert [h.id for h in ix.search("medel", filters={"år": 2024}).hits] == [1]
    ix.close()
