"""Similar movements while a title is typed: PostgreSQL full-text plus pg_trgm word similarity, ranked.

One query whatever the data size. Only movements the person can see (department-limited ones stay hidden
from outsiders). Both parts are backed by GIN indexes (migration 0006_similar_search): the full-text match
on title, problem and use cases, and the trigram match of the typed title against existing titles.
SQLite (the one-machine demo) matches any of the longest typed words with icontains.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Subquery, Value

from .models import Membership, Movement

SIMILAR_LIMIT = 5
# What is read of the typed text: the words of a title and the start of the problem are enough to find
# neighbours, and a 20,000-character paste must cost no more than a line.
TYPED_CHARS = 300
TYPED_WORDS = 12
MIN_CHARS = 3
# How many matches of each index (words, title likeness) are ranked at most: when a word is in thousands of rows any
# 100 of them are as good as any 200, and ranking half as many halves the worst case (the large seed: 10 -> 6 ms).
CANDIDATES = 100
_WORD = re.compile(r"\w{2,}")


def typed_text(*parts: str) -> str:
    """The typed parts as one line: NUL bytes dropped, whitespace collapsed, cut to TYPED_CHARS."""
    text = " ".join(" ".join((part or "").replace("\x00", " ").split()) for part in parts)
    return " ".join(text.split())[:TYPED_CHARS]


def typed_words(text: str) -> list[str]:
    """Distinct words (2+ letters, any script), lower-cased, the first TYPED_WORDS of them."""
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:TYPED_WORDS]


def any_word_query(words: list[str]) -> SearchQuery | None:
    """Any of the words (OR): a half-typed sentence must find posts that share a few of its words. Each word
    is a `plainto_tsquery`, so nothing the person types is read as query syntax."""
    query = None
    for word in words:
        one = SearchQuery(word, search_type="plain", config="english")
        query = one if query is None else query | one
    return query


class _AnyOf(Func):
    """`id = ANY(ARRAY(subquery))`: the subquery's few ids are computed once and the rows are then read by
    primary key (an `IN (subquery)` over a union is planned as a semi-join that reads the whole table)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()


def any_of(candidates: QuerySet) -> _AnyOf:
    """A filter: the row's primary key is one of the `candidates` (a queryset of "pk" values)."""
    return _AnyOf(F("pk"), Subquery(candidates))


def _search_vector() -> SearchVector:
    # Exactly the indexed expression of migration 0006 ("movement_search").
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("problem", weight="B", config="english")
        + SearchVector("use_cases", weight="C", config="english")
    )


def similar_movements(*, viewer, title: str, problem: str = "", limit: int = SIMILAR_LIMIT) -> list[Movement]:
    """Up to `limit` movements the viewer can see, most similar first, each with `score` and `following`
    (the viewer follows it now). Empty when fewer than MIN_CHARS were typed."""
    title = typed_text(title)
    text = typed_text(title, problem)
    words = typed_words(text)
    if len(text) < MIN_CHARS or not words:
        return []
    following = Membership.objects.current().filter(movement=OuterRef("pk"), person=viewer)
    base: QuerySet[Movement] = Movement.objects.visible_to(viewer)
    qs = base.annotate(following=Exists(following))
    if connection.vendor == "postgresql":
        query = any_word_query(words)
        vector = _search_vector()
        # Only a bounded set of candidates is ranked (CANDIDATES from each index): common words cost no more.
        by_words = base.annotate(document=vector).filter(document=query).order_by().values("pk")[:CANDIDATES]
        by_title = base.filter(title__trigram_word_similar=title or text).order_by().values("pk")[:CANDIDATES]
        likeness = TrigramWordSimilarity(Value(title or text), "title")
        # The candidates are already limited to what the viewer can see: the ranked query reads them by id.
        qs = (
            Movement.objects.annotate(following=Exists(following))
            .filter(any_of(by_words.union(by_title)))
            .annotate(score=SearchRank(vector, query) + likeness)
        )
    else:
        longest = sorted(words, key=len, reverse=True)[:3]
        match = Q()
        for word in longest:
            match |= Q(title__icontains=word) | Q(problem__icontains=word)
        qs = qs.filter(match).annotate(score=Value(0.0, output_field=FloatField()))
    return list(qs.select_related("department").order_by(F("score").desc(), "-follower_count", "-pk")[:limit])
