"""Fuzz every feedback form and the list's query string: never a 500, never half-written."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from activity.models import Activity, Verb
from feedback.models import AnonymousQueueEntry, Comment, Feedback, Status, StatusChange
from tests.factories import FeedbackFactory, MovementFactory, TagFactory

FUZZ = hsettings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: s + "\x00"),
    st.just("x" * 30000),
    st.just("<script>alert(1)</script>"),
    st.just("[a](javascript:alert(1)) <a hx-get='/x' onclick='y'>z</a>"),
    st.sampled_from(
        ["", " ", "\x00", "0", "-1", "99999999999999999999999", "1e9", "NaN", "works", "doesnt", "planned"]
    ),
)
ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), nasty_text)


@pytest.fixture
def fuzz_world(client, author, movement, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "100000 per 1 minute"
    TagFactory(name="tools")
    MovementFactory(title="Another")
    client.force_login(author)
    return client


@FUZZ
@given(
    kind=nasty_text | st.sampled_from(["works", "doesnt"]),
    title=nasty_text,
    body=nasty_text,
    movement=ids,
    tags=st.lists(ids, max_size=3),
    new_tags=nasty_text,
    anonymous=st.sampled_from(["on", "", "x", "\x00"]),
)
def test_fuzzed_post_form_never_errors_and_writes_all_or_nothing(
    fuzz_world, kind, title, body, movement, tags, new_tags, anonymous
):
    def written() -> int:  # a named post, or an anonymous one waiting in the publication queue
        return Feedback.objects.count() + AnonymousQueueEntry.objects.count()

    before = written()
    response = fuzz_world.post(
        "/feedback/new/",
        {
            "kind": kind,
            "title": title,
            "body": body,
            "movement": movement,
            "tags": tags,
            "new_tags": new_tags,
            "anonymous": anonymous,
        },
    )
    assert response.status_code < 500
    created = written() - before
    assert created == (1 if response.status_code == 302 else 0)
    named = Feedback.objects.filter(is_anonymous=False)
    assert named.count() == Activity.objects.filter(verb=Verb.POSTED_FEEDBACK, feedback__in=named).count()
    assert not Activity.objects.filter(feedback__is_anonymous=True).exists()
    for post in Feedback.objects.all():
        assert "<script" not in post.body_html and "hx-" not in post.body_html and "javascript:" not in post.body_html


@FUZZ
@given(body=nasty_text)
def test_fuzzed_comment_form_never_errors_and_keeps_the_count(fuzz_world, post, body):
    response = fuzz_world.post(f"/feedback/{post.pk}/comments/", {"body": body})
    assert response.status_code < 500
    post.refresh_from_db()
    assert post.comment_count == Comment.objects.filter(feedback=post).count()


@FUZZ
@given(status=nasty_text | st.sampled_from(Status.values), response_text=nasty_text)
def test_fuzzed_answer_form_never_errors_and_writes_all_or_nothing(client, moderator, post, status, response_text):
    client.force_login(moderator)
    before = StatusChange.objects.count()
    response = client.post(f"/feedback/{post.pk}/answer/", {"status": status, "response": response_text})
    assert response.status_code < 500
    assert StatusChange.objects.count() - before == (1 if response.status_code == 302 else 0)
    post.refresh_from_db()
    last = StatusChange.objects.filter(feedback=post).order_by("pk").last()
    assert post.status == (last.to_status if last else Status.NEW)
    assert (post.first_answered_at is None) == (last is None)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "kind", "status", "tag", "movement", "department", "sort", "page", "other"]),
        ids,
        max_size=6,
    ),
    htmx=st.booleans(),
)
def test_fuzzed_list_query_string_never_errors(client, other, params, htmx):
    FeedbackFactory(title="Something")
    client.force_login(other)
    response = client.get("/feedback/", params, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 200


@FUZZ
@given(reason=nasty_text, action=nasty_text | st.sampled_from(["hide", "restore", "dismiss"]), on_comment=st.booleans())
def test_fuzzed_report_and_moderation_forms_never_error_and_log_every_change(
    client, other, moderator, post, reason, action, on_comment
):
    from feedback import services
    from feedback.models import ModerationAction, Report

    comment = Comment.objects.filter(feedback=post).first() or services.comment_add(
        feedback=post, author=other, body="c"
    )
    target = f"/feedback/comments/{comment.pk}" if on_comment else f"/feedback/{post.pk}"
    client.force_login(other)
    reports = Report.objects.count()
    response = client.post(f"{target}/report/", {"reason": reason})
    assert response.status_code < 500
    assert Report.objects.count() - reports in ((0, 1) if response.status_code == 302 else (0,))
    client.force_login(moderator)
    actions = ModerationAction.objects.count()
    response = client.post(f"{target}/moderate/", {"action": action, "reason": reason, "confirmed": "yes"})
    assert response.status_code < 500
    assert ModerationAction.objects.count() - actions == (1 if response.status_code == 302 else 0)
    post.refresh_from_db()
    assert post.comment_count == Comment.objects.filter(feedback=post, hidden_at__isnull=True).count()
