"""Å/ä/ö folding against the index vocabulary: which index terms read the same as a query term
once å/ä/ö/é/ü are folded to a/a/o/e/u.

The index holds each word once, as written (stemmed); folding is done on the query
(index.query.fold_variants) with this table, built once per searcher from the terms that hold
such letters. A second, folded copy of every text field doubled indexing time and index size
and made every query search twice the fields.
"""
from __future__ import annotations

import bisect
from collections import defaultdict

from .analysis import fold

MAX_PREFIX_VARIANTS = 64


class FoldedTerms:
    def __init__(self, reader, fields):
        self.reader = reader
        self._groups: dict[str, dict[str, list[str]]] = {}
        self._keys: dict[str, list[str]] = {}
        for field in fields:
            groups = defaultdict(list)
            if field in reader.schema:
                for btext in reader.lexicon(field):
                    if not btext.isascii():
                        term = btext.decode("utf-8")
                        folded = fold(term)
                        if folded != term:
                            groups[folded].append(term)
            self._groups[field] = dict(groups)
            self._keys[field] = sorted(groups)

    def variants(self, field: str, text: str, prefix: bool = False,
                 limit: int = MAX_PREFIX_VARIANTS) -> list[str]:
        """The index terms of `field` other than `text` that fold like it, or (prefix, at most
        `limit`) whose folded form starts with the folded text."""
        key = fold(text)
        groups = self._groups.get(field)
        if groups is None:
            return []
        if not prefix:
            found = [t for t in groups.get(key, ()) if t != text]
            if key != text and (field, key) in self.reader:
                found.append(key)
            return found
        keys = self._keys[field]
        found = []
        i = bisect.bisect_left(keys, key)
        while i < len(keys) and keys[i].startswith(key) and len(found) < limit:
            found.extend(t for t in groups[keys[i]] if not t.startswith(text))
            i += 1
        if key != text:  # a prefix typed with å/ä/ö also finds the terms OCR wrote without
            for btext in self.reader.expand_prefix(field, key):
                if len(found) >= limit:
                    break
                found.append(btext.decode("utf-8"))
        return found[:limit]
