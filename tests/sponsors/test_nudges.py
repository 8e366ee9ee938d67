"""The sponsors' nudges: the request (with the pitch and figures), "asks for help", the monthly summary, and
"find a sponsor" after SPONSOR_NUDGE_AFTER_DAYS of piloting; each written in the event's transaction."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from activity.models import Verb
from movements import services as movement_services
from nudges import services as nudge_services
from nudges.models import Kind, Nudge
from sponsors import services
from tests.factories import UserFactory

from .test_services import ask_help

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def kinds(kind) -> set[tuple[int, int]]:
    return set(Nudge.objects.filter(kind=kind).values_list("recipient_id", "movement_id"))


def test_the_person_asked_gets_a_nudge_with_the_pitch_and_figures(movement, lead, manager, piloting, mailoutbox):
    sponsorship = services.sponsorship_request(
        movement=movement, lead=lead, sponsor=manager, note="You care about this"
    )
    nudge = Nudge.objects.get(kind=Kind.SPONSOR_REQUEST)
    assert (nudge.recipient, nudge.subject_person, nudge.movement) == (manager, lead, movement)
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    (email,) = mailoutbox
    assert email.subject == "Will you sponsor “Working out loud”?"
    for words in (
        "Lena Lead asks you to sponsor",
        "Share work early.",  # the pitch
        "Followers: 0",
        "Time to first follower: not yet",
        "Activity by others than the founder",
        "Pilot hypothesis: If we share, we save time",
        "Success measure: Half keep it",
        "You care about this",
        f"/sponsorships/{sponsorship.pk}/",
    ):
        assert words in email.body, words


def test_the_request_nudge_is_dropped_when_answered_before_it_goes_out(movement, lead, manager, mailoutbox):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    nudge = Nudge.objects.get(kind=Kind.SPONSOR_REQUEST)
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "cancelled"
    assert mailoutbox == []


def test_a_request_that_rolls_back_leaves_no_nudge(movement, lead, manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
        raise RuntimeError("the change is rolled back")
    assert not Nudge.objects.exists()


def test_every_sponsor_hears_when_the_movement_asks_for_help(movement, lead, sponsor, mailoutbox):
    second = UserFactory(display_name="Sam Second")
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=second)
    services.sponsorship_answer(sponsorship=sponsorship, person=second, accept=True)
    waiting = UserFactory()
    services.sponsorship_request(movement=movement, lead=lead, sponsor=waiting)  # not a sponsor yet
    support = ask_help(movement, lead)
    assert kinds(Kind.SUPPORT_REQUESTED) == {(sponsor.pk, movement.pk), (second.pk, movement.pk)}
    nudge = Nudge.objects.get(kind=Kind.SUPPORT_REQUESTED, recipient=sponsor)
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert "Budget: Licences for the pilot team" in mailoutbox[0].body
    assert f"/support/{support.pk}/answer/" in mailoutbox[0].body


def test_answering_marks_the_sponsors_nudge_acted_on(movement, lead, sponsor, mailoutbox):
    support = ask_help(movement, lead)
    nudge = Nudge.objects.get(kind=Kind.SUPPORT_REQUESTED)
    nudge_services.nudge_deliver(nudge_id=nudge.pk)
    services.support_request_answer(support=support, sponsor=sponsor, status="granted", note="Yes")
    nudge.refresh_from_db()
    assert nudge.acted_on_at is not None


def test_sponsors_get_a_monthly_summary_once_a_month(movement, lead, manager, mailoutbox):
    with time_machine.travel(START, tick=False):
        sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
        services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
        nudge_services.nudges_sweep_sponsor_monthly()
    assert kinds(Kind.SPONSOR_MONTHLY) == set()  # became a sponsor this month: the first summary is next month
    with time_machine.travel(START + dt.timedelta(days=30), tick=False):
        assert nudge_services.nudges_sweep_sponsor_monthly() == 1
        nudge_services.nudges_sweep_sponsor_monthly()  # beat runs it hourly: still one
        nudge = Nudge.objects.get(kind=Kind.SPONSOR_MONTHLY)
        assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "sent"
    assert Nudge.objects.filter(kind=Kind.SPONSOR_MONTHLY).count() == 1
    assert "This month in “Working out loud”" in mailoutbox[0].subject
    assert "Followers: 0" in mailoutbox[0].body
    with time_machine.travel(START + dt.timedelta(days=61), tick=False):
        nudge_services.nudges_sweep_sponsor_monthly()
    assert Nudge.objects.filter(kind=Kind.SPONSOR_MONTHLY).count() == 2


def test_a_pilot_without_a_sponsor_nudges_its_leads_after_the_setting(movement, lead, settings):
    settings.SPONSOR_NUDGE_AFTER_DAYS = 10
    start = dt.date(2026, 3, 2)
    movement_services.pilot_start(
        movement=movement,
        actor=lead,
        hypothesis="H",
        success_measure="S",
        start=start,
        end=start + dt.timedelta(days=60),
        rationale="R",
    )
    with time_machine.travel(START + dt.timedelta(days=9), tick=False):
        nudge_services.nudges_sweep_time_based()
    assert kinds(Kind.FIND_A_SPONSOR) == set()
    with time_machine.travel(START + dt.timedelta(days=10), tick=False):
        assert nudge_services.nudges_sweep_time_based()[Kind.FIND_A_SPONSOR] == 1
    assert kinds(Kind.FIND_A_SPONSOR) == {(lead.pk, movement.pk)}
    nudge = Nudge.objects.get(kind=Kind.FIND_A_SPONSOR)
    manager = UserFactory()
    services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    nudge.refresh_from_db()
    assert nudge.acted_on_at is None  # not sent yet; asking would count once it is
    sponsorship = manager.sponsorships.get()
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == "cancelled"  # a sponsor was found meanwhile


def test_a_sponsored_pilot_or_one_not_piloting_is_not_nudged(movement, lead, sponsor, settings):
    settings.SPONSOR_NUDGE_AFTER_DAYS = 10
    other = movement_services.movement_start(founder=lead, title="Recruiting still", pitch="P", roles=[])
    movement_services.pilot_start(
        movement=movement,
        actor=lead,
        hypothesis="H",
        success_measure="S",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 5, 2),
        rationale="R",
    )
    with time_machine.travel(START + dt.timedelta(days=12), tick=False):
        nudge_services.nudges_sweep_find_a_sponsor()
    assert kinds(Kind.FIND_A_SPONSOR) == set()
    assert other.stage == "recruiting"


def test_the_sponsor_kinds_are_in_the_preferences_and_can_be_turned_off(movement, lead, manager):
    nudge_services.preferences_update(person=manager, choices={Kind.SPONSOR_REQUEST: (False, False)})
    services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    assert not Nudge.objects.filter(kind=Kind.SPONSOR_REQUEST).exists()
    assert Verb.ASKED_SPONSOR in {v for v in Verb}
