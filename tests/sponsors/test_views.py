"""Each sponsors page: the happy path, the outsider (404), the wrong person (403), the wrong method (405),
the anonymous visitor (login), bad input, and the movement page's sponsor column and timeline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from movements.models import Movement
from sponsors import services
from sponsors.models import Sanction, Sponsorship, SponsorshipStatus, SupportRequest, SupportStatus
from tests.factories import DepartmentFactory, UserFactory

from .test_services import ask_help


def snapshot() -> tuple:
    return (
        list(Sponsorship.objects.values_list("pk", "status", "answer_note")),
        list(SupportRequest.objects.values_list("pk", "status")),
        list(Sanction.objects.values_list("pk", "withdrawn_at")),
        list(Movement.objects.values_list("pk", "stage", "title")),
    )


# --- asking someone to sponsor -------------------------------------------------------------------


def test_a_lead_finds_a_colleague_and_asks_them(client, movement, lead, manager):
    client.force_login(lead)
    url = reverse("sponsors:ask", args=[movement.slug])
    page = client.get(url, {"who": "Mia"}).content.decode()
    assert "Mia Manager" in page and "Head of Engineering" in page
    response = client.post(f"{url}?who=Mia", {"sponsor": manager.pk, "note": "Please"})
    assert response.status_code == 302 and response["Location"] == movement.get_absolute_url()
    sponsorship = Sponsorship.objects.get()
    assert (sponsorship.sponsor, sponsorship.request_note) == (manager, "Please")


def test_the_ask_page_does_not_offer_people_already_asked_or_who_cannot_see_it(client, limited_movement, lead):
    inside = UserFactory(display_name="Mia Inside", department=lead.department)
    UserFactory(display_name="Mia Outside", department=DepartmentFactory(name="Sales"))
    client.force_login(lead)
    url = reverse("sponsors:ask", args=[limited_movement.slug])
    page = client.get(url, {"who": "Mia"}).content.decode()
    assert "Mia Inside" in page and "Mia Outside" not in page
    services.sponsorship_request(movement=limited_movement, lead=lead, sponsor=inside)
    assert "Mia Inside" not in client.get(url, {"who": "Mia"}).content.decode()


def test_asking_an_outsider_by_id_is_refused_with_a_message_and_changes_nothing(client, limited_movement, lead):
    outsider = UserFactory(department=DepartmentFactory(name="Sales"))
    client.force_login(lead)
    before = snapshot()
    response = client.post(reverse("sponsors:ask", args=[limited_movement.slug]), {"sponsor": outsider.pk})
    assert response.status_code == 200
    assert "cannot see this movement" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "case, message",
    [("self", "cannot ask yourself"), ("leaver", "has left the company"), ("twice", "already asked")],
)
def test_bad_requests_come_back_with_a_clear_message(client, movement, lead, manager, case, message):
    target = {"self": lead, "leaver": manager, "twice": manager}[case]
    if case == "leaver":
        manager.is_active = False
        manager.save()
    if case == "twice":
        services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    before = snapshot()
    client.force_login(lead)
    response = client.post(reverse("sponsors:ask", args=[movement.slug]), {"sponsor": target.pk})
    assert response.status_code == 200 and message in response.content.decode()
    assert snapshot() == before


def test_an_empty_ask_is_an_error_on_the_form(client, movement, lead):
    client.force_login(lead)
    response = client.post(reverse("sponsors:ask", args=[movement.slug]), {"sponsor": "nonsense"})
    assert response.status_code == 200 and not Sponsorship.objects.exists()


def test_only_leads_open_the_ask_page(client, movement, member, manager, limited_movement):
    url = reverse("sponsors:ask", args=[movement.slug])
    for person, status in ((member, 403), (manager, 403)):
        client.force_login(person)
        assert client.get(url).status_code == status
        assert client.post(url, {"sponsor": manager.pk}).status_code == status
    outsider = UserFactory(department=DepartmentFactory(name="Sales"))
    client.force_login(outsider)
    assert client.get(reverse("sponsors:ask", args=[limited_movement.slug])).status_code == 404
    assert not Sponsorship.objects.exists()


def test_the_anonymous_visitor_is_sent_to_sign_in(client, movement):
    response = client.get(reverse("sponsors:ask", args=[movement.slug]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- answering a sponsor request ----------------------------------------------------------------


def test_the_person_asked_sees_the_pitch_and_figures_and_accepts(client, movement, lead, manager, piloting):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager, note="You care")
    client.force_login(manager)
    url = reverse("sponsors:answer", args=[sponsorship.pk])
    page = client.get(url).content.decode()
    for words in ("Share work early.", "Followers", "Time to first follower", "If we share, we save time", "You care"):
        assert words in page
    response = client.post(url, {"answer": "accept", "note": "Worth backing."})
    assert response.status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.status == SponsorshipStatus.ACCEPTED
    movement_page = client.get(movement.get_absolute_url()).content.decode()
    assert "Mia Manager" in movement_page and "Worth backing." in movement_page


def test_a_decline_with_a_note(client, movement, lead, manager):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    client.force_login(manager)
    client.post(reverse("sponsors:answer", args=[sponsorship.pk]), {"answer": "decline", "note": "Ask Kim"})
    sponsorship.refresh_from_db()
    assert (sponsorship.status, sponsorship.answer_note) == (SponsorshipStatus.DECLINED, "Ask Kim")


def test_nobody_else_can_see_or_answer_a_sponsor_request(client, movement, lead, manager, member):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    url = reverse("sponsors:answer", args=[sponsorship.pk])
    before = snapshot()
    for person in (lead, member, UserFactory(is_staff=True)):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "accept"}).status_code == 404
    assert snapshot() == before


def test_an_answered_request_is_not_answered_again(client, movement, lead, manager):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True, note="Yes")
    client.force_login(manager)
    response = client.post(reverse("sponsors:answer", args=[sponsorship.pk]), {"answer": "decline"})
    assert response.status_code == 200 and "You answered" in response.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == SponsorshipStatus.ACCEPTED


# --- asking for help and answering ---------------------------------------------------------------


def test_a_lead_asks_for_help_and_the_sponsor_grants_it_on_the_timeline(client, movement, lead, sponsor):
    client.force_login(lead)
    needed_by = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        reverse("sponsors:support_new", args=[movement.slug]),
        {"kind": "time", "what": "Two hours a week", "needed_by": needed_by, "why": "To run the pilot"},
    )
    assert response.status_code == 302
    support = SupportRequest.objects.get()
    client.force_login(sponsor)
    url = reverse("sponsors:support_answer", args=[support.pk])
    assert "Two hours a week" in client.get(url).content.decode()
    assert client.post(url, {"status": "granted", "note": "Granted for Q1"}).status_code == 302
    support.refresh_from_db()
    assert support.status == SupportStatus.GRANTED
    page = client.get(movement.get_absolute_url()).content.decode()
    assert "Asked the sponsors for help (Time): Two hours a week" in page
    assert "Sponsor&#x27;s answer to “Two hours a week”: Granted" in page
    assert "Granted for Q1" in page


def test_a_request_for_help_in_the_past_comes_back_with_the_message(client, movement, lead, sponsor):
    client.force_login(lead)
    response = client.post(
        reverse("sponsors:support_new", args=[movement.slug]),
        {"kind": "time", "what": "Time", "needed_by": "2020-01-01", "why": "Because"},
    )
    assert response.status_code == 200 and "cannot be in the past" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_only_leads_ask_for_help_and_only_sponsors_answer(client, movement, lead, sponsor, member):
    support = ask_help(movement, lead)
    client.force_login(sponsor)
    assert client.get(reverse("sponsors:support_new", args=[movement.slug])).status_code == 403
    before = snapshot()
    for person in (lead, member):
        client.force_login(person)
        url = reverse("sponsors:support_answer", args=[support.pk])
        assert client.post(url, {"status": "granted", "note": "Yes"}).status_code == 403
    assert snapshot() == before


def test_an_outsider_gets_404_for_help_requests_of_a_movement_they_cannot_see(
    client, limited_movement, lead, department
):
    manager = UserFactory(department=department)
    sponsorship = services.sponsorship_request(movement=limited_movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    support = ask_help(limited_movement, lead)
    client.force_login(UserFactory(department=DepartmentFactory(name="Sales")))
    assert client.get(reverse("sponsors:support_answer", args=[support.pk])).status_code == 404
    assert client.get(reverse("sponsors:sanction", args=[limited_movement.slug])).status_code == 404
    assert client.post(reverse("sponsors:sanction_withdraw", args=[limited_movement.slug])).status_code == 404


# --- the official sanction ----------------------------------------------------------------------


def test_a_sponsor_sanctions_then_withdraws_and_the_list_filters_by_it(client, movement, sponsor, lead):
    client.force_login(sponsor)
    response = client.post(
        reverse("sponsors:sanction", args=[movement.slug]), {"on": "2026-03-01", "note": "Pilot in working hours"}
    )
    assert response.status_code == 302
    page = client.get(movement.get_absolute_url()).content.decode()
    assert "Officially sanctioned" in page and "Pilot in working hours" in page
    listing = client.get(reverse("movements:list"), {"sanctioned": "1"}).content.decode()
    assert "1 movement" in listing and "Working out loud" in listing
    # The first press asks once more and changes nothing; the confirmed one withdraws.
    asked = client.post(reverse("sponsors:sanction_withdraw", args=[movement.slug]))
    assert asked.status_code == 200 and "Withdraw the official sanction" in asked.content.decode()
    assert "1 movement" in client.get(reverse("movements:list"), {"sanctioned": "1"}).content.decode()
    withdraw = client.post(reverse("sponsors:sanction_withdraw", args=[movement.slug]), {"confirmed": "yes"})
    assert withdraw.status_code == 302
    assert "0 movements" in client.get(reverse("movements:list"), {"sanctioned": "1"}).content.decode()
    assert "Official sanction withdrawn" in client.get(movement.get_absolute_url()).content.decode()


def test_leads_and_members_cannot_sanction(client, movement, sponsor, lead, member):
    before = snapshot()
    for person in (lead, member):
        client.force_login(person)
        assert client.get(reverse("sponsors:sanction", args=[movement.slug])).status_code == 403
        assert client.post(reverse("sponsors:sanction", args=[movement.slug]), {"note": "Go"}).status_code == 403
        assert client.post(reverse("sponsors:sanction_withdraw", args=[movement.slug])).status_code == 403
    assert snapshot() == before


def test_wrong_methods_are_refused(client, movement, sponsor):
    client.force_login(sponsor)
    assert client.get(reverse("sponsors:sanction_withdraw", args=[movement.slug])).status_code == 405
    assert client.put(reverse("sponsors:sanction", args=[movement.slug])).status_code == 405


def test_a_sponsor_sees_no_lead_tools_on_the_movement_page(client, movement, sponsor):
    client.force_login(sponsor)
    page = client.get(movement.get_absolute_url()).content.decode()
    assert "Manage roles" not in page and "Start the pilot" not in page and "Lead tools" not in page
    assert "Mark it officially sanctioned" in page
    for name in ("movements:roles", "movements:pilot", "movements:edit", "movements:welcome"):
        assert client.get(reverse(name, args=[movement.slug])).status_code == 403


def test_the_sponsor_column_query_count_does_not_grow_with_sponsors_and_requests(
    client, movement, lead, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        # The column's own queries: the page's lower half rendered, not read from the cache.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(movement.get_absolute_url()).status_code == 200
        return len(queries)

    client.force_login(lead)
    client.get(movement.get_absolute_url())  # the chain's tree is cached on the first view
    empty = cost()
    for n in range(4):
        person = UserFactory()
        sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=person)
        services.sponsorship_answer(sponsorship=sponsorship, person=person, accept=True, note=f"Yes {n}")
        support = ask_help(movement, lead, what=f"Help {n}")
        services.support_request_answer(support=support, sponsor=person, status="granted", note="Ok")
    services.sanction_grant(movement=movement, sponsor=person, note="Go")
    # sponsorships (+ people), sanction in force, latest requests (+ people), and the timeline's requests
    # and sanctions: the same five queries with nothing and with four sponsors, requests and a sanction
    assert cost() == empty
