"""Topics under control: an employee's new topic waits for a moderator (its creator sees it at once);
moderators rename, merge and retire topics; names in any script are kept with readable, unique slugs."""

import re

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import services, topics
from feedback.models import Feedback, Kind, Tag
from feedback.selectors import ListFilters, filtered_posts
from tests.factories import FeedbackFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def post_with_new_topic(person, name: str, title: str = "Stand-ups run long") -> Feedback:
    return services.feedback_post(
        person=person, kind=Kind.DOESNT, title=title, body="b", anonymous=False, new_tag_names=[name]
    )


def snapshot() -> tuple:
    """Every topic and which posts carry it: what a refused request must leave as it was."""
    return (
        list(Tag.objects.order_by("pk").values_list("pk", "name", "slug", "approved_at", "retired_at", "merged_into")),
        sorted(Tag.feedback.through.objects.values_list("feedback_id", "tag_id")),
        Activity.objects.count(),
    )


# --- proposing and approving ---------------------------------------------------------------------------


def test_an_employees_new_topic_waits_for_a_moderator_and_records_the_proposal(author):
    post = post_with_new_topic(author, "Remote Work")
    tag = Tag.objects.get(name="remote work")
    assert tag.approved_at is None and tag.created_by == author and tag.slug == "remote-work"
    assert list(post.tags.all()) == [tag]
    event = Activity.objects.get(verb=Verb.PROPOSED_TOPIC)
    assert event.actor == author and event.payload == {"tag_id": tag.pk, "name": "remote work", "approved": False}


def test_a_moderators_new_topic_is_approved_at_once(moderator):
    post_with_new_topic(moderator, "onboarding")
    assert Tag.objects.get(name="onboarding").approved_at is not None


def test_a_pending_topic_is_seen_by_its_creator_and_moderators_page_but_not_by_others(author, other, moderator):
    post_with_new_topic(author, "rituals")
    tag = Tag.objects.get(name="rituals")
    assert list(Tag.objects.visible_to(author)) == [tag]
    assert list(Tag.objects.visible_to(other)) == []
    topics.topic_approve(moderator=moderator, tag=tag)
    assert list(Tag.objects.visible_to(other)) == [tag]
    assert Activity.objects.filter(verb=Verb.APPROVED_TOPIC, actor=moderator).count() == 1


def test_the_list_card_post_page_filter_api_and_feed_hide_a_pending_topic_from_others(author, other):
    post = post_with_new_topic(author, "rituals")
    tag = Tag.objects.get(name="rituals")
    others, creator = signed_in(other), signed_in(author)

    listing = others.get("/feedback/").content.decode()
    assert "rituals" not in listing  # neither on the card nor among the filter's options
    assert "rituals" not in others.get(post.get_absolute_url()).content.decode()
    assert others.get(f"/feedback/?tag={tag.slug}").context["posts"] == []
    assert list(filtered_posts(person=other, filters=ListFilters(tag=tag.slug))) == []

    mine = creator.get("/feedback/").content.decode()
    assert '>rituals</a> <span class="tag-pending">(awaiting approval)</span>' in mine
    assert f'<option value="{tag.slug}"' in mine
    assert [p.pk for p in creator.get(f"/feedback/?tag={tag.slug}").context["posts"]] == [post.pk]
    assert "rituals" in creator.get(post.get_absolute_url()).content.decode()


def test_the_new_post_form_offers_approved_topics_and_ones_own_pending_ones(author, other):
    TagFactory(name="meetings")
    post_with_new_topic(author, "rituals")
    assert "rituals" in signed_in(author).get("/feedback/new/").content.decode()
    page = signed_in(other).get("/feedback/new/").content.decode()
    assert "meetings" in page and "rituals" not in page
    # Choosing someone's pending topic by id is refused like any id that is not offered.
    pending = Tag.objects.get(name="rituals")
    response = signed_in(other).post(
        "/feedback/new/", {"kind": "works", "title": "t", "body": "b", "tags": [pending.pk]}
    )
    assert response.status_code == 400 or "tags" in response.context["form"].errors
    assert not Feedback.objects.filter(title="t").exists()


def test_the_api_shows_only_topics_the_caller_may_see(author, other):
    post = post_with_new_topic(author, "rituals")
    from feedback import selectors

    assert [t.name for t in selectors.feedback_detail(person=author, pk=post.pk).shown_tags] == ["rituals"]
    assert selectors.feedback_detail(person=other, pk=post.pk).shown_tags == []


def test_the_feedback_feed_lists_only_approved_topics(author, other, moderator):
    from integrations.feeds import feedback_posts

    post_with_new_topic(author, "rituals")
    assert b"rituals" not in feedback_posts(person=other).content
    topics.topic_approve(moderator=moderator, tag=Tag.objects.get(name="rituals"))
    assert b'<category term="rituals"' in feedback_posts(person=other).content


def test_an_anonymous_post_never_carries_someone_elses_pending_topic(author, other):
    post_with_new_topic(author, "rituals")
    tags = services.tags_get_or_create(names=["rituals", "fresh"], person=None)
    fresh = Tag.objects.get(name="fresh")
    assert tags == [fresh] and fresh.created_by is None and fresh.approved_at is None


# --- names in any script -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("日本語のトピック", "日本語のトピック"),
        ("العربية", "العربية"),
        ("Überstunden", "überstunden"),
        ("Совещания", "совещания"),
        ("🎉", "party-popper"),
        ("★★", "black-star-black-star"),
    ],
)
def test_a_name_in_any_script_is_kept_with_a_readable_slug(author, name, slug):
    post = post_with_new_topic(author, name)
    tag = post.tags.get()
    assert tag.name == name.lower() and tag.slug == slug


def test_names_that_slugify_alike_are_kept_apart_with_unique_slugs(author):
    services.tags_get_or_create(names=["a b", "a-b", "A  B", "a b!"], person=author)
    assert sorted(Tag.objects.values_list("name", "slug")) == [("a b", "a-b"), ("a b!", "a-b-3"), ("a-b", "a-b-2")]


def test_the_same_letters_typed_two_ways_are_one_topic(author):
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert services.tags_get_or_create(names=[composed], person=author) == services.tags_get_or_create(
        names=[decomposed], person=author
    )
    assert Tag.objects.count() == 1


def test_the_database_refuses_an_empty_slug_or_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="x", slug="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="", slug="x")


# --- rename, merge, retire -----------------------------------------------------------------------------


def test_a_moderator_renames_a_topic_and_its_slug_follows(moderator):
    tag = TagFactory(name="meetngs", slug="meetngs")
    topics.topic_rename(moderator=moderator, tag=tag, name="Meetings")
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("meetings", "meetings")
    assert Activity.objects.get(verb=Verb.RENAMED_TOPIC).payload == {
        "tag_id": tag.pk,
        "from": "meetngs",
        "to": "meetings",
    }


def test_renaming_to_another_topics_name_or_to_nothing_is_refused(moderator):
    tag, _ = TagFactory(name="a", slug="a"), TagFactory(name="b", slug="b")
    before = snapshot()
    for name in ("B", "   ", "\x00"):
        with pytest.raises(Exception, match="name|Name"):
            topics.topic_rename(moderator=moderator, tag=tag, name=name)
    assert snapshot() == before


def test_merging_gives_the_posts_the_other_topic_once_and_retires_the_merged_one(author, moderator):
    source, target = TagFactory(name="standups", slug="standups"), TagFactory(name="meetings", slug="meetings")
    both, only_source, only_target = (
        FeedbackFactory(author=author),
        FeedbackFactory(author=author),
        FeedbackFactory(author=author),
    )
    both.tags.add(source, target)
    only_source.tags.add(source)
    only_target.tags.add(target)

    topics.topic_merge(moderator=moderator, source=source, target=target)

    through = Tag.feedback.through.objects
    assert sorted(through.values_list("feedback_id", "tag_id")) == sorted(
        [(both.pk, target.pk), (only_source.pk, target.pk), (only_target.pk, target.pk)]
    )
    source.refresh_from_db()
    assert source.retired_at is not None and source.merged_into == target
    assert Activity.objects.get(verb=Verb.MERGED_TOPIC).payload["posts"] == 2
    # The merged name typed again gives the topic it went into.
    assert services.tags_get_or_create(names=["Standups"], person=author) == [target]


def test_merging_into_itself_or_into_a_retired_topic_is_refused(moderator):
    tag, retired = TagFactory(name="a", slug="a"), TagFactory(name="b", slug="b")
    topics.topic_retire(moderator=moderator, tag=retired)
    before = snapshot()
    for target in (tag, retired):
        with pytest.raises(Exception, match="topic"):
            topics.topic_merge(moderator=moderator, source=tag, target=target)
    assert snapshot() == before


def test_a_retired_topic_is_shown_to_nobody_and_not_given_to_new_posts(author, moderator):
    tag = TagFactory(name="old", slug="old")
    post = FeedbackFactory(author=author)
    post.tags.add(tag)
    topics.topic_retire(moderator=moderator, tag=tag)
    assert list(Tag.objects.visible_to(author)) == []
    assert "old" not in [t.name for t in signed_in(author).get(post.get_absolute_url()).context["post"].shown_tags]
    assert services.tags_get_or_create(names=["old"], person=author) == []
    assert post.tags.get() == tag  # kept as history
    assert Activity.objects.filter(verb=Verb.RETIRED_TOPIC).count() == 1


def test_services_refuse_someone_who_is_not_a_moderator(author):
    tag, other_tag = TagFactory(name="a", slug="a", approved_at=None), TagFactory(name="b", slug="b")
    before = snapshot()
    for call in (
        lambda: topics.topic_approve(moderator=author, tag=tag),
        lambda: topics.topic_rename(moderator=author, tag=tag, name="c"),
        lambda: topics.topic_merge(moderator=author, source=tag, target=other_tag),
        lambda: topics.topic_retire(moderator=author, tag=tag),
    ):
        with pytest.raises(Exception, match="moderators"):
            call()
    assert snapshot() == before


# --- the topics page -----------------------------------------------------------------------------------


TOPIC_URLS = [
    ("get", "/feedback/topics/"),
    ("post", "/feedback/topics/{pk}/approve/"),
    ("get", "/feedback/topics/{pk}/rename/"),
    ("post", "/feedback/topics/{pk}/rename/"),
    ("get", "/feedback/topics/{pk}/merge/"),
    ("post", "/feedback/topics/{pk}/merge/"),
    ("get", "/feedback/topics/{pk}/retire/"),
    ("post", "/feedback/topics/{pk}/retire/"),
]


@pytest.mark.parametrize(("method", "url"), TOPIC_URLS)
def test_the_topics_pages_are_a_404_for_everyone_but_moderators_and_change_nothing(author, method, url):
    tag, target = TagFactory(name="a", slug="a", approved_at=None), TagFactory(name="b", slug="b")
    before = snapshot()
    data = {"name": "c", "target": target.pk, "confirmed": "yes"}
    response = getattr(signed_in(author), method)(url.format(pk=tag.pk), data if method == "post" else None)
    assert response.status_code == 404
    assert snapshot() == before


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page():
    response = Client().get("/feedback/topics/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_moderator_approves_renames_merges_and_retires_from_the_page(moderator, author):
    client = signed_in(moderator)
    pending = Tag.objects.create(name="ritual", slug="ritual", created_by=author, approved_at=None)
    target = TagFactory(name="meetings", slug="meetings")
    page = client.get("/feedback/topics/").content.decode()
    assert "ritual" in page and "Ada Author" in page

    assert client.post(f"/feedback/topics/{pending.pk}/approve/").status_code == 302
    pending.refresh_from_db()
    assert pending.approved_at is not None

    assert client.post(f"/feedback/topics/{pending.pk}/rename/", {"name": "Rituals"}).status_code == 302
    pending.refresh_from_db()
    assert pending.name == "rituals"

    # A taken name comes back as a form error, not a 500.
    response = client.post(f"/feedback/topics/{pending.pk}/rename/", {"name": "meetings"})
    assert response.status_code == 400 and "merge the two instead" in response.content.decode()

    # Merge asks once more; only the confirmed POST merges.
    confirm = client.post(f"/feedback/topics/{pending.pk}/merge/", {"target": target.pk})
    assert confirm.status_code == 200 and "Merge them" in confirm.content.decode()
    assert Tag.objects.get(pk=pending.pk).retired_at is None
    done = client.post(f"/feedback/topics/{pending.pk}/merge/", {"target": target.pk, "confirmed": "yes"})
    assert done.status_code == 302 and Tag.objects.get(pk=pending.pk).merged_into == target

    # Retire asks once more too.
    assert client.get(f"/feedback/topics/{target.pk}/retire/").status_code == 200
    assert client.post(f"/feedback/topics/{target.pk}/retire/").status_code == 200
    assert Tag.objects.get(pk=target.pk).retired_at is None
    assert client.post(f"/feedback/topics/{target.pk}/retire/", {"confirmed": "yes"}).status_code == 302
    assert Tag.objects.get(pk=target.pk).retired_at is not None


def test_merging_into_a_topic_that_is_not_offered_is_a_form_error(moderator):
    tag = TagFactory(name="a", slug="a")
    before = snapshot()
    response = signed_in(moderator).post(f"/feedback/topics/{tag.pk}/merge/", {"target": tag.pk, "confirmed": "yes"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("count", [3, 30])
def test_the_topics_page_costs_the_same_queries_whatever_the_number_of_topics(
    moderator, author, count, django_assert_num_queries
):
    for i in range(count):
        tag = Tag.objects.create(
            name=f"t{i}", slug=f"t{i}", created_by=author, approved_at=None if i % 2 else timezone.now()
        )
        FeedbackFactory(author=author).tags.add(tag)
        if i % 3 == 0:
            TagFactory(name=f"u{i}", slug=f"u{i}")
    client = signed_in(moderator)
    # session (+ person, department: one query), open reports (the header count), the topics (+creator, merged into, post count)
    with django_assert_num_queries(3):
        assert client.get("/feedback/topics/").status_code == 200


# --- the admin -----------------------------------------------------------------------------------------


def test_the_feedback_models_are_in_the_admin_and_the_anonymous_queue_is_not():
    from feedback.models import AnonymousQueueEntry, Comment, Report, Vote

    for model in (Feedback, Comment, Tag, Report, Vote):
        assert site.is_registered(model)
    assert not site.is_registered(AnonymousQueueEntry)


def test_staff_see_every_feedback_admin_page_and_others_do_not(author):
    post = FeedbackFactory(author=author)
    staff = signed_in(UserFactory(is_staff=True, is_superuser=True))
    for name in ("feedback", "comment", "tag", "report", "vote", "statuschange", "moderationaction", "feedbackmerge"):
        assert staff.get(f"/admin/feedback/{name}/").status_code == 200, name
    assert staff.get(f"/admin/feedback/feedback/{post.pk}/change/").status_code == 200
    assert signed_in(author).get("/admin/feedback/feedback/").status_code in (302, 404)


def test_the_admin_keeps_the_counters_read_only(author):
    post = FeedbackFactory(author=author, title="Old", vote_count=2, comment_count=1)
    staff = signed_in(UserFactory(is_staff=True, is_superuser=True))
    page = staff.get(f"/admin/feedback/feedback/{post.pk}/change/").content.decode()
    assert not re.search(r'name="(vote_count|comment_count)"', page)
    response = staff.post(
        f"/admin/feedback/feedback/{post.pk}/change/",
        {"title": "New", "body": "*new*", "vote_count": 99, "comment_count": 99},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body_html, post.vote_count, post.comment_count) == ("New", "<p><em>new</em></p>", 2, 1)


def test_every_topic_moderation_lands_in_the_audit_log(moderator):
    from people.models import AuditEvent

    tag, target = TagFactory(name="a", slug="a", approved_at=None), TagFactory(name="b", slug="b")
    topics.topic_approve(moderator=moderator, tag=tag)
    topics.topic_rename(moderator=moderator, tag=tag, name="c")
    topics.topic_merge(moderator=moderator, source=tag, target=target)
    topics.topic_retire(moderator=moderator, tag=target)
    rows = AuditEvent.objects.filter(target_type="feedback.tag").order_by("pk")
    assert [(r.actor_id, r.detail["verb"]) for r in rows] == [
        (moderator.pk, "approved_topic"),
        (moderator.pk, "renamed_topic"),
        (moderator.pk, "merged_topic"),
        (moderator.pk, "retired_topic"),
    ]
