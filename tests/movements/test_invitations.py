"""Invitations that arrive: the email to an address without an account, the inviter's list with states,
sending again once, cancelling, expiry, and the link that signs a newcomer up into the movement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity, Verb
from movements import selectors, services
from movements.models import Invitation, InvitationStatus, Membership
from nudges.models import Kind, Nudge
from nudges.services import delivery
from people.models import User
from tests.factories import UserFactory

NEW = {"password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"}


@pytest.fixture
def invitation(movement, member):
    return services.invitation_create(
        movement=movement, inviter=member, email="New.Person@acme.com", note="You would love this."
    )


def invite_url(movement) -> str:
    return reverse("movements:invite", args=[movement.slug])


def _rows() -> tuple:
    return (
        list(Invitation.objects.values_list("pk", "status", "resent_at").order_by("pk")),
        Nudge.objects.count(),
        Activity.objects.count(),
    )


# --- the email -----------------------------------------------------------------------------------


def test_an_invitation_to_an_address_without_an_account_is_one_email_with_the_note_and_the_link(
    invitation, member, mailoutbox
):
    nudge = Nudge.objects.get(kind=Kind.INVITATION_EMAIL)
    assert nudge.recipient_id is None and nudge.to_address == "new.person@acme.com" and not nudge.in_app
    assert delivery.nudge_deliver(nudge_id=nudge.pk) == delivery.Outcome.SENT
    assert delivery.nudge_deliver(nudge_id=nudge.pk) == delivery.Outcome.SKIPPED  # exactly once
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@acme.com"] and member.name in message.subject
    link = reverse("movements:invitation", kwargs={"token": invitation.token})
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "You would love this." in body and link in body
    assert Nudge.objects.get(pk=nudge.pk).sent_at is not None


def test_a_cancelled_invitation_email_is_not_sent(invitation, member, mailoutbox):
    services.invitation_cancel(invitation=invitation, person=member)
    nudge = Nudge.objects.get(kind=Kind.INVITATION_EMAIL)
    assert delivery.nudge_deliver(nudge_id=nudge.pk) == delivery.Outcome.CANCELLED
    assert mailoutbox == []


def test_an_invitation_to_someone_with_an_account_stays_a_nudge_to_the_person(movement, member):
    colleague = UserFactory(email="colleague@acme.com")
    services.invitation_create(movement=movement, inviter=member, email="COLLEAGUE@acme.com")
    assert Nudge.objects.get(kind=Kind.INVITATION).recipient == colleague
    assert not Nudge.objects.filter(kind=Kind.INVITATION_EMAIL).exists()


# --- send again, cancel, expire ------------------------------------------------------------------


def test_sending_again_works_once_writes_a_second_email_and_restarts_the_expiry(invitation, member, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=10))
    again = services.invitation_resend(invitation=invitation, person=member)
    assert again.resent_at is not None and again.expires_at == again.resent_at + timedelta(days=14)
    keys = set(Nudge.objects.filter(kind=Kind.INVITATION_EMAIL).values_list("dedupe_key", flat=True))
    assert keys == {f"invitation:i{invitation.pk}", f"invitation:i{invitation.pk}:resent"}
    assert Activity.objects.filter(verb=Verb.RESENT_INVITATION, actor=member).count() == 1
    with pytest.raises(ValidationError, match="already sent a second time"):
        services.invitation_resend(invitation=invitation, person=member)


def test_only_the_inviter_resends_or_cancels(invitation, founder):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.invitation_resend(invitation=invitation, person=founder)
    with pytest.raises(PermissionDenied):
        services.invitation_cancel(invitation=invitation, person=founder)


def test_an_invitation_expires_after_the_setting_and_cannot_be_accepted(invitation, movement, member, settings):
    settings.INVITATION_EXPIRY_DAYS = 3
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=4))
    invitation.refresh_from_db()
    assert invitation.state == "expired" and not Invitation.objects.open().exists()
    newcomer = UserFactory(email="new.person@acme.com")
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_respond(invitation=invitation, person=newcomer, accept=True)
    assert not Membership.objects.filter(person=newcomer).exists()
    # An expired invitation does not block a new one to the same address.
    services.invitation_create(movement=movement, inviter=member, email="new.person@acme.com")


def test_a_cancelled_invitation_cannot_be_accepted(invitation, member):
    services.invitation_cancel(invitation=invitation, person=member)
    newcomer = UserFactory(email="new.person@acme.com")
    with pytest.raises(ValidationError, match="cancelled"):
        services.invitation_respond(invitation=invitation, person=newcomer, accept=True)


# --- the invite page -----------------------------------------------------------------------------


def test_the_invite_page_lists_what_you_sent_with_states(client, movement, member, invitation, settings):
    accepted_by = UserFactory(email="yes@acme.com")
    accepted = services.invitation_create(movement=movement, inviter=member, invitee=accepted_by)
    services.invitation_respond(invitation=accepted, person=accepted_by, accept=True)
    declined_by = UserFactory(email="no@acme.com")
    declined = services.invitation_create(movement=movement, inviter=member, invitee=declined_by)
    services.invitation_respond(invitation=declined, person=declined_by, accept=False)
    old = services.invitation_create(movement=movement, inviter=member, email="old@acme.com")
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=15))
    client.force_login(member)
    page = client.get(invite_url(movement)).content.decode()
    for text in ("new.person@acme.com", accepted_by.name, declined_by.name, "old@acme.com"):
        assert text in page
    for state in ("Pending", "Accepted", "Declined", "Expired"):
        assert f">{state}<" in page
    assert reverse("movements:invitation_resend", args=[movement.slug, invitation.pk]) in page
    assert reverse("movements:invitation_cancel", args=[movement.slug, invitation.pk]) in page
    assert reverse("movements:invitation_cancel", args=[movement.slug, accepted.pk]) not in page


@pytest.mark.parametrize("count", [2, 20])
def test_the_invite_page_costs_the_same_queries_for_few_and_many_invitations(
    client, movement, member, count, django_assert_num_queries
):
    for n in range(count):
        services.invitation_create(movement=movement, inviter=member, email=f"p{n}@acme.com")
    client.force_login(member)
    # session (+ person, department: one query), department (visible_to), the movement, the member check, the invitations sent (+invitee)
    with django_assert_num_queries(4):
        response = client.get(invite_url(movement))
    assert response.content.decode().count("@acme.com</td>") == count


def test_resend_and_cancel_from_the_page_cancel_asks_first(client, movement, member, invitation):
    client.force_login(member)
    resend = reverse("movements:invitation_resend", args=[movement.slug, invitation.pk])
    cancel = reverse("movements:invitation_cancel", args=[movement.slug, invitation.pk])
    assert client.post(resend).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).resent_at is not None
    response = client.post(resend, follow=True)
    assert "already sent a second time" in response.content.decode()
    assert "Cancel the invitation" in client.get(cancel).content.decode()
    assert client.post(cancel).status_code == 200  # not confirmed: asks again
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
    assert client.post(cancel, {"confirmed": "yes"}).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.CANCELLED
    assert client.get(resend).status_code == 405


@pytest.mark.parametrize("who", ["founder", "outsider"])
def test_others_get_404_for_resend_and_cancel_and_nothing_changes(client, invitation, movement, founder, who):
    person = founder if who == "founder" else UserFactory()
    if who == "outsider":
        from people.models import Department

        movement.department = Department.objects.create(name="Closed", path="closed")
        movement.save(update_fields=["department"])
    client.force_login(person)
    before = _rows()
    for name in ("movements:invitation_resend", "movements:invitation_cancel"):
        url = reverse(name, args=[movement.slug, invitation.pk])
        assert client.post(url, {"confirmed": "yes"}).status_code == 404
    assert _rows() == before


# --- the link, signed out ------------------------------------------------------------------------


def test_the_link_signed_out_offers_sign_in_and_sign_up_and_signs_the_newcomer_up_into_the_movement(
    client, invitation, movement, member, settings, mailoutbox
):
    settings.SIGNUP_OPEN, settings.SIGNUP_ALLOWED_DOMAINS = True, ["acme.com"]
    link = reverse("movements:invitation", kwargs={"token": invitation.token})
    page = client.get(link).content.decode()
    assert "Sign in" in page and "Create an account" in page and "You would love this." in page
    response = client.post(f"/accounts/signup/?next={link}", {"email": "new.person@acme.com", "next": link, **NEW})
    assert response.status_code == 302 and response["Location"] == link
    newcomer = User.objects.get(email="new.person@acme.com")
    assert client.session["_auth_user_id"] == str(newcomer.pk)  # no second confirmation: the link proved it
    assert EmailAddress.objects.get(user=newcomer).verified
    assert client.post(link, {"answer": "accept"}).status_code == 302
    membership = Membership.objects.get(movement=movement, person=newcomer)
    assert membership.recruited_by == member and membership.left_at is None


def test_the_link_signed_out_offers_no_sign_up_when_sign_up_is_closed_or_the_domain_is_not_allowed(
    client, invitation, settings
):
    link = reverse("movements:invitation", kwargs={"token": invitation.token})
    settings.SIGNUP_OPEN = False
    page = client.get(link).content.decode()
    assert "Sign in" in page and "Create an account" not in page and "single sign-on" in page
    assert not client.session.get("account_verified_email")
    settings.SIGNUP_OPEN, settings.SIGNUP_ALLOWED_DOMAINS = True, ["other.com"]
    assert "Create an account" not in client.get(link).content.decode()


def test_a_signed_out_post_to_the_link_goes_to_sign_in_and_a_bad_token_is_404(client, invitation):
    link = reverse("movements:invitation", kwargs={"token": invitation.token})
    response = client.post(link, {"answer": "accept"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("movements:invitation", kwargs={"token": "nope"})).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_an_expired_link_says_so(client, invitation, settings):
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=30))
    page = client.get(reverse("movements:invitation", kwargs={"token": invitation.token})).content.decode()
    assert "This invitation has expired" in page and "Create an account" not in page


# --- the list's "You are invited" --------------------------------------------------------------------


def test_the_movement_list_shows_each_person_only_their_own_pending_invitations(client, movement, member):
    """The list's query is compiled once and run for each person (movements.selectors.pending_invitations)."""
    # Sent to an address before its person had an account: found by the email, in any case.
    by_email = services.invitation_create(movement=movement, inviter=member, email="new.person@ACME.com")
    addressed = UserFactory(email="New.Person@acme.com")
    named = UserFactory()
    by_person = services.invitation_create(movement=movement, inviter=member, invitee=named)
    cancelled = services.invitation_create(movement=movement, inviter=member, email="other@acme.com")
    Invitation.objects.filter(pk=cancelled.pk).update(status=InvitationStatus.CANCELLED)
    for person, expected in ((addressed, [by_email]), (named, [by_person]), (member, [])):
        assert selectors.pending_invitations(person=person) == expected
        assert selectors.pending_invitations(person=person) == list(selectors.invitations_for(person=person)[:5])
        client.force_login(person)
        html = client.get(reverse("movements:list")).content.decode()
        assert (reverse("movements:invitation", args=[by_email.token]) in html) is (person == addressed)
        assert (reverse("movements:invitation", args=[by_person.token]) in html) is (person == named)
        assert reverse("movements:invitation", args=[cancelled.token]) not in html
