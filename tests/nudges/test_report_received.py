"""Moderators hear when something is reported: through the outbox, by their preferences, never naming an
anonymous post's author (nothing about the author is stored, and nothing about them is written)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from feedback import services as feedback_services
from nudges import services
from nudges.messages import headline, message_for
from nudges.models import Kind, NotificationPreference, Nudge
from tests.factories import CommentFactory, FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew():
    return {
        "moderator": UserFactory(is_moderator=True, display_name="Mona Moderator"),
        "staff": UserFactory(is_staff=True, display_name="Stan Staff"),
        "gone": UserFactory(is_moderator=True, is_active=False),
        "reporter": UserFactory(is_moderator=True, display_name="Rita Reporter"),
        "employee": UserFactory(display_name="Emil Employee"),
    }


def reported(kind: str) -> list[Nudge]:
    return list(Nudge.objects.filter(kind=kind).select_related("recipient", "feedback").order_by("recipient_id"))


def test_a_report_reaches_every_active_moderator_and_staff_but_not_the_reporter_or_employees(crew):
    post = FeedbackFactory(author=crew["employee"])
    feedback_services.report_create(reporter=crew["reporter"], reason="Names a colleague", feedback=post)
    nudges = reported(Kind.REPORT_RECEIVED)
    assert {n.recipient_id for n in nudges} == {crew["moderator"].pk, crew["staff"].pk}
    assert {n.feedback_id for n in nudges} == {post.pk}
    assert all(n.context["reason"] == "Names a colleague" for n in nudges)


def test_an_anonymous_posts_report_names_no_author_anywhere(crew, mailoutbox):
    post = FeedbackFactory(author=None, is_anonymous=True, title="The canteen queue")
    feedback_services.report_create(reporter=crew["employee"], reason="Rude", feedback=post)
    nudge = Nudge.objects.select_related("recipient", "feedback").get(
        kind=Kind.REPORT_RECEIVED, recipient=crew["moderator"]
    )
    assert nudge.subject_person_id is None
    assert services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    sent = [m for m in mailoutbox if m.to == [crew["moderator"].email]][0]
    text = " ".join([headline(nudge), sent.subject, sent.body, sent.alternatives[0][0]])
    assert "The canteen queue" in text and "Rude" in text
    # The only person the moderator's nudge names is the moderator: no author, no reporter, no colleague.
    for other in ("Stan Staff", "Rita Reporter", "Emil Employee"):
        assert other not in text
    assert set(nudge.context) == {"report_id", "on_comment", "reason"}


def test_a_reported_comment_says_so_and_links_to_the_moderation_queue(crew):
    comment = CommentFactory(author=crew["employee"])
    feedback_services.report_create(reporter=crew["reporter"], reason="spam", comment=comment)
    nudge = Nudge.objects.select_related("recipient", "feedback").get(
        kind=Kind.REPORT_RECEIVED, recipient=crew["moderator"]
    )
    assert nudge.feedback_id == comment.feedback_id and nudge.context["on_comment"] is True
    assert "comment" in headline(nudge)
    assert message_for(nudge).action_path == "/feedback/moderation/"


def test_moderators_who_turned_the_kind_off_get_nothing_and_email_opt_out_keeps_it_in_the_portal(crew):
    NotificationPreference.objects.create(
        person=crew["moderator"], kind=Kind.REPORT_RECEIVED, email=False, in_app=False
    )
    NotificationPreference.objects.create(person=crew["staff"], kind=Kind.REPORT_RECEIVED, email=False, in_app=True)
    feedback_services.report_create(reporter=crew["reporter"], reason="x", feedback=FeedbackFactory())
    assert [(n.recipient_id, n.email, n.in_app) for n in reported(Kind.REPORT_RECEIVED)] == [
        (crew["staff"].pk, False, True)
    ]


def test_many_reports_of_one_post_make_one_nudge_a_day_per_moderator(crew):
    post = FeedbackFactory()
    reporters = [UserFactory() for _ in range(4)]
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False):
        for reporter in reporters[:3]:
            feedback_services.report_create(reporter=reporter, reason="no", feedback=post)
        assert Nudge.objects.filter(kind=Kind.REPORT_RECEIVED, recipient=crew["moderator"]).count() == 1
    with time_machine.travel(dt.datetime(2026, 5, 5, 9, tzinfo=dt.UTC), tick=False):
        feedback_services.report_create(reporter=reporters[3], reason="no", feedback=post)
    assert Nudge.objects.filter(kind=Kind.REPORT_RECEIVED, recipient=crew["moderator"]).count() == 2


def test_a_report_dealt_with_before_delivery_is_not_sent(crew, mailoutbox):
    post = FeedbackFactory()
    feedback_services.report_create(reporter=crew["employee"], reason="no", feedback=post)
    feedback_services.moderation_act(moderator=crew["staff"], action="hide", reason="Named a colleague", feedback=post)
    nudge = Nudge.objects.get(kind=Kind.REPORT_RECEIVED, recipient=crew["moderator"])
    assert services.nudge_deliver(nudge_id=nudge.pk) == "cancelled"
    assert mailoutbox == []
    assert Nudge.objects.filter(pk=nudge.pk, cancelled_at__lte=timezone.now()).exists()
