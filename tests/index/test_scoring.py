"""index.scoring: BM25F with cached field lengths scores exactly as Whoosh's BM25F, over
several segments and after documents are replaced."""
from __future__ import annotations

from whoosh.scoring import BM25F

from index import SearchIndex
from index.scoring import CachedLengthBM25F
from kunskapsbank.model import IndexDocument


def test_cached_lengths_give_whooshs_scores(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    docs = [IndexDocument(i, f"{i}.pdf", f"Stöd {i}", None, None, "pm", "sv",
                          "stöd i samverkan " * (i % 5 + 1) + "familj " * (i % 3))
            for i in range(1, 31)]
    ix.add(docs[:15])
    ix.add(docs[15:])
    ix.add(docs[3:5])  # replaced: deleted documents in a segment
    state = ix._current()
    for q in ("stöd", "stöd familj", "samverkan OR familj"):
        parsed, _ = ix._parse(state, q)
        expected = [(h.docnum, h.score) for h in
                    ix._ix.searcher(weighting=BM25F()).search(parsed, limit=None)]
        got = [(h.docnum, h.score) for h in
               ix._ix.searcher(weighting=CachedLengthBM25F()).search(parsed, limit=None)]
        assert got == expected and got
    ix.close()
