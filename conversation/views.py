"""Watch / stop watching a feedback post or a movement (htmx swaps the button; without JavaScript, a redirect)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from feedback.models import Feedback
from movements.models import Movement

from . import selectors, services

# The button sends the state the person asked for, never "toggle": a stale tab cannot undo a choice.
WANTED = {"on": True, "off": False}


def _watch(request: HttpRequest, item) -> HttpResponse:
    wanted = WANTED.get(request.POST.get("watching", ""))
    if wanted is None:
        # Not from our button: nothing changes, the button comes back as it is.
        context = watch_button_context(request, item)
        if request.htmx:
            return render(request, "conversation/_watch_button.html", context, status=400)
        messages.error(request, _("Use the Watch button to watch or stop watching."))
        return redirect(item.get_absolute_url())
    services.watch_set(person=request.user, item=item, watching=wanted)
    if request.htmx:
        return render(request, "conversation/_watch_button.html", watch_button_context(request, item, wanted))
    if wanted:
        messages.success(request, _("You are watching “%(title)s” now.") % {"title": item.title})
    else:
        messages.success(request, _("You stopped watching “%(title)s”.") % {"title": item.title})
    return redirect(item.get_absolute_url())


@require_POST
def watch_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _watch(request, get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk))


@require_POST
def watch_movement(request: HttpRequest, slug: str) -> HttpResponse:
    return _watch(request, get_object_or_404(Movement.objects.visible_to(request.user), slug=slug))


def watch_button_context(request: HttpRequest, item, watching: bool | None = None) -> dict:
    if watching is None:
        watching = selectors.is_watching(person=request.user, item=item)
    dom_id = f"watch-state-{'f' if item._meta.label == 'feedback.Feedback' else 'm'}{item.pk}"
    return {"item": item, "watching": watching, "action": watch_url(item), "dom_id": dom_id, "request": request}


def watch_url(item) -> str:
    if item._meta.label == "feedback.Feedback":
        return reverse("conversation:watch_feedback", kwargs={"pk": item.pk})
    return reverse("conversation:watch_movement", kwargs={"slug": item.slug})


@require_GET
def mention_suggestions(request: HttpRequest) -> HttpResponse:
    """Colleagues whose name or address starts like what follows the `@` being typed: a listbox of options
    (people/mentions.py's handles). The directory is open to every signed-in colleague, like the invite page's."""
    words = request.GET.get("q", "")
    words = "" if "\x00" in words else words.strip().lstrip("@")[:60]
    return render(
        request,
        "conversation/_mention_suggestions.html",
        {"people": selectors.mention_candidates(words=words), "words": words},
    )
