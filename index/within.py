"""Scoring just the documents a query is already known to match.

A query of several words is an And of per-word Ors over fields (and å/ä/ö variants); Whoosh
scores it by leapfrogging its matchers through every posting of its common words. The exact
set of matching documents is known beforehand (index.docsets), and the And's score of such a
document is the sum of its clauses' scores, which is what a plain Or of the same clauses gives
at that document. So: the Or of the query's positive clauses, visited only at the known
documents (an intersection with a list of them that scores 0). Same documents, same scores,
far fewer postings read when the matches are few.
"""
from __future__ import annotations

import bisect

from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, ListMatcher

_CONJUNCTIONS = (wq.And, wq.AndNot, wq.Require, wq.AndMaybe)


def positive_clauses(q: wq.Query) -> list[wq.Query] | None:
    """The clauses whose scores add up to q's score at a matching document (negated parts
    left out), or None when q has no conjunction to gain from or a boost on a compound
    (which the flat Or would lose)."""
    clauses: list[wq.Query] = []
    found_conjunction = False

    def walk(node: wq.Query) -> bool:
        nonlocal found_conjunction
        kind = type(node)
        if kind in (wq.And, wq.Or):
            if node.boost != 1.0 or (kind is wq.Or and getattr(node, "minmatch", 0)):
                return False
            found_conjunction |= kind is wq.And
            return all(walk(sub) for sub in node.subqueries)
        if kind in (wq.AndNot, wq.Require):
            found_conjunction = True
            return node.boost == 1.0 and walk(node.a)
        if kind is wq.AndMaybe:
            found_conjunction = True
            return node.boost == 1.0 and walk(node.a) and walk(node.b)
        if kind is wq.Not or node is wq.NullQuery:
            return True
        if isinstance(node, wq.CompoundQuery) and not isinstance(node, wq.Sequence):
            return False  # DisjunctionMax and the like: not a plain sum
        clauses.append(node)
        return True

    if not walk(q) or not found_conjunction or not clauses:
        return None
    return clauses


class Within(wq.Query):
    """`scoring` (a query), matched only at `docnums` (sorted global document numbers of
    `top`, the searcher the search runs on)."""

    def __init__(self, top, docnums: list[int], scoring: wq.Query):
        self.top, self.docnums, self.scoring = top, docnums, scoring
        self.boost = 1.0

    def __eq__(self, other):
        return type(other) is type(self) and other.docnums == self.docnums \
            and other.scoring == self.scoring

    def __hash__(self):
        return hash((len(self.docnums), self.scoring))

    def estimate_size(self, ixreader):
        return len(self.docnums)

    def estimate_min_size(self, ixreader):
        return len(self.docnums)

    def docs(self, searcher):
        return iter(self._local(searcher))

    def _local(self, searcher) -> list[int]:
        offset = 0 if searcher is self.top else self.top._offset_for_subsearcher(searcher)
        size = searcher.doc_count_all()
        lo = bisect.bisect_left(self.docnums, offset)
        hi = bisect.bisect_left(self.docnums, offset + size)
        return [d - offset for d in self.docnums[lo:hi]]

    def matcher(self, searcher, context=None):
        local = self._local(searcher)
        if not local:
            from whoosh.matching import NullMatcher
            return NullMatcher()
        return IntersectionMatcher(_Unscored(local), self.scoring.matcher(searcher, context))


class _Unscored(ListMatcher):
    """The known documents, adding nothing to the score: its max_quality must say so too, or
    the collector's pruning (replace(minquality)) drops clauses that still count."""

    def score(self):
        return 0.0

    def max_quality(self):
        return 0.0

    def block_quality(self):
        return 0.0

    def supports_block_quality(self):
        return False
