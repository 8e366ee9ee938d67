"""Sponsors, requests for help and the official sanction: each rule, each refusal, and that a sponsor is not a lead."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activity.models import Verb
from movements import services as movement_services
from movements.models import Decision, Movement, Role, Stage
from people.models import AuditEvent
from people.services import person_deactivate
from sponsors import services
from sponsors.models import Sanction, Sponsorship, SponsorshipStatus, SupportRequest, SupportStatus
from tests import events
from tests.factories import DepartmentFactory, UserFactory


def ask_help(movement, lead, **overrides):
    values = dict(
        kind="budget",
        what="Licences for the pilot team",
        needed_by=timezone.localdate() + timedelta(days=14),
        why="Twenty people need the tool for the pilot.",
    )
    values.update(overrides)
    return services.support_request_create(movement=movement, lead=lead, **values)


# --- asking someone to sponsor -------------------------------------------------------------------


def test_a_lead_asks_a_person_to_sponsor_and_one_event_is_recorded(movement, lead, manager):
    with events.watching() as seen:
        sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager, note="Back us?")
    assert sponsorship.status == SponsorshipStatus.REQUESTED
    assert (sponsorship.requested_by, sponsorship.request_note) == (lead, "Back us?")
    assert [(e.verb, e.subject_person, e.payload) for e in seen] == [
        (Verb.ASKED_SPONSOR, manager, {"sponsorship_id": sponsorship.pk})
    ]


def test_only_leads_can_ask(movement, member, manager):
    with pytest.raises(PermissionDenied):
        services.sponsorship_request(movement=movement, lead=member, sponsor=manager)
    assert not Sponsorship.objects.exists()


def test_asking_yourself_is_refused_with_a_clear_message(movement, lead):
    with pytest.raises(ValidationError, match="cannot ask yourself"):
        services.sponsorship_request(movement=movement, lead=lead, sponsor=lead)
    assert not Sponsorship.objects.exists()


def test_asking_a_leaver_is_refused_with_a_clear_message(movement, lead, manager):
    person_deactivate(person=manager)
    with pytest.raises(ValidationError, match="has left the company"):
        services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    assert not Sponsorship.objects.exists()


def test_a_second_request_while_the_first_waits_is_refused(movement, lead, manager):
    services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    with pytest.raises(ValidationError, match="already asked"):
        services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    assert Sponsorship.objects.count() == 1


def test_asking_a_sponsor_again_is_refused(movement, lead, sponsor):
    with pytest.raises(ValidationError, match="already sponsors"):
        services.sponsorship_request(movement=movement, lead=lead, sponsor=sponsor)
    assert Sponsorship.objects.count() == 1


def test_after_a_decline_the_person_can_be_asked_again(movement, lead, manager):
    first = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=first, person=manager, accept=False, note="Not this quarter")
    second = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    assert second.pk != first.pk


def test_the_database_refuses_two_open_requests_even_without_the_service(movement, lead, manager):
    from django.db import IntegrityError, transaction

    Sponsorship.objects.create(movement=movement, sponsor=manager, requested_by=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsorship.objects.create(movement=movement, sponsor=manager, requested_by=lead)


def test_an_outsider_of_a_department_limited_movement_cannot_be_asked(limited_movement, lead):
    outsider = UserFactory(department=DepartmentFactory(name="Sales"))
    with pytest.raises(ValidationError, match="cannot see this movement"):
        services.sponsorship_request(movement=limited_movement, lead=lead, sponsor=outsider)
    assert not Sponsorship.objects.exists()


def test_someone_in_a_sub_department_of_a_limited_movement_can_be_asked(limited_movement, lead, department):
    below = UserFactory(department=DepartmentFactory(name="Platform", parent=department))
    assert services.sponsorship_request(movement=limited_movement, lead=lead, sponsor=below).pk


# --- answering ------------------------------------------------------------------------------------


def test_accepting_makes_a_sponsor_with_an_endorsement_line(movement, lead, manager):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    with events.watching(Verb.ANSWERED_SPONSORSHIP) as seen:
        services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True, note="Worth backing.")
    sponsorship.refresh_from_db()
    assert (sponsorship.status, sponsorship.answer_note) == (SponsorshipStatus.ACCEPTED, "Worth backing.")
    assert sponsorship.answered_at is not None
    assert seen[0].payload == {"sponsorship_id": sponsorship.pk, "accepted": True}
    assert services.is_sponsor(movement=movement, person=manager)
    assert AuditEvent.objects.filter(actor=manager, detail__change="became_sponsor").exists()


def test_declining_keeps_the_note_for_the_leads_and_makes_no_sponsor(movement, lead, manager):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=False, note="Ask Kim instead")
    sponsorship.refresh_from_db()
    assert (sponsorship.status, sponsorship.answer_note) == (SponsorshipStatus.DECLINED, "Ask Kim instead")
    assert not services.is_sponsor(movement=movement, person=manager)


def test_only_the_person_asked_can_answer_and_only_once(movement, lead, manager, member):
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    with pytest.raises(PermissionDenied):
        services.sponsorship_answer(sponsorship=sponsorship, person=lead, accept=True)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    with pytest.raises(ValidationError, match="already been answered"):
        services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=False)
    sponsorship.refresh_from_db()
    assert sponsorship.status == SponsorshipStatus.ACCEPTED


# --- asking for help ----------------------------------------------------------------------------


def test_a_lead_asks_the_sponsors_for_help(movement, lead, sponsor):
    with events.watching() as seen:
        support = ask_help(movement, lead)
    assert (support.kind, support.status, support.asked_by) == ("budget", SupportStatus.OPEN, lead)
    assert [e.verb for e in seen] == [Verb.ASKED_SUPPORT]


def test_asking_for_help_needs_a_sponsor_a_lead_a_reason_and_a_date_not_past(movement, lead, member, manager):
    with pytest.raises(ValidationError, match="no sponsor yet"):
        ask_help(movement, lead)
    sponsorship = services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    services.sponsorship_answer(sponsorship=sponsorship, person=manager, accept=True)
    with pytest.raises(PermissionDenied):
        ask_help(movement, member)
    with pytest.raises(PermissionDenied):
        ask_help(movement, manager)  # a sponsor is not a lead
    with pytest.raises(ValidationError, match="past"):
        ask_help(movement, lead, needed_by=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="what is needed and why"):
        ask_help(movement, lead, why="  ")
    with pytest.raises(ValidationError, match="Choose"):
        ask_help(movement, lead, kind="pizza")
    assert not SupportRequest.objects.exists()


def test_a_sponsor_answers_a_request_with_a_note(movement, lead, sponsor):
    support = ask_help(movement, lead)
    with events.watching() as seen:
        services.support_request_answer(support=support, sponsor=sponsor, status="granted", note="Budget approved")
    support.refresh_from_db()
    assert (support.status, support.answer_note, support.answered_by) == ("granted", "Budget approved", sponsor)
    assert [(e.verb, e.subject_person, e.payload["status"]) for e in seen] == [(Verb.ANSWERED_SUPPORT, lead, "granted")]


@pytest.mark.parametrize("status", ["not_now", "declined"])
def test_not_now_and_declined_are_answers_too(movement, lead, sponsor, status):
    support = ask_help(movement, lead)
    services.support_request_answer(support=support, sponsor=sponsor, status=status, note="Next quarter")
    support.refresh_from_db()
    assert support.status == status


def test_an_answer_needs_a_sponsor_a_note_a_real_status_and_comes_once(movement, lead, sponsor, member):
    support = ask_help(movement, lead)
    for person in (lead, member):  # a lead is not a sponsor either
        with pytest.raises(PermissionDenied):
            services.support_request_answer(support=support, sponsor=person, status="granted", note="Yes")
    with pytest.raises(ValidationError, match="note"):
        services.support_request_answer(support=support, sponsor=sponsor, status="granted", note=" ")
    with pytest.raises(ValidationError, match="Choose"):
        services.support_request_answer(support=support, sponsor=sponsor, status="open", note="Hm")
    services.support_request_answer(support=support, sponsor=sponsor, status="granted", note="Yes")
    with pytest.raises(ValidationError, match="already been answered"):
        services.support_request_answer(support=support, sponsor=sponsor, status="declined", note="No")
    support.refresh_from_db()
    assert support.status == "granted"


# --- the official sanction ----------------------------------------------------------------------


def test_a_sponsor_sanctions_and_withdraws_with_dates_and_notes(movement, sponsor):
    with events.watching() as seen:
        sanction = services.sanction_grant(
            movement=movement, sponsor=sponsor, note="Pilot in working hours", on=date(2026, 3, 1)
        )
        services.sanction_withdraw(movement=movement, sponsor=sponsor, note="Budget cut")
    sanction.refresh_from_db()
    assert [e.verb for e in seen] == [Verb.SANCTIONED, Verb.WITHDREW_SANCTION]
    assert (sanction.sanctioned_on, sanction.note, sanction.withdraw_note) == (
        date(2026, 3, 1),
        "Pilot in working hours",
        "Budget cut",
    )
    assert sanction.withdrawn_by == sponsor and not sanction.in_force
    again = services.sanction_grant(movement=movement, sponsor=sponsor, note="Back on")
    assert again.in_force and Sanction.objects.count() == 2


def test_only_sponsors_sanction_once_at_a_time_and_withdraw_only_what_is_in_force(movement, lead, member, sponsor):
    for person in (lead, member):
        with pytest.raises(PermissionDenied):
            services.sanction_grant(movement=movement, sponsor=person, note="Go")
    with pytest.raises(ValidationError, match="not officially sanctioned"):
        services.sanction_withdraw(movement=movement, sponsor=sponsor)
    with pytest.raises(ValidationError, match="note"):
        services.sanction_grant(movement=movement, sponsor=sponsor, note="")
    services.sanction_grant(movement=movement, sponsor=sponsor, note="Go")
    with pytest.raises(ValidationError, match="already officially sanctioned"):
        services.sanction_grant(movement=movement, sponsor=sponsor, note="Go again")
    with pytest.raises(PermissionDenied):
        services.sanction_withdraw(movement=movement, sponsor=lead)
    assert Sanction.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_the_movement_list_filter_finds_sanctioned_movements_only_while_in_force(movement, sponsor, lead):
    from sponsors.selectors import sanctioned

    other = movement_services.movement_start(founder=lead, title="Other", pitch="P", roles=[])
    assert list(sanctioned(Movement.objects.all())) == []
    services.sanction_grant(movement=movement, sponsor=sponsor, note="Go")
    assert list(sanctioned(Movement.objects.all())) == [movement]
    services.sanction_withdraw(movement=movement, sponsor=sponsor)
    assert other not in sanctioned(Movement.objects.all()) and not sanctioned(Movement.objects.all()).exists()


# --- a sponsor is not a lead --------------------------------------------------------------------


def test_a_sponsor_cannot_change_roles(movement, sponsor):
    role = movement.roles.get()
    with pytest.raises(PermissionDenied):
        movement_services.role_create(movement=movement, actor=sponsor, name="Trainer", seats=1)
    with pytest.raises(PermissionDenied):
        movement_services.role_update(role=role, actor=sponsor, name="Renamed", seats=5)
    with pytest.raises(PermissionDenied):
        movement_services.role_delete(role=role, actor=sponsor)
    assert list(Role.objects.values_list("name", "seats")) == [("Evangelist", 2)]


def test_a_sponsor_cannot_change_the_stage_or_record_a_decision(movement, sponsor, lead):
    with pytest.raises(PermissionDenied):
        movement_services.pilot_start(
            movement=movement,
            actor=sponsor,
            hypothesis="H",
            success_measure="S",
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
            rationale="R",
        )
    movement_services.pilot_start(
        movement=movement,
        actor=lead,
        hypothesis="H",
        success_measure="S",
        start=date(2026, 1, 1),
        end=date(2026, 2, 1),
        rationale="R",
    )
    for decision in Decision:
        with pytest.raises(PermissionDenied):
            movement_services.decision_record(movement=movement, actor=sponsor, decision=decision, rationale="Because")
    movement.refresh_from_db()
    assert movement.stage == Stage.PILOTING
    assert movement.stage_changes.count() == 2


def test_a_sponsor_cannot_make_leads_or_edit_the_movement(movement, sponsor, member):
    membership = movement.memberships.get(person=member)
    with pytest.raises(PermissionDenied):
        movement_services.lead_add(movement=movement, actor=sponsor, membership=membership)
    with pytest.raises(PermissionDenied):
        movement_services.movement_update(movement=movement, actor=sponsor, title="Hijacked", pitch="P")
    membership.refresh_from_db()
    movement.refresh_from_db()
    assert not membership.is_lead and movement.title == "Working out loud"


def test_a_sponsor_who_left_the_company_no_longer_counts(client, movement, lead, sponsor):
    from people.services import person_deactivate

    person_deactivate(person=sponsor)
    with pytest.raises(ValidationError, match="no sponsor yet"):
        ask_help(movement, lead)
    client.force_login(lead)
    page = client.get(movement.get_absolute_url()).content.decode()
    assert "Mia Manager" not in page and "No sponsor yet." in page
    assert Sponsorship.objects.get().status == SponsorshipStatus.ACCEPTED  # the history stays
