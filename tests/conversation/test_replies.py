"""Replies to movement updates: the same rules as comments on feedback (limits, second thoughts,
moderation, outsiders), and the update's author and the watchers hear of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversation.models import Reply
from conversation.services import reply_add
from movements import services as movement_services
from nudges.messages import headline
from nudges.models import Kind, Nudge
from tests.factories import DepartmentFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def update():
    movement = MovementFactory()
    author = UserFactory()
    movement_services.membership_join(movement=movement, person=author)
    return movement_services.update_post(movement=movement, author=author, body="We tried it.")


def reply_url(update) -> str:
    return reverse("conversation:reply_add", kwargs={"slug": update.movement.slug, "pk": update.pk})


def test_a_reply_is_posted_and_shown_under_its_update(client, update):
    replier = UserFactory()
    client.force_login(replier)
    response = client.post(reply_url(update), {"body": "How did it go?"})
    reply = Reply.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#reply-{reply.pk}")
    html = client.get(update.movement.get_absolute_url()).content.decode()
    assert f'id="reply-{reply.pk}"' in html and "How did it go?" in html


def test_the_update_author_and_watchers_hear_of_a_reply_in_one_batch(update):
    replier = UserFactory()
    reply_add(update=update, author=replier, body="Nice.")
    reply_add(update=update, author=UserFactory(), body="Agreed.")
    news = Nudge.objects.filter(kind=Kind.WATCHED_ACTIVITY)
    # The update's author (a member, so watching); the first replier now watches and hears of the second.
    assert set(news.values_list("recipient_id", flat=True)) == {update.author_id, replier.pk}
    author_news = news.get(recipient_id=update.author_id)
    assert author_news.context["counts"] == {"reply": 2}
    assert headline(author_news) == f"2 replies to updates on “{update.movement.title}”"


def test_the_update_author_who_stopped_watching_still_hears_of_replies_to_their_update(update):
    from conversation.services import watch_set

    watch_set(person=update.author, item=update.movement, watching=False)
    reply_add(update=update, author=UserFactory(), body="Question?")
    assert Nudge.objects.filter(kind=Kind.WATCHED_ACTIVITY, recipient=update.author).exists()


def test_an_empty_reply_comes_back_with_its_reason(client, update):
    client.force_login(UserFactory())
    response = client.post(reply_url(update), {"body": "   "})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert not Reply.objects.exists()


def test_a_too_long_reply_comes_back_with_its_text(client, update):
    client.force_login(UserFactory())
    response = client.post(reply_url(update), {"body": "x" * 5001})
    assert response.status_code == 400 and "x" * 5001 in response.content.decode()
    assert not Reply.objects.exists()


def test_replies_share_the_comment_rate_limit(client, update, settings):
    settings.COMMENT_RATE_LIMIT = "2 per 10 minutes"
    client.force_login(UserFactory())
    codes = [client.post(reply_url(update), {"body": f"Reply {i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429] and Reply.objects.count() == 2


def test_an_outsider_gets_404_and_nothing_is_written(client):
    department = DepartmentFactory()
    founder = UserFactory(department=department)
    movement = MovementFactory(founder=founder, department=department)
    update = movement_services.update_post(movement=movement, author=founder, body="Inside news.")
    reply = reply_add(update=update, author=founder, body="Mine.")
    client.force_login(UserFactory(department=DepartmentFactory()))
    assert client.post(reply_url(update), {"body": "Let me in"}).status_code == 404
    assert client.get(reverse("conversation:reply_delete", kwargs={"pk": reply.pk})).status_code == 404
    assert Reply.objects.count() == 1


def test_deleting_asks_once_more_and_only_the_confirmed_post_deletes(client, update):
    author = UserFactory()
    reply = reply_add(update=update, author=author, body="Oops.")
    url = reverse("conversation:reply_delete", kwargs={"pk": reply.pk})
    client.force_login(author)
    assert "Delete your reply?" in client.get(url).content.decode()
    assert client.post(url).status_code == 200 and Reply.objects.exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302 and not Reply.objects.exists()


def test_someone_else_cannot_delete_a_reply(client, update):
    reply = reply_add(update=update, author=UserFactory(), body="Mine.")
    client.force_login(UserFactory())
    url = reverse("conversation:reply_delete", kwargs={"pk": reply.pk})
    assert client.post(url, {"confirmed": "yes"}).status_code == 404 and Reply.objects.exists()


def test_a_moderator_hides_a_reply_which_others_then_do_not_see(client, update):
    reply = reply_add(update=update, author=UserFactory(), body="Rude words.")
    url = reverse("conversation:reply_moderate", kwargs={"pk": reply.pk})
    client.force_login(UserFactory())
    assert client.post(url, {"confirmed": "yes"}).status_code == 403
    client.force_login(UserFactory(is_moderator=True))
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    client.force_login(UserFactory())
    assert "Rude words." not in client.get(update.movement.get_absolute_url()).content.decode()


def test_a_reply_mentioning_a_colleague_tells_them(update):
    colleague = UserFactory(email="cora@example.com")
    reply_add(update=update, author=UserFactory(), body="@cora have a look")
    assert Nudge.objects.filter(kind=Kind.MENTIONED, recipient=colleague).exists()
