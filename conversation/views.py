"""Watch / stop watching a feedback post or a movement (htmx swaps the button; without JavaScript, a redirect)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feedback.models import Feedback
from movements.models import Movement, Update
from socialbiz import ratelimit
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import selectors, services
from .forms import ReplyForm
from .models import Reply

# The button sends the state the person asked for, never "toggle": a stale tab cannot undo a choice.
WANTED = {"on": True, "off": False}


def _watch(request: HttpRequest, item) -> HttpResponse:
    wanted = WANTED.get(request.POST.get("watching", ""))
    if wanted is None:
        # Not from our button: nothing changes, the button comes back as it is.
        if request.htmx:
            return render(request, "conversation/_watch_button.html", watch_button_context(request, item))
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


# --- Replies to movement updates ------------------------------------------------------------------


def _update_or_404(request: HttpRequest, slug: str, pk: int) -> Update:
    """The update, on a movement the person can see (someone else's department: 404)."""
    movement = get_object_or_404(Movement.objects.visible_to(request.user), slug=slug)
    return get_object_or_404(Update.objects.select_related("movement", "author"), pk=pk, movement=movement)


def _reply_or_404(request: HttpRequest, pk: int) -> Reply:
    return get_object_or_404(Reply.objects.shown_to(request.user).select_related("update__movement", "author"), pk=pk)


def _reply_anchor(reply: Reply) -> str:
    return f"{reply.update.movement.get_absolute_url()}#update-{reply.update_id}"


@require_POST
def reply_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Without JavaScript and with it alike: the reply is posted and the page comes back at the update; a
    refused reply (empty, too long, too many) comes back on its own page with the text and the reason."""
    update = _update_or_404(request, slug, pk)
    form = ReplyForm(request.POST)
    status = 400
    if form.is_valid():
        if ratelimit.hit(scope="comment", person_id=request.user.pk, rate=settings.COMMENT_RATE_LIMIT):
            reply = services.reply_add(update=update, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Your reply is posted."))
            return redirect(f"{update.movement.get_absolute_url()}#reply-{reply.pk}")
        form.add_error(
            "body", ratelimit.refusal_message(rate=settings.COMMENT_RATE_LIMIT, doing=_("replying"), kept=True)
        )
        status = 429
    return render(request, "conversation/reply_form.html", {"update": update, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET, or a first POST, asks once more; the confirmed POST deletes. Only the author's own replies."""
    reply = get_object_or_404(
        Reply.objects.shown_to(request.user).select_related("update__movement"), pk=pk, author=request.user
    )
    if not confirmed(request):
        return ask_to_confirm(
            request,
            subject=reply.body,
            cancel_url=_reply_anchor(reply),
            heading=_("Delete your reply?"),
            consequences=[_("It disappears for everyone. This cannot be undone.")],
            confirm_label=_("Delete the reply"),
        )
    services.reply_delete(reply=reply, person=request.user)
    messages.success(request, _("Your reply is deleted."))
    return redirect(_reply_anchor(reply))


@require_http_methods(["GET", "POST"])
def reply_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderators hide a reply (kept, still shown to moderators) or restore it, after a confirmation."""
    reply = _reply_or_404(request, pk)
    if not request.user.can_moderate:
        raise PermissionDenied(_("Only moderators can hide replies."))
    hide = reply.hidden_at is None
    if not confirmed(request):
        return ask_to_confirm(
            request,
            subject=reply.body,
            cancel_url=_reply_anchor(reply),
            heading=_("Hide this reply?") if hide else _("Restore this reply?"),
            consequences=[
                _("Only moderators will see it; it is kept, not deleted.") if hide else _("Everyone will see it again.")
            ],
            confirm_label=_("Hide the reply") if hide else _("Restore the reply"),
        )
    services.reply_moderate(reply=reply, moderator=request.user, hide=hide)
    messages.success(request, _("The reply is hidden.") if hide else _("The reply is shown again."))
    return redirect(_reply_anchor(reply))
