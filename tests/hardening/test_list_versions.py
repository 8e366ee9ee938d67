"""The list pages' counts and filter options come from the cache under content versions that database
triggers bump (socialbiz/versions.py): every write that changes what they show, by a service or a plain
UPDATE, shows on the next view, and what one person may see never reaches another."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from feedback import services as feedback_services
from feedback import topics
from feedback.models import Feedback, Kind, Status, Tag
from movements.models import Movement
from people.models import Department, User
from socialbiz import versions
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def tab_counts(client: Client, query: str = "") -> tuple[str, str, str]:
    """The All / What Works / What Doesn't counts on the feedback list's tabs."""
    html = client.get(f"/feedback/{query}").content.decode()
    return tuple(re.findall(r'<span class="count">([^<]+)</span>', html))


def options_of(html: str, select_id: str) -> str:
    return html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]


def cached_versions() -> int:
    return len(cache.keys("v:*"))


def test_every_write_that_changes_the_feedback_tabs_counts_shows_on_the_next_view():
    viewer = UserFactory()
    post = FeedbackFactory(kind=Kind.WORKS)
    client = signed_in(viewer)
    assert tab_counts(client) == ("1", "1", "0")
    assert cached_versions() > 0
    assert tab_counts(client) == ("1", "1", "0")  # from the cache

    FeedbackFactory(kind=Kind.DOESNT)  # a new post
    assert tab_counts(client) == ("2", "1", "1")
    Feedback.objects.filter(pk=post.pk).update(kind=Kind.DOESNT)  # a plain UPDATE, no service
    assert tab_counts(client) == ("2", "0", "2")
    Feedback.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    assert tab_counts(client) == ("1", "0", "1")
    Feedback.objects.filter(pk=post.pk).update(hidden_at=None, status=Status.PLANNED)
    assert tab_counts(client) == ("2", "0", "2")
    assert tab_counts(client, "?status=planned") == ("1", "0", "1")
    Feedback.objects.filter(pk=post.pk).update(status=Status.RESOLVED)
    assert tab_counts(client, "?status=planned") == ("0", "0", "0")
    Feedback.objects.filter(pk=post.pk).delete()
    assert tab_counts(client) == ("1", "0", "1")


def test_a_moderators_hide_and_a_merge_change_the_counts_at_once():
    moderator, viewer = UserFactory(is_moderator=True), UserFactory()
    first, second = FeedbackFactory(title="Standups"), FeedbackFactory(title="Daily standups")
    client = signed_in(viewer)
    assert tab_counts(client) == ("2", "2", "0")
    feedback_services.moderation_act(moderator=moderator, feedback=first, action="hide", reason="spam")
    assert tab_counts(client) == ("1", "1", "0")
    # The moderator sees hidden posts: their counts are never another person's.
    assert tab_counts(signed_in(moderator)) == ("2", "2", "0")
    assert tab_counts(client) == ("1", "1", "0")
    Feedback.objects.filter(pk=first.pk).update(hidden_at=None)
    Feedback.objects.filter(pk=first.pk).update(merged_into=second)
    assert tab_counts(client) == ("1", "1", "0")


def test_the_counts_follow_movements_topics_and_departments_however_they_change():
    finance, sales = Department.objects.create(name="Finance"), Department.objects.create(name="Sales")
    viewer = UserFactory(department=sales)
    author = UserFactory(department=finance)
    movement = MovementFactory(title="Paperless")
    post = FeedbackFactory(author=author, movement=movement)
    tag = TagFactory(name="meetings")
    client = signed_in(viewer)
    assert tab_counts(client) == ("1", "1", "0")
    assert tab_counts(client, "?tag=meetings") == ("0", "0", "0")
    assert tab_counts(client, f"?department={finance.pk}") == ("1", "1", "0")

    post.tags.add(tag)  # a topic added to the post (the m2m table)
    assert tab_counts(client, "?tag=meetings") == ("1", "1", "0")
    Tag.objects.filter(pk=tag.pk).update(retired_at=timezone.now())  # retired: matches nothing
    assert tab_counts(client, "?tag=meetings") == ("0", "0", "0")

    User.objects.filter(pk=author.pk).update(department=sales)  # the author moved
    assert tab_counts(client, f"?department={finance.pk}") == ("0", "0", "0")
    assert tab_counts(client, f"?department={sales.pk}") == ("1", "1", "0")
    Department.objects.filter(pk=sales.pk).update(path=f"{finance.path}{sales.pk}/")  # the tree changed
    assert tab_counts(client, f"?department={finance.pk}") == ("1", "1", "0")

    # The movement is limited to Legal: its posts leave the lists of people outside it.
    legal = Department.objects.create(name="Legal")
    Movement.objects.filter(pk=movement.pk).update(department=legal)
    assert tab_counts(client) == ("0", "0", "0")
    assert tab_counts(signed_in(UserFactory(department=legal))) == ("1", "1", "0")
    assert tab_counts(client) == ("0", "0", "0")
    # Sales moves under Legal: its people now see what is limited to Legal.
    Department.objects.filter(pk=sales.pk).update(path=f"{legal.path}{sales.pk}/")
    viewer.refresh_from_db()
    assert tab_counts(client) == ("1", "1", "0")


def test_a_pending_topic_filters_only_for_its_creator_and_its_approval_shows_at_once():
    creator, moderator, viewer = UserFactory(), UserFactory(is_moderator=True), UserFactory()
    tag = Tag.objects.create(name="rituals", slug="rituals", created_by=creator, approved_at=None)
    FeedbackFactory().tags.add(tag)
    mine, theirs = signed_in(creator), signed_in(viewer)
    assert tab_counts(mine, "?tag=rituals") == ("1", "1", "0")
    assert tab_counts(theirs, "?tag=rituals") == ("0", "0", "0")
    assert 'value="rituals"' in options_of(mine.get("/feedback/").content.decode(), "filter-tag")
    assert 'value="rituals"' not in options_of(theirs.get("/feedback/").content.decode(), "filter-tag")

    topics.topic_approve(moderator=moderator, tag=tag)
    assert tab_counts(theirs, "?tag=rituals") == ("1", "1", "0")
    assert 'value="rituals"' in options_of(theirs.get("/feedback/").content.decode(), "filter-tag")
    Tag.objects.filter(pk=tag.pk).update(name="Team rituals")  # a plain rename
    assert ">Team rituals</option>" in options_of(theirs.get("/feedback/").content.decode(), "filter-tag")
    TagFactory(name="travel")
    assert 'value="travel"' in options_of(theirs.get("/feedback/").content.decode(), "filter-tag")


def test_the_department_options_follow_every_change_on_both_lists():
    finance = Department.objects.create(name="Finance")
    client = signed_in(UserFactory(department=finance))
    for page, select_id in (("/feedback/", "filter-department"), ("/movements/", "id_department")):
        html = client.get(page).content.decode()
        assert f'<option value="{finance.pk}">Finance</option>' in options_of(html, select_id)
    # The chosen one is marked, on a page whose options came from the cache.
    html = client.get(f"/feedback/?department={finance.pk}").content.decode()
    assert f'<option value="{finance.pk}" selected>Finance</option>' in options_of(html, "filter-department")
    html = client.get(f"/movements/?department={finance.pk}").content.decode()
    assert f'<option value="{finance.pk}" selected>Finance</option>' in options_of(html, "id_department")

    Department.objects.filter(pk=finance.pk).update(name="Accounts")  # a plain UPDATE
    payroll = DepartmentFactory(name="Payroll", parent=finance)
    for page, select_id in (("/feedback/", "filter-department"), ("/movements/", "id_department")):
        options = options_of(client.get(page).content.decode(), select_id)
        assert ">Accounts</option>" in options and ">Finance</option>" not in options
        assert f'value="{payroll.pk}"' in options
    Department.objects.filter(pk=payroll.pk).delete()
    assert f'value="{payroll.pk}"' not in options_of(client.get("/movements/").content.decode(), "id_department")


def test_the_movement_lists_tool_options_follow_the_movements_and_who_may_see_them():
    finance, sales = Department.objects.create(name="Finance"), Department.objects.create(name="Sales")
    movement = MovementFactory(tool="Miro")
    client = signed_in(UserFactory(department=sales))
    assert 'value="Miro"' in options_of(client.get("/movements/").content.decode(), "id_tool")
    Movement.objects.filter(pk=movement.pk).update(tool="Mural")
    options = options_of(client.get("/movements/").content.decode(), "id_tool")
    assert 'value="Mural"' in options and 'value="Miro"' not in options
    MovementFactory(tool="Notion")
    assert 'value="Notion"' in options_of(client.get("/movements/").content.decode(), "id_tool")
    Movement.objects.filter(pk=movement.pk).update(department=finance)  # now limited to Finance
    assert 'value="Mural"' not in options_of(client.get("/movements/").content.decode(), "id_tool")
    finance_page = signed_in(UserFactory(department=finance)).get("/movements/").content.decode()
    assert 'value="Mural"' in options_of(finance_page, "id_tool")


def test_cached_parts_are_kept_per_language():
    viewer = UserFactory()
    FeedbackFactory()
    client = signed_in(viewer)
    client.get("/feedback/")
    before = cached_versions()
    User.objects.filter(pk=viewer.pk).update(language="de")
    assert "Alle" in client.get("/feedback/").content.decode()
    assert cached_versions() > before


def test_a_version_moves_in_the_writing_transaction_and_only_for_what_it_covers():
    post = FeedbackFactory()
    start = versions.read("feedback_list", "departments", "movement_tools")
    Feedback.objects.filter(pk=post.pk).update(vote_count=5, comment_count=2)  # order and cards only
    assert versions.read("feedback_list", "departments", "movement_tools") == start
    Feedback.objects.filter(pk=post.pk).update(status=Status.PLANNED)
    after = versions.read("feedback_list", "departments", "movement_tools")
    assert after["feedback_list"] > start["feedback_list"]
    assert after["departments"] == start["departments"] and after["movement_tools"] == start["movement_tools"]
    User.objects.filter(pk=post.author_id).update(last_login=timezone.now() - timedelta(days=1))
    assert versions.read("feedback_list")["feedback_list"] == after["feedback_list"]


def titles_on(client: Client, query: str = "") -> list[str]:
    html = client.get(f"/feedback/{query}").content.decode()
    return re.findall(r'<h4><a href="/feedback/\d+/">([^<]+)</a></h4>', html)


def test_a_cached_page_of_posts_follows_votes_new_posts_and_moderation():
    voter, viewer, moderator = UserFactory(), UserFactory(), UserFactory(is_moderator=True)
    first = FeedbackFactory(title="First", created_at=timezone.now() - timedelta(days=2))
    second = FeedbackFactory(title="Second", created_at=timezone.now() - timedelta(days=1))
    client = signed_in(viewer)
    assert titles_on(client) == ["Second", "First"]  # top: no votes yet, the newer first
    assert titles_on(client) == ["Second", "First"]  # from the cache
    feedback_services.vote_set(feedback=first, person=voter, voted=True)
    assert titles_on(client) == ["First", "Second"]
    Feedback.objects.filter(pk=second.pk).update(vote_count=7)  # a plain UPDATE of the count
    assert titles_on(client) == ["Second", "First"]
    FeedbackFactory(title="Third")
    assert titles_on(client, "?sort=newest") == ["Third", "Second", "First"]
    feedback_services.moderation_act(moderator=moderator, feedback=second, action="hide", reason="spam")
    assert titles_on(client, "?sort=newest") == ["Third", "First"]
    assert titles_on(signed_in(moderator), "?sort=newest") == ["Third", "Second", "First"]
    assert titles_on(client, "?sort=newest") == ["Third", "First"]
    # The viewer's own vote is read per request, never from the shared page.
    assert 'aria-pressed="true"' not in client.get("/feedback/").content.decode()
    feedback_services.vote_set(feedback=Feedback.objects.get(pk=first.pk), person=viewer, voted=True)
    assert 'aria-pressed="true"' in client.get("/feedback/").content.decode()


def test_a_pending_topic_shows_on_a_cached_page_only_to_its_creator():
    creator, viewer = UserFactory(), UserFactory()
    tag = Tag.objects.create(name="rituals", slug="rituals", created_by=creator, approved_at=None)
    FeedbackFactory(title="Retros").tags.add(tag)
    theirs, mine = signed_in(viewer), signed_in(creator)
    assert "rituals" not in theirs.get("/feedback/").content.decode().split("feedback-results", 1)[1]
    assert "awaiting approval" in mine.get("/feedback/").content.decode()
    assert "rituals" not in theirs.get("/feedback/").content.decode().split("feedback-results", 1)[1]


def movement_titles(client: Client, query: str = "") -> list[str]:
    html = client.get(f"/movements/{query}").content.decode()
    return re.findall(r'<h3><a href="/movements/[^"]+/">([^<]+)</a></h3>', html)


def test_a_cached_page_of_movements_follows_new_movements_members_searches_and_visibility():
    finance, sales = Department.objects.create(name="Finance"), Department.objects.create(name="Sales")
    older = MovementFactory(title="Older", created_at=timezone.now() - timedelta(days=3))
    newer = MovementFactory(title="Newer", created_at=timezone.now() - timedelta(days=1))
    client = signed_in(UserFactory(department=sales))
    assert movement_titles(client) == ["Newer", "Older"]
    assert movement_titles(client) == ["Newer", "Older"]  # from the cache
    Movement.objects.filter(pk=older.pk).update(follower_count=5)  # a plain UPDATE
    assert movement_titles(client, "?sort=followers") == ["Older", "Newer"]
    MovementFactory(title="Newest")
    assert movement_titles(client) == ["Newest", "Newer", "Older"]
    assert movement_titles(client, "?q=kanban") == []
    Movement.objects.filter(pk=newer.pk).update(pitch="Kanban boards for everyone")
    assert movement_titles(client, "?q=kanban") == ["Newer"]
    Movement.objects.filter(pk=newer.pk).update(department=finance)  # limited to Finance now
    assert movement_titles(client) == ["Newest", "Older"]
    assert movement_titles(signed_in(UserFactory(department=finance))) == ["Newest", "Newer", "Older"]
    assert movement_titles(client) == ["Newest", "Older"]
    Movement.objects.filter(pk=older.pk).delete()
    assert movement_titles(client) == ["Newest"]


def test_the_filter_forms_and_tabs_rendered_once_are_each_viewers_own_and_follow_the_query():
    alice, bob = UserFactory(), UserFactory()
    MovementFactory(title="Alices movement", founder=alice)
    MovementFactory(title="Bobs movement", founder=bob)
    FeedbackFactory()
    alice_form = options_of(signed_in(alice).get("/feedback/").content.decode(), "filter-movement")
    bob_form = options_of(signed_in(bob).get("/feedback/").content.decode(), "filter-movement")
    assert "Alices movement" in alice_form and "Bobs movement" not in alice_form
    assert "Bobs movement" in bob_form and "Alices movement" not in bob_form

    client = signed_in(alice)
    html = client.get("/feedback/?status=planned&sort=newest").content.decode()
    assert '<option value="planned" selected>' in options_of(html, "filter-status")
    assert "?status=planned&amp;sort=newest&amp;kind=works" in html  # the tabs keep the filters
    html = client.get("/feedback/").content.decode()
    assert '<option value="planned" selected>' not in options_of(html, "filter-status")
    assert "?kind=works" in html and "status=planned" not in html

    html = client.get("/movements/?stage=piloting").content.decode()
    assert '<option value="piloting" selected>' in options_of(html, "id_stage")
    html = client.get("/movements/").content.decode()
    assert '<option value="piloting" selected>' not in options_of(html, "id_stage")
    User.objects.filter(pk=alice.pk).update(language="fr")
    french = client.get("/movements/").content.decode().split('class="browse-form', 1)[1].split("</form>", 1)[0]
    assert "Any stage" not in french  # the form in French, not the English one kept for Alice before


def test_the_movement_options_follow_joining_leaving_and_renaming():
    from movements import services as movement_services

    person = UserFactory()
    movement = MovementFactory(title="Paperless")
    client = signed_in(person)
    assert "Paperless" not in options_of(client.get("/feedback/").content.decode(), "filter-movement")
    membership = movement_services.membership_join(movement=movement, person=person)
    assert "Paperless" in options_of(client.get("/feedback/").content.decode(), "filter-movement")
    Movement.objects.filter(pk=movement.pk).update(title="No more paper")  # a plain UPDATE
    options = options_of(client.get("/feedback/").content.decode(), "filter-movement")
    assert "No more paper" in options and "Paperless" not in options
    type(membership).objects.filter(pk=membership.pk).update(left_at=timezone.now())
    assert "No more paper" not in options_of(client.get("/feedback/").content.decode(), "filter-movement")


def test_the_lists_read_their_cached_parts_in_one_round_trip_and_still_follow_every_write(monkeypatch):
    """versions.prefetch: one get_many for the counts, the page, the options; a write between two views
    still shows at once (the prefetched keys carry the versions read by that same request)."""
    viewer = UserFactory()
    post = FeedbackFactory(kind=Kind.WORKS)
    client = signed_in(viewer)
    assert tab_counts(client) == ("1", "1", "0")
    reads = []
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if _name == "get_many" or str(args[0]).startswith("v:"):
                reads.append((_name, args[0]))
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, counted)
    assert tab_counts(client) == ("1", "1", "0")
    version_reads = [read for read in reads if read[0] == "get" or any(key.startswith("v:") for key in read[1])]
    assert len(version_reads) == 1 and version_reads[0][0] == "get_many" and len(version_reads[0][1]) == 5
    Feedback.objects.filter(pk=post.pk).update(kind=Kind.DOESNT)
    assert tab_counts(client) == ("1", "0", "1")
    reads.clear()
    assert client.get("/movements/").status_code == 200
    version_reads = [read for read in reads if read[0] == "get" or any(key.startswith("v:") for key in read[1])]
    assert len(version_reads) == 1 and len(version_reads[0][1]) == 3


def test_prefetched_values_are_only_the_ones_asked_for_under_the_versions_read():
    versions_now = versions.read("feedback_list")
    assert versions.cached(versions_now, "feedback_list", ("probe",), lambda: "first") == "first"
    versions.prefetch(versions_now, [("feedback_list", ("probe",)), ("feedback_list", ("absent",))])
    assert versions.cached(versions_now, "feedback_list", ("probe",), lambda: "recomputed") == "first"
    assert versions.cached(versions_now, "feedback_list", ("absent",), lambda: "computed") == "computed"
    FeedbackFactory()  # bumps feedback_list
    later = versions.read("feedback_list")
    versions.prefetch(later, [("feedback_list", ("probe",))])
    assert versions.cached(later, "feedback_list", ("probe",), lambda: "new") == "new"
