"""A feedback post's page comes from the cache (feedback/views.py: _kept_post_page), kept under the post's
content version (movements/migrations/0013): every write that changes what it shows must show on the next
view, whoever made it and however (service or plain UPDATE), and a copy rendered for one viewer is never
shown to another who would see something else (their vote, their comments' Edit links, their Watch state,
their pending topics)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from conversation import services as conversation_services
from feedback import services
from feedback.models import Comment, Feedback, Status, StatusChange, Tag
from movements import services as movement_services
from movements.models import Movement
from people.models import Department, User
from tests.factories import DepartmentFactory, FeedbackFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page(client: Client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def kept_pages() -> int:
    return len(cache.keys("part:feedback-post:*"))


def comments_of(html: str) -> str:
    return html.split('id="comments-title"', 1)[1]


def vote_button(html: str) -> str:
    return re.search(r'<button type="submit" class="vote-button[^>]*>.*?</button>', html, re.S).group(0)


@pytest.fixture
def author():
    return UserFactory(display_name="Ann Author", department=DepartmentFactory(name="Logistics"))


@pytest.fixture
def post(author):
    return FeedbackFactory(author=author, title="Printers jam", body="Every morning", body_html="<p>Every morning</p>")


@pytest.fixture
def viewer():
    return UserFactory(display_name="Vic Viewer")


def test_the_second_view_comes_from_the_cache_with_fewer_queries(post, viewer, django_assert_num_queries):
    client = signed_in(viewer)
    first = page(client, post)
    assert kept_pages() == 1
    # session (+ person, their department: one query), the content versions, the post's head (+ my vote, the
    # movements' titles); am I watching it
    with django_assert_num_queries(4):
        second = page(client, post)
    assert kept_pages() == 1
    assert "Printers jam" in second and "Every morning" in second and "Logistics" in second
    strip = re.compile(r"[A-Za-z0-9_-]{20,}")  # the CSRF tokens and the comment form's one-time key
    assert strip.sub("", first) == strip.sub("", second)


def test_votes_show_for_everyone_and_my_vote_only_for_me(post, viewer):
    voter = UserFactory()
    page(signed_in(viewer), post)
    services.vote_set(feedback=post, person=voter, voted=True)
    viewer_button = vote_button(page(signed_in(viewer), post))
    voter_button = vote_button(page(signed_in(voter), post))
    assert '<span class="vote-count">1</span>' in viewer_button and 'aria-pressed="false"' in viewer_button
    assert '<span class="vote-count">1</span>' in voter_button and 'aria-pressed="true"' in voter_button

    Feedback.objects.filter(pk=post.pk).update(vote_count=12)
    assert '<span class="vote-count">12</span>' in vote_button(page(signed_in(viewer), post))


def test_comments_show_and_hidden_ones_only_to_moderators(post, viewer):
    client = signed_in(viewer)
    assert "No comments yet." in page(client, post)
    comment = services.comment_add(feedback=post, author=UserFactory(), body="Same here")
    assert "Same here" in comments_of(page(client, post))

    Comment.objects.filter(pk=comment.pk).update(body="Same here, twice")
    assert "Same here, twice" in comments_of(page(client, post))

    Comment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now())
    assert "Same here, twice" not in page(client, post)
    assert "Same here, twice" in comments_of(page(signed_in(UserFactory(is_moderator=True)), post))

    Comment.objects.filter(pk=comment.pk).delete()
    assert "Same here" not in page(signed_in(UserFactory(is_moderator=True)), post)


def test_a_comments_author_alone_sees_edit_and_only_within_the_window(post, viewer, settings):
    commenter = UserFactory()
    written = timezone.now()
    with time_machine.travel(written, tick=False):
        services.comment_add(feedback=post, author=commenter, body="Mine")
    window = timedelta(minutes=settings.FEEDBACK_COMMENT_EDIT_MINUTES)
    with time_machine.travel(written + window - timedelta(seconds=1), tick=False):
        assert "/edit/" not in comments_of(page(signed_in(viewer), post))
        assert "/edit/" in comments_of(page(signed_in(commenter), post))
        assert "/edit/" not in comments_of(page(signed_in(viewer), post))
    with time_machine.travel(written + window + timedelta(seconds=1), tick=False):
        assert "/edit/" not in comments_of(page(signed_in(commenter), post))


def test_relative_times_stay_exact_with_nothing_written(post, viewer):
    written = timezone.now()
    with time_machine.travel(written, tick=False):
        services.comment_add(feedback=post, author=UserFactory(), body="Hello")
    client = signed_in(viewer)
    with time_machine.travel(written + timedelta(seconds=20), tick=False):
        assert "20\xa0seconds ago" in comments_of(page(client, post))
    with time_machine.travel(written + timedelta(seconds=40), tick=False):
        assert "40\xa0seconds ago" in comments_of(page(client, post))
    with time_machine.travel(written + timedelta(minutes=3), tick=False):
        assert "3\xa0minutes ago" in comments_of(page(client, post))


def test_answers_edits_and_withdrawal_show(post, author, viewer):
    client = signed_in(viewer)
    moderator = UserFactory(is_moderator=True)
    page(client, post)
    change = services.feedback_answer(feedback=post, person=moderator, status=Status.PLANNED, response="Next week")
    html = page(client, post)
    assert "Next week" in html and "Planned" in html

    StatusChange.objects.filter(pk=change.pk).update(response="Next month")
    assert "Next month" in page(client, post)

    services.feedback_edit(feedback=post, person=author, title="Printers jam daily", body="Every single morning")
    html = page(client, post)
    assert "Printers jam daily" in html and "Every single morning" in html

    Feedback.objects.filter(pk=post.pk).update(title="Changed in the database")
    assert "Changed in the database" in page(client, post)

    services.feedback_withdraw(feedback=Feedback.objects.get(pk=post.pk), person=author)
    assert "The author withdrew this post" in page(client, post)


def test_the_author_alone_sees_edit_and_withdraw(post, author, viewer):
    assert "Withdraw" in page(signed_in(author), post)
    assert "Withdraw" not in page(signed_in(viewer), post)


def test_topics_renames_and_pending_topics_show_to_whom_they_should(post, viewer):
    client = signed_in(viewer)
    page(client, post)
    tag = TagFactory(name="hardware")
    post.tags.add(tag)
    assert "hardware" in page(client, post)
    Tag.objects.filter(pk=tag.pk).update(name="printers")
    assert "printers" in page(client, post)

    proposer = UserFactory()
    post.tags.add(Tag.objects.create(name="ink-smell", slug="ink-smell", created_by=proposer, approved_at=None))
    assert "ink-smell" in page(signed_in(proposer), post)
    assert "ink-smell" not in page(client, post)
    Tag.objects.filter(name="ink-smell").update(approved_at=timezone.now())
    assert "ink-smell" in page(client, post)


def test_names_departments_and_movement_titles_show_without_any_post_write(post, author, viewer):
    client = signed_in(viewer)
    assert "Ann Author" in page(client, post)
    User.objects.filter(pk=author.pk).update(display_name="Ann Renamed")
    assert "Ann Renamed" in page(client, post)

    Department.objects.filter(pk=author.department_id).update(name="Supply")
    assert "(Supply)" in page(client, post)
    User.objects.filter(pk=author.pk).update(department=DepartmentFactory(name="Finance"))
    assert "(Finance)" in page(client, post)

    movement = movement_services.movement_start(founder=UserFactory(), title="Fix printers", pitch="P")
    Feedback.objects.filter(pk=post.pk).update(movement=movement)
    assert "Fix printers" in page(client, post)
    Movement.objects.filter(pk=movement.pk).update(title="Fix all printers")
    assert "Fix all printers" in page(client, post)


def test_each_viewer_has_their_own_watch_button_and_tokens(post, viewer):
    watcher = UserFactory()
    conversation_services.watch_set(person=watcher, item=post, watching=True)
    page(signed_in(viewer), post)
    assert "You are watching" in page(signed_in(watcher), post)
    viewer_html = page(signed_in(viewer), post)
    assert "You are watching" not in viewer_html and "Not watching." in viewer_html
    assert "csrf-token-of-the-viewer" not in viewer_html and "watch-button-of-the-viewer" not in viewer_html
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', viewer_html + page(signed_in(viewer), post))
    assert len(keys) == 2 and keys[0] != keys[1]


def test_a_hidden_post_and_a_department_movements_post_stay_404_for_outsiders(post, viewer):
    moderator = UserFactory(is_moderator=True)
    Feedback.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    assert "Printers jam" in page(signed_in(moderator), post)
    assert signed_in(viewer).get(post.get_absolute_url()).status_code == 404

    team = DepartmentFactory(name="Legal")
    movement = movement_services.movement_start(
        founder=UserFactory(department=team), title="Legal", pitch="P", department=team
    )
    limited = FeedbackFactory(movement=movement, title="Contracts are slow")
    assert "Contracts are slow" in page(signed_in(UserFactory(department=team)), limited)
    response = signed_in(viewer).get(limited.get_absolute_url())
    assert response.status_code == 404 and b"Contracts are slow" not in response.content
