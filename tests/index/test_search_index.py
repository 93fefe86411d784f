"""The Whoosh index through our interface: real Whoosh in a temporary directory."""
from __future__ import annotations

import pytest

from index import SearchIndex
from index.analysis import swedish_analyzer
from index.query import FALLBACK_NOTICE
from kunskapsbank.model import IndexDocument

TEXTS = {
    1: "Socialnämnden godkänner redovisningen av Kristeamet och det vräkningsförebyggande "
       "arbetet i Skärholmen. <script>alert(1)</script>",
    2: "Bo kvar är ett lokalt utvecklingsprojekt i Farsta stadsdelsförvaltning.",
    3: "The project was evaluated by an English team at the university.",
}


def make_doc(doc_id, **kw):
    base = dict(id=doc_id, filename=f"{doc_id}.pdf", title=None, dnr=None, date=None,
                document_type=None, language="sv", text=TEXTS[doc_id])
    base.update(kw)
    return IndexDocument(**base)


@pytest.fixture
def ix(tmp_path):
    ix = SearchIndex(tmp_path / "index")
    ix.add([make_doc(1, title="Redovisning av FoU-medel", dnr="3.2.2-109/2018",
                     date="2019-04-10", document_type="tjänsteutlåtande"),
            make_doc(2), make_doc(3)])
    yield ix
    ix.close()


def search(ix, q, **kw):
    return ix.search(q, text_for=TEXTS.get, **kw)


def test_stop_list_is_swedish_only():
    tokens = [t.text for t in swedish_analyzer()("och det är the and project")]
    assert tokens[:2] == ["the", "and"]  # English words are not stop words here
    assert "och" not in tokens and "det" not in tokens


def test_stemming_finds_inflected_forms(ix):
    assert [h.id for h in search(ix, "godkänna").hits] == [1]
    assert [h.id for h in search(ix, "utvecklingsprojekten").hits] == [2]


def test_hit_carries_metadata_and_highlight(ix):
    results = search(ix, "Kristeamet")
    assert results.total == 1
    hit = results.hits[0]
    assert (hit.title, hit.dnr, hit.date, hit.document_type) == (
        "Redovisning av FoU-medel", "3.2.2-109/2018", "2019-04-10", "tjänsteutlåtande")
    assert "<mark" in hit.snippet and "Kristeamet</mark>" in hit.snippet


def test_snippet_escapes_document_text(ix):
    snippet = search(ix, "Skärholmen").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_dnr_matches_exactly(ix):
    assert [h.id for h in search(ix, "dnr:3.2.2-109/2018").hits] == [1]
    assert [h.id for h in search(ix, "3.2.2-109/2018").hits] == [1]


def test_swedish_operators(ix):
    assert search(ix, "Farsta ELLER Skärholmen").total == 2
    assert search(ix, "Farsta OCH Skärholmen").total == 0
    assert [h.id for h in search(ix, "stadsdelsförvaltning INTE Skärholmen").hits] == [2]


@pytest.mark.parametrize("query", ['"unclosed phrase', "(Kristeamet AND", "title:(", ")))"])
def test_broken_syntax_falls_back_to_terms(ix, query):
    results = search(ix, query)
    assert results.notice == FALLBACK_NOTICE
    if "Kristeamet" in query:
        assert [h.id for h in results.hits] == [1]


def test_empty_query_finds_nothing_quietly(ix):
    results = search(ix, "   ")
    assert results.total == 0 and results.notice is None


def test_update_replaces_and_delete_removes(ix):
    ix.add([make_doc(2, title="Nytt namn")])
    assert ix.doc_count() == 3
    assert search(ix, "nytt").hits[0].id == 2
    ix.delete([2])
    assert ix.ids() == {1, 3}


def test_rebuild_swaps_in_a_fresh_index(ix, tmp_path):
    assert ix.rebuild([make_doc(3)]) == 1
    assert ix.ids() == {3}
    assert not (tmp_path / "index.new").exists() and not (tmp_path / "index.old").exists()


def test_reopen_keeps_documents_and_flags_new_indexes(tmp_path):
    first = SearchIndex(tmp_path / "ix")
    assert first.created
    first.add([make_doc(2)])
    first.close()
    again = SearchIndex(tmp_path / "ix")
    assert not again.created and again.ids() == {2}
    again.close()
    (tmp_path / "ix" / "KUNSKAPSBANK_SCHEMA").write_text("schema-0\n")
    stale = SearchIndex(tmp_path / "ix")
    assert stale.created and stale.doc_count() == 0
    stale.close()


def test_pagination(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.add(IndexDocument(i, f"{i}.txt", None, None, None, None, "sv", "gemensamt ord")
           for i in range(1, 26))
    pages = [ix.search("gemensamt", page=p, page_size=10) for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    assert all(p.total == 25 for p in pages)
    assert len({h.id for p in pages for h in p.hits}) == 25
    ix.close()


def test_a_stop_word_in_a_query_is_no_required_dnr(ix):
    """Regression: "för" was dropped from the text fields but kept as a dnr term, and the
    required dnr:för then found nothing."""
    assert [h.id for h in search(ix, "redovisningen för Kristeamet").hits] == [1]
