"""Secret, revocable feed links: Atom feeds (parsed with feedparser) of a movement's updates and of
feedback with the person's visibility, and an iCalendar feed (parsed with icalendar) of their pilots."""

from __future__ import annotations

import datetime as dt

import feedparser
import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from feedback import services as feedback_services
from feedback.models import Kind
from integrations import services
from movements import services as movement_services
from pilots import decisions
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def world(db):
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    lead = UserFactory(display_name="Lena Lead", department=dept_a)
    outsider = UserFactory(department=dept_b)
    limited = movement_services.movement_start(founder=lead, title="Working out loud", pitch="p", department=dept_a)
    movement_services.update_post(movement=limited, author=lead, body="We met today & shared notes.")
    movement_services.pilot_start(
        movement=limited,
        actor=lead,
        hypothesis="Sharing early saves rework.",
        success_measure="Fewer late surprises",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 4, 24),
        rationale="Ready.",
    )
    feedback_services.feedback_post(
        person=lead, kind=Kind.DOESNT, title="Limited post", body="x", anonymous=False, movement=limited
    )
    feedback_services.feedback_post(person=lead, kind=Kind.WORKS, title="Open post", body="x", anonymous=False)
    feedback_services.feedback_post(person=outsider, kind=Kind.WORKS, title="Anon post", body="x", anonymous=True)
    return {"lead": lead, "outsider": outsider, "limited": limited}


def _get(name, token, **kwargs):
    return Client().get(reverse(f"integrations:{name}", kwargs={"token": token, **kwargs}))


def test_the_feedback_feed_parses_and_shows_only_what_the_person_sees(world):
    lead_token = services.feed_token_create(person=world["lead"])
    outsider_token = services.feed_token_create(person=world["outsider"])

    lead_feed = feedparser.parse(_get("feed_feedback", lead_token).content)
    outsider_feed = feedparser.parse(_get("feed_feedback", outsider_token).content)

    assert not lead_feed.bozo and lead_feed.version == "atom10"
    assert {e.title for e in lead_feed.entries} == {
        "[What Doesn't] Limited post",
        "[What Works] Open post",
        "[What Works] Anon post",
    }
    assert {e.title for e in outsider_feed.entries} == {"[What Works] Open post", "[What Works] Anon post"}
    anonymous = next(e for e in outsider_feed.entries if "Anon" in e.title)
    assert "author" not in anonymous


def test_a_movements_update_feed_parses_and_is_404_for_an_outsider(world):
    token = services.feed_token_create(person=world["lead"])
    response = _get("feed_movement", token, slug=world["limited"].slug)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title.startswith("Working out loud")
    assert [e.summary for e in feed.entries] == ["We met today & shared notes."]
    outsider_token = services.feed_token_create(person=world["outsider"])
    assert _get("feed_movement", outsider_token, slug=world["limited"].slug).status_code == 404


def test_the_pilot_calendar_has_the_pilot_and_the_decision_window_with_stable_uids(world):
    token = services.feed_token_create(person=world["lead"])
    response = _get("feed_pilots", token)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    pilot = events["Pilot: Working out loud"]
    assert pilot.decoded("dtstart") == dt.date(2026, 3, 2)
    assert pilot.decoded("dtend") == dt.date(2026, 4, 25)  # all-day events end the day after
    decision = events["Decision window: Working out loud"]
    # planned: the members' DECISION_WINDOW_DAYS (5) from the pilot's end day, that day included
    assert decision.decoded("dtstart") == dt.date(2026, 4, 24)
    assert decision.decoded("dtend") == dt.date(2026, 4, 30)
    again = icalendar.Calendar.from_ical(_get("feed_pilots", token).content)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(str(e["uid"]) for e in events.values())
    outsider = icalendar.Calendar.from_ical(
        _get("feed_pilots", services.feed_token_create(person=world["outsider"])).content
    )
    assert outsider.walk("VEVENT") == []


def _decision(token) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(_get("feed_pilots", token).content)
    [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("decision-")]
    return event


def test_the_decision_window_follows_the_proposal_under_the_same_uid(world, settings):
    settings.DECISION_WINDOW_DAYS = 3
    lead, movement = world["lead"], world["limited"]
    token = services.feed_token_create(person=lead)
    planned = _decision(token)
    assert (planned.decoded("dtstart"), planned.decoded("dtend")) == (dt.date(2026, 4, 24), dt.date(2026, 4, 28))

    opened_at = dt.datetime(2026, 4, 25, 9, 30, tzinfo=dt.UTC)
    with time_machine.travel(opened_at, tick=False):
        proposal = decisions.proposal_open(movement=movement, lead=lead, decision="adopt", rationale="It works.")
    proposed = _decision(token)
    assert str(proposed["uid"]) == str(planned["uid"])
    assert str(planned["uid"]).startswith(f"decision-{movement.pk}@")
    assert proposed.decoded("dtstart") == opened_at
    assert proposed.decoded("dtend") == opened_at + dt.timedelta(days=3)

    recorded_at = opened_at + dt.timedelta(days=1)
    with time_machine.travel(recorded_at, tick=False):
        decisions.proposal_respond(proposal=proposal, person=lead, kind="consent")  # the only member: may record
        decisions.proposal_record(proposal=proposal, lead=lead)
    recorded = _decision(token)
    assert str(recorded["uid"]) == str(planned["uid"])
    assert (recorded.decoded("dtstart"), recorded.decoded("dtend")) == (opened_at, recorded_at)


def test_a_withdrawn_proposal_leaves_the_planned_window_and_an_extension_moves_it(world, settings):
    settings.DECISION_WINDOW_DAYS = 5
    lead, movement = world["lead"], world["limited"]
    token = services.feed_token_create(person=lead)
    with time_machine.travel(dt.datetime(2026, 4, 24, 8, 0, tzinfo=dt.UTC), tick=False):
        proposal = decisions.proposal_open(
            movement=movement, lead=lead, decision="extend", rationale="More data.", new_end=dt.date(2026, 6, 5)
        )
        decisions.proposal_withdraw(proposal=proposal, lead=lead)
    assert _decision(token).decoded("dtstart") == dt.date(2026, 4, 24)
    with time_machine.travel(dt.datetime(2026, 4, 24, 9, 0, tzinfo=dt.UTC), tick=False):
        proposal = decisions.proposal_open(
            movement=movement, lead=lead, decision="extend", rationale="More data.", new_end=dt.date(2026, 6, 5)
        )
        decisions.proposal_respond(proposal=proposal, person=lead, kind="consent")
        decisions.proposal_record(proposal=proposal, lead=lead)
    extended = _decision(token)
    assert (extended.decoded("dtstart"), extended.decoded("dtend")) == (dt.date(2026, 6, 5), dt.date(2026, 6, 11))


def test_a_new_secret_revokes_the_old_links_and_revoking_ends_them(world):
    old = services.feed_token_create(person=world["lead"])
    new = services.feed_token_create(person=world["lead"])
    assert _get("feed_feedback", old).status_code == 404
    assert _get("feed_feedback", new).status_code == 200
    services.feed_token_revoke(person=world["lead"])
    assert _get("feed_feedback", new).status_code == 404


def test_made_up_tokens_and_deactivated_people_get_404(world):
    assert _get("feed_feedback", "made-up").status_code == 404
    token = services.feed_token_create(person=world["lead"])
    world["lead"].is_active = False
    world["lead"].save()
    assert _get("feed_pilots", token).status_code == 404


def test_the_settings_page_shows_the_links_once_and_stores_only_a_hash(world, client):
    from integrations.models import FeedToken

    client.force_login(world["lead"])
    response = client.post(reverse("integrations:feeds"))
    feedback_url = response.context["links"]["feedback"]
    token = feedback_url.split("/feeds/")[1].split("/")[0]
    assert FeedToken.objects.get(person=world["lead"]).token_hash == services.feed_token_hash(token)
    assert token.encode() not in client.get(reverse("integrations:feeds")).content


def test_turning_the_feed_links_off_asks_once_more_then_ends_them(world, client):
    token = services.feed_token_create(person=world["lead"])
    client.force_login(world["lead"])
    asked = client.post(reverse("integrations:feeds_revoke"))
    assert asked.status_code == 200 and "Turn your feed links off?" in asked.content.decode()
    assert _get("feed_feedback", token).status_code == 200
    assert client.post(reverse("integrations:feeds_revoke"), {"confirmed": "yes"}).status_code == 302
    assert _get("feed_feedback", token).status_code == 404
