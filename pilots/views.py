"""Thin views: load through a query scoped to the person (an outsider gets 404), check who they are to the
movement (a lead, a recorder: else 403), form, service, back to the page. Every action is a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from movements.models import Movement
from movements.selectors import movement_for_page
from movements.services import active_membership, require_lead
from people.middleware import keep_session_quiet
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import decisions, forms, pulses, selectors, services
from .models import Measure, Proposal, ProposalResponse, ProposalStatus, PulseRespondent, Source


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


PROPOSAL_ACTIONS = {"propose", "revise", "withdraw", "respond", "answer", "record"}


@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest, slug: str) -> HttpResponse:
    """The pilot's decision, shared: the open proposal with the responses and objections, the forms each person
    may use (leads: propose, revise, answer, withdraw, record; members: respond), and the recorded decisions.
    Each form posts an `action`; each action is one service."""
    movement = _movement_or_404(request, slug)
    membership = active_membership(movement=movement, person=request.user)
    if membership is None:
        raise PermissionDenied(_("Only the members of this movement take part in its decision."))
    is_lead = membership.is_lead
    current = (
        Proposal.objects.filter(movement=movement, status=ProposalStatus.OPEN).select_related("proposed_by").first()
    )
    proposal_form = forms.ProposalForm(
        initial={"decision": current.decision, "new_end": current.new_end, "rationale": current.rationale}
        if current
        else None
    )
    response_form, answer_form = forms.ResponseForm(), forms.ObjectionAnswerForm()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in {"propose", "revise", "withdraw", "answer", "record"} and not is_lead:
        raise PermissionDenied(_("Only the leads of this movement can do that."))
    try:
        if action in ("propose", "revise"):
            proposal_form = forms.ProposalForm(request.POST)
            if proposal_form.is_valid():
                data = proposal_form.cleaned_data
                if action == "propose":
                    decisions.proposal_open(movement=movement, lead=request.user, **data)
                    messages.success(request, _("Your proposal is open: the members have been asked."))
                elif current is not None:
                    decisions.proposal_revise(proposal=current, lead=request.user, **data)
                    messages.success(request, _("The proposal was revised: the responses start again."))
                return redirect("pilots:proposal", slug=movement.slug)
        elif action == "respond" and current is not None:
            response_form = forms.ResponseForm(request.POST)
            if response_form.is_valid():
                decisions.proposal_respond(proposal=current, person=request.user, **response_form.cleaned_data)
                messages.success(request, _("Your response was recorded."))
                return redirect("pilots:proposal", slug=movement.slug)
        elif action == "answer" and current is not None:
            answer_form = forms.ObjectionAnswerForm(request.POST)
            if answer_form.is_valid():
                objection = ProposalResponse.objects.filter(
                    proposal=current, pk=answer_form.cleaned_data["response"]
                ).first()
                if objection is None:
                    raise Http404
                decisions.objection_answer(
                    response=objection, lead=request.user, answer=answer_form.cleaned_data["answer"]
                )
                messages.success(request, _("Your answer to the objection was recorded."))
                return redirect("pilots:proposal", slug=movement.slug)
        elif action == "withdraw" and current is not None:
            if not confirmed(request):
                return ask_to_confirm(request, **_withdraw_confirmation(movement, current))
            decisions.proposal_withdraw(proposal=current, lead=request.user)
            messages.success(request, _("The proposal was withdrawn."))
            return redirect("pilots:proposal", slug=movement.slug)
        elif action == "record" and current is not None:
            # Ask only when it can be recorded: otherwise the service's refusal says what is still missing.
            if not confirmed(request) and decisions.proposal_state(current)["can_record"]:
                return ask_to_confirm(request, **_record_confirmation(movement, current))
            decisions.proposal_record(proposal=current, lead=request.user)
            messages.success(request, _("The decision was recorded."))
            return redirect("pilots:proposal", slug=movement.slug)
        elif request.method == "POST":
            messages.error(request, _("Nothing to do: the page has changed, here it is again."))
    except ValidationError as error:
        target = {"propose": proposal_form, "revise": proposal_form, "respond": response_form}.get(action)
        if target is not None:
            target.add_error(None, error)
        else:
            messages.error(request, " ".join(error.messages))
    state = decisions.proposal_state(current) if current else None
    viewer_response = next((r for r in state["responses"] if r.person_id == request.user.pk), None) if state else None
    recorded = list(
        Proposal.objects.filter(movement=movement, status=ProposalStatus.RECORDED)
        .select_related("proposed_by", "recorded_by")
        .order_by("-recorded_at")[:10]
    )
    context = {
        "movement": movement,
        "is_lead": is_lead,
        "current": current,
        "state": state,
        "viewer_response": viewer_response,
        "proposal_form": proposal_form,
        "response_form": response_form,
        "answer_form": answer_form,
        "recorded": recorded,
    }
    return render(request, "pilots/proposal.html", context)


def _record_confirmation(movement: Movement, proposal: Proposal) -> dict:
    outcome = {
        "adopt": _("“%(title)s” becomes adopted: the pilot ends."),
        "extend": _("The pilot of “%(title)s” goes on until %(date)s."),
        "retire": _("“%(title)s” is retired: the pilot ends and it stays readable as a lesson learned."),
    }[proposal.decision] % {
        "title": movement.title,
        "date": date_format(proposal.new_end, "DATE_FORMAT") if proposal.new_end else "",
    }
    return {
        "heading": _("Record the decision: %(decision)s?") % {"decision": proposal.get_decision_display()},
        "subject": proposal.rationale,
        "consequences": [
            outcome,
            _(
                "The members and their responses, the objections with their answers and the measures are kept "
                "in the record as they are now. A recorded decision cannot be undone."
            ),
        ],
        "action": reverse("pilots:proposal", kwargs={"slug": movement.slug}),
        "hidden": [("action", "record")],
        "confirm_label": _("Record the decision"),
        "cancel_url": reverse("pilots:proposal", kwargs={"slug": movement.slug}),
    }


def _withdraw_confirmation(movement: Movement, proposal: Proposal) -> dict:
    return {
        "heading": _("Withdraw the proposal: %(decision)s?") % {"decision": proposal.get_decision_display()},
        "subject": proposal.rationale,
        "consequences": [
            _("The proposal closes and the members' responses to it no longer count."),
            _("The pilot goes on as it is; a lead can propose a decision again."),
        ],
        "action": reverse("pilots:proposal", kwargs={"slug": movement.slug}),
        "hidden": [("action", "withdraw")],
        "confirm_label": _("Withdraw the proposal"),
        "cancel_url": reverse("pilots:proposal", kwargs={"slug": movement.slug}),
    }
