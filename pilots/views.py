"""Thin views: load through a query scoped to the person (an outsider gets 404), check who they are to the
movement (a lead, a recorder: else 403), form, service, back to the page. Every action is a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from movements.models import Movement
from movements.selectors import movement_for_page
from movements.services import active_membership, require_lead
from people.middleware import keep_session_quiet

from . import forms, pulses, selectors, services
from .models import Measure, PulseRespondent, Source


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


@require_http_methods(["GET", "POST"])
def measures(request: HttpRequest, slug: str) -> HttpResponse:
    """The leads define the pilot's success measures; the page shows the ones already defined."""
    movement = _movement_for_lead(request, slug)
    form = forms.MeasureForm(request.POST or None, movement=movement)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_define(movement=movement, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The measure was added."))
            return redirect("pilots:measures", slug=movement.slug)
    context = {
        "movement": movement,
        "form": form,
        "reports": selectors.measure_reports(movement=movement),
        "status_rule": selectors.STATUS_RULE,
    }
    return render(request, "pilots/measures.html", context)


@require_http_methods(["GET", "POST"])
def measure_record(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead or a holder of a measure's role records a value with its day and a note."""
    movement = _movement_or_404(request, slug)
    membership = active_membership(movement=movement, person=request.user)
    if membership is None:
        raise PermissionDenied(_("Only the leads and the people in a measure's role record its values."))
    recordable = Measure.objects.filter(movement=movement, source=Source.BY_HAND)
    if not membership.is_lead:
        recordable = recordable.filter(recorder_role__assignments__person=request.user)
    recordable = list(recordable.select_related("movement", "recorder_role").order_by("created_at", "pk").distinct())
    if not membership.is_lead and not recordable:
        raise PermissionDenied(_("Only the leads and the people in a measure's role record its values."))
    form = forms.MeasureValueForm(request.POST or None, measures=recordable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_value_record(actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The value was recorded."))
            return redirect(movement)
    return render(request, "pilots/measure_record.html", {"movement": movement, "form": form})


@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, slug: str) -> HttpResponse:
    """A member answers the open pulse, once. The answer is stored without them (pilots/pulses.py); the POST
    leaves no log line, saves no session and keeps the last-seen stamp quiet for a while."""
    movement = _movement_or_404(request, slug)
    if active_membership(movement=movement, person=request.user) is None:
        raise PermissionDenied(_("Only the members of this movement answer its pulse."))
    pulse = pulses.open_pulse_of(movement, today=timezone.now().date())
    answered = pulse is not None and PulseRespondent.objects.filter(pulse=pulse, person=request.user).exists()
    form = forms.PulseAnswerForm(request.POST or None, questions=pulse.questions if pulse else [])
    if request.method == "POST" and pulse is not None and not answered and form.is_valid():
        data = form.cleaned_data
        try:
            pulses.pulse_answer(
                pulse=pulse,
                person=request.user,
                scores=form.scores,
                works=data["works"],
                doesnt=data["doesnt"],
                share_works=data["share_works"],
                share_doesnt=data["share_doesnt"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thanks. Your answer is stored without your name; the results appear once at least 5 people "
                    "answered, in batches of at least 5."
                ),
            )
            return keep_session_quiet(request, redirect(movement))
    context = {"movement": movement, "pulse": pulse, "answered": answered, "form": form}
    return render(request, "pilots/pulse_answer.html", context)
