"""The bell, /notifications/, /settings/notifications/ and the one-click unsubscribe."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from nudges import services
from nudges.models import PERSON_KINDS, Kind, NotificationPreference, Nudge
from tests.factories import MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_nudges(person, count: int, **extra) -> list[Nudge]:
    movement = MovementFactory()
    start = Nudge.objects.count()
    return Nudge.objects.bulk_create(
        [
            Nudge(
                kind=Kind.FIRST_FOLLOWER_WELCOME,
                recipient=person,
                movement=movement,
                subject_person=movement.founder,
                dedupe_key=f"test:{start + i}",
                sent_at=timezone.now(),
                **extra,
            )
            for i in range(count)
        ]
    )


@pytest.fixture
def member(client, person):
    client.force_login(person)
    return person


# --- The bell ------------------------------------------------------------------------------------


def test_bell_shows_the_unread_count(client, member):
    make_nudges(member, 2)
    make_nudges(member, 1, read_at=timezone.now())
    make_nudges(UserFactory(), 4)
    response = client.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-unread="2"' in response.text
    assert '2<span class="visually-hidden"> unread</span>' in response.text
    assert 'hx-trigger="every' in response.text  # the loaded bell polls, it does not reload itself on load


def test_pages_include_a_bell_that_loads_its_count_with_htmx_and_works_as_a_link(client, member):
    response = client.get("/")
    assert 'hx-get="/notifications/bell/"' in response.text
    assert 'hx-trigger="load, every 60s, nudges-read from:body"' in response.text
    assert 'href="/notifications/"' in response.text


@pytest.mark.parametrize("size", [1, 15])
def test_bell_query_count_is_fixed(client, member, django_assert_num_queries, size):
    make_nudges(member, size)
    # session (+ person, department: one query), unread count
    with django_assert_num_queries(2):
        client.get("/notifications/bell/")


def test_bell_rejects_post(client, member):
    assert client.post("/notifications/bell/").status_code == 405


# --- /notifications/ -----------------------------------------------------------------------------------


def test_notifications_page_lists_mine_with_headline_and_link(client, member):
    (nudge,) = make_nudges(member, 1)
    make_nudges(UserFactory(), 1)
    Nudge.objects.create(kind=Kind.OPEN_ROLES, recipient=member, dedupe_key="unsent")  # not delivered yet
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [nudge]
    assert f"You are one of the first followers of “{nudge.movement.title}”" in response.text
    assert f'href="/movements/{nudge.movement.slug}/"' in response.text


def test_notifications_page_has_a_friendly_empty_state(client, member):
    response = client.get("/notifications/")
    assert "No notifications yet." in response.text


def test_notifications_page_paginates(client, member):
    make_nudges(member, 25)
    assert len(client.get("/notifications/").context["page"].object_list) == 20
    assert len(client.get("/notifications/?page=2").context["page"].object_list) == 5


@pytest.mark.parametrize("size", [1, 20])
def test_notifications_page_query_count_is_fixed(client, member, django_assert_num_queries, size):
    make_nudges(member, size)
    # session (+ person, department: one query), count for the paginator, the page with movement+feedback+other person
    with django_assert_num_queries(3):
        client.get("/notifications/")


def test_anonymous_visitor_is_sent_to_login(client):
    for path in ("/notifications/", "/settings/notifications/", "/notifications/bell/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_mark_as_read_marks_it_and_redirects_without_javascript(client, member):
    (nudge,) = make_nudges(member, 1)
    response = client.post(f"/notifications/{nudge.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    nudge.refresh_from_db()
    assert nudge.read_at is not None


def test_mark_as_read_with_htmx_returns_the_row_and_tells_the_bell(client, member):
    (nudge,) = make_nudges(member, 1)
    response = client.post(f"/notifications/{nudge.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "nudges-read"
    assert f'id="nudge-{nudge.pk}"' in response.text and "Mark as read" not in response.text


def test_outsider_cannot_mark_someone_elses_notification(client, member):
    (nudge,) = make_nudges(UserFactory(), 1)
    assert client.post(f"/notifications/{nudge.pk}/read/").status_code == 404
    nudge.refresh_from_db()
    assert nudge.read_at is None


def test_mark_as_read_rejects_get(client, member):
    (nudge,) = make_nudges(member, 1)
    assert client.get(f"/notifications/{nudge.pk}/read/").status_code == 405


def test_mark_all_as_read(client, member):
    make_nudges(member, 3)
    (other,) = make_nudges(UserFactory(), 1)
    response = client.post("/notifications/read-all/", follow=True)
    assert "All notifications are marked as read." in response.text
    assert not Nudge.objects.filter(recipient=member, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


# --- /settings/notifications/ --------------------------------------------------------------------------


def test_preferences_page_shows_every_kind_with_a_labelled_checkbox(client, member):
    response = client.get("/settings/notifications/")
    assert response.status_code == 200
    for kind in PERSON_KINDS:
        assert f'for="id_email_{kind.value}"' in response.text
    assert 'id_email_invitation_email"' not in response.text  # to addresses without an account only
    assert 'id="id_in_app_invitation" checked disabled' in response.text


def test_saving_preferences_turns_kinds_off_but_invitations_stay_in_app(client, member):
    data = {f"email_{k.value}": "on" for k in Kind if k != Kind.WEEKLY_DIGEST}
    data |= {f"in_app_{k.value}": "on" for k in Kind if k not in (Kind.WEEKLY_DIGEST, Kind.OPEN_ROLES)}
    response = client.post("/settings/notifications/", data, follow=True)
    assert "Your notification choices are saved." in response.text
    saved = {p.kind: (p.email, p.in_app) for p in NotificationPreference.objects.filter(person=member)}
    assert saved[Kind.WEEKLY_DIGEST] == (False, False)
    assert saved[Kind.OPEN_ROLES] == (True, False)
    # A forged post cannot silence invitations in the portal.
    client.post("/settings/notifications/", {})
    assert NotificationPreference.objects.get(person=member, kind=Kind.INVITATION).in_app is True


@pytest.mark.parametrize("saved", [0, 9])
def test_preferences_page_query_count_is_fixed(client, member, django_assert_num_queries, saved):
    for kind in list(Kind)[:saved]:
        NotificationPreference.objects.create(person=member, kind=kind, email=False)
    # session (+ person, department: one query), the person's preferences
    with django_assert_num_queries(2):
        client.get("/settings/notifications/")


def test_preferences_reject_put(client, member):
    assert client.put("/settings/notifications/").status_code == 405


# --- One-click unsubscribe -----------------------------------------------------------------------------


def test_unsubscribe_link_asks_first_then_turns_that_kind_off(client, person):
    url = urlsplit(services.unsubscribe_url(person=person, kind=Kind.OPEN_ROLES)).path
    page = client.get(url)
    assert page.status_code == 200 and "Stop “Open roles” emails" in page.text
    assert not NotificationPreference.objects.exists()
    done = client.post(url)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    preference = NotificationPreference.objects.get(person=person)
    assert (preference.kind, preference.email, preference.in_app) == (Kind.OPEN_ROLES, False, True)


def test_unsubscribe_with_a_forged_token_is_404_and_changes_nothing(client, person):
    token = services.unsubscribe_token(person=person, kind=Kind.OPEN_ROLES)
    assert client.post(f"/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_rejects_put(client, person):
    token = services.unsubscribe_token(person=person, kind=Kind.OPEN_ROLES)
    assert client.put(f"/unsubscribe/{token}/").status_code == 405
