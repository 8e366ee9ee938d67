"""Thin views: load through a query scoped to the person (an outsider gets 404), form, service, response.
htmx requests get a named partial of the same template; every action also works as a plain form post."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import User
from socialbiz import fragments, idempotency, ratelimit
from socialbiz.second_thoughts import ask_to_confirm

from . import filters, forms, invitations, origins, page_parts, selectors, services
from .models import Invitation, InvitationStatus, Membership, Movement, Role, RoleAssignment, Stage

RECRUIT_SALT = "movements.recruit-link"


def _movement_or_404(request: HttpRequest, slug: str) -> Movement:
    try:
        return selectors.movement_for_page(user=request.user, slug=slug)
    except Movement.DoesNotExist:
        raise Http404


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


PEOPLE_PARTS = ("people_core", "people_roles", "people_members", "people_chain")


def _page_context(request: HttpRequest, movement: Movement, update_form: forms.UpdateForm | None = None) -> dict:
    context = selectors.movement_page(movement=movement, viewer=request.user)
    context["recruit_url"] = (
        request.build_absolute_uri(recruit_link(movement=movement, person=request.user))
        if context["viewer_membership"]
        else ""
    )
    context["update_form"] = update_form or forms.UpdateForm()

    def people_context() -> dict:
        # Only when the parts are not in the cache: the members, roles and chain (selectors.movement_people).
        return {**context, **(context["people"] or selectors.movement_people(movement=movement))}

    # The people (founder and first followers, leads, roles, members, chain) change only with
    # people_version, the names and pictures shown, and the viewer's own standing: all in the key.
    context["people_html"] = fragments.render_parts(
        request,
        name="movement-people",
        template_name="movements/detail.html",
        partials=PEOPLE_PARTS,
        shows=context["people_shows"],
        context=people_context,
    )
    # The lower half (measures, updates, timeline, sponsors, feedback) under the movement's content version.
    context["lower_html"] = page_parts.render_lower(
        request, context=context, lower_context=lambda: selectors.movement_lower(movement=movement)
    )
    return context


def _after_action(request: HttpRequest, movement: Movement) -> HttpResponse:
    """htmx: the refreshed page body (members, roles, counts stay in step). Otherwise back to the page."""
    if request.htmx:
        movement = _movement_or_404(request, movement.slug)
        return render(request, "movements/detail.html#movement-body", _page_context(request, movement))
    return redirect(movement)


def recruit_link(*, movement: Movement, person: User) -> str:
    token = signing.Signer(salt=RECRUIT_SALT).sign(f"{movement.pk}.{person.pk}").split(":", 1)[1]
    return reverse("movements:recruit", kwargs={"slug": movement.slug, "person_id": person.pk, "token": token})


# --- browse and start ----------------------------------------------------------------------------


@require_GET
def movement_list(request: HttpRequest) -> HttpResponse:
    result = selectors.movement_browse(
        user=request.user, **_browse_filters(request), page_number=request.GET.get("page", 1)
    )
    form = forms.BrowseForm(request.GET, department_options=result.department_options, tools=result.tools)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": result.page,
        "query": query.urlencode(),
        "filtered": any(request.GET.get(k) for k in ("q", "stage", "department", "tool", *form.flag_names)),
        "filters_open": any(request.GET.get(k) for k in ("stage", "department", "tool", "sort", *form.flag_names)),
        # The filter form's cache key (movements/list.html): the options it shows.
        "department_options": result.department_options,
        "tools": result.tools,
    }
    fragments.render_cards(
        request,
        result.page.object_list,
        template_name="movements/_card.html",
        name="movement",
        shows=card_shows,
        vary_on_path=False,
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "movements/list.html#results", context)
    context["invitations"] = selectors.pending_invitations(person=request.user)
    return render(request, "movements/list.html", context)


def card_shows(movement: Movement) -> tuple:
    """Every value movements/_card.html shows (the key of its cached rendering, socialbiz/fragments.py)."""
    return (
        movement.pk,
        movement.slug,
        movement.title,
        movement.stage,
        movement.department.name if movement.department else None,
        movement.tool,
        movement.needs_lead,
        movement.pitch,
        tuple(
            (face.position, face.left_at is None, face.person.name, face.person.initials, face.person.avatar_version)
            for face in movement.faces
        ),
        movement.follower_count,
        movement.open_seats,
    )


def _browse_filters(request: HttpRequest) -> dict:
    """Read the filters without trusting them: anything unparseable (NUL bytes, letters for ids) is ignored."""
    words = request.GET.get("q", "")
    words = "" if "\x00" in words else words[:200]
    stage = request.GET.get("stage", "")
    try:
        department_id = int(request.GET.get("department") or 0) or None
    except ValueError:
        department_id = None
    tool = request.GET.get("tool", "")
    tool = "" if "\x00" in tool else tool[:120]
    sort = request.GET.get("sort", "newest")
    flags = [flag.name for flag in filters.registered() if request.GET.get(flag.name) in ("1", "on", "true")]
    return {
        "flags": flags,
        "words": words,
        "stage": stage if stage in Stage.values else "",
        "department_id": department_id,
        "tool": tool,
        "sort": sort if sort in selectors.SORTS else "newest",
    }


@require_http_methods(["GET", "POST"])
def movement_start(request: HttpRequest) -> HttpResponse:
    from_feedback = None
    feedback_id = request.GET.get("from_feedback") or request.POST.get("from_feedback")
    if feedback_id:
        if not str(feedback_id).isdigit():
            raise Http404
        from_feedback = origins.load("feedback", viewer=request.user, pk=int(feedback_id))
        if from_feedback is None:
            raise Http404
    if request.method == "POST":
        form = forms.MovementStartForm(request.POST, founder=request.user, from_feedback=from_feedback)
        if form.is_valid():
            data = form.cleaned_data
            try:
                movement = services.movement_start(
                    founder=request.user,
                    title=data["title"],
                    pitch=data["pitch"],
                    problem=data["problem"],
                    use_cases=data["use_cases"],
                    tool=data["tool"],
                    department=data["department"],
                    roles=data["roles"],
                    from_feedback=from_feedback,
                    invite_voters=bool(data.get("voters")),
                    voter_ids=[person.pk for person in data.get("voters") or ()],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Your movement has started. Now find your first follower: invite a colleague.")
                )
                return redirect(movement)
    else:
        initial = {}
        if from_feedback is not None:
            initial = {
                "title": from_feedback.title,
                # The movement's fields are plain text: the post's Markdown comes over as readable text.
                "problem": from_feedback.body_as_text(),
                "pitch": _("Many of us said “me too” to this. Let's fix it together."),
            }
        form = forms.MovementStartForm(initial=initial, founder=request.user, from_feedback=from_feedback)
    return render(request, "movements/start.html", {"form": form, "from_feedback": from_feedback})


# --- the movement page ---------------------------------------------------------------------------


@require_GET
def movement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    return render(request, "movements/detail.html", _page_context(request, movement))


@require_GET
def movement_members(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    context = selectors.members_page(movement=movement, viewer=request.user, page_number=request.GET.get("page", 1))
    return render(request, "movements/members.html", context)


@require_POST
def movement_follow(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    if not ratelimit.hit(scope="follow", person_id=request.user.pk, rate=settings.FOLLOW_RATE_LIMIT):
        return ratelimit.too_many(
            request,
            rate=settings.FOLLOW_RATE_LIMIT,
            doing=_("following movements"),
            back_url=movement.get_absolute_url(),
        )
    try:
        membership = services.membership_join(movement=movement, person=request.user)
    except ValidationError as error:
        messages.info(request, _error_text(error))
    else:
        if membership.is_first_follower:
            messages.success(
                request, _("Welcome! You are one of the first followers: take a role or bring one colleague.")
            )
        else:
            messages.success(request, _("You follow this movement now."))
    return _after_action(request, movement)


@require_http_methods(["GET", "POST"])
def movement_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks once more (the page's Leave button is a GET without JavaScript, hx-confirm with it); POST leaves."""
    movement = _movement_or_404(request, slug)
    if request.method == "GET":
        return ask_to_confirm(request, **_leave_confirmation(movement))
    try:
        services.membership_leave(movement=movement, person=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You left the movement. Your history stays."))
    return _after_action(request, movement)


def _leave_confirmation(movement: Movement) -> dict:
    return {
        "heading": _("Leave “%(title)s”?") % {"title": movement.title},
        "consequences": [
            _("You stop following it and no longer hear about it."),
            _("Any seat you hold is freed for someone else."),
            _("Your place in the join order and what you wrote stay in its history. You can follow again later."),
        ],
        "action": reverse("movements:leave", kwargs={"slug": movement.slug}),
        "confirm_label": _("Leave the movement"),
        "cancel_url": movement.get_absolute_url(),
    }


# --- roles ---------------------------------------------------------------------------------------


def _role_or_404(movement: Movement, pk: int) -> Role:
    return get_object_or_404(Role.objects.select_related("movement"), pk=pk, movement=movement)


@require_http_methods(["GET", "POST"])
def roles_manage(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_lead(movement=movement, person=request.user)
    form = forms.RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_create(movement=movement, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("name" if error.code == "duplicate_role" else None, error)
        else:
            messages.success(request, _("Role “%(name)s” added.") % {"name": form.cleaned_data["name"]})
            return redirect("movements:roles", slug=movement.slug)
    roles = movement.roles.prefetch_related(
        Prefetch("assignments", queryset=RoleAssignment.objects.select_related("person").order_by("created_at", "pk"))
    )
    members = Membership.objects.current().filter(movement=movement).select_related("person")
    return render(
        request,
        "movements/roles.html",
        {"movement": movement, "form": form, "roles": roles, "assign_form": forms.AssignForm(memberships=members)},
    )


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    role = _role_or_404(movement, pk)
    services.require_lead(movement=movement, person=request.user)
    initial = {"name": role.name, "description": role.description, "seats": role.seats}
    form = forms.RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(role=role, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error({"duplicate_role": "name", "seats_below_filled": "seats"}.get(error.code), error)
        else:
            messages.success(request, _("Role saved."))
            return redirect("movements:roles", slug=movement.slug)
    return render(request, "movements/role_form.html", {"movement": movement, "role": role, "form": form})


@require_http_methods(["GET", "POST"])
def role_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks once more (the button is a GET without JavaScript, hx-confirm with it); POST removes the role."""
    movement = _movement_or_404(request, slug)
    role = _role_or_404(movement, pk)
    if request.method == "GET":
        services.require_lead(movement=movement, person=request.user)
        return ask_to_confirm(
            request,
            heading=_("Remove the role “%(name)s”?") % {"name": role.name},
            consequences=[
                _("The role and its description go, and whoever holds one of its seats loses it."),
                _("This cannot be undone; you can create a new role later."),
            ],
            action=reverse("movements:role_delete", kwargs={"slug": movement.slug, "pk": role.pk}),
            confirm_label=_("Remove the role"),
            cancel_url=reverse("movements:roles", kwargs={"slug": movement.slug}),
        )
    services.role_delete(role=role, actor=request.user)
    messages.success(request, _("Role “%(name)s” removed.") % {"name": role.name})
    return redirect("movements:roles", slug=movement.slug)


@require_POST
def role_claim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    role = _role_or_404(movement, pk)
    try:
        services.role_claim(role=role, person=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You took a seat as %(role)s. Thank you!") % {"role": role.name})
    return _after_action(request, movement)


@require_http_methods(["GET", "POST"])
def role_release(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks once more (the buttons are GETs without JavaScript, hx-confirm with it); POST frees the seat."""
    movement = _movement_or_404(request, slug)
    role = _role_or_404(movement, pk)
    data = request.POST if request.method == "POST" else request.GET
    person = request.user
    if data.get("person"):
        membership = get_object_or_404(
            Membership.objects.select_related("person"),
            movement=movement,
            person_id=data["person"] if data["person"].isdigit() else 0,
        )
        person = membership.person
    if request.method == "GET":
        return ask_to_confirm(request, **_release_confirmation(movement, role, person, request.user, data))
    try:
        services.role_release(role=role, person=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The seat as %(role)s is free again.") % {"role": role.name})
    if request.POST.get("next") == "roles":
        return redirect("movements:roles", slug=movement.slug)
    return _after_action(request, movement)


@require_POST
def role_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    role = _role_or_404(movement, pk)
    services.require_lead(movement=movement, person=request.user)
    members = Membership.objects.current().filter(movement=movement).select_related("person")
    form = forms.AssignForm(request.POST, memberships=members)
    if not form.is_valid():
        messages.error(request, _("Pick a member to assign."))
    else:
        person = form.cleaned_data["membership"].person
        try:
            services.role_claim(role=role, person=person, assigned_by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, _("%(name)s now holds a seat as %(role)s.") % {"name": person.name, "role": role.name}
            )
    return redirect("movements:roles", slug=movement.slug)


# --- leads ---------------------------------------------------------------------------------------


@require_POST
def lead_add(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    membership = get_object_or_404(Membership.objects.select_related("person"), pk=membership_id, movement=movement)
    try:
        services.lead_add(movement=movement, actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s is now a co-lead.") % {"name": membership.person.name})
    return _after_action(request, movement)


def _release_confirmation(movement: Movement, role: Role, person, viewer, data) -> dict:
    back = data.get("next") == "roles"
    hidden = [("person", person.pk)] if person.pk != viewer.pk else []
    hidden += [("next", "roles")] if back else []
    return {
        "heading": (
            _("Release your seat as %(role)s?") % {"role": role.name}
            if person.pk == viewer.pk
            else _("Release %(name)s's seat as %(role)s?") % {"name": person.name, "role": role.name}
        ),
        "consequences": [
            _("The seat becomes free for any member to claim."),
            _("Taking it back later is possible only while a seat is still free."),
        ],
        "action": reverse("movements:role_release", kwargs={"slug": movement.slug, "pk": role.pk}),
        "hidden": hidden,
        "confirm_label": _("Release the seat"),
        "cancel_url": reverse("movements:roles", kwargs={"slug": movement.slug})
        if back
        else movement.get_absolute_url(),
    }


@require_http_methods(["GET", "POST"])
def lead_step_down(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks once more (the button is a GET without JavaScript, hx-confirm with it); POST steps down."""
    movement = _movement_or_404(request, slug)
    if request.method == "GET":
        services.require_lead(movement=movement, person=request.user)
        return ask_to_confirm(
            request,
            heading=_("Step down as lead of “%(title)s”?") % {"title": movement.title},
            consequences=[
                _("You stay a member, but you can no longer edit it, manage roles or record decisions."),
                _("Only a lead can make you co-lead again."),
            ],
            action=reverse("movements:lead_step_down", kwargs={"slug": movement.slug}),
            confirm_label=_("Step down"),
            cancel_url=movement.get_absolute_url(),
        )
    try:
        services.lead_step_down(movement=movement, person=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You stepped down as lead. Thank you for leading."))
    return _after_action(request, movement)


# --- invitations and the recruit link ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_member(movement=movement, person=request.user)
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitee = None
        if data["invitee"]:
            invitee = User.objects.filter(pk=data["invitee"], is_active=True).first()
            if invitee is None:
                form.add_error(None, _("That colleague is not in the directory."))
        if not form.errors and not ratelimit.hit(
            scope="invite", person_id=request.user.pk, rate=settings.INVITE_RATE_LIMIT
        ):
            return ratelimit.too_many(
                request,
                rate=settings.INVITE_RATE_LIMIT,
                doing=_("sending invitations"),
                back_url=reverse("movements:invite", kwargs={"slug": movement.slug}),
            )
        if not form.errors:
            try:
                invitation = services.invitation_create(
                    movement=movement,
                    inviter=request.user,
                    invitee=invitee,
                    email=data["email"] or "",
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error("email" if data["email"] and not invitee else None, error)
            else:
                name = invitation.invitee.name if invitation.invitee else invitation.email
                messages.success(request, _("Invitation sent to %(name)s.") % {"name": name})
                return redirect("movements:invite", slug=movement.slug)
    words = request.GET.get("who", "")
    words = "" if "\x00" in words else words[:100]
    people = selectors.directory_search(movement=movement, words=words)
    return render(
        request,
        "movements/invite.html",
        {
            "movement": movement,
            "form": form,
            "who": words,
            "people": people,
            "recruit_url": request.build_absolute_uri(recruit_link(movement=movement, person=request.user)),
            "sent_invitations": invitations.invitations_sent(movement=movement, inviter=request.user),
        },
    )


@login_not_required  # the emailed link: someone without an account (yet) gets the landing page
@require_http_methods(["GET", "POST"])
def invitation_respond(request: HttpRequest, token: str) -> HttpResponse:
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return invitations.invitation_landing(request, token)
    invitation = get_object_or_404(Invitation.objects.select_related("movement", "inviter"), token=token)
    if not services.invitation_is_for(invitation=invitation, person=request.user):
        raise Http404
    if not Movement.objects.visible_to(request.user).filter(pk=invitation.movement_id).exists():
        raise Http404
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            services.invitation_respond(invitation=invitation, person=request.user, accept=accept)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("movements:invitation", token=token)
        if accept:
            messages.success(
                request, _("Welcome! %(name)s will be glad you said yes.") % {"name": invitation.inviter.name}
            )
            return redirect(invitation.movement)
        messages.info(request, _("Invitation declined. No hard feelings."))
        return redirect("movements:list")
    return render(
        request,
        "movements/invitation.html",
        {"invitation": invitation, "answered": invitation.status != InvitationStatus.PENDING},
    )


@require_http_methods(["GET", "POST"])
def recruit(request: HttpRequest, slug: str, person_id: int, token: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    try:
        signing.Signer(salt=RECRUIT_SALT).unsign(f"{movement.pk}.{person_id}:{token}")
    except signing.BadSignature:
        raise Http404
    recruiter = get_object_or_404(User, pk=person_id)
    already = services.active_membership(movement=movement, person=request.user) is not None
    if request.method == "POST" and not already:
        if not ratelimit.hit(scope="follow", person_id=request.user.pk, rate=settings.FOLLOW_RATE_LIMIT):
            return ratelimit.too_many(
                request,
                rate=settings.FOLLOW_RATE_LIMIT,
                doing=_("following movements"),
                back_url=movement.get_absolute_url(),
            )
        services.membership_join(movement=movement, person=request.user, recruited_by=recruiter)
        messages.success(request, _("Welcome! You joined through %(name)s.") % {"name": recruiter.name})
        return redirect(movement)
    if already and request.method == "POST":
        return redirect(movement)
    return render(request, "movements/recruit.html", {"movement": movement, "recruiter": recruiter, "already": already})


# --- updates and welcomes ------------------------------------------------------------------------


@require_POST
@idempotency.once_per_key
def update_post(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_member(movement=movement, person=request.user)
    form = forms.UpdateForm(request.POST)
    status = 400
    if form.is_valid():
        if not ratelimit.hit(scope="update", person_id=request.user.pk, rate=settings.UPDATE_RATE_LIMIT):
            # Over the limit: the form comes back with the text and says why (htmx too, with the same 429).
            message = ratelimit.refusal_message(rate=settings.UPDATE_RATE_LIMIT, doing=_("posting updates"), kept=True)
            form.add_error("body", message)
            status = 429
        else:
            try:
                services.update_post(movement=movement, author=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error("body", error)
    if form.errors:
        context = _page_context(request, movement, update_form=form)
        return render(request, "movements/detail.html", context, status=status)
    messages.success(request, _("Update posted."))
    return redirect(f"{movement.get_absolute_url()}#updates")


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_lead(movement=movement, person=request.user)
    candidates = (
        Membership.objects.current()
        .filter(movement=movement, position__gt=1)
        .select_related("person")
        .order_by("position")
    )
    initial = {"followers": [m.pk for m in candidates if m.welcomed_at is None]}
    names = ", ".join(m.person.name for m in candidates if m.welcomed_at is None)
    if names:
        initial["body"] = _("A warm welcome to %(names)s: thank you for joining!") % {"names": names}
    form = forms.WelcomeForm(request.POST or None, memberships=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.welcome_post(
                movement=movement,
                author=request.user,
                body=form.cleaned_data["body"],
                memberships=list(form.cleaned_data["followers"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your welcome is posted."))
            return redirect(f"{movement.get_absolute_url()}#updates")
    return render(request, "movements/welcome.html", {"movement": movement, "form": form})


# --- pilot and decision --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pilot(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_lead(movement=movement, person=request.user)
    form = forms.PilotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pilot_start(movement=movement, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error({"end_before_start": "end", "rationale": "rationale"}.get(error.code), error)
        else:
            messages.success(request, _("The pilot has started. Now say how you will know it worked."))
            # The pilots app (templates and URLs only, no import) asks for the success measures next.
            return redirect("pilots:measures", slug=movement.slug)
    return render(request, "movements/pilot.html", {"movement": movement, "form": form})


@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, slug: str) -> HttpResponse:
    """The old direct decision page. A pilot's decision is shared: a lead proposes it, the members respond and
    the lead records it from the proposal page (pilots app, linked by URL name, no import). This page records
    nothing any more: whoever sees the movement is sent to the proposal, where the proposal page decides who
    may do what; a stale form posted here says so and changes nothing."""
    movement = _movement_or_404(request, slug)
    if request.method == "POST":
        messages.warning(
            request,
            _("Nothing was recorded: a pilot's decision is proposed to the members first, then recorded here."),
        )
    return redirect("pilots:proposal", slug=movement.slug)


@require_http_methods(["GET", "POST"])
def movement_edit(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_or_404(request, slug)
    services.require_lead(movement=movement, person=request.user)
    initial = {name: getattr(movement, name) for name in ("title", "pitch", "problem", "use_cases", "tool")}
    form = forms.MovementEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.movement_update(movement=movement, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(movement)
    return render(request, "movements/edit.html", {"movement": movement, "form": form})
