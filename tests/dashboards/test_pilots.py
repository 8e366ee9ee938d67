"""The dashboards' pilot figures (issue 15): measures on / off track / met, decision participation, pulse answers.

Now is 2026-03-18 12:00 UTC (conftest); the 28-day range is 2026-02-19 to 2026-03-18. Besides the conftest's
M1 (piloting, no measures): "Measured pilot" (founder e2, Eng, 1-31 March, 7 members and e3) and
"Ended pilot" (founder s3, Sales, 1 January to 20 February, adopted); "Old pilot" ended in January.
"""

import datetime as dt
from decimal import Decimal

import pytest

from activity.models import Activity, Verb
from dashboards import selectors
from movements.models import Stage
from pilots.models import Measure, MeasureValue, Proposal, ProposalStatus, Pulse, PulseRespondent, Source
from tests.factories import MembershipFactory, MovementFactory, UserFactory

from .conftest import days_ago
from .test_selectors import rows


def measure(movement, name, source=Source.BY_HAND, direction="up", baseline=0, target=10):
    return Measure.objects.create(
        movement=movement,
        name=name,
        unit="units",
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        source=source,
        is_count=source in (Source.FOLLOWERS, Source.ACTIVE_MEMBERS),
    )


def value(measure, day, amount):
    MeasureValue.objects.create(measure=measure, measured_on=day, value=Decimal(amount))


def recorded(movement, ago, counts, members):
    Proposal.objects.create(
        movement=movement,
        decision="adopt",
        rationale="Because",
        status=ProposalStatus.RECORDED,
        opened_at=days_ago(ago + 5),
        closes_at=days_ago(ago),
        recorded_at=days_ago(ago),
        record={"counts": counts, "member_count": members},
    )


@pytest.fixture
def pilots(org):
    measured = MovementFactory(
        title="Measured pilot",
        founder=org.e2,
        created_at=days_ago(60),
        stage=Stage.PILOTING,
        pilot_start=dt.date(2026, 3, 1),
        pilot_end=dt.date(2026, 3, 31),
    )
    members = [UserFactory(department=org.legal) for _ in range(7)]
    for person in members:
        MembershipFactory(movement=measured, person=person, joined_at=days_ago(30))
    MembershipFactory(movement=measured, person=org.e3, joined_at=days_ago(2))
    # Day 17 of 30: the line is at 10 - 5 * 17/30 = 7.17 (down), 5.67 (0 -> 10), 55.3 % (10 -> 90).
    value(measure(measured, "Late evenings", direction="down", baseline=10, target=5), dt.date(2026, 3, 10), 8)
    value(measure(measured, "Teams", baseline=1, target=3), dt.date(2026, 3, 5), 3)  # met
    value(measure(measured, "Focus hours"), dt.date(2026, 3, 18), 6)  # on track (5.67)
    measure(measured, "Nothing yet")  # no value
    measure(measured, "Followers", source=Source.FOLLOWERS, target=1)  # 8 followers: met
    measure(measured, "Active", source=Source.ACTIVE_MEMBERS, target=3)  # 3 (the founder too) in 7 days: met
    measure(measured, "Shared", source=Source.SHARE_BY_OTHERS, baseline=10, target=90)  # 2 of 3: on track
    for person, ago in ((members[0], 1), (members[1], 2), (members[2], 10), (org.e2, 1)):
        Activity.objects.create(actor=person, movement=measured, verb=Verb.COMMENTED, created_at=days_ago(ago))
    ended = MovementFactory(
        title="Ended pilot",
        founder=org.s3,
        created_at=days_ago(120),
        stage=Stage.ADOPTED,
        pilot_start=dt.date(2026, 1, 1),
        pilot_end=dt.date(2026, 2, 20),
    )
    done = measure(ended, "Signed up")
    value(done, dt.date(2026, 2, 10), 10)
    value(done, dt.date(2026, 2, 25), 0)  # after the pilot's end: not read
    old = MovementFactory(
        title="Old pilot",
        founder=org.s4,
        stage=Stage.RETIRED,
        pilot_start=dt.date(2025, 12, 1),
        pilot_end=dt.date(2026, 1, 31),
    )
    measure(old, "Anything")
    recorded(measured, 2, {"consent": 2, "abstain": 1, "object": 1}, 5)
    recorded(ended, 25, {"consent": 1}, 4)
    recorded(old, 40, {"consent": 3}, 3)  # before the range
    shown = Pulse.objects.create(
        movement=measured, number=1, opens_on=dt.date(2026, 3, 2), closes_on=dt.date(2026, 3, 9), published_count=5
    )
    few = Pulse.objects.create(
        movement=measured, number=2, opens_on=dt.date(2026, 3, 9), closes_on=dt.date(2026, 3, 16), published_count=0
    )
    Pulse.objects.create(movement=ended, number=1, opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 12))
    PulseRespondent.objects.bulk_create([PulseRespondent(pulse=shown, person=p) for p in members[:6]])
    PulseRespondent.objects.bulk_create([PulseRespondent(pulse=few, person=p) for p in members[:3]])
    return measured


def test_pilots_of_the_range_with_their_measures_on_and_off_track(pilots):
    dash = selectors.dashboard(days=28, department_id=None)
    # Movement, stage, met, on track, off track, no value
    assert rows(dash.pilot_measures["table"]) == [
        ["Ended pilot", "Adopted", 1, 0, 0, 0],
        ["Async stand-ups", "Piloting", 0, 0, 0, 0],
        ["Measured pilot", "Piloting", 3, 2, 1, 1],
    ]
    assert dash.pilot_measures["summary"] == {"pilots": 3, "met": 1, "on_track": 0, "off_track": 1, "unmeasured": 1}


def test_a_department_sees_the_pilots_of_its_founders(pilots, org):
    dash = selectors.dashboard(days=28, department_id=org.eng.pk)
    assert [row[0] for row in rows(dash.pilot_measures["table"])] == ["Async stand-ups", "Measured pilot"]
    assert rows(dash.decisions["table"]) == [["Measured pilot", "Adopt", "2026-03-16", 4, 5, 80.0]]


def test_decision_participation_is_the_share_of_members_who_responded(pilots):
    dash = selectors.dashboard(days=28, department_id=None)
    assert rows(dash.decisions["table"]) == [
        ["Ended pilot", "Adopt", "2026-02-21", 1, 4, 25.0],
        ["Measured pilot", "Adopt", "2026-03-16", 4, 5, 80.0],
    ]
    assert dash.decisions["share"] == 55.6  # 5 of 9


def test_pulse_response_rates_are_suppressed_below_5_answers(pilots, client, org):
    dash = selectors.dashboard(days=28, department_id=None)
    table = [[str(cell) for cell in row] for row in dash.pulses["table"].rows]
    assert table == [
        ["Measured pilot", "1", "2026-03-02", "6", "8", "75.0"],
        ["Measured pilot", "2", "2026-03-09", "fewer than 5", "8", "fewer than 5"],
    ]
    assert dash.pulses["rate"] == 75.0  # only the pulse shown counts
    client.force_login(org.admin)
    page = client.get("/dashboards/", {"range": 28}).content.decode()
    assert "Pilots and their success measures" in page and "Decisions taken together" in page
    assert "Pulse answers" in page and "55.6%" in page and "75%" in page
    csv = client.get("/dashboards/", {"range": 28, "export": "pulse_response_rates"}).content.decode()
    assert "fewer than 5" in csv and "75.0" in csv
