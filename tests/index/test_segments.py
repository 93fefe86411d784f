"""Facets over an index of several segments, as separate ingests and uploads leave it."""
from __future__ import annotations

from index import SearchIndex
from kunskapsbank.model import IndexDocument


def test_facets_when_an_earlier_segment_lacks_a_column(tmp_path):
    # One commit per document: the first segment has no dated document (no date column), the
    # second has one. Whoosh's multi-segment column reader then read the wrong documents.
    ix = SearchIndex(tmp_path / "index")
    ix.add([IndexDocument(1, "1.txt", "PM", None, None, "pm", "sv", "Kristeamet under året.")])
    ix.add([IndexDocument(2, "2.txt", "Tjänsteutlåtande", "1.2-3/2018", "2018-03-14",
                          "tjänsteutlåtande", "sv", "Kristeamet fortsätter.", years=[2018])])
    ix.add([IndexDocument(3, "3.txt", "Bilaga", None, "2019-01-02", "pm", "sv",
                          "Kristeamet igen.", years=[2019])])
    results = ix.search("Kristeamet")
    assert results.total == 3
    assert {h.id for h in results.hits} == {1, 2, 3}
    years = {f.value: f.count for f in results.facets["år"]}
    assert years == {"2018": 1, "2019": 1}
    types = {f.value: f.count for f in results.facets["typ"]}
    assert types == {"pm": 2, "tjänsteutlåtande": 1}
    ix.close()
