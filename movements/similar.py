"""Similar movements while a title is typed: PostgreSQL full-text plus pg_trgm word similarity, ranked.

One query whatever the data size. Only movements the person can see (department-limited ones stay hidden
from outsiders). Both parts are backed by GIN indexes (migration 0006_similar_search): the full-text match
on title, problem and use cases, and the trigram match of the typed title against existing titles.
SQLite (the one-machine demo) matches any of the longest typed words with icontains.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Col

from socialbiz import statements

from .models import Membership, Movement

SIMILAR_LIMIT = 5
# What is read of the typed text: the words of a title and the start of the problem are enough to find
# neighbours, and a 20,000-character paste must cost no more than a line.
TYPED_CHARS = 300
TYPED_WORDS = 12
MIN_CHARS = 3
# How many matches of each index (words, title likeness) are ranked at most: when a word is in thousands of rows any
# 50 of them are as good as any 100 (five are shown), and a common word costs reading and ranking that many rows:
# on the large seed 200 -> 100 took the worst lookup from 10 to 6 ms, 100 -> 50 halved the rows read once more.
CANDIDATES = 50
_WORD = re.compile(r"\w{2,}")


def typed_text(*parts: str) -> str:
    """The typed parts as one line: NUL bytes dropped, whitespace collapsed, cut to TYPED_CHARS."""
    text = " ".join(" ".join((part or "").replace("\x00", " ").split()) for part in parts)
    return " ".join(text.split())[:TYPED_CHARS]


def typed_words(text: str) -> list[str]:
    """Distinct words (2+ letters, any script), lower-cased, the first TYPED_WORDS of them."""
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:TYPED_WORDS]


def any_word_query(words: list[str]) -> tuple[str, list[str]]:
    """Any of the words (OR), as SQL and its parameters: a half-typed sentence must find posts that share a few
    of its words. Each word is a `plainto_tsquery`, so nothing the person types is read as query syntax."""
    sql = " || ".join(["plainto_tsquery('english'::regconfig, %s)"] * len(words))
    return f"({sql})", list(words)


class Sql(Func):
    """Fixed SQL text over some of the model's columns, as one expression: `{title}` in the text is the title
    column (with the table alias of wherever the expression ends up, a subquery included), `%s` a parameter.

    Why: Django resolves and copies a composed expression again at every step that builds a query, and the
    similar lookups composed many (the search document of posts is six SearchVectors, each a Coalesce and a
    setweight, plus one SearchQuery a word): building and compiling the two queries was 58,000 Python calls
    and most of the lookup's time on the large seed, several times what PostgreSQL spent answering them.
    Here only the columns are resolved (11,500 calls with `candidates()`, docs/benchmarks.md)."""

    def __init__(self, text: str, columns: tuple[str, ...] = (), params: tuple | list = (), output_field=None):
        super().__init__(*(F(name) for name in columns), output_field=output_field or FloatField())
        self.text, self.columns, self.params = text, tuple(columns), tuple(params)

    def as_sql(self, compiler, connection, **extra_context):
        columns = zip(self.columns, self.get_source_expressions(), strict=True)
        names = {name: compiler.compile(column)[0] for name, column in columns}
        return f"({self.text.format(**names)})", list(self.params)


@functools.cache
def indexed_sql(model, build: Callable[[], SearchVector]) -> tuple[str, tuple[str, ...], tuple]:
    """The SQL of `build()` (an indexed search document) as a `Sql` text with its columns and parameters:
    compiled by Django once per process, so it stays exactly the expression the index was built from (the
    planner uses an expression index only for the identical expression)."""
    query = model.objects.all().query
    compiler = query.get_compiler(connection=connection)
    expression = build().resolve_expression(query)
    sql, params = compiler.compile(expression)
    columns = tuple(sorted({node.target.column for node in expression.flatten() if isinstance(node, Col)}))
    table = connection.ops.quote_name(model._meta.db_table)
    for column in columns:
        sql = sql.replace(f"{table}.{connection.ops.quote_name(column)}", f"{{{column}}}")
    return sql, columns, tuple(params)


def candidates(
    model, build: Callable[[], SearchVector], query: tuple[str, list[str]], title: str, where: str = ""
) -> Sql:
    """A filter: the row is one of the first CANDIDATES rows whose indexed document `build()` matches any typed
    word (the full-text index) or one of the first CANDIDATES whose title is word-similar to the typed title
    (`%>`, the trigram index). `where` (SQL on the row's own columns, ending in AND) narrows both.

    Fixed SQL: nothing is built per lookup but the parameters. The ids are computed once
    (`id = ANY(ARRAY(...))`) and the ranked rows read by primary key: an `IN (subquery)` over a union is
    planned as a semi-join that reads the whole table. Only a bounded set is ranked, so a common word costs no
    more than CANDIDATES rows."""
    document, columns, params = indexed_sql(model, build)
    quote = connection.ops.quote_name
    document = document.format(**{column: quote(column) for column in columns})
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = (
        f"{{id}} = ANY(ARRAY((SELECT {pk} FROM {table} WHERE {where}{document} @@ {query[0]} LIMIT {CANDIDATES})"
        f" UNION (SELECT {pk} FROM {table} WHERE {where}{quote('title')} %%> %s LIMIT {CANDIDATES})))"
    )
    return Sql(sql, ("id",), [*params, *query[1], title], output_field=BooleanField())


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
    if connection.vendor != "postgresql":
        longest = sorted(words, key=len, reverse=True)[:3]
        match = Q()
        for word in longest:
            match |= Q(title__icontains=word) | Q(problem__icontains=word)
        qs = _visible_with_following(viewer).filter(match).annotate(score=Value(0.0, output_field=FloatField()))
        return list(qs.select_related("department").order_by(F("score").desc(), "-follower_count", "-pk")[:limit])
    shape = ("similar-movements", statements.viewer_shape(viewer), len(words), limit)
    build = functools.partial(_ranked_movements, viewer, limit)
    return statements.run(shape, build, lookup_values(viewer, title or text, words))


def lookup_values(viewer, title: str, words: list[str]) -> dict:
    """What a similar lookup is run with: the viewer's id, the typed title and each word (word0, word1...)."""
    return {"viewer": viewer.pk, "title": title, **{f"word{n}": word for n, word in enumerate(words)}}


def _visible_with_following(viewer) -> QuerySet[Movement]:
    following = Membership.objects.current().filter(movement=OuterRef("pk"), person=viewer)
    return Movement.objects.visible_to(viewer).annotate(following=Exists(following))


def _ranked_movements(person, limit: int, viewer: int, title: str, **words: str) -> QuerySet[Movement]:
    """The ranked lookup (its values given by name as `lookup_values` names them)."""
    words = list(words.values())
    query = any_word_query(words)
    document, columns, params = indexed_sql(Movement, _search_vector)
    score = Sql(
        f"ts_rank({document}, {query[0]}) + word_similarity(%s, {{title}})",
        tuple(dict.fromkeys((*columns, "title"))),
        [*params, *query[1], title],
    )
    # The candidates are any matching movements; whether the viewer may see them is asked here, of the
    # candidates only (where more than CANDIDATES rows match, the candidates are any of them anyway).
    qs = (
        _visible_with_following(statements.viewer_with_id(person, viewer))
        .filter(candidates(Movement, _search_vector, query, title))
        .annotate(score=score)
    )
    return qs.select_related("department").order_by(F("score").desc(), "-follower_count", "-pk")[:limit]
