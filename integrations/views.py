"""Staff's webhook pages, a person's feed links and chat channel, a movement's chat channel (leads),
and the feeds themselves (no session: the secret in the URL is the proof)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from movements import selectors as movement_selectors
from movements import services as movement_services
from movements.models import Movement
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import feeds, services
from .forms import ChatChannelForm, EndpointEditForm, EndpointForm, PersonChatChannelForm
from .models import Attempt, ChatChannel, Delivery, FeedToken, WebhookEndpoint

DELIVERIES_SHOWN = 50


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise Http404


def _errors_into(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                created_by=request.user,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Endpoint added. Copy its signing secret from its page."))
            return redirect("integrations:endpoint", pk=endpoint.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "integrations/endpoints.html",
        {"form": form, "endpoints": WebhookEndpoint.objects.all()},
        status=status,
    )


@require_GET
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint, its secret, and its latest deliveries with every attempt.
    Queries: session, user, the endpoint, the deliveries, their attempts."""
    _staff_only(request)
    return _endpoint_page(request, get_object_or_404(WebhookEndpoint, pk=pk))


def _endpoint_page(request: HttpRequest, endpoint: WebhookEndpoint, *, new_secret: bool = False) -> HttpResponse:
    deliveries = list(
        Delivery.objects.filter(endpoint=endpoint)
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("-started_at", "-pk")))
        .order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    )
    context = {"endpoint": endpoint, "deliveries": deliveries, "new_secret": new_secret}
    return render(request, "integrations/endpoint.html", context)


@require_POST
def endpoint_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if endpoint.is_active:
        services.endpoint_disable(endpoint=endpoint, reason=_("Turned off by %(name)s.") % {"name": request.user.name})
        messages.success(request, _("Endpoint turned off: events wait until it is on again."))
    else:
        services.endpoint_enable(endpoint=endpoint)
        messages.success(request, _("Endpoint turned on: waiting deliveries go out now."))
    return redirect("integrations:endpoint", pk=endpoint.pk)


@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the URL, events, description and on/off: the same checks as adding one."""
    _staff_only(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "active": endpoint.is_active,
    }
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("integrations:endpoint", pk=endpoint.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "integrations/endpoint_edit.html", {"endpoint": endpoint, "form": form}, status=status)


@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new signing secret. Asks once more first (the receiver must be told the new one); then shows the new
    secret on the endpoint's page."""
    _staff_only(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if not confirmed(request):
        return ask_to_confirm(
            request,
            heading=_("Make a new signing secret?"),
            subject=endpoint.url,
            consequences=[_old_secret_fate(), _("The new secret is shown on the next page.")],
            action=reverse("integrations:endpoint_rotate", kwargs={"pk": endpoint.pk}),
            confirm_label=_("Make a new secret"),
            cancel_url=reverse("integrations:endpoint", kwargs={"pk": endpoint.pk}),
        )
    endpoint = services.endpoint_rotate_secret(endpoint=endpoint)
    return _endpoint_page(request, endpoint, new_secret=True)


def _old_secret_fate() -> str:
    overlap = settings.WEBHOOK_SECRET_OVERLAP_HOURS
    if not overlap:
        return _(
            "The current secret stops working at once: the receiver rejects every message until it has the new one."
        )
    return ngettext(
        "The current secret keeps signing alongside the new one for %(hours)d hour, then stops: "
        "update the receiver before then or it will reject every message.",
        "The current secret keeps signing alongside the new one for %(hours)d hours, then stops: "
        "update the receiver before then or it will reject every message.",
        overlap,
    ) % {"hours": overlap}


@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    delivery = get_object_or_404(Delivery.objects.filter(endpoint__isnull=False), pk=pk)
    services.delivery_resend(delivery=delivery)
    messages.success(request, _("Sending %(id)s again.") % {"id": delivery.message_id})
    return redirect("integrations:endpoint", pk=delivery.endpoint_id)


# --- A person's feed links and chat channel -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feeds_settings(request: HttpRequest) -> HttpResponse:
    """GET shows the page; POST makes a new secret (the old links stop working) and shows the links once."""
    token = services.feed_token_create(person=request.user) if request.method == "POST" else None
    links = None
    if token:
        links = {
            "feedback": request.build_absolute_uri(reverse("integrations:feed_feedback", kwargs={"token": token})),
            "pilots": request.build_absolute_uri(reverse("integrations:feed_pilots", kwargs={"token": token})),
            "movement_pattern": request.build_absolute_uri(
                reverse("integrations:feed_movement", kwargs={"token": token, "slug": "SLUG"})
            ),
        }
    channel = ChatChannel.objects.filter(person=request.user).first()
    return render(
        request,
        "integrations/feeds.html",
        {
            "links": links,
            "has_token": links is not None or FeedToken.objects.filter(person=request.user).exists(),
            "channel": channel,
            "chat_form": PersonChatChannelForm(
                initial={
                    "kind": channel.kind if channel else "slack",
                    "instead_of_email": bool(channel and channel.instead_of_email),
                }
            ),
        },
    )


@require_POST
def feeds_revoke(request: HttpRequest) -> HttpResponse:
    if not confirmed(request):
        # Second thoughts: every calendar and reader subscribed to the links stops updating.
        return ask_to_confirm(
            request,
            heading=_("Turn your feed links off?"),
            consequences=[
                _("Calendars and feed readers subscribed to your links stop receiving anything."),
                _("New links can be made on the same page; you would subscribe again with them."),
            ],
            action=reverse("integrations:feeds_revoke"),
            confirm_label=_("Turn the links off"),
            cancel_url=reverse("integrations:feeds"),
        )
    services.feed_token_revoke(person=request.user)
    messages.success(request, _("Your feed links no longer work."))
    return redirect("integrations:feeds")


@require_POST
def chat_settings(request: HttpRequest) -> HttpResponse:
    if request.POST.get("remove"):
        ChatChannel.objects.filter(person=request.user).delete()
        messages.success(request, _("Your chat channel is disconnected."))
        return redirect("integrations:feeds")
    form = PersonChatChannelForm(request.POST)
    if form.is_valid():
        try:
            services.chat_channel_set(person=request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            if form.cleaned_data["instead_of_email"]:
                messages.success(request, _("Your nudges now reach your chat instead of your email."))
            else:
                messages.success(request, _("Your nudges now also reach your chat."))
            return redirect("integrations:feeds")
    channel = ChatChannel.objects.filter(person=request.user).first()
    context = {
        "links": None,
        "has_token": FeedToken.objects.filter(person=request.user).exists(),
        "channel": channel,
        "chat_form": form,
    }
    return render(request, "integrations/feeds.html", context, status=400)


def _movement_for_lead(request: HttpRequest, slug: str) -> Movement:
    try:
        movement = movement_selectors.movement_for_page(user=request.user, slug=slug)
    except Movement.DoesNotExist:
        raise Http404 from None
    movement_services.require_lead(movement=movement, person=request.user)
    return movement


@require_http_methods(["GET", "POST"])
def movement_chat(request: HttpRequest, slug: str) -> HttpResponse:
    """A movement's leads connect a Slack or Teams channel that hears its updates, welcomes, stage changes
    and decisions."""
    movement = _movement_for_lead(request, slug)  # 404 for who cannot see it, 403 for members who do not lead
    channel = ChatChannel.objects.filter(movement=movement).first()
    form = ChatChannelForm(request.POST or None, initial={"kind": channel.kind if channel else "slack"})
    status = 200
    if request.method == "POST":
        if request.POST.get("remove"):
            ChatChannel.objects.filter(movement=movement).delete()
            messages.success(request, _("The movement's chat channel is disconnected."))
            return redirect("integrations:movement_chat", slug=movement.slug)
        if form.is_valid():
            try:
                services.chat_channel_set(movement=movement, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("Connected: the channel will hear this movement's news."))
                return redirect("integrations:movement_chat", slug=movement.slug)
        status = 400
    return render(
        request,
        "integrations/movement_chat.html",
        {"movement": movement, "channel": channel, "form": form},
        status=status,
    )


# --- The feeds ------------------------------------------------------------------------------------------


@login_not_required
@require_GET
def feed_movement(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    return feeds.movement_updates(person=feeds.person_for(token), slug=slug)


@login_not_required
@require_GET
def feed_feedback(request: HttpRequest, token: str) -> HttpResponse:
    return feeds.feedback_posts(person=feeds.person_for(token))


@login_not_required
@require_GET
def feed_pilots(request: HttpRequest, token: str) -> HttpResponse:
    return feeds.pilots_calendar(person=feeds.person_for(token))
