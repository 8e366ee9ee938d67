"""Merging a duplicate post into another (moderators and the leads of its movement), with a confirmation step,
and undoing it within MERGE_UNDO_DAYS. Writes go through feedback/merging.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import merging, similar
from .forms import MergeForm
from .models import Feedback, FeedbackMerge


def _post_to_merge(request: HttpRequest, pk: int) -> Feedback:
    """The post, if the person can see it (else 404) and may merge it (else 403)."""
    post = get_object_or_404(Feedback.objects.visible_to(request.user).select_related("movement"), pk=pk)
    if not merging.can_merge(person=request.user, post=post):
        raise PermissionDenied
    return post


def _form_page(request: HttpRequest, post: Feedback, form: MergeForm, status: int = 200) -> HttpResponse:
    suggestions = [
        candidate
        for candidate in similar.similar_posts(viewer=request.user, title=post.title, body=post.body[:300], limit=6)
        if candidate.pk != post.pk
    ][:5]
    return render(
        request, "feedback/merge.html", {"post": post, "form": form, "suggestions": suggestions}, status=status
    )


@require_http_methods(["GET", "POST"])
def feedback_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = _post_to_merge(request, pk)
    if request.method == "GET":
        return _form_page(request, source, MergeForm())
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _form_page(request, source, form, status=400)
    target = Feedback.objects.visible_to(request.user).filter(pk=form.cleaned_data["target"]).first()
    if target is None:
        form.add_error("target", _("There is no post with that number that you can see."))
        return _form_page(request, source, form, status=400)
    if not confirmed(request):
        return ask_to_confirm(request, **_confirmation(source, target, form.cleaned_data["reason"]))
    try:
        merge = merging.feedback_merge(
            source=source, target=target, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error("target", " ".join(error.messages))
        return _form_page(request, source, form, status=400)
    messages.success(request, _("Merged. The duplicate's address now leads here."))
    return redirect("feedback:merge_detail", pk=merge.pk)


def _confirmation(source: Feedback, target: Feedback, reason: str) -> dict:
    return {
        "heading": _("Merge “%(source)s” into “%(target)s”?") % {"source": source.title, "target": target.title},
        "consequences": [
            _("Its “me too” votes are added to “%(target)s”; someone who voted on both counts once.")
            % {"target": target.title},
            _("Its comments move there with their times; its official answers stay in its own history."),
            _("Its address leads to “%(target)s” and it leaves the lists. Its author and voters are told.")
            % {"target": target.title},
            _("You can undo the merge for %(days)s days.") % {"days": settings.MERGE_UNDO_DAYS},
        ],
        "action": reverse("feedback:merge", kwargs={"pk": source.pk}),
        "hidden": [("target", target.pk), ("reason", reason)],
        "confirm_label": _("Merge the posts"),
        "cancel_url": source.get_absolute_url(),
    }


def _merge_or_404(request: HttpRequest, pk: int) -> FeedbackMerge:
    """A merge, for people who can see the post it went into (moderators: always)."""
    merge = get_object_or_404(FeedbackMerge.objects.select_related("source", "target", "merged_by"), pk=pk)
    if not (request.user.can_moderate or Feedback.objects.visible_to(request.user).filter(pk=merge.target_id).exists()):
        raise Http404
    return merge


@require_http_methods(["GET"])
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merge = _merge_or_404(request, pk)
    context = {
        "merge": merge,
        "can_undo": merging.can_undo(merge=merge, person=request.user),
        "undo_deadline": merging.undo_deadline(merge),
    }
    return render(request, "feedback/merge_detail.html", context)


@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge = _merge_or_404(request, pk)
    try:
        merging.feedback_unmerge(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("feedback:merge_detail", pk=merge.pk)
    messages.success(request, _("The merge is undone: both posts are back as they were."))
    return redirect(merge.source)
