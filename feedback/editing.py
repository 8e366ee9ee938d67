"""Pages for changing what one wrote: edit or withdraw a named post, its revision history, and the Markdown
preview every Markdown field offers (server-rendered with the same sanitiser as the post itself)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialbiz import ratelimit
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import services
from .forms import FeedbackEditForm, MarkdownPreviewForm
from .models import Feedback
from .rendering import render_markdown


def _own_post_or_404(request: HttpRequest, pk: int) -> Feedback:
    """A post the person sees and may change; anything else (someone else's, anonymous, withdrawn) is a 404."""
    post = get_object_or_404(Feedback.objects.visible_to(request.user).select_related("movement"), pk=pk)
    if not services.feedback_can_edit(feedback=post, person=request.user):
        raise Http404
    return post


@require_http_methods(["GET", "POST"])
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _own_post_or_404(request, pk)
    if request.method == "GET":
        form = FeedbackEditForm(initial={"title": post.title, "body": post.body})
        return render(request, "feedback/edit.html", {"form": form, "post": post})
    form = FeedbackEditForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/edit.html", {"form": form, "post": post}, status=400)
    if "preview" in request.POST:  # the Preview button without JavaScript: the same page, the preview above
        preview = render_markdown(form.cleaned_data["body"])
        return render(request, "feedback/edit.html", {"form": form, "post": post, "preview": preview})
    if not ratelimit.hit(scope="feedback-edit", person_id=request.user.pk, rate=settings.FEEDBACK_POST_RATE_LIMIT):
        form.add_error(
            "body", ratelimit.refusal_message(rate=settings.FEEDBACK_POST_RATE_LIMIT, doing=_("editing"), kept=True)
        )
        return render(request, "feedback/edit.html", {"form": form, "post": post}, status=429)
    try:
        services.feedback_edit(
            feedback=post, person=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "feedback/edit.html", {"form": form, "post": post}, status=400)
    messages.success(request, _("Your post is updated. The earlier version is kept in its history."))
    return redirect(post)


@require_http_methods(["GET", "POST"])
def feedback_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (or a POST without confirmed=yes) asks once more; only the confirmed POST withdraws."""
    post = _own_post_or_404(request, pk)
    if not confirmed(request):
        return ask_to_confirm(
            request,
            heading=_("Withdraw “%(title)s”?") % {"title": post.title},
            consequences=[
                _("Its title, text, topics and earlier versions are removed for everyone. This cannot be undone."),
                _("The page stays with a note that you withdrew it, so the comments and answers still make sense."),
            ],
            action=reverse("feedback:withdraw", kwargs={"pk": post.pk}),
            confirm_label=_("Withdraw the post"),
            cancel_url=post.get_absolute_url(),
        )
    try:
        services.feedback_withdraw(feedback=post, person=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your post is withdrawn."))
    return redirect(post)


@require_GET
def feedback_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every earlier version, newest first, for everyone who may see the post."""
    post = get_object_or_404(Feedback.objects.visible_to(request.user).select_related("author"), pk=pk)
    revisions = list(post.revisions.all())
    return render(request, "feedback/history.html", {"post": post, "revisions": revisions})


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the preview fragment; without JavaScript (the Preview button's formaction): a page with it."""
    form = MarkdownPreviewForm(request.POST)
    preview = render_markdown(form.cleaned_data["body"]) if form.is_valid() else ""
    context = {"form": form, "preview": preview}
    if request.htmx:
        return render(request, "feedback/preview.html#preview", context, status=200 if form.is_valid() else 400)
    return render(request, "feedback/preview.html", context, status=200 if form.is_valid() else 400)
