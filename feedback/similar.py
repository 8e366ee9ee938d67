"""Similar posts (and movements) while a feedback title is typed: PostgreSQL full-text plus pg_trgm word
similarity, ranked. Two queries whatever the data size: the posts, then the movements.

Only what the person can see: no hidden post (moderators included: a suggestion is not the moderation queue),
no post about a department-limited movement they cannot see. Authors are never shown, so anonymous posts
are suggested like any other and reveal nothing. The full-text match uses the list's own index
("feedback_search", migration 0011) and the trigram match "feedback_title_trgm" (migration 0006).
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value

from movements.similar import (
    MIN_CHARS,
    SIMILAR_LIMIT,
    Sql,
    any_word_query,
    candidates,
    lookup_values,
    similar_movements,
    typed_text,
    typed_words,
)
from socialbiz import statements

from .models import Feedback, Vote
from .selectors import search_document


def similar_posts(*, viewer, title: str, body: str = "", limit: int = SIMILAR_LIMIT) -> list[Feedback]:
    """Up to `limit` posts the viewer can see, most similar first, each with `score` and `voted` (the viewer
    said "me too" already)."""
    title = typed_text(title)
    text = typed_text(title, body)
    words = typed_words(text)
    if len(text) < MIN_CHARS or not words:
        return []
    if connection.vendor != "postgresql":
        match = Q()
        for word in sorted(words, key=len, reverse=True)[:3]:
            match |= Q(title__icontains=word)
        qs = _visible_with_voted(viewer).filter(match).annotate(score=Value(0.0, output_field=FloatField()))
        return list(qs.order_by(F("score").desc(), "-vote_count", "-pk")[:limit])
    shape = ("similar-posts", statements.viewer_shape(viewer), len(words), limit)
    build = functools.partial(_ranked_posts, viewer, limit)
    return statements.run(shape, build, lookup_values(viewer, title or text, words))


def _visible_with_voted(viewer) -> QuerySet[Feedback]:
    voted = Vote.objects.filter(feedback=OuterRef("pk"), person=viewer)
    base: QuerySet[Feedback] = Feedback.objects.visible_to(viewer).filter(hidden_at__isnull=True)
    return base.annotate(voted=Exists(voted))


def _ranked_posts(person, limit: int, viewer: int, title: str, **words: str) -> QuerySet[Feedback]:
    """The ranked lookup (its values given by name as `lookup_values` names them)."""
    words = list(words.values())
    query = any_word_query(words)
    # Ranked on the title only: ranking against every matching body would read them all. The candidates
    # skip hidden and merged posts (columns of the row); whether the viewer may see the movement a post is
    # about is asked once, of the candidates, in the ranked query (asked in each branch, it was built,
    # compiled and run twice), and where more than CANDIDATES rows match, the candidates are any of them.
    shown = "hidden_at IS NULL AND merged_into_id IS NULL AND "
    score = Sql(
        "ts_rank(setweight(to_tsvector('english'::regconfig, COALESCE({title}, '')), 'A'), "
        f"{query[0]}) + word_similarity(%s, {{title}})",
        ("title",),
        [*query[1], title],
    )
    qs = (
        _visible_with_voted(statements.viewer_with_id(person, viewer))
        .filter(candidates(Feedback, search_document, query, title, shown))
        .annotate(score=score)
    )
    return qs.order_by(F("score").desc(), "-vote_count", "-pk")[:limit]


def similar_things(*, viewer, title: str, body: str = "", limit: int = SIMILAR_LIMIT) -> list:
    """The posts and movements most similar to what is typed, up to `limit` together, best first. Each item
    has `is_post` to tell them apart in the template."""
    posts = similar_posts(viewer=viewer, title=title, body=body, limit=limit)
    movements = similar_movements(viewer=viewer, title=title, problem=body, limit=limit)
    for post in posts:
        post.is_post = True
    for movement in movements:
        movement.is_post = False
    return sorted([*posts, *movements], key=lambda item: item.score, reverse=True)[:limit]
