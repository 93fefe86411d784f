"""index.docsets: the set of documents a query matches equals Whoosh's own unscored answer,
over several segments with deleted documents, for every query kind we produce."""
from __future__ import annotations

import pytest

from index import SearchIndex
from index.docsets import DocSets
from kunskapsbank.model import IndexDocument

WORDS = "stöd samverkan förvaltning boende hemtjänsten barn familj missbruk vård äldre".split()


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    ix = SearchIndex(tmp_path_factory.mktemp("docsets") / "index")
    docs = [IndexDocument(i, f"{i}.pdf", f"Titel {WORDS[i % 10]}", None,
                          f"{2010 + i % 8}-05-01", "pm" if i % 2 else "beslut", "sv",
                          " ".join(WORDS[(i * k) % 10] for k in range(1, 2 + i % 6)),
                          districts=["Farsta"] if i % 3 == 0 else ["Bromma"])
            for i in range(1, 61)]
    ix.add(docs[:30])
    ix.add(docs[30:])
    ix.add(docs[5:9])  # replaced: deletions in the first segment
    yield ix
    ix.close()


@pytest.mark.parametrize("q", [
    "stöd", "stöd familj", "stod", "barn OR äldre", "barn INTE vård", "NOT stöd",
    "förvaltn*", '"stöd samverkan"', "år:2012..2014", "år:2013 OCH barn", "stadsdel:farsta",
    "typ:beslut ELLER vård", "finnsinte"])
def test_matches_whooshs_unscored_answer(ix, q):
    state = ix._current()
    parsed, _ = ix._parse(state, q)
    docsets = DocSets(state.searcher)
    reader = state.searcher.reader()
    expected = sorted(d for d in state.searcher.docs_for_query(parsed)
                      if not reader.is_deleted(d))
    assert docsets.docnums(docsets.query(parsed)) == expected
    assert docsets.count(docsets.query(parsed)) == ix.search(q).total == len(expected)
