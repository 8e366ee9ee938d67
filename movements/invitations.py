"""The inviter's view of the invitations they sent (state, send again once, cancel), and the invitation link
opened by someone who is not signed in: sign in, or sign up when sign-up is open for their address."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from people.adapters import email_domain_allowed
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import selectors, services
from .models import Invitation, Movement

SENT_SHOWN = 50


def invitations_sent(*, movement: Movement, inviter) -> list[Invitation]:
    """The newest invitations this person sent for this movement, with the invitee: one query."""
    return list(Invitation.objects.filter(movement=movement, inviter=inviter).select_related("invitee")[:SENT_SHOWN])


def _own_invitation_or_404(request: HttpRequest, slug: str, pk: int) -> tuple[Movement, Invitation]:
    try:
        movement = selectors.movement_for_page(user=request.user, slug=slug)
    except Movement.DoesNotExist:
        raise Http404 from None
    invitation = get_object_or_404(Invitation.objects.select_related("invitee"), pk=pk, movement=movement)
    if invitation.inviter_id != request.user.pk:
        raise Http404
    return movement, invitation


def _name(invitation: Invitation) -> str:
    return invitation.invitee.name if invitation.invitee else invitation.email


@require_POST
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement, invitation = _own_invitation_or_404(request, slug, pk)
    try:
        services.invitation_resend(invitation=invitation, person=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Sent again to %(name)s.") % {"name": _name(invitation)})
    return redirect(f"{reverse('movements:invite', kwargs={'slug': movement.slug})}#sent")


@require_http_methods(["GET", "POST"])
def invitation_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET (or a POST without confirmed=yes) asks once more; the confirmed POST cancels."""
    movement, invitation = _own_invitation_or_404(request, slug, pk)
    back = f"{reverse('movements:invite', kwargs={'slug': movement.slug})}#sent"
    if not confirmed(request):
        return ask_to_confirm(
            request,
            heading=_("Cancel your invitation to %(name)s?") % {"name": _name(invitation)},
            consequences=[
                _("The invitation link stops working. If the email has not gone out yet, it will not."),
                _("You can invite them again later."),
            ],
            action=reverse("movements:invitation_cancel", kwargs={"slug": movement.slug, "pk": invitation.pk}),
            confirm_label=_("Cancel the invitation"),
            cancel_url=back,
        )
    try:
        services.invitation_cancel(invitation=invitation, person=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Invitation to %(name)s cancelled.") % {"name": _name(invitation)})
    return redirect(back)


def invitation_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link, opened by someone not signed in. The token was sent to the invited address, so an
    account created from here with that address needs no second confirmation (allauth's verified-email stash)."""
    invitation = get_object_or_404(Invitation.objects.select_related("movement", "inviter"), token=token)
    link = reverse("movements:invitation", kwargs={"token": token})
    adapter = get_adapter(request)
    can_sign_up = (
        bool(invitation.email) and adapter.is_open_for_signup(request) and email_domain_allowed(invitation.email)
    )
    open_now = invitation.state == "pending"
    if can_sign_up and open_now:
        adapter.stash_verified_email(request, invitation.email)
    return render(
        request,
        "movements/invitation_landing.html",
        {
            "invitation": invitation,
            "open_now": open_now,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': link})}",
            "signup_url": f"{reverse('account_signup')}?{urlencode({'next': link})}" if can_sign_up else "",
        },
    )
