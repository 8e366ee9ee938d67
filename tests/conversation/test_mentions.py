"""@mentions: parsing, links on the page, one notification per text for people who can see it, the limit,
and edits telling only the newly mentioned."""

from __future__ import annotations

import pytest

from feedback import services as feedback_services
from movements import services as movement_services
from nudges.conversation import notify_new_mentions
from nudges.messages import action_path, headline
from nudges.models import Kind, Nudge
from people import mentions
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def told(kind=Kind.MENTIONED):
    return list(Nudge.objects.filter(kind=kind).order_by("pk").values_list("recipient_id", flat=True))


def test_handles_are_found_in_text_but_not_in_email_addresses():
    text = "Thanks @Ana.Lopez, and @bo! Mail ana@example.com or see @ana.lopez again. @x."
    assert mentions.handles_in(text) == ["ana.lopez", "bo", "x"]


def test_an_unknown_or_ambiguous_handle_names_nobody():
    UserFactory(email="sam@one.example"), UserFactory(email="sam@two.example")
    ana = UserFactory(email="ana@example.com")
    assert mentions.people_for(["sam", "nobody", "ana"]) == {"ana": ana}


def test_a_comment_mention_tells_the_colleague_once_with_a_link_to_the_comment():
    post, author = FeedbackFactory(), UserFactory(display_name="Alice Author")
    bob = UserFactory(email="bob.b@example.com")
    comment = feedback_services.comment_add(feedback=post, author=author, body="@bob.b what do you think? @bob.b")
    [nudge] = Nudge.objects.filter(kind=Kind.MENTIONED)
    assert (nudge.recipient_id, nudge.subject_person_id, nudge.feedback_id) == (bob.pk, author.pk, post.pk)
    assert headline(nudge) == f"Alice Author mentioned you in “{post.title}”."
    assert action_path(nudge) == f"{post.get_absolute_url()}#comment-{comment.pk}"


def test_mentioning_yourself_or_nobody_tells_nobody():
    author = UserFactory(email="me@example.com")
    feedback_services.comment_add(feedback=FeedbackFactory(), author=author, body="@me and @ghost")
    assert told() == []


def test_a_mention_of_someone_who_cannot_see_the_movement_tells_nobody():
    department = DepartmentFactory()
    founder = UserFactory(department=department)
    movement = MovementFactory(founder=founder, department=department)
    insider = UserFactory(email="in@example.com", department=department)
    UserFactory(email="out@example.com", department=DepartmentFactory())
    movement_services.update_post(movement=movement, author=founder, body="Ping @out and @in")
    assert told() == [insider.pk]
    assert not Nudge.objects.filter(kind=Kind.MENTIONED, context__limit__isnull=False).exists()


def test_a_welcome_mention_tells_the_colleague():
    movement = MovementFactory()
    follower = UserFactory(email="fresh@example.com")
    membership = movement_services.membership_join(movement=movement, person=follower)
    movement_services.welcome_post(
        movement=movement, author=movement.founder, body="Welcome @fresh!", memberships=[membership]
    )
    assert told() == [follower.pk]


def test_more_mentions_than_the_limit_tell_the_first_ones_and_the_author(settings):
    settings.MENTIONS_MAX_PER_ITEM = 3
    people = [UserFactory(email=f"p{i}@example.com") for i in range(5)]
    author = UserFactory()
    feedback_services.comment_add(feedback=FeedbackFactory(), author=author, body=" ".join(f"@p{i}" for i in range(5)))
    assert told() == [*(p.pk for p in people[:3]), author.pk]
    note = Nudge.objects.get(recipient=author)
    assert (note.email, note.in_app) == (False, True)
    assert "only the first 3 were told" in headline(note)


def test_an_edit_tells_only_the_newly_mentioned():
    post = FeedbackFactory()
    bob, cy = UserFactory(email="bob@example.com"), UserFactory(email="cy@example.com")
    common = {"item": post, "author_id": post.author_id, "key": f"f{post.pk}", "path": post.get_absolute_url()}
    assert notify_new_mentions(old_text="", new_text="hi @bob", **common) == [bob.pk]
    assert notify_new_mentions(old_text="hi @bob", new_text="hi @bob and @cy", **common) == [cy.pk]
    # Removed and added back: the dedupe key keeps it to one notification per person and text.
    notify_new_mentions(old_text="hi @cy", new_text="hi @bob and @cy", **common)
    assert sorted(told()) == sorted([bob.pk, cy.pk])


def test_the_post_page_links_known_mentions_and_leaves_unknown_ones_as_text(client):
    bob = UserFactory(email="bob@example.com", display_name="Bob Builder")
    post = feedback_services.feedback_post(
        person=UserFactory(), kind="works", title="Pairing", body="Ask @bob, not `@bob` or @ghost.", anonymous=False
    )
    feedback_services.comment_add(feedback=post, author=UserFactory(), body="<b>@bob</b> agrees")
    client.force_login(UserFactory())
    html = client.get(post.get_absolute_url()).content.decode()
    link = f'<a class="mention" href="/people/{bob.pk}/" title="@bob">@Bob Builder</a>'
    assert html.count(link) == 2  # body and comment; not inside the code span
    assert "<code>@bob</code>" in html and "@ghost" in html and "&lt;b&gt;" in html


def test_the_movement_page_links_mentions_in_updates(client):
    movement = MovementFactory()
    UserFactory(email="bob@example.com", display_name="Bob Builder")
    movement_services.update_post(movement=movement, author=movement.founder, body="Thanks @bob")
    client.force_login(UserFactory())
    assert 'class="mention"' in client.get(movement.get_absolute_url()).content.decode()


def test_editing_a_post_or_an_update_tells_only_the_newly_mentioned_once():
    author = UserFactory()
    bob, cy = UserFactory(email="bob@example.com"), UserFactory(email="cy@example.com")
    post = feedback_services.feedback_post(
        person=author, kind="works", title="Stand-ups", body="Thanks @bob", anonymous=False
    )
    assert told() == [bob.pk]
    post = feedback_services.feedback_edit(feedback=post, person=author, title="Stand-ups", body="Thanks @bob and @cy")
    assert told() == [bob.pk, cy.pk]
    # Taking a name out and putting it back tells nobody twice.
    post = feedback_services.feedback_edit(feedback=post, person=author, title="Stand-ups", body="Thanks @cy")
    feedback_services.feedback_edit(feedback=post, person=author, title="Stand-ups", body="Thanks @cy and @bob")
    assert told() == [bob.pk, cy.pk]

    movement = MovementFactory(founder=author)
    update = movement_services.update_post(movement=movement, author=author, body="Plans for Friday")
    movement_services.update_edit(update=update, person=author, body="Plans for Friday, with @cy")
    assert told() == [bob.pk, cy.pk, cy.pk]
    assert Nudge.objects.filter(kind=Kind.MENTIONED, movement=movement, recipient=cy).count() == 1


def test_editing_a_comment_tells_only_the_newly_mentioned_and_not_the_watchers():
    author = UserFactory()
    bob, cy = UserFactory(email="bob@example.com"), UserFactory(email="cy@example.com")
    comment = feedback_services.comment_add(feedback=FeedbackFactory(), author=author, body="Thanks @bob")
    assert told() == [bob.pk]
    feedback_services.comment_edit(comment=comment, person=author, body="Thanks @bob and @cy")
    assert sorted(told()) == sorted([bob.pk, cy.pk])  # cy once; bob not a second time
    assert Nudge.objects.filter(kind=Kind.MENTIONED, recipient=cy).count() == 1
    # The text before the edit is not kept in the activity log.
    from activity.models import Activity, Verb

    event = Activity.objects.get(verb=Verb.COMMENT_EDITED)
    assert event.payload == {"comment_id": comment.pk} and "Thanks @bob" not in str(event.payload)
