"""Every read that feeds a feedback page, with a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from movements.models import Movement, following_now
from people.models import Department, User
from socialbiz import html, l10n, versions
from socialbiz.paging import PageNavigation

from .models import Comment, Feedback, Kind, ModerationAction, Report, StatusChange, Tag, Vote

PAGE_SIZE = 20
# Counting all 100,000 visible posts of a large organisation cost 20-35 ms a page (10,000 still ~15 ms):
# the tabs and the pager count up to this many and say "1,000+" past it; filters and search narrow a
# list that long, and its first 50 pages of each kind are reachable page by page.
COUNT_CAP = 1_000
TRENDING_DAYS = 14
SORTS = ("top", "newest", "trending")


@dataclass
class ListFilters:
    kind: str = ""
    status: str = ""
    tag: str = ""
    movement: int | None = None
    department: int | None = None
    q: str = ""
    sort: str = "top"


def visible_posts(person) -> QuerySet[Feedback]:
    return Feedback.objects.visible_to(person)


def shown_tags(person) -> Prefetch:
    """A post's topics as `post.shown_tags`: the approved ones, plus those the person proposed and that
    still wait for a moderator (never retired ones). Every page, the API and the feeds show these."""
    return Prefetch("tags", queryset=Tag.objects.visible_to(person).order_by("name"), to_attr="shown_tags")


SEARCH_CONFIGS = ("english", "simple")


def search_document() -> SearchVector:
    """English stemming, and the `simple` configuration beside it so a word in any other language is found
    as written. Exactly the indexed expression of migration 0011 ("feedback_search"), so the planner uses it."""
    document = None
    for config in SEARCH_CONFIGS:
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("body", weight="B", config=config)
            + SearchVector("cause", weight="C", config=config)
        )
        document = vector if document is None else document + vector
    return document


def unspaced_script(text: str) -> bool:
    """Chinese, Japanese or Korean: words are not separated by spaces, so a full-text word is a whole run."""
    return any(
        "\u3040" <= ch <= "\u30ff"
        or "\u3400" <= ch <= "\u9fff"
        or "\uac00" <= ch <= "\ud7af"
        or "\uf900" <= ch <= "\ufaff"
        for ch in text
    )


def _search(qs: QuerySet[Feedback], q: str) -> QuerySet[Feedback]:
    contains = Q(title__icontains=q) | Q(body__icontains=q) | Q(cause__icontains=q)
    if connection.vendor != "postgresql":
        return qs.filter(contains)
    query = SearchQuery(q, search_type="websearch", config="english") | SearchQuery(
        q, search_type="websearch", config="simple"
    )
    matches = Q(search=query)
    if unspaced_script(q):
        matches |= contains
    return qs.annotate(search=search_document()).filter(matches)


def filtered_posts(*, person, filters: ListFilters, with_kind: bool = True) -> QuerySet[Feedback]:
    qs = visible_posts(person)
    if with_kind and filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.tag:
        # Only a topic the person may see filters: a pending or retired one matches nothing.
        qs = qs.filter(tags__in=Tag.objects.visible_to(person).filter(slug=filters.tag))
    if filters.movement:
        qs = qs.filter(movement_id=filters.movement)
    if filters.department:
        department = Department.objects.filter(pk=filters.department).values_list("path", flat=True).first()
        qs = qs.filter(author__department__path__startswith=department) if department else qs.none()
    if filters.q:
        qs = _search(qs, filters.q)
    return qs


@dataclass
class PageInfo(PageNavigation):
    """Where the list is: page `number` of `num_pages` (the longer column's, side by side). Plain values, so
    a page of the list can be cached; the template reads it as a Django Page (`page.paginator.num_pages`)."""

    number: int
    num_pages: int
    capped: bool = False


def ordered_posts(qs: QuerySet[Feedback], sort: str) -> QuerySet[Feedback]:
    if sort == "newest":
        return qs.order_by("-created_at", "-pk")
    if sort == "trending":
        since = timezone.now() - timedelta(days=TRENDING_DAYS)
        recent_votes = (
            Vote.objects.filter(feedback=OuterRef("pk"), created_at__gte=since)
            .order_by()
            .values("feedback")
            .annotate(n=Count("*"))
            .values("n")
        )
        return qs.annotate(
            recent_votes=Coalesce(Subquery(recent_votes, output_field=IntegerField()), Value(0))
        ).order_by("-recent_votes", "-vote_count", "-created_at", "-pk")
    return qs.order_by("-vote_count", "-created_at", "-pk")


def _page(qs: QuerySet[Feedback], *, count: int, per_page: int, page_number) -> Page:
    paginator = Paginator(qs, per_page)
    paginator.capped = count > COUNT_CAP
    if paginator.capped:  # whole pages up to the cap: the last one reachable is full
        count = -(-COUNT_CAP // per_page) * per_page
    paginator.__dict__["count"] = count  # already counted for the tabs: no second COUNT query
    return paginator.get_page(page_number)


def _count_label(count: int) -> str:
    """A tab's count in the reader's language ("12,500" / "12.500"), "+" past the cap."""
    return f"{l10n.number(COUNT_CAP)}+" if count > COUNT_CAP else l10n.number(count)


def count_labels(counts: dict) -> dict[str, str]:
    """The tabs' labels, formatted per request: the counts are cached for every language alike."""
    works, doesnt = counts[Kind.WORKS], counts[Kind.DOESNT]
    total = min(works, COUNT_CAP) + min(doesnt, COUNT_CAP)
    return {
        "works": _count_label(works),
        "doesnt": _count_label(doesnt),
        "all": f"{l10n.number(total)}+" if max(works, doesnt) > COUNT_CAP else l10n.number(total),
    }


def _capped_counts(qs: QuerySet[Feedback]) -> dict:
    """Posts per kind, each counted up to COUNT_CAP + 1, in one query."""
    try:
        (works_sql, works_params), (doesnt_sql, doesnt_params) = (
            qs.filter(kind=kind).values("kind")[: COUNT_CAP + 1].query.sql_with_params()
            for kind in (Kind.WORKS, Kind.DOESNT)
        )
    except EmptyResultSet:  # a filter that matches nothing (e.g. an unknown department): no query at all
        works = doesnt = 0
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({works_sql}) w), (SELECT count(*) FROM ({doesnt_sql}) d)",
                [*works_params, *doesnt_params],
            )
            works, doesnt = cursor.fetchone()
    return {Kind.WORKS: works, Kind.DOESNT: doesnt}


def list_versions() -> dict[str, int] | None:
    """The content versions the list page caches under (one query; socialbiz/versions.py)."""
    return versions.read("feedback_list", "feedback_pages", "departments", "movement_pages")


def viewer_scope(person) -> tuple:
    """What decides which posts and topics a person may see, beyond the posts themselves: whether they see
    hidden posts, which department-limited movements they see, and (their own pending topics) who they are."""
    movements = "all" if person.is_staff else tuple(person.department.ancestor_ids if person.department_id else ())
    return (person.can_moderate, movements)


def _kind_counts_key(person, filters: ListFilters) -> tuple:
    # This viewer's scope, the filters and, with a topic filter, the viewer (their pending topics).
    scope = (filters.status, filters.tag, person.pk if filters.tag else None, filters.movement, filters.department)
    return ("kind_counts", viewer_scope(person), *scope, filters.q)


def _columns_key(person, filters: ListFilters, page_number) -> tuple:
    return ("columns", viewer_scope(person), person.pk if filters.tag else None, astuple(filters), str(page_number))


def prefetch_list_parts(*, person, filters: ListFilters, page_number, versions_now) -> None:
    """Everything the list page reads from the cache under `versions_now`, fetched in one round trip
    (kind_counts, feedback_page and filter_choices then find it there)."""
    entries = [("feedback_list", _kind_counts_key(person, filters))]
    if filters.sort != "trending":
        entries.append(("feedback_pages", _columns_key(person, filters, page_number)))
    entries += [
        ("feedback_list", _topic_options_key(person)),
        ("movement_pages", _movement_options_key(person, filters.movement)),
        ("departments", DEPARTMENT_OPTIONS_KEY),
    ]
    versions.prefetch(versions_now, entries)


def kind_counts(*, person, filters: ListFilters, versions_now: dict[str, int] | None) -> dict:
    """The tabs' counts, cached under the `feedback_list` version (bumped by every write that can change
    them) for this viewer's scope, filters and, with a topic filter, the viewer (their pending topics)."""
    # No DISTINCT: every filter (tag slug, author's department, movement) matches a post at most once.
    return versions.cached(
        versions_now,
        "feedback_list",
        _kind_counts_key(person, filters),
        lambda: _capped_counts(filtered_posts(person=person, filters=filters, with_kind=False)),
    )


CARD_FIELDS = (
    "kind",
    "status",
    "hidden_at",
    "title",
    "is_anonymous",
    "created_at",
    "comment_count",
    "vote_count",
    "author__display_name",
    "author__email",
    "author__department__name",
    "movement__slug",
    "movement__title",
)


def _columns(*, person, filters: ListFilters, counts: dict, page_number) -> tuple[dict, PageInfo]:
    """The posts of one page per kind column (+ author, department, movement, topics in use) and the pager."""
    base = ordered_posts(filtered_posts(person=person, filters=filters, with_kind=False), filters.sort)
    # The cards show no body: leave the post's text (up to 20,000 characters, twice) in the database.
    # Every topic in use, with its creator: the person's own pending ones are picked per viewer (_shown_tags).
    # Only what a card shows: the page is kept in the cache, and no password hash or body goes there.
    base = (
        base.select_related("author", "author__department", "movement")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.in_use().order_by("name"), to_attr="live_tags"))
        .only(*CARD_FIELDS)
    )
    kinds = [filters.kind] if filters.kind else [Kind.WORKS, Kind.DOESNT]
    per_page = PAGE_SIZE if filters.kind else PAGE_SIZE // 2
    pages = {
        kind: _page(base.filter(kind=kind), count=counts[kind], per_page=per_page, page_number=page_number)
        for kind in kinds
    }
    longest = max(pages.values(), key=lambda page: page.paginator.num_pages)
    info = PageInfo(number=longest.number, num_pages=longest.paginator.num_pages, capped=longest.paginator.capped)
    # A shorter column has no page N: it shows nothing there rather than repeating its last page.
    return {kind: list(page.object_list) if page.number == info.number else [] for kind, page in pages.items()}, info


def feedback_page(*, person, filters: ListFilters, page_number, versions_now: dict[str, int] | None = None) -> dict:
    """The list page: one column for a chosen kind, else What Works and What Doesn't side by side.

    Queries: the counts per kind for the tabs (capped at COUNT_CAP) and the page's posts, both cached under
    `versions_now` (the posts under `feedback_pages`, which every write to what a card shows bumps; a
    trending page, whose order moves with the clock, is read each time: per column the page with
    author, department and movement, and its topics); the person's votes among the shown posts.
    """
    counts = kind_counts(person=person, filters=filters, versions_now=versions_now)

    def compute() -> tuple[dict, PageInfo]:
        return _columns(person=person, filters=filters, counts=counts, page_number=page_number)

    if filters.sort == "trending":
        columns, info = compute()
    else:
        columns, info = versions.cached(
            versions_now, "feedback_pages", _columns_key(person, filters, page_number), compute
        )
    posts = [post for column in columns.values() for post in column]
    voted_ids = (
        set(
            Vote.objects.filter(person=person, feedback_id__in=[p.pk for p in posts]).values_list(
                "feedback_id", flat=True
            )
        )
        if posts
        else set()
    )
    for post in posts:
        post.voted = post.pk in voted_ids
        # The topics this person may see: approved ones, and their own while they wait (Tag.objects.visible_to).
        post.shown_tags = [
            tag for tag in post.live_tags if tag.approved_at is not None or tag.created_by_id == person.pk
        ]
    return {
        "page": info,
        "posts": posts,
        "works": columns.get(Kind.WORKS, []),
        "doesnt": columns.get(Kind.DOESNT, []),
        "kind_counts": count_labels(counts),
    }


DEPARTMENT_OPTIONS_KEY = ("department_options",)


def _topic_options_key(person) -> tuple:
    return ("topic_options", person.pk)


def _movement_options_key(person, movement_id: int | None) -> tuple:
    return ("my_movement_options", person.pk, viewer_scope(person), movement_id)


def filter_choices(*, person, movement_id: int | None = None, versions_now: dict[str, int] | None = None) -> dict:
    """Options of the filter form. Queries: tags, movements, departments (all cached under `versions_now`:
    the topics and the movements per person, who sees their own pending topics and is in their own movements).

    The movement options are the movements the person is in, plus the one filtered by (if they may see
    it): a large organisation has thousands of movements, too many for a list, and every movement
    page links to its own feedback here.
    """
    mine = Q(memberships__person=person) & following_now("memberships__")
    if movement_id:
        mine |= Q(pk=movement_id)
    return {
        # (slug, name) pairs, not model instances.
        "tags": versions.cached(
            versions_now,
            "feedback_list",
            _topic_options_key(person),
            lambda: list(Tag.objects.visible_to(person).order_by("name").values_list("slug", "name")),
        ),
        # (pk, name) pairs, not model instances; under `movement_pages`, which any write to a movement or a
        # membership bumps.
        "movements": versions.cached(
            versions_now,
            "movement_pages",
            _movement_options_key(person, movement_id),
            lambda: list(
                Movement.objects.visible_to(person).filter(mine).order_by("title").values_list("pk", "title").distinct()
            ),
        ),
        # The <option>s, none selected (html.select_option marks the chosen one).
        "department_options": versions.cached(
            versions_now,
            "departments",
            DEPARTMENT_OPTIONS_KEY,
            lambda: html.options(Department.objects.order_by("path").values_list("pk", "name"), None),
        ),
    }


def feedback_detail(*, person, pk: int) -> Feedback:
    """One post with everything its page shows; raises Feedback.DoesNotExist when the person may not see it.

    Queries: the post (+ author, department, movement, the person's vote), tags, comments (+ authors),
    answers (+ who answered).
    """
    comments = Comment.objects.select_related("author").order_by("created_at", "pk")
    if not person.can_moderate:
        comments = comments.filter(hidden_at__isnull=True)
    post = (
        visible_posts(person)
        .select_related("author", "author__department", "movement", "resulting_movement")
        .prefetch_related(
            shown_tags(person),
            Prefetch("comments", queryset=comments, to_attr="visible_comments"),
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("answered_by"), to_attr="answers"),
        )
        # The person's own vote rides along (an EXISTS on the unique (post, person) index), not a query of its own.
        .annotate(voted=Exists(Vote.objects.filter(feedback=OuterRef("pk"), person=person)))
        .get(pk=pk)
    )
    return post


# The content versions a post's page is kept under, beside its own `feedback:<id>` (socialbiz/versions.py;
# movements/migrations/0013): TRUNCATEs, topics, the names and departments shown.
POST_VERSIONS = ("feedback_parts", "feedback_tags", "people_names", "departments")


@dataclass(frozen=True)
class PostHead:
    """What a post's page needs on every view before its kept content: whether the person may see it, their
    vote, and what the content shows that changes without the post's version (the movements' titles)."""

    pk: int
    title: str
    vote_count: int
    movement_id: int | None
    voted: bool
    is_author: bool
    shows: tuple


def post_head(*, person, pk: int) -> PostHead | None:
    """The post's head if the person may see it (None otherwise, or when merged away): one query."""
    row = (
        visible_posts(person)
        .filter(pk=pk)
        .annotate(voted=Exists(Vote.objects.filter(feedback=OuterRef("pk"), person=person)))
        .values_list(
            "pk",
            "title",
            "vote_count",
            "movement_id",
            "voted",
            "author_id",
            "movement__title",
            "movement__slug",
            "resulting_movement__title",
            "resulting_movement__slug",
        )
        .first()
    )
    if row is None:
        return None
    pk, title, vote_count, movement_id, voted, author_id = row[:6]
    return PostHead(
        pk=pk,
        title=title,
        vote_count=vote_count,
        movement_id=movement_id,
        voted=voted,
        is_author=author_id is not None and author_id == person.pk,
        shows=row,
    )


def pending_tag_proposers(post: Feedback) -> list[int]:
    """Who proposed the post's topics that wait for approval: each sees theirs on the page (one query)."""
    return list(
        post.tags.filter(approved_at__isnull=True, retired_at__isnull=True).values_list("created_by_id", flat=True)
    )


def feedback_for_movement(*, person, movement: Movement, limit: int = 10) -> dict:
    """A movement page's linked feedback, works and doesn't side by side, the most "me too" first: one query
    (the first `limit` of each kind by a window over the movement's posts; only what the column shows)."""
    order = (F("vote_count").desc(), F("created_at").desc())
    posts = list(
        visible_posts(person)
        .filter(movement=movement, kind__in=(Kind.WORKS, Kind.DOESNT))
        .annotate(rank=Window(RowNumber(), partition_by=F("kind"), order_by=order))
        .filter(rank__lte=limit)
        .only("pk", "kind", "title", "vote_count", "created_at")
        .order_by("kind", *order)
    )
    return {
        "works": [post for post in posts if post.kind == Kind.WORKS],
        "doesnt": [post for post in posts if post.kind == Kind.DOESNT],
    }


def feedback_voters(*, feedback: Feedback) -> QuerySet:
    """The people who voted "me too", first voters first: the first followers to invite when a post becomes a movement."""
    return User.objects.filter(feedback_votes__feedback=feedback, is_active=True).order_by("feedback_votes__created_at")


def moderation_queue(*, moderator) -> dict:
    """Open reports with their post or comment, what is hidden now, and the log.

    Queries: reports, hidden posts, hidden comments, latest moderation actions.
    """
    reports = list(
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter", "feedback", "comment", "comment__author", "comment__feedback")
        .order_by("created_at", "pk")
    )
    hidden_posts = list(Feedback.objects.filter(hidden_at__isnull=False).order_by("-hidden_at")[:50])
    hidden_comments = list(
        Comment.objects.filter(hidden_at__isnull=False).select_related("author", "feedback").order_by("-hidden_at")[:50]
    )
    log = list(
        ModerationAction.objects.select_related("moderator", "feedback", "comment").order_by("-created_at", "-pk")[:30]
    )
    return {"reports": reports, "hidden_posts": hidden_posts, "hidden_comments": hidden_comments, "log": log}


def open_report_count() -> int:
    """The number in the moderators' header link. Query: one COUNT of the open reports."""
    return Report.objects.filter(resolved_at__isnull=True).count()
