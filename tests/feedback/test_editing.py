"""Editing and withdrawing a named post, its history, and the Markdown preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from activity.models import Activity, Verb
from feedback import services
from feedback.models import Feedback, FeedbackRevision
from tests.factories import CommentFactory, FeedbackFactory, TagFactory


def edit_url(post) -> str:
    return reverse("feedback:edit", args=[post.pk])


def _snapshot(post) -> tuple:
    post = Feedback.objects.get(pk=post.pk)
    return (post.title, post.body, post.edited_at, post.withdrawn_at, FeedbackRevision.objects.count())


# --- services ----------------------------------------------------------------------------------


def test_an_edit_keeps_the_old_version_renders_markdown_and_records_an_event(post, author):
    old_title, old_body = post.title, post.body
    edited = services.feedback_edit(
        feedback=post, person=author, title="Meetings run far too long", body="Now **every** meeting <script>x</script>"
    )
    assert edited.title == "Meetings run far too long" and edited.edited_at is not None
    assert "<strong>every</strong>" in edited.body_html and "<script" not in edited.body_html
    revision = FeedbackRevision.objects.get(feedback=post)
    assert (revision.title, revision.body) == (old_title, old_body)
    assert revision.written_at == post.created_at
    event = Activity.objects.get(verb=Verb.FEEDBACK_EDITED)
    assert event.actor == author and event.payload == {"revision_id": revision.pk}


def test_an_edit_that_changes_nothing_writes_no_revision(post, author):
    services.feedback_edit(feedback=post, person=author, title=post.title, body=post.body)
    assert not FeedbackRevision.objects.exists() and not Activity.objects.filter(verb=Verb.FEEDBACK_EDITED).exists()


def test_only_the_author_may_edit_and_an_empty_body_is_refused(post, other, author):
    with pytest.raises(PermissionDenied):
        services.feedback_edit(feedback=post, person=other, title="Mine now", body="x")
    with pytest.raises(ValidationError):
        services.feedback_edit(feedback=post, person=author, title="T", body="   ")
    assert Feedback.objects.get(pk=post.pk).edited_at is None


def test_an_anonymous_post_cannot_be_edited_or_withdrawn_and_the_database_refuses_it_too(author):
    anonymous = FeedbackFactory(author=None, is_anonymous=True)
    with pytest.raises(PermissionDenied, match="Anonymous posts cannot be edited"):
        services.feedback_edit(feedback=anonymous, person=author, title="x", body="y")
    with pytest.raises(PermissionDenied):
        services.feedback_withdraw(feedback=anonymous, person=author)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=anonymous.pk).update(edited_at="2026-01-01T00:00:00Z")


def test_withdrawing_leaves_a_tombstone_keeps_comments_and_drops_words_tags_and_history(post, author, other):
    post.tags.add(TagFactory())
    CommentFactory(feedback=post, author=other, body="I agree")
    services.feedback_edit(feedback=post, person=author, title="Second version", body="second")
    withdrawn = services.feedback_withdraw(feedback=post, person=author)
    assert withdrawn.withdrawn_at is not None and (withdrawn.title, withdrawn.body, withdrawn.body_html) == ("", "", "")
    assert not withdrawn.tags.exists() and not FeedbackRevision.objects.exists()
    assert withdrawn.comments.count() == 1
    assert Activity.objects.filter(verb=Verb.FEEDBACK_WITHDRAWN, actor=author, feedback=post).count() == 1
    again = services.feedback_withdraw(feedback=post, person=author)  # twice: nothing more happens
    assert again.withdrawn_at == withdrawn.withdrawn_at
    assert Activity.objects.filter(verb=Verb.FEEDBACK_WITHDRAWN).count() == 1
    with pytest.raises(PermissionDenied):
        services.feedback_edit(feedback=post, person=author, title="Back", body="again")


# --- pages -------------------------------------------------------------------------------------


def test_the_author_edits_from_the_page_and_everyone_sees_the_mark_and_the_history(client, post, author, other):
    client.force_login(author)
    assert client.get(edit_url(post)).status_code == 200
    response = client.post(edit_url(post), {"title": "Meetings run long (updated)", "body": "Still *true*"})
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    client.force_login(other)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Meetings run long (updated)" in page and "edited " in page
    assert reverse("feedback:history", args=[post.pk]) in page and edit_url(post) not in page
    history = client.get(reverse("feedback:history", args=[post.pk])).content.decode()
    assert "Meetings run long" in history and "<em>true</em>" in history


def test_the_preview_button_without_javascript_shows_the_sanitised_preview_and_saves_nothing(client, post, author):
    client.force_login(author)
    before = _snapshot(post)
    response = client.post(
        edit_url(post), {"title": "T", "body": "**bold** <img src=x onerror=alert(1)>", "preview": "yes"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<strong>bold</strong>" in body and "onerror" not in body.split("<form")[0]
    assert _snapshot(post) == before


def test_edits_are_rate_limited_like_posts_and_the_text_comes_back(client, post, author, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "1 per 10 minutes"
    client.force_login(author)
    assert client.post(edit_url(post), {"title": "One", "body": "first edit"}).status_code == 302
    response = client.post(edit_url(post), {"title": "Two", "body": "second edit kept"})
    assert response.status_code == 429 and "second edit kept" in response.content.decode()
    assert Feedback.objects.get(pk=post.pk).title == "One"


@pytest.mark.parametrize("who", ["other", "outsider_of_limited", "anonymous_post_author"])
def test_people_who_may_not_edit_get_404_and_nothing_changes(client, post, other, outsider, limited_post, who):
    target, person = {
        "other": (post, other),
        "outsider_of_limited": (limited_post, outsider),
        "anonymous_post_author": (FeedbackFactory(author=None, is_anonymous=True), other),
    }[who]
    client.force_login(person)
    before = _snapshot(target)
    for url in (edit_url(target), reverse("feedback:withdraw", args=[target.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x", "body": "y", "confirmed": "yes"}).status_code == 404
    assert _snapshot(target) == before


def test_the_outsider_gets_404_for_the_history_of_a_post_they_cannot_see(client, outsider, limited_post):
    client.force_login(outsider)
    assert client.get(reverse("feedback:history", args=[limited_post.pk])).status_code == 404


def test_an_anonymous_post_page_says_why_it_cannot_be_edited(client, other):
    anonymous = FeedbackFactory(author=None, is_anonymous=True)
    client.force_login(other)
    page = client.get(anonymous.get_absolute_url()).content.decode()
    assert "Anonymous posts cannot be edited or withdrawn" in page and edit_url(anonymous) not in page


def test_withdraw_asks_once_more_then_the_url_answers_with_the_tombstone(client, post, author, other):
    CommentFactory(feedback=post, author=other, body="Same here")
    client.force_login(author)
    url = reverse("feedback:withdraw", args=[post.pk])
    assert "Withdraw the post" in client.get(url).content.decode()
    assert client.post(url).status_code == 200  # not confirmed: the question again, nothing withdrawn
    assert Feedback.objects.get(pk=post.pk).withdrawn_at is None
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    client.force_login(other)
    response = client.get(post.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200 and "Withdrawn post" in page and "The author withdrew this post" in page
    assert "Meetings run long" not in page and "Same here" in page
    assert client.get(reverse("feedback:history", args=[post.pk])).status_code == 200
    assert "Withdrawn post" in client.get(reverse("feedback:list")).content.decode()


def test_edit_and_history_reject_the_wrong_method_and_the_anonymous_visitor(client, post, author):
    history = reverse("feedback:history", args=[post.pk])
    assert client.get(edit_url(post)).status_code == 302  # to the sign-in page
    client.force_login(author)
    assert client.post(history).status_code == 405
    assert client.get(reverse("feedback:preview")).status_code == 405


def test_edit_page_and_history_query_counts_are_fixed(client, post, author, other, django_assert_num_queries):
    for n in range(5):
        services.feedback_edit(feedback=post, person=author, title=f"Version {n}", body=f"body {n}")
    client.force_login(author)
    # session (+ person, department: one query), the person's department (visibility), the post (+movement)
    with django_assert_num_queries(2):
        assert client.get(edit_url(post)).status_code == 200
    client.force_login(other)
    # session (+ person, department: one query), the person's department, the post (+author), its revisions
    with django_assert_num_queries(3):
        response = client.get(reverse("feedback:history", args=[post.pk]))
    assert response.content.decode().count("replaced") == 5


def test_markdown_preview_with_htmx_is_a_fragment_sanitised_like_a_post(client, other):
    client.force_login(other)
    response = client.post(
        reverse("feedback:preview"),
        {"body": "[x](javascript:alert(1)) and *fine* <b onclick=x>b</b>"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "<em>fine</em>" in body and "javascript:" not in body and "onclick" not in body
    too_long = client.post(reverse("feedback:preview"), {"body": "x" * 20001}, headers={"HX-Request": "true"})
    assert too_long.status_code == 400
    page = client.post(reverse("feedback:preview"), {"body": "*hi*"})
    assert page.status_code == 200 and "<html" in page.content.decode() and "<em>hi</em>" in page.content.decode()


def test_the_post_form_offers_a_live_preview(client, other):
    client.force_login(other)
    page = client.get(reverse("feedback:new")).content.decode()
    assert 'hx-trigger="input changed delay:700ms"' in page and 'id="id_body_preview"' in page
    assert f'formaction="{reverse("feedback:preview")}"' in page
