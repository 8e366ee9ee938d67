"""Thin views: load through a query scoped to the person (an outsider gets 404), check who they are to the
movement (a lead, a sponsor: else 403), form, service, back to the movement. Every action is a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from movements.models import Movement
from movements.selectors import movement_for_page
from movements.services import require_lead
from people.models import User
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import forms, selectors, services
from .models import Sponsorship, SponsorshipStatus, SupportRequest


def _movement_or_404(request: HttpRequest, slug: str) -> Movement:
    try:
        return movement_for_page(user=request.user, slug=slug)
    except Movement.DoesNotExist:
        raise Http404 from None


def _movement_for_lead(request: HttpRequest, slug: str) -> Movement:
    """The movement when the person is one of its active leads: 404 when they cannot see it, else 403."""
    movement = _movement_or_404(request, slug)
    require_lead(movement=movement, person=request.user)
    return movement


def _movement_for_sponsor(request: HttpRequest, slug: str) -> Movement:
    movement = _movement_or_404(request, slug)
    services.require_sponsor(movement=movement, person=request.user)
    return movement


@require_http_methods(["GET", "POST"])
def sponsor_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead finds a colleague by name and asks them to sponsor the movement."""
    movement = _movement_for_lead(request, slug)
    who = request.GET.get("who", "").replace("\x00", "")[:100]
    form = forms.SponsorAskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sponsor = User.objects.filter(pk=form.cleaned_data["sponsor"]).first()
        if sponsor is None:
            form.add_error("sponsor", _("Pick the colleague to ask."))
        else:
            try:
                services.sponsorship_request(
                    movement=movement, lead=request.user, sponsor=sponsor, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("You asked %(name)s to sponsor the movement.") % {"name": sponsor.name})
                return redirect(movement)
    people = selectors.sponsor_candidates(movement=movement, words=who, exclude=request.user)
    return render(request, "sponsors/ask.html", {"movement": movement, "form": form, "who": who, "people": people})


@require_http_methods(["GET", "POST"])
def sponsorship_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the person asked sees the request (with the pitch and the figures) and answers it."""
    try:
        sponsorship = selectors.sponsorship_for_answer(person=request.user, pk=pk)
    except Sponsorship.DoesNotExist:
        raise Http404 from None
    form = forms.SponsorAnswerForm(request.POST or None)
    if request.method == "POST" and sponsorship.status == SponsorshipStatus.REQUESTED and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.sponsorship_answer(
                sponsorship=sponsorship, person=request.user, accept=accept, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you: you sponsor this movement now.")
                if accept
                else _("You declined. The leads will see your note."),
            )
            return redirect(sponsorship.movement)
    context = {
        "sponsorship": sponsorship,
        "movement": sponsorship.movement,
        "figures": selectors.movement_figures(movement=sponsorship.movement),
        "form": form,
    }
    return render(request, "sponsors/answer.html", context)


@require_http_methods(["GET", "POST"])
def support_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead asks the sponsors for help."""
    movement = _movement_for_lead(request, slug)
    form = forms.SupportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_create(movement=movement, lead=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request went to the sponsors."))
            return redirect(movement)
    return render(request, "sponsors/support_new.html", {"movement": movement, "form": form})


@require_http_methods(["GET", "POST"])
def support_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A sponsor answers a request for help: granted, not now or declined, with a note."""
    try:
        support = selectors.support_for_answer(person=request.user, pk=pk)
    except SupportRequest.DoesNotExist:
        raise Http404 from None
    services.require_sponsor(movement=support.movement, person=request.user)
    form = forms.SupportAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_answer(support=support, sponsor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your answer went to the leads."))
            return redirect(support.movement)
    return render(
        request, "sponsors/support_answer.html", {"movement": support.movement, "support": support, "form": form}
    )


@require_http_methods(["GET", "POST"])
def sanction(request: HttpRequest, slug: str) -> HttpResponse:
    """A sponsor marks the movement "officially sanctioned", with a date and a note."""
    movement = _movement_for_sponsor(request, slug)
    form = forms.SanctionForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.sanction_grant(
                movement=movement, sponsor=request.user, note=form.cleaned_data["note"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The movement is officially sanctioned."))
            return redirect(movement)
    return render(request, "sponsors/sanction.html", {"movement": movement, "form": form})


@require_POST
def sanction_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_for_sponsor(request, slug)
    form = forms.SanctionWithdrawForm(request.POST)
    form.is_valid()
    if not confirmed(request):
        # Second thoughts: the column's button asks once more on a page of its own; only the confirmed POST acts.
        return ask_to_confirm(
            request,
            heading=_("Withdraw the official sanction of “%(title)s”?") % {"title": movement.title},
            consequences=[
                _("The movement is no longer shown as officially sanctioned, and its members are told."),
                _("The sanction and its withdrawal stay in the movement's history. You can sanction it again."),
            ],
            action=reverse("sponsors:sanction_withdraw", args=[movement.slug]),
            hidden=[("note", form.cleaned_data.get("note", ""))],
            confirm_label=_("Withdraw the sanction"),
            cancel_url=movement.get_absolute_url(),
        )
    try:
        services.sanction_withdraw(movement=movement, sponsor=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The official sanction is withdrawn."))
    return redirect(movement)
