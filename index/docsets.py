"""Sets of matching documents as Python ints, for totals and facet counts without scoring.

A set is an int with byte d (bits 8d..8d+7) equal to 1 when document number d is in it: built
with one byte write per posting, combined with the C-speed &, |, and counted with
int.bit_count(). Whoosh's own unscored pass (docs_for_query) steps a Python matcher per document
and field, and was the bulk of a full results page; counting each facet value by a Python loop
over the matches was most of the rest.

One DocSets belongs to one searcher (one state of the index) and caches the sets of the terms
and filters it has seen, within a memory budget.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

CACHE_BYTES = 64 * 2**20  # term/filter sets kept per searcher


class DocSets:
    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self._leaves = list(self.reader.leaf_readers())
        self.live = _flags(self.reader.all_doc_ids(), self.size) \
            if self.reader.has_deletions() else int.from_bytes(b"\x01" * self.size, "little")
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._cache_max = max(64, CACHE_BYTES // max(1, self.size))

    # -- building ----------------------------------------------------------------------------
    def from_docnums(self, docnums) -> int:
        return _flags(docnums, self.size) & self.live

    def docnums(self, docset: int) -> list[int]:
        flags = docset.to_bytes(self.size, "little")
        out, d = [], flags.find(1)
        while d >= 0:
            out.append(d)
            d = flags.find(1, d + 1)
        return out

    @staticmethod
    def count(docset: int) -> int:
        return docset.bit_count()

    def _cached(self, key, make) -> int:
        with self._lock:  # web requests share a searcher's DocSets
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = make()
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self._cache_max:
                self._cache.popitem(last=False)
        return found

    def term(self, field: str, text) -> int:
        """The documents holding one term (text as the query gives it, or its bytes)."""
        return self._cached(("term", field, text), lambda: self._term(field, text))

    def _term(self, field: str, text) -> int:
        schema = self.searcher.schema
        if field not in schema:
            return 0
        btext = text if isinstance(text, bytes) else schema[field].to_bytes(text)
        flags = bytearray(self.size)
        for leaf, offset in self._leaves:
            if (field, btext) not in leaf:
                continue
            matcher = leaf.postings(field, btext)
            while isinstance(matcher, FilterMatcher):  # deletions: self.live takes them out
                matcher = matcher.child
            for d in _all_ids(matcher):
                flags[offset + d] = 1
        return int.from_bytes(flags, "little") & self.live

    def query(self, q: wq.Query, key=None) -> int:
        """The documents a query matches; cached under `key` when one is given."""
        if key is not None:
            return self._cached(("query", key), lambda: self._query(q))
        return self._query(q)

    def docnum_set(self, q: wq.Query, key) -> set[int]:
        """The documents a query matches as the set of numbers Whoosh's search(filter=) takes;
        cached under `key`, as its int set is."""
        return self._cached(("docnums", key), lambda: set(self.docnums(self.query(q, key=key))))

    def _query(self, q: wq.Query) -> int:
        kind = type(q)
        if kind is wq.Term:
            return self.term(q.fieldname, q.text)
        if kind in (wq.Or, wq.DisjunctionMax) and not getattr(q, "minmatch", 0):
            result = 0
            for sub in q.subqueries:
                result |= self._query(sub)
            return result
        if kind is wq.And:
            subs = q.subqueries
            if not subs:
                return 0
            result = self._query(subs[0])
            for sub in subs[1:]:
                if not result:
                    break
                result &= self._query(sub)
            return result
        if kind is wq.Not:
            return self.live & ~self._query(q.query)
        if kind is wq.AndNot:
            return self._query(q.a) & ~self._query(q.b)
        if kind is wq.AndMaybe:
            return self._query(q.a)
        if kind is wq.Require:
            return self._query(q.a) & self._query(q.b)
        if q is wq.NullQuery or kind is type(wq.NullQuery):
            return 0
        if kind is wq.Every and not q.fieldname:
            return self.live
        # phrases, ranges, prefixes, …: Whoosh's own (slower) unscored pass
        return self.from_docnums(self.searcher.docs_for_query(q))


def _flags(docnums, size: int) -> int:
    flags = bytearray(size)
    for d in docnums:
        flags[d] = 1
    return int.from_bytes(flags, "little")


def _all_ids(matcher):
    """Every document number of a posting list; whole blocks at a time for Whoosh's own
    block postings (its all_ids() steps the matcher one posting at a time)."""
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            yield from matcher._ids
            matcher._next_block()
    else:
        yield from matcher.all_ids()
