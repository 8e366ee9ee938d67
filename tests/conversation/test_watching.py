"""Watching: who watches automatically, who hears what (batched, never their own actions, never what
they can no longer see), and the first follower's join told to the leads at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from conversation import services as watching
from conversation.models import Watch
from feedback import services as feedback_services
from feedback.models import Status
from movements import services as movement_services
from nudges import messages
from nudges.models import Kind, NotificationPreference, Nudge
from nudges.services.delivery import _sees_item
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def watch_news(person=None):
    rows = Nudge.objects.filter(kind=Kind.WATCHED_ACTIVITY).order_by("pk")
    return rows.filter(recipient=person) if person is not None else rows


def test_voting_and_commenting_make_a_person_watch_a_post():
    post = FeedbackFactory()
    voter, commenter = UserFactory(), UserFactory()
    feedback_services.vote_set(feedback=post, person=voter, voted=True)
    feedback_services.comment_add(feedback=post, author=commenter, body="Same here.")
    assert set(Watch.objects.filter(feedback=post, watching=True).values_list("person_id", flat=True)) == {
        voter.pk,
        commenter.pk,
    }


def test_posting_by_name_watches_and_joining_watches_the_movement():
    author = UserFactory()
    post = feedback_services.feedback_post(
        person=author, kind="works", title="Pairing", body="Works well.", anonymous=False
    )
    movement = MovementFactory()
    follower = UserFactory()
    movement_services.membership_join(movement=movement, person=follower)
    assert Watch.objects.filter(person=author, feedback=post, watching=True, automatic=True).exists()
    assert Watch.objects.filter(person=follower, movement=movement, watching=True, automatic=True).exists()


def test_a_person_who_stopped_watching_is_not_watching_again_after_commenting():
    post = FeedbackFactory()
    person = UserFactory()
    watching.watch_set(person=person, item=post, watching=False)
    feedback_services.comment_add(feedback=post, author=person, body="Still true.")
    assert Watch.objects.get(person=person, feedback=post).watching is False


def test_watch_set_sets_the_state_asked_for_twice_in_a_row():
    post, person = FeedbackFactory(), UserFactory()
    watching.watch_set(person=person, item=post, watching=True)
    watching.watch_set(person=person, item=post, watching=True)
    assert Watch.objects.filter(person=person, feedback=post, watching=True).count() == 1


def test_watchers_hear_about_a_comment_but_the_commenter_does_not():
    post = FeedbackFactory()
    watcher, commenter = UserFactory(), UserFactory()
    watching.watch_set(person=watcher, item=post, watching=True)
    feedback_services.comment_add(feedback=post, author=commenter, body="Agreed.")
    assert list(watch_news().values_list("recipient_id", flat=True)) == [watcher.pk]
    assert not watch_news(commenter).exists()


def test_three_comments_within_the_batch_window_make_one_notification(settings):
    settings.NOTIFY_BATCH_MINUTES = 10
    post = FeedbackFactory()
    watcher = UserFactory()
    watching.watch_set(person=watcher, item=post, watching=True)
    start = timezone.now()
    for minutes in (0, 3, 9):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            feedback_services.comment_add(feedback=post, author=UserFactory(), body="One more.")
    (nudge,) = watch_news(watcher)
    assert nudge.context["counts"] == {"comment": 3}
    assert nudge.due_at == start + dt.timedelta(minutes=10)
    assert messages.headline(nudge) == f"3 new comments on “{post.title}”"


def test_a_comment_after_the_window_starts_a_new_notification(settings):
    settings.NOTIFY_BATCH_MINUTES = 10
    post = FeedbackFactory()
    watcher = UserFactory()
    watching.watch_set(person=watcher, item=post, watching=True)
    start = timezone.now()
    for minutes in (0, 11):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            feedback_services.comment_add(feedback=post, author=UserFactory(), body="Again.")
    assert [n.context["counts"] for n in watch_news(watcher)] == [{"comment": 1}, {"comment": 1}]


def test_movement_watchers_hear_of_updates_and_stage_changes_in_one_batch():
    movement = MovementFactory()
    member = UserFactory()
    movement_services.membership_join(movement=movement, person=member)
    movement_services.update_post(movement=movement, author=movement.founder, body="We start Monday.")
    movement_services.pilot_start(
        movement=movement,
        actor=movement.founder,
        hypothesis="Fewer meetings",
        success_measure="Hours saved",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 1),
        rationale="Ready.",
    )
    (nudge,) = watch_news(member)
    assert nudge.context["counts"] == {"update": 1, "stage": 1}
    assert messages.headline(nudge) == f"1 new update and 1 stage change on “{movement.title}”"
    assert not watch_news(movement.founder).exists()  # the founder did both


def test_an_official_answer_reaches_watchers_who_are_not_already_told_as_author_or_voter():
    moderator = UserFactory(is_moderator=True)
    post = FeedbackFactory()
    voter, watcher = UserFactory(), UserFactory()
    feedback_services.vote_set(feedback=post, person=voter, voted=True)
    watching.watch_set(person=watcher, item=post, watching=True)
    feedback_services.feedback_answer(feedback=post, person=moderator, status=Status.PLANNED, response="Next quarter.")
    assert list(watch_news().values_list("recipient_id", flat=True)) == [watcher.pk]
    assert Nudge.objects.filter(kind=Kind.FEEDBACK_ANSWERED, recipient=voter).exists()


def test_a_watcher_who_cannot_see_a_department_limited_movement_is_not_told():
    department, elsewhere = DepartmentFactory(), DepartmentFactory()
    founder = UserFactory(department=department)
    movement = MovementFactory(founder=founder, department=department)
    insider, outsider = UserFactory(department=department), UserFactory(department=elsewhere)
    for person in (insider, outsider):  # the outsider watched before the movement was limited
        Watch.objects.create(person=person, movement=movement)
    movement_services.update_post(movement=movement, author=founder, body="News.")
    assert list(watch_news().values_list("recipient_id", flat=True)) == [insider.pk]


def test_at_delivery_a_watcher_who_lost_sight_or_stopped_watching_is_not_told():
    department = DepartmentFactory()
    movement = MovementFactory(founder=UserFactory(department=department))
    watcher = UserFactory(department=DepartmentFactory())
    watching.watch_set(person=watcher, item=movement, watching=True)
    movement_services.update_post(movement=movement, author=movement.founder, body="News.")
    nudge = watch_news(watcher).get()
    assert _sees_item(nudge) is True
    movement.department = department
    movement.save(update_fields=["department"])
    nudge.refresh_from_db()
    assert _sees_item(nudge) is False
    movement.department = None
    movement.save(update_fields=["department"])
    watching.watch_set(person=watcher, item=movement, watching=False)
    nudge.refresh_from_db()
    assert _sees_item(nudge) is False


def test_leaving_a_movement_ends_the_automatic_watch():
    movement = MovementFactory()
    member = UserFactory()
    movement_services.membership_join(movement=movement, person=member)
    movement_services.membership_leave(movement=movement, person=member)
    movement_services.update_post(movement=movement, author=movement.founder, body="News.")
    assert not watch_news(member).exists()


def test_watch_news_respects_preferences():
    post = FeedbackFactory()
    silent = UserFactory()
    NotificationPreference.objects.create(person=silent, kind=Kind.WATCHED_ACTIVITY, email=False, in_app=False)
    watching.watch_set(person=silent, item=post, watching=True)
    feedback_services.comment_add(feedback=post, author=UserFactory(), body="Hello.")
    assert not watch_news(silent).exists()


def test_a_first_followers_join_tells_founder_and_leads_in_the_portal_at_once():
    movement = MovementFactory()
    follower = UserFactory()
    before = timezone.now()
    movement_services.membership_join(movement=movement, person=follower)
    (nudge,) = Nudge.objects.filter(kind=Kind.FOLLOWER_JOINED)
    assert (nudge.recipient_id, nudge.subject_person_id) == (movement.founder_id, follower.pk)
    assert (nudge.in_app, nudge.email) == (True, False)
    assert nudge.due_at <= timezone.now() and nudge.due_at >= before
    assert follower.name in messages.headline(nudge)
    # The 24-hour nudge with its email is still there.
    assert Nudge.objects.filter(kind=Kind.WELCOME_YOUR_FOLLOWER, recipient=movement.founder).exists()


def test_a_later_follower_does_not_tell_the_leads_at_once(settings):
    settings.FIRST_FOLLOWERS_COUNT = 1
    movement = MovementFactory()
    movement_services.membership_join(movement=movement, person=UserFactory())
    movement_services.membership_join(movement=movement, person=UserFactory())
    assert Nudge.objects.filter(kind=Kind.FOLLOWER_JOINED).count() == 1
