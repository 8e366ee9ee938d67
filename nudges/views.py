from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import PreferencesForm
from .messages import action_path, headline
from .models import Kind, Nudge

READ_EVENT = "nudges-read"


@never_cache
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The header bell with the unread count (htmx asks for it on load, on a timer and after reading)."""
    count = selectors.unread_count(person=request.user)
    return render(
        request,
        "nudges/_bell.html",
        {"unread_count": count, "bell_loaded": True, "poll_seconds": settings.NUDGES_BELL_POLL_SECONDS},
    )


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = selectors.notifications_page(person=request.user, page_number=request.GET.get("page"))
    return render(request, "nudges/notifications.html", {"page": page})


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    nudge = get_object_or_404(
        Nudge.objects.in_app_for(request.user).select_related("movement", "feedback", "subject_person"), pk=pk
    )
    services.nudge_mark_read(nudge=nudge, person=request.user)
    if request.htmx:
        nudge.headline, nudge.link = headline(nudge), action_path(nudge)
        response = render(request, "nudges/notifications.html#notification", {"nudge": nudge})
        response["HX-Trigger"] = READ_EVENT
        return response
    messages.success(request, _("Marked as read."))
    return redirect("nudges:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.nudges_mark_all_read(person=request.user)
    messages.success(request, _("All notifications are marked as read.") if count else _("Nothing new to mark."))
    return redirect("nudges:list")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preferences_for(person=request.user)
    form = PreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(person=request.user, choices=form.choices())
        messages.success(request, _("Your notification choices are saved."))
        return redirect("nudges:preferences")
    table = [
        {**row, "email_field": form[f"email_{row['kind']}"], "in_app_field": form[f"in_app_{row['kind']}"]}
        for row in rows
    ]
    return render(
        request, "nudges/preferences.html", {"form": form, "table": table, "daily_cap": settings.NUDGES_DAILY_EMAIL_CAP}
    )


@login_not_required
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session; the signed token is the proof.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=services.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("unknown unsubscribe link") from None
    # Opened from an email, often signed out: the page speaks the language the email was written in.
    person_id = data.get("p") if isinstance(data, dict) and isinstance(data.get("p"), int) else None
    saved = get_user_model().objects.filter(pk=person_id).values_list("language", flat=True).first()
    with translation.override(saved or translation.get_language()):
        return _unsubscribe(request, token, data)


def _unsubscribe(request: HttpRequest, token: str, data: dict) -> HttpResponse:
    if request.method == "POST":
        try:
            _person, kind = services.preference_unsubscribe(token=token)
        except (LookupError, ValueError):
            raise Http404("unknown unsubscribe link") from None
        return render(request, "nudges/unsubscribe.html", {"done": True, "kind_label": kind.label})

    try:
        kind_label = Kind(data.get("k")).label
    except ValueError:
        raise Http404("unknown unsubscribe link") from None
    return render(request, "nudges/unsubscribe.html", {"done": False, "kind_label": kind_label})
