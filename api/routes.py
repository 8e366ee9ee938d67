"""The endpoints of /api/v1/. Each one loads through the same visibility rules as the pages (someone
else's object is a 404), reads through the app's selectors, writes through its services, and counts
against the same rate limits."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Query, Router, Status
from ninja.errors import HttpError
from pydantic import Field, create_model

from dashboards import selectors as dashboard_selectors
from dashboards.forms import RANGE_CHOICES
from feedback import publication
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import Feedback
from feedback.selectors import ListFilters
from movements import filters as movement_filters
from movements import selectors as movement_selectors
from movements import services as movement_services
from movements.models import Membership, Movement, Stage
from movements.selectors import SORTS as MOVEMENT_SORTS
from nudges import services as nudge_services
from nudges.messages import absolute, action_path, headline
from nudges.models import Nudge
from socialbiz import ratelimit

from . import schemas
from .pagination import cursor_page

ERRORS = {400: schemas.Problem, 401: schemas.Problem, 403: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem}
WRITE_ERRORS = {**ERRORS, 429: schemas.Problem}
FEEDBACK_SORTS = {
    "top": ("-vote_count", "-created_at", "-pk"),
    "newest": ("-created_at", "-pk"),
    "trending": ("-recent_votes", "-vote_count", "-created_at", "-pk"),
}

router = Router()


def _limit(request: HttpRequest, *, scope: str, rate: str) -> None:
    if not ratelimit.hit(scope=scope, person_id=request.user.pk, rate=rate):
        raise HttpError(429, f"You are doing this faster than the site allows ({rate}). Nothing was changed.")


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.name}


# --- Me -------------------------------------------------------------------------------------------


@router.get("/me", response={200: schemas.Me, **ERRORS}, tags=["people"], url_name="me")
def me(request):
    """Who the token or session belongs to."""
    token = getattr(request, "api_token", None)
    user = request.user
    return {
        "id": user.pk,
        "name": user.name,
        "email": user.email,
        "is_staff": user.is_staff,
        "token_scope": token.scope if token else None,
    }


# --- Movements ------------------------------------------------------------------------------------


def _movement(movement: Movement) -> dict:
    return {
        "slug": movement.slug,
        "title": movement.title,
        "pitch": movement.pitch,
        "stage": movement.stage,
        "tool": movement.tool,
        "department": movement.department.name if movement.department_id else None,
        "founder": _person(movement.founder),
        "follower_count": movement.follower_count,
        "open_seats": movement.open_seats,
        "created_at": movement.created_at,
        "last_activity_at": movement.last_activity_at,
        "url": absolute(movement.get_absolute_url()),
    }


class _MovementFilters(schemas.Input):
    q: str = Field("", max_length=200, description="search words (title, pitch, problem, use cases, tool)")
    stage: Literal["", *Stage.values] = ""  # type: ignore[valid-type]
    department: int | None = Field(None, ge=1, le=2**62, description="a department id (sub-departments included)")
    tool: str = Field("", max_length=120)
    sort: Literal["newest", "followers", "activity"] = "newest"
    cursor: str | None = Field(None, max_length=500)
    limit: int | None = Field(None, ge=1, le=100)


# The page's yes/no filters that apps above movements register (sponsors' "sanctioned"), read from the same
# registry as the page's form, so the API offers whatever the page offers. The URLconf (and so this module)
# loads after every AppConfig.ready() has registered its flag.
with translation.override("en"):  # the schema is in English whichever request first loads the URLconf
    MovementFilters = create_model(
        "MovementFilters",
        __base__=_MovementFilters,
        **{flag.name: (bool, Field(False, description=str(flag.label))) for flag in movement_filters.registered()},
    )


def _visible_movement(request, slug: str) -> Movement:
    if "\x00" in slug:  # %00 in the path: no movement has it, and PostgreSQL refuses it in a query
        raise Http404
    try:
        return movement_selectors.movement_for_page(user=request.user, slug=slug)
    except Movement.DoesNotExist:
        raise Http404 from None


@router.get("/movements/", response={200: schemas.MovementPage, **ERRORS}, tags=["movements"], url_name="movements")
def movements_list(request, filters: Query[MovementFilters]):
    """Movements you can see, with the browse page's filters and sorts.

    Queries: the page of movements (+ founder, department)."""
    qs = movement_selectors.movements_filtered(
        user=request.user,
        words=filters.q,
        stage=filters.stage,
        department_id=filters.department,
        tool=filters.tool,
        flags=[flag.name for flag in movement_filters.registered() if getattr(filters, flag.name)],
    ).select_related("founder", "department")
    rows, next_cursor = cursor_page(
        qs, ordering=MOVEMENT_SORTS[filters.sort], cursor=filters.cursor, limit=filters.limit, scope=f"m:{filters.sort}"
    )
    return {"items": [_movement(m) for m in rows], "next_cursor": next_cursor}


@router.get(
    "/movements/{slug}", response={200: schemas.MovementDetail, **ERRORS}, tags=["movements"], url_name="movement"
)
def movement_detail(request, slug: str):
    movement = _visible_movement(request, slug)
    return {
        **_movement(movement),
        "problem": movement.problem,
        "use_cases": movement.use_cases,
        "hypothesis": movement.hypothesis,
        "success_measure": movement.success_measure,
        "pilot_start": movement.pilot_start,
        "pilot_end": movement.pilot_end,
        "needs_lead": movement.needs_lead,
        "you_follow": Membership.objects.current().filter(movement=movement, person=request.user).exists(),
    }


class PageQuery(schemas.Input):
    cursor: str | None = Field(None, max_length=500)
    limit: int | None = Field(None, ge=1, le=100)


@router.get(
    "/movements/{slug}/members", response={200: schemas.MemberPage, **ERRORS}, tags=["movements"], url_name="members"
)
def movement_members(request, slug: str, page: Query[PageQuery]):
    """Everyone who follows, in join order. Queries: the movement, the page of members (+ people)."""
    movement = _visible_movement(request, slug)
    rows, next_cursor = cursor_page(
        movement_selectors.active_members(movement=movement),
        ordering=("position",),
        cursor=page.cursor,
        limit=page.limit,
        scope=f"members:{movement.pk}",
    )
    return {
        "items": [
            {"position": m.position, "person": _person(m.person), "joined_at": m.joined_at, "is_lead": m.is_lead}
            for m in rows
        ],
        "next_cursor": next_cursor,
    }


def _following(movement: Movement, following: bool) -> dict:
    movement.refresh_from_db(fields=["follower_count"])
    return {"slug": movement.slug, "following": following, "follower_count": movement.follower_count}


@router.post(
    "/movements/{slug}/follow", response={200: schemas.Following, **WRITE_ERRORS}, tags=["movements"], url_name="follow"
)
def movement_follow(request, slug: str):
    """Follow a movement (the same rules and rate limit as the Follow button)."""
    movement = _visible_movement(request, slug)
    _limit(request, scope="follow", rate=settings.FOLLOW_RATE_LIMIT)
    movement_services.membership_join(movement=movement, person=request.user)
    return _following(movement, True)


@router.post(
    "/movements/{slug}/leave", response={200: schemas.Following, **WRITE_ERRORS}, tags=["movements"], url_name="leave"
)
def movement_leave(request, slug: str):
    """Stop following (the last active lead must make someone co-lead first)."""
    movement = _visible_movement(request, slug)
    movement_services.membership_leave(movement=movement, person=request.user)
    return _following(movement, False)


# --- Feedback -------------------------------------------------------------------------------------


def _feedback(post: Feedback) -> dict:
    return {
        "id": post.pk,
        "kind": post.kind,
        "title": post.title,
        "status": post.status,
        "anonymous": post.is_anonymous,
        "author": None if post.is_anonymous else _person(post.author),
        "movement": post.movement.slug if post.movement_id else None,
        "vote_count": post.vote_count,
        "comment_count": post.comment_count,
        "created_at": post.created_at,
        "url": absolute(post.get_absolute_url()),
    }


class FeedbackFilters(schemas.Input):
    kind: Literal["", "works", "doesnt"] = ""
    status: str = Field("", max_length=16)
    tag: str = Field("", max_length=60, description="a tag's slug")
    movement: int | None = Field(None, ge=1, le=2**62, description="a movement id")
    department: int | None = Field(None, ge=1, le=2**62, description="named authors' department (with sub-departments)")
    q: str = Field("", max_length=200, description="full-text search (websearch syntax)")
    sort: Literal["top", "newest", "trending"] = "top"
    cursor: str | None = Field(None, max_length=500)
    limit: int | None = Field(None, ge=1, le=100)


@router.get("/feedback/", response={200: schemas.FeedbackPage, **ERRORS}, tags=["feedback"], url_name="feedback")
def feedback_list(request, filters: Query[FeedbackFilters]):
    """Posts you can see, with the feedback page's filters and sorts. Queries: the page (+ author, movement)."""
    list_filters = ListFilters(
        kind=filters.kind,
        status=filters.status,
        tag=filters.tag,
        movement=filters.movement,
        department=filters.department,
        q=filters.q,
        sort=filters.sort,
    )
    qs = feedback_selectors.ordered_posts(
        feedback_selectors.filtered_posts(person=request.user, filters=list_filters), filters.sort
    ).select_related("author", "movement")
    rows, next_cursor = cursor_page(
        qs, ordering=FEEDBACK_SORTS[filters.sort], cursor=filters.cursor, limit=filters.limit, scope=f"f:{filters.sort}"
    )
    return {"items": [_feedback(p) for p in rows], "next_cursor": next_cursor}


@router.get("/feedback/{int:pk}", response={200: schemas.FeedbackDetail, **ERRORS}, tags=["feedback"], url_name="post")
def feedback_detail(request, pk: int):
    try:
        post = feedback_selectors.feedback_detail(person=request.user, pk=pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
    return {
        **_feedback(post),
        "body": post.body,
        "body_html": post.body_html,
        "tags": [t.name for t in post.shown_tags],  # approved topics, and the caller's own pending ones
        "you_voted": post.voted,
        "comments": [
            {"id": c.pk, "author": _person(c.author), "body": c.body, "created_at": c.created_at}
            for c in post.visible_comments
            if c.hidden_at is None
        ],
        "answers": [
            {
                "status": a.to_status,
                "response": a.response,
                "answered_by": _person(a.answered_by),
                "created_at": a.created_at,
            }
            for a in post.answers
        ],
    }


@router.post("/feedback/", response={201: schemas.Posted, **WRITE_ERRORS}, tags=["feedback"], url_name="feedback_post")
def feedback_create(request, data: schemas.FeedbackIn):
    """Post What Works / What Doesn't, by name or anonymously with the same guarantees as the page: an
    anonymous post stores no author, and this answer carries no id for it."""
    movement = None
    if data.movement:
        movement = Movement.objects.visible_to(request.user).filter(slug=data.movement).first()
        if movement is None:
            raise HttpError(422, "Choose a movement you can see.")
    if not data.title.strip():
        raise HttpError(422, "Give the post a title.")
    if data.anonymous:
        # As the page does (feedback/publication.py): into the queue, published in a shuffled batch; no
        # counter anywhere on the server (only the queue's size caps it), and no session written.
        if publication.queue_is_full():
            raise HttpError(429, "Many anonymous posts are waiting to be published. Try again in an hour.")
        publication.anonymous_enqueue(
            person=request.user,
            kind=data.kind,
            title=data.title,
            body=data.body,
            movement=movement,
            new_tag_names=data.tags,
        )
        request.session_write_forbidden = True
        return Status(201, {"id": None, "anonymous": True})
    _limit(request, scope="feedback-post", rate=settings.FEEDBACK_POST_RATE_LIMIT)
    post = feedback_services.feedback_post(
        person=request.user,
        kind=data.kind,
        title=data.title,
        body=data.body,
        anonymous=False,
        movement=movement,
        new_tag_names=data.tags,
    )
    return Status(201, {"id": post.pk, "anonymous": False})


def _visible_post(request, pk: int) -> Feedback:
    return get_object_or_404(Feedback.objects.visible_to(request.user).select_related("movement"), pk=pk)


def _vote(request, pk: int, *, want: bool) -> dict:
    post = _visible_post(request, pk)
    _limit(request, scope="vote", rate=settings.VOTE_RATE_LIMIT)
    post, voted = feedback_services.vote_set(feedback=post, person=request.user, voted=want)
    return {"id": post.pk, "voted": voted, "vote_count": post.vote_count}


@router.put("/feedback/{int:pk}/vote", response={200: schemas.Vote, **WRITE_ERRORS}, tags=["feedback"], url_name="vote")
def feedback_vote(request, pk: int):
    """Say "me too" (doing it twice keeps one vote)."""
    return _vote(request, pk, want=True)


@router.delete(
    "/feedback/{int:pk}/vote", response={200: schemas.Vote, **WRITE_ERRORS}, tags=["feedback"], url_name="unvote"
)
def feedback_unvote(request, pk: int):
    """Take the "me too" back."""
    return _vote(request, pk, want=False)


@router.post(
    "/feedback/{int:pk}/comments",
    response={201: schemas.Comment, **WRITE_ERRORS},
    tags=["feedback"],
    url_name="comment",
)
def feedback_comment(request, pk: int, data: schemas.CommentIn):
    post = _visible_post(request, pk)
    _limit(request, scope="comment", rate=settings.COMMENT_RATE_LIMIT)  # the same limit as the post's page
    comment = feedback_services.comment_add(feedback=post, author=request.user, body=data.body)
    return Status(
        201,
        {"id": comment.pk, "author": _person(request.user), "body": comment.body, "created_at": comment.created_at},
    )


# --- Notifications --------------------------------------------------------------------------------


@router.get(
    "/notifications/",
    response={200: schemas.NotificationPage, **ERRORS},
    tags=["notifications"],
    url_name="notifications",
)
def notifications_list(request, page: Query[PageQuery]):
    """Your notifications, newest first. Queries: the page (+ movement, post, other person)."""
    qs = Nudge.objects.in_app_for(request.user).select_related("movement", "feedback", "subject_person")
    rows, next_cursor = cursor_page(qs, ordering=("-sent_at", "-pk"), cursor=page.cursor, limit=page.limit, scope="n")
    return {
        "items": [
            {
                "id": n.pk,
                "kind": n.kind,
                "headline": headline(n),
                "link": absolute(action_path(n)),
                "sent_at": n.sent_at,
                "read_at": n.read_at,
            }
            for n in rows
        ],
        "next_cursor": next_cursor,
    }


@router.post(
    "/notifications/{int:pk}/read",
    response={200: schemas.Notification, **WRITE_ERRORS},
    tags=["notifications"],
    url_name="read",
)
def notification_read(request, pk: int):
    nudge = get_object_or_404(
        Nudge.objects.in_app_for(request.user).select_related("movement", "feedback", "subject_person"), pk=pk
    )
    nudge = nudge_services.nudge_mark_read(nudge=nudge, person=request.user)
    return {
        "id": nudge.pk,
        "kind": nudge.kind,
        "headline": headline(nudge),
        "link": absolute(action_path(nudge)),
        "sent_at": nudge.sent_at,
        "read_at": nudge.read_at,
    }


# --- Dashboards (staff) ---------------------------------------------------------------------------


class DashboardQuery(schemas.Input):
    days: int = Field(28, description="7, 28, 90 or 365")
    department: int | None = Field(None, ge=1, le=2**62)


def _cell(value):
    return value if value is None or isinstance(value, int | float | str) else str(value)


@router.get(
    "/dashboards/",
    response={200: schemas.Dashboard, **ERRORS, 503: schemas.Problem},
    tags=["dashboards"],
    url_name="dashboards",
)
def dashboards_tables(request, query: Query[DashboardQuery]):
    """The adoption dashboards' tables (every row, as in the CSV exports). Staff only: others get 404.
    On the SQLite demo: 503, the dashboards need PostgreSQL (as the page says)."""
    if not request.user.is_staff:
        raise Http404
    if connection.vendor != "postgresql":
        raise HttpError(503, "The dashboards need PostgreSQL; this site runs on SQLite (the one-machine demo).")
    if query.days not in RANGE_CHOICES:
        raise HttpError(422, "Choose 7, 28, 90 or 365 days.")
    dashboard = dashboard_selectors.dashboard_for(
        dashboard_selectors.cache_key(days=query.days, department_id=query.department)
    )
    return {
        "days": query.days,
        "tables": [
            {
                "name": t.name,
                "title": str(t.title),
                "columns": [str(c) for c in t.columns],
                "rows": [[_cell(v) for v in row] for row in t.rows],
            }
            for t in dashboard.tables.values()
        ],
    }
