from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.middleware import keep_session_quiet
from socialbiz import fragments, html, idempotency, ratelimit, versions
from socialbiz.ratelimit import parse_rate
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import merging, publication, selectors, services
from .forms import AnswerForm, CommentForm, FeedbackForm, FilterForm, ModerationForm, ReportForm, positive_id
from .models import Comment, Feedback, Status


def _comments_visible_to(person) -> QuerySet[Comment]:
    qs = Comment.objects.filter(feedback__in=Feedback.objects.visible_to(person))
    return qs if person.can_moderate else qs.filter(hidden_at__isnull=True)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and "\x00" not in target:
        return target
    return default


def _form_errors_into(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    filter_form = FilterForm(request.GET)
    values = filter_form.valid_values()
    names = ("kind", "status", "tag", "movement", "department", "q", "sort")
    filters = selectors.ListFilters(**{name: values[name] for name in names if name in values})
    versions_now = selectors.list_versions()
    page_number = request.GET.get("page")
    selectors.prefetch_list_parts(
        person=request.user, filters=filters, page_number=page_number, versions_now=versions_now
    )
    context = {
        "filters": filters,
        "filter_form": filter_form,
        "statuses": Status.choices,
        **selectors.feedback_page(
            person=request.user, filters=filters, page_number=page_number, versions_now=versions_now
        ),
    }
    choices = selectors.filter_choices(person=request.user, movement_id=filters.movement, versions_now=versions_now)
    context.update(
        tags=choices["tags"],
        movement_options=html.options(choices["movements"], filters.movement),
        department_options=html.select_option(choices["department_options"], filters.department),
    )
    now = timezone.now()
    fragments.render_cards(
        request,
        context["posts"],
        template_name="feedback/_card.html",
        name="post",
        shows=lambda post: card_shows(post, now),
    )
    # htmx swaps the filters and the results together, so the form always shows what is applied.
    return render(request, "feedback/list.html#browse" if request.htmx else "feedback/list.html", context)


def card_shows(post: Feedback, now: datetime) -> tuple:
    """Every value feedback/_card.html shows (the key of its cached rendering, socialbiz/fragments.py)."""
    author = post.author
    department = author.department if author else None
    movement = post.movement
    return (
        post.pk,
        post.kind,
        post.status,
        bool(post.hidden_at),
        post.title,
        post.is_anonymous,
        post.created_at,
        fragments.age_bucket(post.created_at, now),
        author.name if author else None,
        department.name if department else None,
        (movement.slug, movement.title) if movement else None,  # its link is made from the slug
        post.comment_count,
        # Only the topics this viewer may see, with their approval state (a pending one is marked as such).
        tuple((tag.slug, tag.name, tag.approved_at is not None) for tag in post.shown_tags),
        post.vote_count,
        post.voted,
    )


@require_http_methods(["GET", "POST"])
@idempotency.once_per_key
def feedback_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        movement_id = positive_id(request.GET.get("movement"))
        initial = {"kind": request.GET.get("kind", ""), "movement": movement_id}
        form = FeedbackForm(person=request.user, movement_id=movement_id, initial=initial)
        return render(request, "feedback/form.html", {"form": form})
    # A post over the upload limit arrives read with a bound (socialbiz.middleware.OversizedFormPostMiddleware):
    # the form refuses the over-long text with its own message and the text comes back.
    form = FeedbackForm(request.POST, person=request.user)
    if not form.is_valid():
        return render(request, "feedback/form.html", {"form": form})
    rate = parse_rate(settings.FEEDBACK_POST_RATE_LIMIT)
    if form.cleaned_data["anonymous"]:
        # Counted where no operator looks: in the writer's own browser, and by the size of the queue.
        count = _anonymous_posts_counted(request, rate)
        if count is None:
            return render(request, "feedback/429.html", {"rate": rate, "form": form}, status=429)
        return _post_anonymously(request, form, count)
    if not ratelimit.hit(scope="feedback-post", person_id=request.user.pk, rate=settings.FEEDBACK_POST_RATE_LIMIT):
        return render(request, "feedback/429.html", {"rate": rate, "form": form}, status=429)
    try:
        post = services.feedback_post(
            person=request.user,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            anonymous=False,
            movement=form.cleaned_data["movement"],
            tags=list(form.cleaned_data["tags"]),
            new_tag_names=form.cleaned_data["new_tags"],
            cause=form.cleaned_data["cause"],
        )
    except ValidationError as exc:
        _form_errors_into(form, exc)
        return render(request, "feedback/form.html", {"form": form})
    messages.success(request, _("Thanks, your feedback is posted."))
    return redirect(post)


ANONYMOUS_COUNT_COOKIE = "socialbiz_anonymous_posts"


def _anonymous_posts_counted(request: HttpRequest, rate) -> dict | None:
    """The writer's anonymous posts in this window, counted in a signed cookie of their own browser (a
    server-side counter, however hashed, would tell whoever holds Redis and SECRET_KEY whose count moved,
    and its idle time when). Returns the new count to store, or None when over the rate or when the queue
    is full (ANONYMOUS_QUEUE_MAX, a cap for everyone together)."""
    window = int(time.time()) // rate.seconds
    try:
        stored = request.get_signed_cookie(ANONYMOUS_COUNT_COOKIE, salt=ANONYMOUS_COUNT_COOKIE, max_age=rate.seconds)
        window_stored, used = (int(part) for part in stored.split(":"))
    except (KeyError, ValueError, signing.BadSignature):
        window_stored, used = window, 0
    used = used if window_stored == window else 0
    if used >= rate.count or publication.queue_is_full():
        return None
    return {"window": window, "used": used + 1, "seconds": rate.seconds}


def _post_anonymously(request: HttpRequest, form: FeedbackForm, count: dict) -> HttpResponse:
    """Queue the post (feedback/publication.py), and write nothing else that could point to this person:
    the session is not saved on this request, nor stamped for a while after it (people.middleware)."""
    try:
        publication.anonymous_enqueue(
            person=request.user,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            movement=form.cleaned_data["movement"],
            tags=list(form.cleaned_data["tags"]),
            new_tag_names=form.cleaned_data["new_tags"],
            cause=form.cleaned_data["cause"],
        )
    except ValidationError as exc:
        _form_errors_into(form, exc)
        return render(request, "feedback/form.html", {"form": form})
    messages.success(
        request,
        _(
            "Thanks. Your anonymous post will appear in the list within about an hour, published together with "
            "other people's so its time says nothing about you (later if few people are around). It is not "
            "linked to you, so nobody, you included, can edit it."
        ),
    )
    # The same redirect as any visit to the list; no post id, no query string.
    response = redirect(reverse("feedback:list"))
    response.set_signed_cookie(
        ANONYMOUS_COUNT_COOKIE,
        f"{count['window']}:{count['used']}",
        salt=ANONYMOUS_COUNT_COOKIE,
        max_age=count["seconds"],
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return keep_session_quiet(request, response)


def _detail_context(request: HttpRequest, post: Feedback, **forms) -> dict:
    person = request.user
    for comment in post.visible_comments:
        comment.can_change = services.comment_can_change(comment=comment, person=person)
    can_answer = services.can_answer(feedback=post, person=person)
    return {
        "post": post,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "answer_form": forms.get("answer_form")
        or (AnswerForm(initial={"status": post.status}) if can_answer else None),
        "can_answer": can_answer,
        "can_moderate": person.can_moderate,
        "can_edit": services.feedback_can_edit(feedback=post, person=person),
        "edit_minutes": settings.FEEDBACK_COMMENT_EDIT_MINUTES,
    }


def _load_detail(request: HttpRequest, pk: int) -> Feedback:
    try:
        return selectors.feedback_detail(person=request.user, pk=pk)
    except Feedback.DoesNotExist:
        raise Http404 from None


@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    names = versions.read(*selectors.POST_VERSIONS, f"feedback:{pk}")
    head = selectors.post_head(person=request.user, pk=pk) if names is not None else None
    if names is None or head is None:
        try:
            post = _load_detail(request, pk)
        except Http404:
            # A merged duplicate's URL leads to the post it went into (if the person can see that one).
            if (target := merging.merged_target_for(person=request.user, pk=pk)) is None:
                raise
            return redirect(target, permanent=False)
        return render(request, "feedback/detail.html", _detail_context(request, post))
    return render(request, "feedback/detail.html", _kept_post_page(request, head, names))


WATCH_PLACEHOLDER = "watch-button-of-the-viewer-7d1e0a"
_WATCH_BUTTON = "{% load conversation_tags %}{% watch_button post %}"


def _kept_post_page(request: HttpRequest, head: selectors.PostHead, names: dict[str, int]) -> dict:
    """The post's page content from the cache, kept under the post's content version (a trigger bumps it with
    every write to the post, its comments, answers and topics: movements/migrations/0013), the names and
    departments shown, the movements it is about (read with the head) and the viewer's standing. Who sees it
    differently (the author of a comment, within its edit window; a person whose topic waits for approval)
    is in the key only for them; comments' relative times by their age."""
    person = request.user
    post_like = Feedback(pk=head.pk, title=head.title, vote_count=head.vote_count)
    can_answer = services.can_answer(feedback=Feedback(pk=head.pk, movement_id=head.movement_id), person=person)
    scope = (
        head.pk,
        tuple(sorted(names.items())),
        head.shows,
        head.voted,
        head.is_author,
        bool(person.can_moderate),
        can_answer,
        request.path,
    )

    def full_context(facts: fragments.PartFacts) -> dict:
        post = _load_detail(request, head.pk)
        window = timedelta(minutes=settings.FEEDBACK_COMMENT_EDIT_MINUTES)
        fragments.note(
            {fragments.PartFacts.CONTEXT_NAME: facts},
            # A comment's author sees Edit and Delete until its window closes; everyone sees its age.
            people=[comment.author_id for comment in post.visible_comments],
            moments=[comment.created_at for comment in post.visible_comments],
            deadlines=[comment.created_at + window for comment in post.visible_comments],
        )
        # Topics waiting for approval are shown to whoever proposed them (feedback.selectors.shown_tags).
        fragments.note({fragments.PartFacts.CONTEXT_NAME: facts}, people=selectors.pending_tag_proposers(post))
        return {**_detail_context(request, post), "watch_placeholder": WATCH_PLACEHOLDER}

    parts = fragments.render_shared_parts(
        request,
        name="feedback-post",
        template_name="feedback/detail.html",
        partials=["post-content"],
        scope=scope,
        context=full_context,
        transform=idempotency.fresh_keys,
    )
    # The Watch button is the viewer's own (one query, through the template layer: conversation sits above).
    watch = engines["django"].from_string(_WATCH_BUTTON).render({"post": post_like}, request)
    return {"post": post_like, "post_html": mark_safe(parts["post-content"].replace(WATCH_PLACEHOLDER, watch))}  # noqa: S308


VOTE_STATES = {"vote": True, "unvote": False}


@require_POST
def vote_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The button sends the state the person asked for ("vote" or "unvote"), never "toggle": a stale tab
    asking to vote keeps the vote, and quick clicks (htmx queues them) end in the state of the last one."""
    post = get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk)
    wanted = VOTE_STATES.get(request.POST.get("state", ""))
    if wanted is None:
        return render(request, "feedback/vote_unclear.html", {"post": post}, status=400)
    if not ratelimit.hit(scope="vote", person_id=request.user.pk, rate=settings.VOTE_RATE_LIMIT):
        return ratelimit.too_many(
            request, rate=settings.VOTE_RATE_LIMIT, doing=_("voting"), back_url=post.get_absolute_url()
        )
    post, voted = services.vote_set(feedback=post, person=request.user, voted=wanted)
    post.voted = voted
    if request.htmx:
        return render(request, "feedback/_vote.html#vote-inner", {"post": post, "next": _next_url(request, "")})
    messages.success(request, _("Counted your “me too”.") if voted else _("Took back your “me too”."))
    return redirect(_next_url(request, post.get_absolute_url()))


@require_POST
@idempotency.once_per_key
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        if ratelimit.hit(scope="comment", person_id=request.user.pk, rate=settings.COMMENT_RATE_LIMIT):
            services.comment_add(feedback=post, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Your comment is posted."))
            return redirect(f"{post.get_absolute_url()}#comments")
        # Over the limit: the form comes back with the text and says why (htmx too, with the same 429).
        form.add_error(
            "body", ratelimit.refusal_message(rate=settings.COMMENT_RATE_LIMIT, doing=_("commenting"), kept=True)
        )
        status = 429
    post = _load_detail(request, pk)
    return render(request, "feedback/detail.html", _detail_context(request, post, comment_form=form), status=status)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        _comments_visible_to(request.user).select_related("feedback"), pk=pk, author=request.user
    )
    if not services.comment_can_change(comment=comment, person=request.user):
        messages.error(
            request,
            _("Comments can be changed only in the first %(minutes)d minutes.")
            % {"minutes": settings.FEEDBACK_COMMENT_EDIT_MINUTES},
        )
        return redirect(comment.feedback)
    form = CommentForm(request.POST if request.method == "POST" else None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.comment_edit(comment=comment, person=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your comment is updated."))
        return redirect(f"{comment.feedback.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "feedback/comment_edit.html",
        {"form": form, "comment": comment},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks once more (the Delete link leads here); POST deletes."""
    comment = get_object_or_404(
        _comments_visible_to(request.user).select_related("feedback"), pk=pk, author=request.user
    )
    if request.method == "GET":
        return ask_to_confirm(
            request,
            heading=_("Delete your comment?"),
            subject=comment.body,
            consequences=[_("It disappears for everyone. This cannot be undone.")],
            action=reverse("feedback:comment_delete", kwargs={"pk": comment.pk}),
            confirm_label=_("Delete the comment"),
            cancel_url=f"{comment.feedback.get_absolute_url()}#comment-{comment.pk}",
        )
    try:
        services.comment_delete(comment=comment, person=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your comment is deleted."))
    return redirect(f"{comment.feedback.get_absolute_url()}#comments")


@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk)
    if not services.can_answer(feedback=post, person=request.user):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.feedback_answer(
            feedback=post,
            person=request.user,
            status=form.cleaned_data["status"],
            response=form.cleaned_data["response"],
        )
        messages.success(request, _("Your answer is posted; the author and the voters will be told."))
        return redirect(f"{post.get_absolute_url()}#answers")
    post = _load_detail(request, pk)
    return render(request, "feedback/detail.html", _detail_context(request, post, answer_form=form), status=400)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    if target == "comment":
        comment = get_object_or_404(_comments_visible_to(request.user).select_related("feedback"), pk=pk)
        post, subject = comment.feedback, comment
    else:
        post = get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk)
        comment, subject = None, post
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.report_create(
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            feedback=None if comment else post,
            comment=comment,
        )
        messages.success(request, _("Thanks. A moderator will look at it."))
        return redirect(post)
    return render(
        request,
        "feedback/report.html",
        {"form": form, "post": post, "comment": comment, "subject": subject},
        status=400 if request.method == "POST" else 200,
    )


def _require_moderator(request: HttpRequest) -> None:
    if not request.user.can_moderate:
        raise Http404


@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    context = selectors.moderation_queue(moderator=request.user)
    context["form"] = ModerationForm()
    return render(request, "feedback/moderation.html", context)


@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    _require_moderator(request)
    if target == "comment":
        comment = get_object_or_404(Comment.objects.select_related("feedback", "author"), pk=pk)
        post, subject = comment.feedback, comment
    else:
        post = get_object_or_404(Feedback.objects.all(), pk=pk)
        comment, subject = None, post
    initial_action = "restore" if subject.hidden_at else "hide"
    data = request.POST if request.method == "POST" else None
    form = ModerationForm(data, initial={"action": request.GET.get("action") or initial_action})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "hide" and not confirmed(request):
            return ask_to_confirm(request, **_hide_confirmation(request, subject, form))
        services.moderation_act(
            moderator=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            feedback=None if comment else post,
            comment=comment,
        )
        messages.success(request, _("Done, and logged."))
        return redirect(_next_url(request, reverse("feedback:moderation")))
    if request.method == "POST" and request.POST.get("report", "").isdigit():
        # Sent from the queue: show the error beside that report's reason, in the queue.
        context = selectors.moderation_queue(moderator=request.user)
        context.update(form=ModerationForm(), failed_report=int(request.POST["report"]), failed_form=form)
        return render(request, "feedback/moderation.html", context)
    return render(
        request,
        "feedback/moderate.html",
        {"form": form, "post": post, "comment": comment, "subject": subject},
        status=400 if request.method == "POST" else 200,
    )


def _hide_confirmation(request: HttpRequest, subject: Feedback | Comment, form: ModerationForm) -> dict:
    is_comment = isinstance(subject, Comment)
    name = "feedback:comment_moderate" if is_comment else "feedback:moderate"
    return {
        "heading": _("Hide this comment?") if is_comment else _("Hide “%(title)s”?") % {"title": subject.title},
        "subject": subject.body if is_comment else None,
        "consequences": [
            _("Everyone but moderators stops seeing it at once."),
            _("Your reason goes into the moderation log: “%(reason)s”.") % {"reason": form.cleaned_data["reason"]},
            _("Nothing is deleted: a moderator can restore it."),
        ],
        "action": reverse(name, kwargs={"pk": subject.pk}),
        "confirm_label": _("Hide it"),
        "cancel_url": _next_url(request, reverse("feedback:moderation")),
        "hidden": [("action", "hide"), ("reason", form.cleaned_data["reason"]), ("next", request.POST.get("next", ""))],
    }
