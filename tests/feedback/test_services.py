import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import services
from feedback.models import Comment, Feedback, Kind, ModerationAction, Report, Status, StatusChange, Tag, Vote
from feedback.rendering import render_markdown
from socialbiz import ratelimit
from tests import events
from tests.factories import CommentFactory, FeedbackFactory, MovementFactory, TagFactory, UserFactory

# --- the sanitizer -----------------------------------------------------------------------------


def test_markdown_keeps_links_lists_emphasis_and_code():
    html = render_markdown("**bold** *it* [site](https://example.com)\n\n- one\n- two\n\n`x = 1`")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert "<li>one</li>" in html and "<code>x = 1</code>" in html


def test_sanitizer_strips_script_event_handlers_and_htmx_attributes():
    html = render_markdown(
        'hi <script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="/x" hx-get="/feedback/1/vote/" hx-trigger="load" onclick="alert(3)">l</a>'
        '<div hx-post="/x" data-hx-post="/y">d</div><style>body{}</style><iframe src="https://evil"></iframe>'
    )
    lowered = html.lower()
    for bad in ("<script", "alert(1)", "onerror", "onclick", "hx-", "<img", "<style", "<iframe", "<div"):
        assert bad not in lowered, (bad, html)
    assert "hi" in html and ">l</a>" in html


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x"]
)
def test_sanitizer_drops_unsafe_link_schemes(link):
    html = render_markdown(f"[click]({link})")
    assert "href" not in html
    assert "click" in html


# --- posting -----------------------------------------------------------------------------------


def test_posting_by_name_stores_the_author_rendered_body_tags_and_one_activity_row(author, movement):
    meetings = TagFactory(name="meetings")
    post = services.feedback_post(
        person=author,
        kind=Kind.WORKS,
        title="  Decision logs  ",
        body="*yes*",
        anonymous=False,
        movement=movement,
        tags=[meetings],
        new_tag_names=["Remote Work", "meetings"],
    )
    post.refresh_from_db()
    assert post.author == author and post.title == "Decision logs" and post.body_html == "<p><em>yes</em></p>"
    assert sorted(post.tags.values_list("name", flat=True)) == ["meetings", "remote work"]
    assert Tag.objects.filter(name="remote work", slug="remote-work").exists()
    activity = Activity.objects.get(feedback=post)
    assert (activity.actor, activity.verb, activity.movement) == (author, Verb.POSTED_FEEDBACK, movement)


def test_anonymous_post_has_no_author_a_day_rounded_time_and_a_random_id(author, time_machine):
    time_machine.move_to("2026-05-04 15:37:12+00:00", tick=False)
    named = services.feedback_post(person=author, kind=Kind.WORKS, title="n", body="b", anonymous=False)
    post = services.feedback_post(person=author, kind=Kind.DOESNT, title="t", body="b", anonymous=True)
    post.refresh_from_db()
    assert post.author_id is None and post.is_anonymous
    assert post.created_at.isoformat() == "2026-05-04T00:00:00+00:00"
    # Not the next id after the named post: the id says nothing about when it was posted.
    assert post.pk >= services.ANONYMOUS_ID_RANGE[0] and post.pk != named.pk + 1
    # No activity row yet: it is written after the day is over, with the others of that day.
    assert not Activity.objects.filter(feedback=post).exists()
    assert list(Activity.objects.values_list("actor", flat=True)) == [author.pk]


def test_anonymous_activity_rows_are_written_after_the_day_in_a_batch_without_actor(author, other, time_machine):
    time_machine.move_to("2026-05-04 09:00:00+00:00", tick=False)
    first = services.feedback_post(person=author, kind=Kind.DOESNT, title="a", body="b", anonymous=True)
    time_machine.move_to("2026-05-04 17:00:00+00:00", tick=False)
    second = services.feedback_post(person=other, kind=Kind.WORKS, title="c", body="d", anonymous=True)
    assert services.anonymous_activity_record() == 0  # the day is not over yet
    time_machine.move_to("2026-05-05 00:30:00+00:00", tick=False)
    assert services.anonymous_activity_record() == 2
    assert services.anonymous_activity_record() == 0  # idempotent
    rows = Activity.objects.filter(verb=Verb.POSTED_FEEDBACK).order_by("pk")
    assert {row.feedback_id for row in rows} == {first.pk, second.pk}
    assert all(row.actor_id is None and row.created_at.isoformat() == "2026-05-04T00:00:00+00:00" for row in rows)


def test_posting_about_a_movement_the_person_cannot_see_is_refused(outsider, limited_movement):
    with pytest.raises(ValidationError):
        services.feedback_post(
            person=outsider, kind=Kind.WORKS, title="t", body="b", anonymous=False, movement=limited_movement
        )
    assert not Feedback.objects.exists()


def test_unknown_kind_is_refused_and_nothing_is_written(author):
    with pytest.raises(ValidationError):
        services.feedback_post(person=author, kind="maybe", title="t", body="b", anonymous=False)
    assert not Feedback.objects.exists() and not Activity.objects.exists()


def test_rate_is_parsed_from_plain_words():
    assert ratelimit.parse_rate("5 per 10 minutes") == ratelimit.Rate(5, 600)
    assert ratelimit.parse_rate("20/hour") == ratelimit.Rate(20, 3600)
    with pytest.raises(ValueError):
        ratelimit.parse_rate("lots")


def test_rate_limit_counts_per_person(author, other):
    rate = ratelimit.Rate(2, 600)
    assert [ratelimit.hit(scope="t", person_id=author.pk, rate=rate) for _ in range(3)] == [True, True, False]
    assert ratelimit.hit(scope="t", person_id=other.pk, rate=rate) is True


# --- votes -------------------------------------------------------------------------------------


def test_vote_set_votes_and_unvotes_and_the_count_follows(post, other):
    post, voted = services.vote_set(feedback=post, person=other, voted=True)
    assert voted and post.vote_count == 1 == Vote.objects.filter(feedback=post).count()
    assert Activity.objects.filter(actor=other, verb=Verb.VOTED, feedback=post).count() == 1
    post, voted = services.vote_set(feedback=post, person=other, voted=False)
    assert not voted and post.vote_count == 0 == Vote.objects.filter(feedback=post).count()


def test_voting_again_keeps_the_vote_and_records_no_second_event(post, other):
    """A stale second tab that still shows "Me too" unpressed asks to vote: the vote stays."""
    services.vote_set(feedback=post, person=other, voted=True)
    post, voted = services.vote_set(feedback=post, person=other, voted=True)
    assert voted and post.vote_count == 1 == Vote.objects.filter(feedback=post, person=other).count()
    assert Activity.objects.filter(actor=other, verb=Verb.VOTED, feedback=post).count() == 1


def test_taking_back_a_vote_that_is_not_there_changes_nothing(post, other):
    post, voted = services.vote_set(feedback=post, person=other, voted=False)
    assert not voted and post.vote_count == 0 == Vote.objects.count()


@pytest.mark.django_db(transaction=True)
def test_vote_count_equals_the_rows_under_concurrent_clicks_on_postgresql():
    assert connection.vendor == "postgresql"
    post = FeedbackFactory()
    people = [UserFactory() for _ in range(6)]
    # Every person clicks 3 times at once (vote, unvote, vote from three tabs), 18 threads in all.
    clicks = [(person, wanted) for person in people for wanted in (True, False, True)]
    barrier = threading.Barrier(len(clicks))
    errors: list[BaseException] = []

    def click(person, wanted):
        try:
            barrier.wait(timeout=20)
            services.vote_set(feedback=Feedback.objects.get(pk=post.pk), person=person, voted=wanted)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=click_args) for click_args in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    post.refresh_from_db()
    rows = Vote.objects.filter(feedback=post).count()
    assert post.vote_count == rows
    assert rows <= len(people)
    # And everyone votes once more: each has exactly one vote.
    for person in people:
        services.vote_set(feedback=post, person=person, voted=True)
    post.refresh_from_db()
    assert post.vote_count == Vote.objects.filter(feedback=post).count() == len(people)


def _two_clicks_racing(*, post: Feedback, person, first: bool, second: bool) -> None:
    """The first click's transaction stays open until the second click has started and is waiting."""
    in_first, release_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def click(wanted: bool, hold: bool) -> None:
        try:
            with transaction.atomic():
                services.vote_set(feedback=Feedback.objects.get(pk=post.pk), person=person, voted=wanted)
                if hold:
                    in_first.set()
                    release_first.wait(timeout=20)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=click, args=(first, True))
    one.start()
    assert in_first.wait(timeout=20)
    two = threading.Thread(target=click, args=(second, False))
    two.start()
    two.join(timeout=1)
    assert two.is_alive(), "the second click must wait for the first one's transaction"
    release_first.set()
    one.join(timeout=20)
    two.join(timeout=20)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_two_clients_voting_and_unvoting_at_once_end_in_the_state_of_the_last_one_applied():
    """Two sessions of one person on real PostgreSQL: the second click waits for the first (the post's row is
    locked), so whatever the first did, the state is the one the later click asked for."""
    assert connection.vendor == "postgresql"
    post = FeedbackFactory()
    person = UserFactory()
    for first, second in [(True, False), (False, True), (True, True), (False, False), (True, False)]:
        _two_clicks_racing(post=post, person=person, first=first, second=second)
        post.refresh_from_db()
        rows = Vote.objects.filter(feedback=post, person=person).count()
        assert rows == (1 if second else 0) == post.vote_count, (first, second)


# --- comments ----------------------------------------------------------------------------------


def test_comment_counts_and_can_be_edited_and_deleted_by_its_author_within_15_minutes(post, other, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    comment = services.comment_add(feedback=post, author=other, body=" Same here ")
    post.refresh_from_db()
    assert comment.body == "Same here" and post.comment_count == 1
    services.comment_edit(comment=comment, person=other, body="Same here, twice")
    comment.refresh_from_db()
    assert comment.body == "Same here, twice" and comment.edited_at is not None
    services.comment_delete(comment=comment, person=other)
    post.refresh_from_db()
    assert post.comment_count == 0 and not Comment.objects.exists()


def test_comments_are_frozen_after_15_minutes_and_for_other_people(post, other, author, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    comment = services.comment_add(feedback=post, author=other, body="Original")
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, person=author, body="Hijacked")
    time_machine.shift(15 * 60 + 1)
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, person=other, body="Late")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, person=other)
    comment.refresh_from_db()
    assert comment.body == "Original"


# --- official answers --------------------------------------------------------------------------


def test_moderator_answers_with_status_and_response_and_first_answer_time_is_kept(post, moderator, monkeypatch):
    with events.watching(Verb.ANSWERED_FEEDBACK) as answered:
        first = services.feedback_answer(
            feedback=post, person=moderator, status=Status.PLANNED, response="On the roadmap."
        )
    post.refresh_from_db()
    first_time = post.first_answered_at
    assert post.status == Status.PLANNED and first_time is not None
    with events.watching(Verb.ANSWERED_FEEDBACK) as answered_again:
        second = services.feedback_answer(feedback=post, person=moderator, status=Status.RESOLVED, response="Done.")
    told = [StatusChange.objects.get(pk=event.payload["status_change_id"]) for event in answered + answered_again]
    post.refresh_from_db()
    assert post.first_answered_at == first_time
    assert list(StatusChange.objects.values_list("from_status", "to_status")) == [
        (Status.NEW, Status.PLANNED),
        (Status.PLANNED, Status.RESOLVED),
    ]
    assert told == [first, second]
    assert Activity.objects.filter(actor=moderator, verb=Verb.ANSWERED_FEEDBACK).count() == 2


def test_lead_of_the_linked_movement_may_answer(movement_post, lead):
    services.feedback_answer(feedback=movement_post, person=lead, status=Status.ACKNOWLEDGED, response="Heard.")
    movement_post.refresh_from_db()
    assert movement_post.status == Status.ACKNOWLEDGED


@pytest.mark.parametrize("who", ["author", "other", "lead_of_another_movement", "former_lead"])
def test_nobody_else_may_change_the_status(who, movement_post, author, other, make_lead):
    person = {
        "author": author,
        "other": other,
        "lead_of_another_movement": MovementFactory().founder,
        "former_lead": None,
    }[who]
    if who == "former_lead":
        person = UserFactory()
        membership = make_lead(movement_post.movement, person)
        membership.is_lead, membership.left_at = False, timezone.now()
        membership.save()
    with pytest.raises(PermissionDenied):
        services.feedback_answer(feedback=movement_post, person=person, status=Status.RESOLVED, response="x")
    movement_post.refresh_from_db()
    assert movement_post.status == Status.NEW and not StatusChange.objects.exists()


def test_a_status_not_in_the_list_or_an_empty_response_changes_nothing(post, moderator):
    with pytest.raises(ValidationError):
        services.feedback_answer(feedback=post, person=moderator, status="done-ish", response="x")
    with pytest.raises(ValidationError):
        services.feedback_answer(feedback=post, person=moderator, status=Status.PLANNED, response="   ")
    post.refresh_from_db()
    assert post.status == Status.NEW and post.first_answered_at is None and not StatusChange.objects.exists()


# --- reports and moderation --------------------------------------------------------------------


def test_hiding_a_reported_post_resolves_the_report_logs_who_and_why_and_keeps_the_post(post, other, moderator):
    report = services.report_create(reporter=other, reason="Names a colleague", feedback=post)
    assert services.report_create(reporter=other, reason="again", feedback=post) == report
    services.moderation_act(moderator=moderator, action="hide", reason="Personal attack", feedback=post)
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.hidden_at is not None and report.resolved_at is not None
    assert not Feedback.objects.visible_to(other).filter(pk=post.pk).exists()
    assert Feedback.objects.visible_to(moderator).filter(pk=post.pk).exists()
    services.moderation_act(moderator=moderator, action="restore", reason="Edited by HR", feedback=post)
    post.refresh_from_db()
    assert post.hidden_at is None
    assert list(ModerationAction.objects.order_by("pk").values_list("action", "moderator", "reason")) == [
        ("hide", moderator.pk, "Personal attack"),
        ("restore", moderator.pk, "Edited by HR"),
    ]


def test_hiding_a_comment_takes_it_out_of_the_count_and_restoring_puts_it_back(post, other, moderator):
    comment = services.comment_add(feedback=post, author=other, body="rude")
    services.moderation_act(moderator=moderator, action="hide", reason="rude", comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 0 and Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).exists()
    services.moderation_act(moderator=moderator, action="restore", reason="ok after all", comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 1


def test_only_moderators_moderate_and_a_reason_is_required(post, other, moderator):
    with pytest.raises(PermissionDenied):
        services.moderation_act(moderator=other, action="hide", reason="x", feedback=post)
    with pytest.raises(ValidationError):
        services.moderation_act(moderator=moderator, action="hide", reason=" ", feedback=post)
    post.refresh_from_db()
    assert post.hidden_at is None and not ModerationAction.objects.exists()


def test_reporting_a_comment_keeps_the_reporter_for_the_moderators(other):
    comment = CommentFactory()
    report = services.report_create(reporter=other, reason="spam", comment=comment)
    assert Report.objects.get().pk == report.pk and report.reporter == other and report.feedback is None


def test_search_falls_back_to_a_plain_contains_when_the_database_is_not_postgresql(db, monkeypatch):
    from types import SimpleNamespace

    from feedback import selectors

    FeedbackFactory(title="Cameras on in large calls", body="tiring")
    FeedbackFactory(title="Buddy system", body="helps")
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    found = selectors._search(Feedback.objects.all(), "CAMERAS ON")
    assert [post.title for post in found] == ["Cameras on in large calls"]


def test_an_unreadable_rate_limit_setting_stops_the_start_up(settings):
    from feedback.checks import feedback_rate_limit_is_readable

    assert feedback_rate_limit_is_readable(None) == []
    settings.FEEDBACK_POST_RATE_LIMIT = "five-ish"
    settings.UPDATE_RATE_LIMIT = "often"
    errors = feedback_rate_limit_is_readable(None)
    assert [error.id for error in errors] == ["feedback.E001", "feedback.E001"]
    assert "UPDATE_RATE_LIMIT" in errors[1].msg


def test_voters_are_listed_first_come_first_for_inviting_as_first_followers(post):
    from datetime import timedelta

    from feedback.selectors import feedback_voters

    first, second = UserFactory(), UserFactory()
    now = timezone.now()
    Vote.objects.create(feedback=post, person=second, created_at=now)
    Vote.objects.create(feedback=post, person=first, created_at=now - timedelta(hours=1))
    assert list(feedback_voters(feedback=post)) == [first, second]


def test_a_post_turned_into_a_movement_links_to_it_once(post, movement):
    services.feedback_turned_into_movement(feedback=post, movement=movement)
    post.refresh_from_db()
    assert post.resulting_movement == movement
    with pytest.raises(ValidationError):
        services.feedback_turned_into_movement(feedback=post, movement=MovementFactory())
    post.refresh_from_db()
    assert post.resulting_movement == movement
