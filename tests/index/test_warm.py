"""SearchIndex.warm(): the per-searcher tables are built ahead of the first search after a
write, and a warmed search answers exactly as a cold one."""
from __future__ import annotations

from index import SearchIndex, scoring
from index.query import FACET_FIELDS
from kunskapsbank.model import IndexDocument


def _docs():
    return [IndexDocument(i, f"{i}.txt", f"Rapport {i}", None, f"201{i % 10}-03-14", "pm", "sv",
                          f"Vräkningsförebyggande arbete i förvaltningen, del {i}.",
                          districts=["Farsta" if i % 2 else "Skärholmen"], years=[2010 + i % 10])
            for i in range(1, 30)]


def _answer(ix, query):
    r = ix.search(query)
    return (r.total, [(h.id, round(h.score, 6), h.snippet) for h in r.hits],
            {k: [(f.value, f.count) for f in v] for k, v in r.facets.items()})


def test_warm_builds_the_tables_and_changes_no_answer(tmp_path):
    cold = SearchIndex(tmp_path / "cold")
    warm = SearchIndex(tmp_path / "warm")
    cold.add(_docs())
    warm.add(_docs())
    warm.warm()
    state = warm._current()
    assert set(state._facets) == set(FACET_FIELDS)
    assert state._folded is not None
    lengths = scoring._lengths[state.searcher.reader()]
    assert {"title", "content"} <= set(lengths)
    for query in ("vräkningsförebyggande", "forvaltningen", "rapport OCH Farsta", "år:2013"):
        assert _answer(warm, query) == _answer(cold, query)
    # a write makes a new searcher: warmed again, not the old tables
    warm.add([IndexDocument(99, "99.txt", "Ny", None, "2020-01-01", "pm", "sv", "Ny rapport.")])
    warm.warm()
    assert warm._current() is not state
    assert set(warm._current()._facets) == set(FACET_FIELDS)
    assert {f.value for f in warm.search("rapport").facets["år"]} >= {"2013", "2020"}
    cold.close()
    warm.close()
