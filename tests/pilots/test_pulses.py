"""Pulses: opened every PULSE_EVERY_DAYS while a pilot runs, answered once and anonymously, shown from 5."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import Activity, Verb
from feedback.models import AnonymousQueueEntry
from movements import services as movement_services
from nudges.models import Kind, Nudge
from pilots import pulses, selectors
from pilots.models import Pulse, PulseAnswer, PulseQueuedAnswer, PulseRespondent

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def pulse(piloting, founder):
    pulses.pulses_open_due(now=NOW)
    return Pulse.objects.get(movement=piloting)


@pytest.fixture
def crowd(join):
    return [join() for _ in range(8)]


def answer(pulse, person, scores=(4, 3), **extra):
    pulses.pulse_answer(pulse=pulse, person=person, scores=list(scores), **extra)


# --- opening -------------------------------------------------------------------------------------


def test_a_pulse_opens_every_7_days_during_the_pilot_and_asks_the_members(piloting, founder, member, traveller):
    assert pulses.pulses_open_due(now=NOW) == 1
    assert pulses.pulses_open_due(now=NOW) == 0  # once a day and number, whatever the beats
    pulse = Pulse.objects.get()
    assert (pulse.number, pulse.opens_on, pulse.closes_on) == (1, dt.date(2026, 3, 11), dt.date(2026, 3, 18))
    event = Activity.objects.get(verb=Verb.OPENED_PULSE)
    assert event.actor_id is None and event.payload == {"pulse_id": pulse.pk}
    asked = set(Nudge.objects.filter(kind=Kind.PULSE_DUE).values_list("recipient_id", flat=True))
    assert asked == {founder.pk, member.pk}
    later = NOW + dt.timedelta(days=6)
    assert pulses.pulses_open_due(now=later) == 0
    assert pulses.pulses_open_due(now=NOW + dt.timedelta(days=7)) == 1
    assert list(Pulse.objects.values_list("number", flat=True)) == [1, 2]


def test_no_pulse_outside_a_running_pilot(movement, piloting, founder):
    assert pulses.pulses_open_due(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == 0  # before the start
    assert pulses.pulses_open_due(now=dt.datetime(2026, 4, 27, tzinfo=dt.UTC)) == 0  # after the end
    movement_services.decision_record(movement=piloting, actor=founder, decision="adopt", rationale="Works")
    assert pulses.pulses_open_due(now=NOW) == 0
    assert not Pulse.objects.exists()


# --- answering -----------------------------------------------------------------------------------


def test_an_answer_is_stored_apart_from_who_answered(pulse, member):
    answer(pulse, member, works="Fewer pings")
    [respondent] = PulseRespondent.objects.all()
    [queued] = PulseQueuedAnswer.objects.all()
    assert respondent.person == member
    fields = {f.name for f in PulseQueuedAnswer._meta.concrete_fields}
    assert fields == {"id", "pulse", "scores", "works", "doesnt", "restamp"}  # no person, no time
    assert {f.name for f in PulseRespondent._meta.concrete_fields} == {"id", "pulse", "person"}  # no answer, no time
    assert (queued.scores, queued.works) == ([4, 3], "Fewer pings")
    assert not Activity.objects.filter(actor=member, verb__in=[Verb.OPENED_PULSE]).exists()


def test_one_answer_per_person_and_pulse(pulse, member):
    answer(pulse, member)
    with pytest.raises(ValidationError, match="already answered"):
        answer(pulse, member, scores=(1, 1))
    assert PulseQueuedAnswer.objects.count() == 1 and PulseRespondent.objects.count() == 1


@pytest.mark.parametrize("scores", [(4,), (0, 3), (6, 3), ("x", 3), (4, 3, 2)])
def test_scores_are_1_to_5_for_every_question(pulse, member, scores):
    with pytest.raises(ValidationError, match="Answer every question from 1 to 5."):
        answer(pulse, member, scores=scores)
    assert not PulseRespondent.objects.exists() and not PulseQueuedAnswer.objects.exists()


def test_only_members_answer_and_only_while_open(pulse, member, outsider, traveller):
    with pytest.raises(PermissionDenied):
        answer(pulse, outsider)
    traveller.move_to(dt.datetime(2026, 3, 18, 9, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="This pulse is closed."):
        answer(pulse, member)
    assert not PulseRespondent.objects.exists()


def test_texts_become_anonymous_posts_only_by_choice(pulse, member, join):
    answer(pulse, member, works="Quiet mornings", doesnt="Late replies")
    assert not AnonymousQueueEntry.objects.exists()
    answer(pulse, join(), works="Focus time", doesnt="Missed calls", share_doesnt=True)
    [entry] = AnonymousQueueEntry.objects.all()
    assert (entry.kind, entry.body, entry.movement_id) == ("doesnt", "Missed calls", pulse.movement_id)
    assert "Quiet hours" in entry.title


# --- k-anonymity ---------------------------------------------------------------------------------


def test_results_appear_only_from_5_answers_and_grow_by_batches_of_5(pulse, crowd, founder):
    for person in crowd[:4]:
        answer(pulse, person, scores=(5, 1))
    assert pulses.pulses_publish(now=NOW) == 0
    overview = selectors.pulse_overview(movement=pulse.movement, viewer=founder)
    [row] = overview["pulse_rows"]
    assert (row.respondents, row.shown, row.means) == (4, False, [None, None])
    answer(pulse, crowd[4], scores=(3, 3))
    assert pulses.pulses_publish(now=NOW) == 5
    [row] = selectors.pulse_overview(movement=pulse.movement, viewer=founder)["pulse_rows"]
    assert (row.shown, row.means) == (True, [4.6, 1.4])
    # A sixth answer alone would be readable by subtraction: it waits for four more.
    answer(pulse, crowd[5], scores=(1, 5))
    assert pulses.pulses_publish(now=NOW) == 0
    [row] = selectors.pulse_overview(movement=pulse.movement, viewer=founder)["pulse_rows"]
    assert (row.respondents, row.pulse.published_count, row.means) == (6, 5, [4.6, 1.4])
    assert PulseAnswer.objects.count() == 5


def test_fewer_than_5_left_when_the_pulse_closes_are_dropped_never_shown(pulse, crowd, founder):
    for person in crowd[:7]:
        answer(pulse, person, scores=(2, 2))
    assert pulses.pulses_publish(now=NOW) == 7
    answer(pulse, crowd[7], scores=(5, 5))
    closing = dt.datetime(2026, 3, 18, 0, 1, tzinfo=dt.UTC)
    assert pulses.pulses_publish(now=closing) == 0
    pulse.refresh_from_db()
    assert pulse.closed_at == closing and pulse.published_count == 7
    assert not PulseQueuedAnswer.objects.exists() and PulseAnswer.objects.count() == 7
    [row] = selectors.pulse_overview(movement=pulse.movement, viewer=founder)["pulse_rows"]
    assert row.means == [2.0, 2.0]


def test_a_pulse_with_fewer_than_5_answers_never_shows_results_not_even_by_subtraction(
    piloting, founder, crowd, traveller
):
    """Pulse 1 gets 6 answers, pulse 2 gets 4 of the same people: pulse 2 shows nothing, so comparing the
    two (or any total) says nothing about the two who did not answer the second time."""
    pulses.pulses_open_due(now=NOW)
    first = Pulse.objects.get(number=1)
    for person in crowd[:6]:
        answer(first, person)
    pulses.pulses_publish(now=NOW)
    traveller.move_to(NOW + dt.timedelta(days=7))
    pulses.pulses_tick(now=NOW + dt.timedelta(days=7))
    second = Pulse.objects.get(number=2)
    for person in crowd[:4]:
        answer(second, person, scores=(1, 1))
    pulses.pulses_tick(now=NOW + dt.timedelta(days=14))
    rows = {row.pulse.number: row for row in selectors.pulse_overview(movement=piloting, viewer=founder)["pulse_rows"]}
    assert rows[1].shown is True and rows[1].pulse.published_count == 6
    assert rows[2].shown is False and rows[2].means == [None, None]
    assert not PulseAnswer.objects.filter(pulse=second).exists()


def test_the_queue_is_rewritten_by_every_tick(pulse, member):
    answer(pulse, member)
    stamp = PulseQueuedAnswer.objects.get().restamp
    pulses.pulses_tick(now=NOW)
    assert PulseQueuedAnswer.objects.get().restamp != stamp


@pytest.mark.parametrize("size", [5, 50])
def test_the_overview_costs_the_same_queries_for_5_and_50_members(pulse, join, founder, size):
    for _ in range(size):
        answer(pulse, join(), works="Good")
    pulses.pulses_publish(now=NOW)
    movement = pulse.movement
    with CaptureQueriesContext(connection) as queries:
        overview = selectors.pulse_overview(movement=movement, viewer=founder)
    # pulses with counts and means, texts of the latest shown pulse, whether the viewer answered
    assert len(queries) == 3
    assert overview["pulse_texts"]["works"] == ["Good"] * size
