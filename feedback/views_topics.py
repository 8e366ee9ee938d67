"""The topics page for moderators: approve what employees proposed, rename, merge (with a confirmation)
and retire (with a confirmation). Writes go through feedback/topics.py; everyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import topics
from .forms import TopicMergeForm, TopicRenameForm
from .models import Tag


def _topic_for_moderator(request: HttpRequest, pk: int) -> Tag:
    """The topic, for a moderator; a 404 for everyone else (nobody else learns which topics exist)."""
    if not request.user.can_moderate:
        raise Http404
    return get_object_or_404(Tag.objects.all(), pk=pk)


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
def topics_moderation(request: HttpRequest) -> HttpResponse:
    if not request.user.can_moderate:
        raise Http404
    # One query: every topic with who proposed it, what it was merged into and how many posts carry it.
    rows = list(
        Tag.objects.select_related("created_by", "merged_into").annotate(posts=Count("feedback")).order_by("name")
    )
    return render(
        request,
        "feedback/topics.html",
        {
            "pending": [t for t in rows if t.approved_at is None and t.retired_at is None],
            "approved": [t for t in rows if t.approved_at is not None and t.retired_at is None],
            "retired": [t for t in rows if t.retired_at is not None],
        },
    )


@require_POST
def topic_approve(request: HttpRequest, pk: int) -> HttpResponse:
    tag = _topic_for_moderator(request, pk)
    try:
        topics.topic_approve(moderator=request.user, tag=tag)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” is approved: everyone sees it now.") % {"name": tag.name})
    return redirect("feedback:topics")


@require_http_methods(["GET", "POST"])
def topic_rename(request: HttpRequest, pk: int) -> HttpResponse:
    tag = _topic_for_moderator(request, pk)
    form = TopicRenameForm(request.POST or None, initial={"name": tag.name})
    if request.method == "POST" and form.is_valid():
        try:
            topics.topic_rename(moderator=request.user, tag=tag, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Renamed."))
            return redirect("feedback:topics")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "heading": _("Rename the topic “%(name)s”") % {"name": tag.name},
        "action": reverse("feedback:topic_rename", args=[tag.pk]),
        "submit_label": _("Rename"),
    }
    return render(request, "feedback/topic_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def topic_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = _topic_for_moderator(request, pk)
    form = TopicMergeForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        if not confirmed(request):
            return ask_to_confirm(request, **_merge_confirmation(source, target))
        try:
            topics.topic_merge(moderator=request.user, source=source, target=target)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Merged into “%(name)s”.") % {"name": target.name})
            return redirect("feedback:topics")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "heading": _("Merge the topic “%(name)s”") % {"name": source.name},
        "action": reverse("feedback:topic_merge", args=[source.pk]),
        "submit_label": _("Continue"),
    }
    return render(request, "feedback/topic_form.html", context, status=status)


def _merge_confirmation(source: Tag, target: Tag) -> dict:
    posts = source.feedback.count()
    return {
        "heading": _("Merge “%(source)s” into “%(target)s”?") % {"source": source.name, "target": target.name},
        "consequences": [
            ngettext(
                "Its %(count)s post gets the topic “%(target)s” (a post that has both keeps one).",
                "Its %(count)s posts get the topic “%(target)s” (a post that has both keeps one).",
                posts,
            )
            % {"count": posts, "target": target.name},
            _("“%(source)s” is retired: nobody sees it, and typing its name again gives “%(target)s”.")
            % {"source": source.name, "target": target.name},
        ],
        "action": reverse("feedback:topic_merge", kwargs={"pk": source.pk}),
        "confirm_label": _("Merge them"),
        "cancel_url": reverse("feedback:topics"),
        "hidden": [("target", target.pk)],
    }


@require_http_methods(["GET", "POST"])
def topic_retire(request: HttpRequest, pk: int) -> HttpResponse:
    tag = _topic_for_moderator(request, pk)
    if not confirmed(request):
        return ask_to_confirm(
            request,
            heading=_("Retire “%(name)s”?") % {"name": tag.name},
            consequences=[
                _("Nobody sees it any more: not on posts, not in the topic filter, the API or the feeds."),
                _("Its posts stay; they only lose the topic. Nothing is deleted."),
            ],
            action=reverse("feedback:topic_retire", kwargs={"pk": tag.pk}),
            confirm_label=_("Retire it"),
            cancel_url=reverse("feedback:topics"),
        )
    topics.topic_retire(moderator=request.user, tag=tag)
    messages.success(request, _("“%(name)s” is retired.") % {"name": tag.name})
    return redirect("feedback:topics")
