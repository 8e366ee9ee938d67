"""The measures pages: who sees them, what bad input gets back, what the movement page shows, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from pilots import services
from pilots.models import Measure, MeasureValue, Source
from tests.factories import UserFactory

from .conftest import PILOT_START


def url(name, movement):
    return reverse(f"pilots:{name}", args=[movement.slug])


def by_hand(movement, founder, **extra):
    fields = {"name": "Hours in meetings", "direction": "down", "baseline": Decimal(12), "target": Decimal(8)}
    return services.measure_define(
        movement=movement, actor=founder, source=Source.BY_HAND, unit="hours", **{**fields, **extra}
    )


MEASURE_POST = {
    "name": "Late evenings",
    "source": Source.BY_HAND,
    "unit": "evenings",
    "is_count": "on",
    "direction": "down",
    "baseline": "6",
    "target": "2",
}


def test_a_lead_adds_a_measure_from_the_page(client, piloting, founder):
    client.force_login(founder)
    assert client.get(url("measures", piloting)).status_code == 200
    response = client.post(url("measures", piloting), MEASURE_POST)
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.name, measure.is_count, measure.target) == ("Late evenings", True, Decimal(2))


def test_starting_the_pilot_leads_to_the_measures(client, movement, founder):
    client.force_login(founder)
    response = client.post(
        reverse("movements:pilot", args=[movement.slug]),
        {"hypothesis": "H", "success_measure": "S", "start": "2026-03-02", "end": "2026-04-26", "rationale": "R"},
    )
    assert response.url == url("measures", movement)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "6"}, "The target equals the baseline"),
        ({"baseline": "-6", "target": "-9"}, "A count cannot be negative."),
        ({"direction": "up"}, "the target must be above the baseline"),
        ({"baseline": "lots"}, "Enter a number."),
    ],
)
def test_a_bad_measure_comes_back_with_its_message_and_changes_nothing(client, piloting, founder, changes, message):
    client.force_login(founder)
    response = client.post(url("measures", piloting), {**MEASURE_POST, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measure.objects.exists()


def test_the_measures_page_is_for_leads(client, piloting, member, outsider):
    client.force_login(member)
    assert client.get(url("measures", piloting)).status_code == 403
    assert client.post(url("measures", piloting), MEASURE_POST).status_code == 403
    client.force_login(outsider)
    assert client.get(url("measures", piloting)).status_code == 404
    assert client.post(url("measures", piloting), MEASURE_POST).status_code == 404
    assert client.put(url("measures", piloting)).status_code in (404, 405)
    assert not Measure.objects.exists()
    client.logout()
    assert client.get(url("measures", piloting)).status_code == 302


def test_a_role_holder_records_a_value_and_the_movement_page_shows_it(client, piloting, founder, note_taker):
    measure = by_hand(piloting, founder, recorder_role=piloting.roles.get(name="Note-taker"))
    client.force_login(note_taker)
    response = client.post(
        url("measure_record", piloting),
        {"measure": measure.pk, "measured_on": "2026-03-09", "value": "10.5", "note": "Counted in calendars"},
    )
    assert response.status_code == 302
    page = client.get(piloting.get_absolute_url()).content.decode()
    assert "Success measures" in page and "Counted in calendars" in page and "10.5" in page
    assert 'class="target-line"' in page and "Off track" in page  # 10.5 on day 9: the line is at 11.35
    assert "Met: the latest value has reached the target." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measured_on": "2026-03-12", "value": "10"}, "That day has not come yet"),
        ({"measured_on": "2026-03-09", "value": "10", "unit": "minutes"}, "This measure is in “hours”"),
        ({"measured_on": "2026-03-09", "value": "-1"}, "A count cannot be negative."),
        ({"measured_on": "", "value": "3"}, "This field is required."),
    ],
)
def test_a_bad_value_comes_back_with_its_message_and_changes_nothing(client, piloting, founder, data, message):
    measure = by_hand(piloting, founder, is_count=True)
    client.force_login(founder)
    response = client.post(url("measure_record", piloting), {"measure": measure.pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MeasureValue.objects.exists()


def test_members_without_the_role_and_outsiders_cannot_record(client, piloting, founder, member, outsider):
    measure = by_hand(piloting, founder, recorder_role=piloting.roles.get(name="Note-taker"))
    data = {"measure": measure.pk, "measured_on": "2026-03-09", "value": "10"}
    client.force_login(member)
    assert client.get(url("measure_record", piloting)).status_code == 403
    assert client.post(url("measure_record", piloting), data).status_code == 403
    client.force_login(outsider)
    assert client.post(url("measure_record", piloting), data).status_code == 404
    assert not MeasureValue.objects.exists()


def test_a_recorder_cannot_pick_a_measure_of_another_movement(client, piloting, founder, start_other):
    other = start_other()
    foreign = by_hand(other, other.founder)
    by_hand(piloting, founder)
    client.force_login(founder)
    response = client.post(
        url("measure_record", piloting), {"measure": foreign.pk, "measured_on": "2026-03-09", "value": "10"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not MeasureValue.objects.exists()


@pytest.fixture
def start_other(department, piloting):
    from movements import services as movement_services

    def start():
        lead = UserFactory(department=department)
        movement = movement_services.movement_start(founder=lead, title="Other", pitch="P")
        return movement_services.pilot_start(
            movement=movement,
            actor=lead,
            hypothesis="H",
            success_measure="S",
            start=PILOT_START,
            end=PILOT_START + dt.timedelta(days=30),
            rationale="R",
        )

    return start


@pytest.mark.parametrize("size", [5, 50])
def test_the_pages_cost_the_same_queries_for_5_and_50_members(
    client, piloting, founder, join, size, django_assert_num_queries
):
    measure = by_hand(piloting, founder)
    services.measure_define(
        movement=piloting,
        actor=founder,
        name="Followers",
        source=Source.FOLLOWERS,
        direction="up",
        baseline=0,
        target=60,
    )
    for i in range(size):
        join()
        if i < 9:
            services.measure_value_record(
                measure=measure, actor=founder, measured_on=PILOT_START + dt.timedelta(days=i), value=Decimal(10)
            )
    client.force_login(founder)
    # session (+ person, department: one query), viewer's department (visible_to), movement, the lead check, the roles for the form,
    # measures, values (+ who recorded), followers aggregate
    with django_assert_num_queries(7):
        assert client.get(url("measures", piloting)).status_code == 200
    # session (+ person, department: one query), department, movement, the viewer's membership, the measures for the form
    with django_assert_num_queries(4):
        assert client.get(url("measure_record", piloting)).status_code == 200
