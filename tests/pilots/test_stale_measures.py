"""The "measure not updated for two weeks" nudge: to the holders of the measure's role (else the leads), through
the outbox with the preferences, once per measure per quiet period."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movements import services as movement_services
from nudges.messages import action_path, message_for
from nudges.models import Kind, NotificationPreference, Nudge
from pilots import reminders, services
from pilots.models import Source
from tests.factories import UserFactory


def at(traveller, month, day, hour=12):
    traveller.move_to(dt.datetime(2026, month, day, hour, tzinfo=dt.UTC))


def define(movement, actor, name="Hours in meetings", role=None, source=Source.BY_HAND):
    fields = {"unit": "hours"} if source == Source.BY_HAND else {}
    return services.measure_define(
        movement=movement,
        actor=actor,
        name=name,
        direction="up",
        baseline=Decimal("1"),
        target=Decimal("5"),
        source=source,
        recorder_role=role,
        **fields,
    )


def stale():
    return sorted(Nudge.objects.filter(kind=Kind.MEASURE_STALE).values_list("recipient_id", "context__measure"))


def test_the_role_holders_are_nudged_once_after_two_weeks_and_again_after_the_next_quiet_two_weeks(
    piloting, founder, note_taker, traveller
):
    measure = define(piloting, founder, role=piloting.roles.get(name="Note-taker"))  # 11 March, noon
    at(traveller, 3, 25, 11)  # 13 days 23 hours: not yet
    assert reminders.measures_stale_nudge() == 0 and stale() == []
    at(traveller, 3, 25, 12)
    reminders.measures_stale_nudge()
    assert stale() == [(note_taker.pk, "Hours in meetings")]  # the holder records it: not the lead
    at(traveller, 3, 28)
    reminders.measures_stale_nudge()  # the same quiet period: not again
    assert stale() == [(note_taker.pk, "Hours in meetings")]
    services.measure_value_record(
        measure=measure, actor=note_taker, measured_on=dt.date(2026, 3, 27), value=Decimal("2")
    )  # written on 28 March, noon: a new period starts
    at(traveller, 4, 11, 11)
    reminders.measures_stale_nudge()
    assert len(stale()) == 1
    at(traveller, 4, 11, 12)
    reminders.measures_stale_nudge()
    assert stale() == [(note_taker.pk, "Hours in meetings")] * 2
    nudge = Nudge.objects.filter(kind=Kind.MEASURE_STALE).latest("pk")
    assert nudge.movement_id == piloting.pk
    assert action_path(nudge) == reverse("pilots:measure_record", args=[piloting.slug])
    message = message_for(nudge)
    assert "“Hours in meetings” in “Quiet hours” has not been updated for two weeks" in " ".join(message.paragraphs)


def test_without_a_role_or_a_holder_the_leads_are_nudged_and_computed_measures_never(
    piloting, founder, member, traveller
):
    movement_services.lead_add(movement=piloting, actor=founder, membership=piloting.memberships.get(person=member))
    define(piloting, founder, name="No role")
    define(piloting, founder, name="Empty role", role=piloting.roles.get(name="Evangelist"))
    define(piloting, founder, name="Followers", source=Source.FOLLOWERS)
    at(traveller, 3, 26)
    reminders.measures_stale_nudge()
    assert stale() == sorted((person.pk, name) for person in (founder, member) for name in ("No role", "Empty role"))


def test_preferences_apply_and_a_decided_pilot_is_left_alone(piloting, founder, note_taker, traveller):
    NotificationPreference.objects.create(person=note_taker, kind=Kind.MEASURE_STALE, email=False, in_app=False)
    define(piloting, founder, role=piloting.roles.get(name="Note-taker"))
    define(piloting, founder, name="Second")
    at(traveller, 3, 26)
    reminders.measures_stale_nudge()
    assert stale() == [(founder.pk, "Second")]  # the holder turned the kind off: no row for them
    movement_services.decision_record(movement=piloting, actor=founder, decision="retire", rationale="Done")
    at(traveller, 4, 20)
    Nudge.objects.all().delete()
    assert reminders.measures_stale_nudge() == 0 and stale() == []


def test_the_sweep_costs_the_same_queries_for_one_measure_or_many(piloting, founder, note_taker, join, traveller):
    def queries(count):
        Nudge.objects.filter(kind=Kind.MEASURE_STALE).delete()
        with CaptureQueriesContext(connection) as captured:
            written = reminders.measures_stale_nudge()
        return written, len(captured)

    role = piloting.roles.get(name="Note-taker")
    define(piloting, founder, name="Measure 0", role=role)
    at(traveller, 3, 26)
    one = queries(1)
    movement_services.role_claim(role=role, person=join(UserFactory()))
    for n in range(1, 5):  # a pilot has at most 5 measures
        define(piloting, founder, name=f"Measure {n}", role=role if n % 2 else None)
    at(traveller, 4, 10)
    many = queries(5)
    assert one[0] == 1 and many[0] == 3 * 2 + 2 * 1
    assert one[1] == many[1]
