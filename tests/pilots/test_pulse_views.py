"""The pulse page: members answer once, outsiders get 404, the answering POST leaves no log line and no
session write; the movement page shows "fewer than 5" until five answered."""

import datetime as dt
import logging

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from pilots import pulses
from pilots.models import Pulse, PulseQueuedAnswer, PulseRespondent

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
ANSWER = {"q0": "4", "q1": "5", "works": "Quiet mornings", "doesnt": ""}


@pytest.fixture
def pulse(piloting):
    pulses.pulses_open_due(now=NOW)
    return Pulse.objects.get()


def url(movement):
    return reverse("pilots:pulse_answer", args=[movement.slug])


def test_a_member_answers_once_and_the_post_is_quiet(client, pulse, member, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(member)
    page = client.get(url(pulse.movement)).content.decode()
    assert "What anonymity means here" in page and "Is this making your work easier?" in page
    session_row = Session.objects.get().session_data
    caplog.clear()
    response = client.post(url(pulse.movement), ANSWER)
    assert response.status_code == 302 and response["Location"] == pulse.movement.get_absolute_url()
    assert not [r for r in caplog.records if getattr(r, "route", "") == "movements/<uslug:slug>/pulse/"]
    assert Session.objects.get().session_data == session_row  # the answering request saved no session
    assert PulseQueuedAnswer.objects.get().scores == [4, 5]
    again = client.post(url(pulse.movement), {**ANSWER, "q0": "1"})
    assert again.status_code == 200 and "You have answered this pulse." in again.content.decode()
    assert PulseQueuedAnswer.objects.count() == 1


def test_a_bad_answer_comes_back_with_its_message_and_changes_nothing(client, pulse, member):
    client.force_login(member)
    response = client.post(url(pulse.movement), {"q0": "9", "works": "x" * 2001})
    body = response.content.decode()
    assert response.status_code == 200 and "Answer from 1 to 5." in body and "Select a valid choice" in body
    assert not PulseRespondent.objects.exists() and not PulseQueuedAnswer.objects.exists()


def test_non_members_are_refused_and_outsiders_get_404(client, pulse, outsider, department):
    from tests.factories import UserFactory

    colleague = UserFactory(department=department)  # sees the movement, does not follow it
    client.force_login(colleague)
    assert client.get(url(pulse.movement)).status_code == 403
    assert client.post(url(pulse.movement), ANSWER).status_code == 403
    client.force_login(outsider)
    assert client.get(url(pulse.movement)).status_code == 404
    assert client.post(url(pulse.movement), ANSWER).status_code == 404
    assert not PulseRespondent.objects.exists() and not PulseQueuedAnswer.objects.exists()
    client.logout()
    assert client.get(url(pulse.movement)).status_code == 302


def test_without_an_open_pulse_the_page_says_so(client, piloting, member):
    client.force_login(member)
    body = client.get(url(piloting)).content.decode()
    assert "No pulse is open right now." in body
    assert client.post(url(piloting), ANSWER).status_code == 200
    assert not PulseRespondent.objects.exists()


def test_the_movement_page_shows_fewer_than_5_then_the_results(client, pulse, join, founder):
    people = [join() for _ in range(5)]
    for person in people[:4]:
        pulses.pulse_answer(pulse=pulse, person=person, scores=[4, 2])
    pulses.pulses_tick(now=NOW)
    client.force_login(founder)
    page = client.get(pulse.movement.get_absolute_url()).content.decode()
    assert "Fewer than 5 answers: not shown." in page and "4 members answered so far" in page
    assert "Answer the pulse (anonymous)" in page
    pulses.pulse_answer(pulse=pulse, person=people[4], scores=[5, 3], works="Fewer pings")
    pulses.pulses_tick(now=NOW)
    page = client.get(pulse.movement.get_absolute_url()).content.decode()
    assert "Fewer than 5 answers: not shown." not in page
    assert "4.2" in page and "2.2" in page and "Fewer pings" in page


@pytest.mark.parametrize("size", [5, 50])
def test_the_pulse_page_costs_the_same_queries_for_5_and_50_members(
    client, pulse, join, size, django_assert_num_queries
):
    people = [join() for _ in range(size)]
    target = url(pulse.movement)
    client.force_login(people[0])
    # session (+ person, department: one query), viewer's department (visible_to), movement, the viewer's membership, the open pulse,
    # whether the viewer answered
    with django_assert_num_queries(5):
        assert client.get(target).status_code == 200
