"""The API has the pages' rules: visibility (outsiders get 404), the services' writes, the rate limits,
anonymity, cursor pages, problem details, and query counts that do not grow with the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Comment, Feedback, Vote
from movements import filters as movement_filters
from movements import services as movement_services
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from sponsors import services as sponsor_services
from tests.factories import FeedbackFactory, MovementFactory, UserFactory


def test_movements_list_shows_what_the_page_shows(world, api_as):
    outsider_slugs = {m["slug"] for m in api_as(world.outsider).get("/api/v1/movements/").json()["items"]}
    member_slugs = {m["slug"] for m in api_as(world.member).get("/api/v1/movements/").json()["items"]}
    assert outsider_slugs == {world.open.slug}
    assert member_slugs == {world.open.slug, world.limited.slug}


def test_movements_list_filters_like_the_page(world, api_as):
    api = api_as(world.member)
    assert [m["slug"] for m in api.get("/api/v1/movements/", {"q": "loud"}).json()["items"]] == [world.limited.slug]
    assert api.get("/api/v1/movements/", {"stage": "adopted"}).json()["items"] == []
    items = api.get("/api/v1/movements/", {"department": world.dept_a.pk}).json()["items"]
    assert [m["slug"] for m in items] == [world.limited.slug]


@pytest.fixture
def sanctioned(world):
    """The open movement, sanctioned by a manager its lead asked to sponsor it."""
    manager = UserFactory(display_name="Mia Manager")
    sponsorship = sponsor_services.sponsorship_request(movement=world.open, lead=world.lead, sponsor=manager)
    sponsor_services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    sponsor_services.sanction_grant(movement=world.open, sponsor=manager, note="Official.")
    return world.open


def test_movements_list_has_the_pages_sanctioned_filter(world, api_as, sanctioned, client):
    api = api_as(world.member)
    assert {m["slug"] for m in api.get("/api/v1/movements/").json()["items"]} == {world.open.slug, world.limited.slug}
    for on in ("true", "1", "on"):
        items = api.get("/api/v1/movements/", {"sanctioned": on}).json()["items"]
        assert [m["slug"] for m in items] == [sanctioned.slug], on
    assert len(api.get("/api/v1/movements/", {"sanctioned": "false"}).json()["items"]) == 2
    # the same answer as the page with the same query string
    client.force_login(world.member)
    page = client.get("/movements/", {"sanctioned": "1"})
    assert [m.slug for m in page.context["page"].object_list] == [sanctioned.slug]


def test_movements_list_offers_every_filter_the_page_offers(client):
    parameters = {
        p["name"] for p in client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/movements/"]["get"]["parameters"]
    }
    assert {"q", "stage", "department", "tool", "sort"} <= parameters
    assert {flag.name for flag in movement_filters.registered()} == {"sanctioned"} <= parameters


def test_a_sanctioned_value_that_is_not_yes_or_no_is_a_422_problem(world, api_as):
    response = api_as(world.member).get("/api/v1/movements/", {"sanctioned": "maybe"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "path", ["/api/v1/movements/{slug}", "/api/v1/movements/{slug}/members", "/api/v1/movements/{slug}/follow"]
)
def test_an_outsider_gets_404_for_a_movement_limited_to_another_department(world, api_as, path):
    api = api_as(world.outsider)
    url = path.format(slug=world.limited.slug)
    response = api.post(url) if url.endswith("follow") else api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Not found"
    assert not world.limited.memberships.filter(person=world.outsider).exists()


def test_follow_and_leave_go_through_the_service(world, api_as):
    api = api_as(world.outsider)
    response = api.post(f"/api/v1/movements/{world.open.slug}/follow")
    assert response.json() == {"slug": world.open.slug, "following": True, "follower_count": 1}
    again = api.post(f"/api/v1/movements/{world.open.slug}/follow")
    assert again.status_code == 422
    assert again.json()["detail"] == "You already follow this movement."
    assert api.post(f"/api/v1/movements/{world.open.slug}/leave").json()["following"] is False


def test_following_too_fast_gets_a_429_problem_and_joins_nothing(world, api_as, settings):
    settings.FOLLOW_RATE_LIMIT = "1 per hour"
    api = api_as(world.outsider)
    second = MovementFactory()
    assert api.post(f"/api/v1/movements/{world.open.slug}/follow").status_code == 200
    response = api.post(f"/api/v1/movements/{second.slug}/follow")
    assert response.status_code == 429
    assert response.json()["status"] == 429
    assert not second.memberships.filter(person=world.outsider).exists()


def test_members_are_paged_by_cursor_in_join_order(world, api_as, settings):
    for person in UserFactory.create_batch(4):
        movement_services.membership_join(movement=world.open, person=person)
    api = api_as(world.lead)
    positions, cursor = [], None
    while True:
        page = api.get(
            f"/api/v1/movements/{world.open.slug}/members", {"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        positions += [m["position"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert positions == [1, 2, 3, 4, 5]


def test_a_forged_cursor_is_a_400_problem(world, api_as):
    response = api_as(world.lead).get("/api/v1/movements/", {"cursor": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_bad_input_is_a_422_problem_never_a_500(world, api_as):
    api = api_as(world.member)
    for params in ({"limit": 0}, {"limit": "many"}, {"sort": "random"}, {"department": -1}):
        response = api.get("/api/v1/movements/", params)
        assert response.status_code == 422, params
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"]
    broken = api.client.post("/api/v1/feedback/", "{not json", content_type="application/json", headers=api.headers)
    assert broken.status_code in (400, 422)
    assert broken["Content-Type"] == "application/problem+json"


def test_feedback_list_and_detail_follow_visibility(world, api_as):
    outsider = api_as(world.outsider)
    assert {p["id"] for p in outsider.get("/api/v1/feedback/").json()["items"]} == {world.open_post.pk}
    assert outsider.get(f"/api/v1/feedback/{world.post.pk}").status_code == 404
    detail = api_as(world.member).get(f"/api/v1/feedback/{world.post.pk}").json()
    assert detail["author"] == {"id": world.member.pk, "name": world.member.name}
    assert detail["movement"] == world.limited.slug


def test_feedback_is_paged_by_cursor_in_the_chosen_sort(world, api_as):
    for votes in (5, 3, 3, 1):
        FeedbackFactory(vote_count=votes)
    api = api_as(world.lead)
    seen, cursor = [], None
    while True:
        page = api.get(
            "/api/v1/feedback/", {"limit": 2, "sort": "top", **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [(p["vote_count"], p["id"]) for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == Feedback.objects.count()
    assert [v for v, _ in seen] == sorted((v for v, _ in seen), reverse=True)


def test_posting_anonymously_stores_no_author_and_the_answer_carries_no_id(world, api_as):
    response = api_as(world.member).post(
        "/api/v1/feedback/", {"kind": "doesnt", "title": "Canary title", "body": "Canary body", "anonymous": True}
    )
    assert response.status_code == 201
    assert response.json() == {"id": None, "anonymous": True}
    # As from the page: queued with no author and no time, published later in a shuffled batch.
    from feedback.models import AnonymousQueueEntry

    [entry] = AnonymousQueueEntry.objects.all()
    assert entry.title == "Canary title" and not Feedback.objects.filter(title="Canary title").exists()
    stored = " ".join(str(getattr(entry, f.attname)) for f in entry._meta.concrete_fields)
    assert str(world.member.pk) not in stored.split() and world.member.email not in stored


def test_posting_by_name_to_a_movement_you_cannot_see_is_refused(world, api_as):
    response = api_as(world.outsider).post(
        "/api/v1/feedback/", {"kind": "works", "title": "x", "body": "y", "movement": world.limited.slug}
    )
    assert response.status_code == 422
    assert not Feedback.objects.filter(title="x").exists()


def test_posting_has_the_pages_rate_limit(world, api_as, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "1 per hour"
    api = api_as(world.member)
    body = {"kind": "works", "title": "one", "body": "b"}
    assert api.post("/api/v1/feedback/", body).status_code == 201
    assert api.post("/api/v1/feedback/", {**body, "title": "two"}).status_code == 429
    assert not Feedback.objects.filter(title="two").exists()


def test_commenting_has_the_pages_rate_limit(world, api_as, settings):
    settings.COMMENT_RATE_LIMIT = "1 per hour"
    api = api_as(world.member)
    url = f"/api/v1/feedback/{world.post.pk}/comments"
    assert api.post(url, {"body": "first"}).status_code == 201
    response = api.post(url, {"body": "second"})
    assert response.status_code == 429 and response.json()["status"] == 429
    assert list(Comment.objects.filter(feedback=world.post).values_list("body", flat=True)) == ["first"]


def test_an_outsider_cannot_vote_or_unvote_on_a_post_they_cannot_see(world, api_as):
    outsider = api_as(world.outsider)
    url = f"/api/v1/feedback/{world.post.pk}/vote"
    assert outsider.put(url).status_code == 404
    assert outsider.delete(url).status_code == 404
    assert not Vote.objects.filter(feedback=world.post).exists()
    world.post.refresh_from_db()
    assert world.post.vote_count == 0


def test_vote_and_unvote_are_idempotent_and_keep_the_count_true(world, api_as):
    api = api_as(world.lead)
    url = f"/api/v1/feedback/{world.post.pk}/vote"
    assert api.put(url).json() == {"id": world.post.pk, "voted": True, "vote_count": 1}
    assert api.put(url).json()["vote_count"] == 1
    assert api.delete(url).json() == {"id": world.post.pk, "voted": False, "vote_count": 0}
    assert api.delete(url).json()["vote_count"] == 0
    assert Vote.objects.filter(feedback=world.post).count() == 0
    assert api_as(world.outsider).put(url).status_code == 404


def test_commenting_goes_through_the_service(world, api_as):
    response = api_as(world.lead).post(f"/api/v1/feedback/{world.post.pk}/comments", {"body": "Agreed."})
    assert response.status_code == 201
    world.post.refresh_from_db()
    assert world.post.comment_count == 1
    blank = api_as(world.lead).post(f"/api/v1/feedback/{world.post.pk}/comments", {"body": "   "})
    assert blank.status_code == 422


def test_notifications_are_the_persons_own_and_can_be_marked_read(world, api_as):
    mine = Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST, recipient=world.member, dedupe_key="api:1", sent_at=timezone.now()
    )
    theirs = Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST, recipient=world.lead, dedupe_key="api:2", sent_at=timezone.now()
    )
    api = api_as(world.member)
    assert [n["id"] for n in api.get("/api/v1/notifications/").json()["items"]] == [mine.pk]
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert api.post(f"/api/v1/notifications/{mine.pk}/read").json()["read_at"] is not None


def test_dashboards_are_for_staff_only(world, api_as):
    assert api_as(world.member).get("/api/v1/dashboards/").status_code == 404
    response = api_as(world.admin).get("/api/v1/dashboards/", {"days": 28})
    assert response.status_code == 200
    assert response.json()["tables"]


def test_anonymous_callers_get_a_401_problem(db, client):
    response = client.get("/api/v1/movements/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def _sanctioned(movement):
    manager = UserFactory()
    sponsorship = sponsor_services.sponsorship_request(movement=movement, lead=movement.founder, sponsor=manager)
    sponsor_services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    return sponsor_services.sanction_grant(movement=movement, sponsor=manager, note="Official.")


def _count(api, path) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize(
    ("path", "grow"),
    [
        ("/api/v1/movements/?sort=followers", lambda w: [MovementFactory() for _ in range(5)]),
        ("/api/v1/movements/?sanctioned=true", lambda w: [_sanctioned(MovementFactory()) for _ in range(5)]),
        ("/api/v1/feedback/?sort=trending", lambda w: FeedbackFactory.create_batch(5)),
        (
            "/api/v1/notifications/",
            lambda w: [
                Nudge.objects.create(
                    kind=NudgeKind.OPEN_ROLES,
                    recipient=w.lead,
                    movement=MovementFactory(),
                    subject_person=UserFactory(),
                    dedupe_key=f"count:{i}",
                    sent_at=timezone.now(),
                )
                for i in range(5)
            ],
        ),
        (
            "/api/v1/movements/{slug}/members",
            lambda w: [
                movement_services.membership_join(movement=w.open, person=p) for p in UserFactory.create_batch(5)
            ],
        ),
    ],
)
def test_list_endpoints_cost_the_same_queries_whatever_the_data(world, api_as, path, grow):
    # token (+ person, department), [the movement, for members], the page (+ founder, department / author, movement)
    api = api_as(world.lead)
    path = path.format(slug=world.open.slug)
    api.get("/api/v1/me")  # the token's first use writes last_used_at; later calls within a minute do not
    before = _count(api, path)
    grow(world)
    after = _count(api, path)
    assert len(after) == len(before), "\n".join(after)
    assert len(after) <= 3, "\n".join(after)


def test_nul_characters_anywhere_are_refused_never_a_500(world, api_as):
    api = api_as(world.member)
    assert api.get("/api/v1/movements/", {"q": "a\x00b"}).status_code == 422
    assert api.get("/api/v1/feedback/", {"status": "\x00"}).status_code == 422
    assert api.get("/api/v1/movements/a%00b").status_code == 404
    body = {"kind": "works", "title": "t", "body": "b", "movement": "x\x00"}
    assert api.post("/api/v1/feedback/", body).status_code == 422
    assert api.post("/api/v1/feedback/", {**body, "movement": None, "tags": ["\x00"]}).status_code == 422


def test_an_address_with_an_encoded_line_break_is_a_404_problem_not_the_html_page(world, api_as):
    # Schemathesis found it: the catch-all's `.` did not match %0A, so Django's HTML 404 answered.
    api = api_as(world.member)
    for path in ("/api/v1/feedback/%F0%A4%93%9E%0A%21", "/api/v1/movements/a%0Ab/", "/api/v1/%0A"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json", path
