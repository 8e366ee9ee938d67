from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feedback.models import Comment, Feedback, Kind, ModerationAction, Report, Status, StatusChange, Vote
from tests.factories import CommentFactory, FeedbackFactory, TagFactory, UserFactory, VoteFactory

LIST = "/feedback/"
NEW = "/feedback/new/"


def detail(post) -> str:
    return f"/feedback/{post.pk}/"


# --- list --------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_every_feedback_page(client, post):
    for url in (LIST, NEW, detail(post), "/feedback/moderation/", f"/feedback/{post.pk}/vote/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_list_shows_posts_with_kind_status_and_votes(client, other, post):
    VoteFactory(feedback=post)
    Feedback.objects.filter(pk=post.pk).update(vote_count=1)
    client.force_login(other)
    response = client.get(LIST)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Meetings run long" in body and "What Doesn&#x27;t" in body and 'class="vote-count">1<' in body


def test_list_rejects_post_with_405(client, other):
    client.force_login(other)
    assert client.post(LIST).status_code == 405


def test_hidden_posts_vanish_for_everyone_but_moderators(client, other, moderator, post):
    Feedback.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    client.force_login(other)
    assert "Meetings run long" not in client.get(LIST).content.decode()
    assert client.get(detail(post)).status_code == 404
    client.force_login(moderator)
    assert "Meetings run long" in client.get(LIST).content.decode()
    assert client.get(detail(post)).status_code == 200


def test_outsider_of_a_department_limited_movement_gets_404_for_its_feedback(
    client, outsider, limited_post, limited_movement
):
    client.force_login(outsider)
    assert "Sales secret" not in client.get(LIST).content.decode()
    assert client.get(detail(limited_post)).status_code == 404
    assert client.post(f"/feedback/{limited_post.pk}/vote/", {"state": "vote"}).status_code == 404
    assert not Vote.objects.filter(feedback=limited_post).exists()
    assert client.post(f"/feedback/{limited_post.pk}/comments/", {"body": "hi"}).status_code == 404
    assert client.get(f"/feedback/{limited_post.pk}/report/").status_code == 404
    assert client.get(f"{LIST}?movement={limited_movement.pk}").content.decode().count("Sales secret") == 0
    assert not Vote.objects.exists() and not Comment.objects.exists()


def test_insider_of_the_department_sees_it(client, limited_post, sales):
    insider = UserFactory(department=sales)
    client.force_login(insider)
    assert client.get(detail(limited_post)).status_code == 200


def test_filters_by_kind_status_tag_movement_and_department(client, other, movement, sales):
    tag = TagFactory(name="meetings")
    works = FeedbackFactory(kind=Kind.WORKS, title="Alpha works")
    doesnt = FeedbackFactory(kind=Kind.DOESNT, title="Beta doesnt", status=Status.PLANNED, movement=movement)
    doesnt.tags.add(tag)
    sales_post = FeedbackFactory(title="Gamma by sales", author=UserFactory(department=sales))
    FeedbackFactory(title="Delta anonymous", author=None, is_anonymous=True)
    client.force_login(other)

    def titles(query: str) -> set[str]:
        body = client.get(f"{LIST}?{query}").content.decode()
        return {t for t in ("Alpha works", "Beta doesnt", "Gamma by sales", "Delta anonymous") if t in body}

    assert titles("kind=works") == {"Alpha works", "Gamma by sales", "Delta anonymous"}
    assert titles("kind=doesnt") == {"Beta doesnt"}
    assert titles("status=planned") == {"Beta doesnt"}
    assert titles("tag=meetings") == {"Beta doesnt"}
    assert titles(f"movement={movement.pk}") == {"Beta doesnt"}
    assert titles(f"department={sales.pk}") == {"Gamma by sales"}
    assert works and sales_post


def test_full_text_search_finds_words_in_title_and_body_on_postgresql(client, other):
    FeedbackFactory(title="Meetings without agenda", body="We waste hours.")
    FeedbackFactory(title="Great onboarding", body="The buddy system helped.")
    client.force_login(other)
    body = client.get(f"{LIST}?q=meeting").content.decode()  # stemmed: meeting ~ meetings
    assert "Meetings without agenda" in body and "Great onboarding" not in body
    body = client.get(f"{LIST}?q=buddies").content.decode()
    assert "Great onboarding" in body and "Meetings without agenda" not in body


def test_sorts_top_newest_and_trending(client, other):
    now = timezone.now()
    old_popular = FeedbackFactory(title="Old popular", created_at=now - timedelta(days=60), vote_count=5)
    for _ in range(5):
        VoteFactory(feedback=old_popular, created_at=now - timedelta(days=50))
    rising = FeedbackFactory(title="Rising", created_at=now - timedelta(days=20), vote_count=2)
    for _ in range(2):
        VoteFactory(feedback=rising, created_at=now - timedelta(days=1))
    FeedbackFactory(title="Brand new", created_at=now)
    client.force_login(other)

    def order(sort: str) -> list[str]:
        body = client.get(f"{LIST}?sort={sort}").content.decode()
        return sorted(["Old popular", "Rising", "Brand new"], key=body.index)

    assert order("top") == ["Old popular", "Rising", "Brand new"]
    assert order("newest") == ["Brand new", "Rising", "Old popular"]
    assert order("trending") == ["Rising", "Old popular", "Brand new"]


def test_past_the_count_cap_the_tabs_and_the_pager_say_plus(client, other, monkeypatch):
    from feedback import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 30)
    for i in range(45):
        FeedbackFactory(title=f"Post number {i:02d}", created_at=timezone.now() - timedelta(minutes=i))
    FeedbackFactory(kind="doesnt", title="The only complaint")
    client.force_login(other)
    body = client.get(f"{LIST}?kind=works&sort=newest").content.decode()
    assert '<span class="count">30+</span>' in body  # What Works: 45, counted up to 30
    assert '<span class="count">1</span>' in body  # What Doesn't: 1
    assert '<span class="count">31+</span>' in body  # All
    assert "Page 1 of 2+" in body
    # The pages up to the cap are all reachable, with their posts.
    assert "Post number 39" in client.get(f"{LIST}?kind=works&sort=newest&page=2").content.decode()


def test_pagination_and_htmx_partial(client, other):
    for i in range(25):
        FeedbackFactory(title=f"Post number {i:02d}", created_at=timezone.now() - timedelta(minutes=i))
    client.force_login(other)
    first = client.get(f"{LIST}?kind=works&sort=newest").content.decode()
    second = client.get(f"{LIST}?kind=works&sort=newest&page=2").content.decode()
    assert "Post number 00" in first and "Post number 19" in first and "Post number 20" not in first
    assert "Post number 24" in second and "Page 2 of 2" in second
    partial = client.get(f"{LIST}?kind=works&sort=newest&page=2", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="feedback-browse"' in partial and "Post number 24" in partial
    assert '<option value="works" selected>' in partial  # the filters swap with the results


def test_both_kinds_show_side_by_side_in_two_columns_of_10(client, other):
    for i in range(12):
        FeedbackFactory(kind=Kind.WORKS, title=f"Works {i:02d}", created_at=timezone.now() - timedelta(minutes=i))
    FeedbackFactory(kind=Kind.DOESNT, title="Doesnt 00")
    client.force_login(other)
    response = client.get(f"{LIST}?sort=newest")
    assert [p.title for p in response.context["works"]] == [f"Works {i:02d}" for i in range(10)]
    assert [p.title for p in response.context["doesnt"]] == ["Doesnt 00"]
    body = response.content.decode()
    assert (
        body.index("column-works-title")
        < body.index("Works 00")
        < body.index("column-doesnt-title")
        < body.index("Doesnt 00")
    )
    second = client.get(f"{LIST}?sort=newest&page=2")
    assert [p.title for p in second.context["works"]] == ["Works 10", "Works 11"] and second.context["doesnt"] == []


def test_nonsense_filters_are_ignored_not_an_error(client, other, post):
    client.force_login(other)
    response = client.get(
        f"{LIST}?kind=maybe&status=%00&tag=%3Cscript%3E&movement=abc&department=99999999999999999999&sort=x&page=-1&q=%00"
    )
    assert response.status_code == 200 and "Meetings run long" in response.content.decode()


# --- query counts ------------------------------------------------------------------------------


def _make_posts(count: int) -> None:
    tag = TagFactory(name="tools")
    authors = [UserFactory() for _ in range(3)]
    for i in range(count):
        post = FeedbackFactory(kind=Kind.WORKS if i % 2 else Kind.DOESNT, author=authors[i % 3])
        post.tags.add(tag)
        if i % 3 == 0:
            CommentFactory(feedback=post, author=authors[0])


@pytest.mark.parametrize("count", [10, 100])
def test_list_query_count_is_the_same_for_10_and_100_posts(client, other, count, django_assert_num_queries):
    _make_posts(count)
    client.force_login(other)
    # session (+ person, department: one query), the content versions (socialbiz/versions.py), counts per kind for the tabs (also the
    # paginators' counts), the person's department (movement visibility), per column (works, doesn't): the
    # page (+author, department, movement) and its tags, my votes among the shown posts, filter options:
    # tags, movements, departments
    with django_assert_num_queries(11):
        response = client.get(LIST)
    assert response.status_code == 200
    # Again, with nothing written in between: counts, posts, topics and departments come from the cache.
    # session (+ person, department: one query), the content versions, the person's department, my votes
    with django_assert_num_queries(3):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("count", [10, 100])
def test_htmx_list_query_count_is_the_same_for_10_and_100_posts(client, other, count, django_assert_num_queries):
    _make_posts(count)
    client.force_login(other)
    # session (+ person, department: one query), the content versions, counts per kind, the person's department, the works page and its
    # tags, my votes (one kind chosen, so one column), filter options: tags, movements, departments
    with django_assert_num_queries(9):
        response = client.get(f"{LIST}?kind=works&sort=trending&q=body", headers={"HX-Request": "true"})
    cards = response.content.decode().count('<li class="card feedback-card')
    assert response.status_code == 200 and cards == min(count // 2, 20)
    # Again: the counts and the topics and departments come from the cache; a trending page (its order
    # moves with the clock) is read each time.
    # session (+ person, department: one query), the content versions, the person's department, the works page and its tags, my votes
    with django_assert_num_queries(5):
        client.get(f"{LIST}?kind=works&sort=trending&q=body", headers={"HX-Request": "true"})


@pytest.mark.parametrize("comments", [3, 60])
def test_post_page_query_count_is_the_same_for_few_and_many_comments(
    client, other, post, comments, django_assert_num_queries
):
    commenters = [UserFactory() for _ in range(3)]
    for i in range(comments):
        CommentFactory(feedback=post, author=commenters[i % 3])
    type(post).objects.filter(pk=post.pk).update(body=f"Ask @{commenters[0].email.split('@')[0]}")
    client.force_login(other)
    # The clock held still: the comments read "N seconds ago" alike on both views (their age is in the key).
    with time_machine.travel(timezone.now(), tick=False):
        # session (+ person, their department: one query), the content versions, the post's head
        # (+ my vote, the movements' titles); the first view renders its content: the post (+author, department,
        # movement, my vote), its tags, comments (+authors), answers (+who answered), who proposed its pending
        # topics, the people @mentioned in the post and its comments; am I watching it
        with django_assert_num_queries(10):
            response = client.get(detail(post))
        assert response.status_code == 200 and response.content.decode().count('class="card comment"') == comments
        # Later views read the content from the cache (feedback/views.py: _kept_post_page).
        with django_assert_num_queries(4):
            response = client.get(detail(post))
        assert response.status_code == 200 and response.content.decode().count('class="card comment"') == comments


# --- posting -----------------------------------------------------------------------------------


def test_form_explains_what_anonymous_protects_and_what_not(client, other):
    client.force_login(other)
    body = client.get(NEW).content.decode()
    assert "What anonymous protects:" in body and "What it does not protect:" in body
    assert 'name="anonymous"' in body


def test_posting_by_name_redirects_to_the_post(client, author, movement):
    client.force_login(author)
    response = client.post(
        NEW,
        {
            "kind": "works",
            "title": "Stand-ups",
            "body": "Short *and* sweet",
            "movement": movement.pk,
            "new_tags": "rituals",
        },
    )
    post = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(post)
    assert post.author == author and post.movement == movement and post.body_html == "<p>Short <em>and</em> sweet</p>"
    assert list(post.tags.values_list("name", flat=True)) == ["rituals"]


def test_posting_anonymously_queues_the_post_and_says_when_it_appears(client, author):
    from feedback.models import AnonymousQueueEntry

    client.force_login(author)
    response = client.post(NEW, {"kind": "doesnt", "title": "Too many tools", "body": "Really", "anonymous": "on"})
    assert response.status_code == 302 and response["Location"] == "/feedback/"
    assert not Feedback.objects.exists()
    assert AnonymousQueueEntry.objects.get().title == "Too many tools"
    page = client.get(response["Location"]).content.decode()
    assert "will appear in the list within about an hour" in page


def test_an_anonymous_post_to_a_movement_the_person_cannot_see_is_refused(client, outsider, limited_movement):
    from feedback.models import AnonymousQueueEntry

    client.force_login(outsider)
    data = {"kind": "doesnt", "title": "t", "body": "b", "anonymous": "on", "movement": limited_movement.pk}
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert not AnonymousQueueEntry.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "works", "title": "", "body": "b"}, "title"),
        ({"kind": "works", "title": "   ", "body": "b"}, "title"),
        ({"kind": "works", "title": "t", "body": ""}, "body"),
        ({"kind": "works", "title": "t", "body": "x" * 20001}, "body"),
        ({"kind": "sometimes", "title": "t", "body": "b"}, "kind"),
        ({"kind": "works", "title": "t", "body": "b", "movement": "999999"}, "movement"),
        ({"kind": "works", "title": "t", "body": "b", "tags": "999999"}, "tags"),
        ({"kind": "works", "title": "t\x00", "body": "b"}, "title"),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_changes_nothing(client, author, data, field):
    client.force_login(author)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Feedback.objects.exists()


def test_a_10_mb_body_is_refused_without_an_error_page(client, author):
    client.force_login(author)
    response = client.post(NEW, {"kind": "works", "title": "t", "body": "x" * 10_000_000})
    assert 400 <= response.status_code < 500
    assert not Feedback.objects.exists()


def test_a_movement_the_person_cannot_see_is_not_offered_or_accepted(client, outsider, limited_movement):
    client.force_login(outsider)
    assert "Sales only" not in client.get(NEW).content.decode()
    response = client.post(NEW, {"kind": "works", "title": "t", "body": "b", "movement": limited_movement.pk})
    assert response.context["form"].errors.get("movement") and not Feedback.objects.exists()


def test_posting_too_fast_gets_a_clear_429_and_is_not_saved(client, author, settings):
    settings.FEEDBACK_POST_RATE_LIMIT = "2 per 10 minutes"
    client.force_login(author)
    for i in range(2):
        assert client.post(NEW, {"kind": "works", "title": f"t{i}", "body": "b"}).status_code == 302
    response = client.post(NEW, {"kind": "works", "title": "third", "body": "b"})
    assert response.status_code == 429
    assert "You are posting faster than the board allows" in response.content.decode()
    assert Feedback.objects.count() == 2
    # Someone else is not slowed down by it.
    client.force_login(UserFactory())
    assert client.post(NEW, {"kind": "works", "title": "other", "body": "b"}).status_code == 302


def test_new_rejects_put_with_405(client, author):
    client.force_login(author)
    assert client.put(NEW).status_code == 405


def test_script_in_markdown_does_not_reach_the_page(client, author):
    client.force_login(author)
    client.post(
        NEW,
        {
            "kind": "works",
            "title": "<script>alert('t')</script>",
            "body": "<script>alert('b')</script><a hx-get='/x' onclick='x()'>y</a>",
        },
    )
    post = Feedback.objects.get()
    body = client.get(detail(post)).content.decode()
    assert "<script>alert" not in body and "onclick" not in body and "hx-get='/x'" not in body
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in body


# --- post page and "turn into a movement" ------------------------------------------------------


def test_turn_into_a_movement_shows_only_on_a_post_with_votes(client, other, post):
    client.force_login(other)
    assert "from_feedback" not in client.get(detail(post)).content.decode()
    VoteFactory(feedback=post)
    Feedback.objects.filter(pk=post.pk).update(vote_count=1)
    assert f'href="/movements/new/?from_feedback={post.pk}"' in client.get(detail(post)).content.decode()


def test_anonymous_post_shows_no_author_and_only_the_day(client, other):
    post = FeedbackFactory(
        author=None, is_anonymous=True, created_at=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    )
    client.force_login(other)
    body = client.get(detail(post)).content.decode()
    assert "Posted anonymously" in body and "00:00" not in body


def test_detail_rejects_post_with_405(client, other, post):
    client.force_login(other)
    assert client.post(detail(post)).status_code == 405


# --- votes -------------------------------------------------------------------------------------


def test_vote_plain_form_sets_the_state_asked_for_and_redirects_back(client, other, post):
    client.force_login(other)
    response = client.post(f"/feedback/{post.pk}/vote/", {"state": "vote", "next": "/feedback/?sort=newest"})
    assert response.status_code == 302 and response["Location"] == "/feedback/?sort=newest"
    post.refresh_from_db()
    assert post.vote_count == 1 and Vote.objects.filter(person=other, feedback=post).exists()
    response = client.post(f"/feedback/{post.pk}/vote/", {"state": "unvote", "next": "https://evil.example.com/"})
    assert response["Location"] == post.get_absolute_url()
    post.refresh_from_db()
    assert post.vote_count == 0


def test_a_stale_tab_that_asks_to_vote_again_keeps_the_vote(client, other, post):
    client.force_login(other)
    client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"})
    client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"})  # the second tab still showed "not voted"
    post.refresh_from_db()
    assert post.vote_count == 1 == Vote.objects.filter(person=other, feedback=post).count()


def test_a_vote_without_a_state_is_a_400_that_changes_nothing(client, other, post):
    client.force_login(other)
    for data in ({}, {"state": "toggle"}, {"state": "\x00"}):
        response = client.post(f"/feedback/{post.pk}/vote/", data)
        assert response.status_code == 400
        assert "Nothing changed" in response.content.decode()
    post.refresh_from_db()
    assert post.vote_count == 0 and not Vote.objects.exists()


def test_vote_with_htmx_returns_the_button_with_the_new_count(client, other, post):
    client.force_login(other)
    response = client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "<form" not in body
    assert 'class="vote-count">1<' in body and 'aria-pressed="true"' in body
    # The next click on this button asks to take the vote back.
    assert 'name="state" value="unvote"' in body


def test_the_vote_button_asks_for_the_state_it_does_not_show(client, other, post):
    client.force_login(other)
    assert 'name="state" value="vote"' in client.get(detail(post)).content.decode()
    client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"})
    page = client.get(detail(post)).content.decode()
    assert 'name="state" value="unvote"' in page and 'hx-sync="this:queue all"' in page


def test_vote_query_count_is_fixed(client, other, post, django_assert_num_queries):
    client.force_login(other)
    # session (+ person, department: one query), person's department (visibility), the post; savepoint, lock the post, vote exists?,
    # insert the vote, count +1, the event (activity row), acted-on nudges (in its savepoint: 3), the voter
    # watches the post (conversation app), re-read the count, release
    with django_assert_num_queries(14):
        client.post(f"/feedback/{post.pk}/vote/", {"state": "vote"}, headers={"HX-Request": "true"})


def test_vote_get_is_405_and_changes_nothing(client, other, post):
    client.force_login(other)
    assert client.get(f"/feedback/{post.pk}/vote/").status_code == 405
    assert not Vote.objects.exists()


def test_anonymous_visitor_cannot_vote(client, post):
    response = client.post(f"/feedback/{post.pk}/vote/")
    assert response.status_code == 302 and not Vote.objects.exists()


# --- comments ----------------------------------------------------------------------------------


def test_comment_by_name_then_edit_and_delete_own(client, other, post):
    client.force_login(other)
    assert client.post(f"/feedback/{post.pk}/comments/", {"body": "Same here"}).status_code == 302
    comment = Comment.objects.get()
    assert comment.author == other
    assert "Otto Other" in client.get(detail(post)).content.decode()
    assert client.post(f"/feedback/comments/{comment.pk}/edit/", {"body": "Same here, really"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Same here, really"
    assert client.post(f"/feedback/comments/{comment.pk}/delete/").status_code == 302
    assert not Comment.objects.exists()


def test_empty_comment_gets_a_message_and_nothing_is_saved(client, other, post):
    client.force_login(other)
    response = client.post(f"/feedback/{post.pk}/comments/", {"body": "   "})
    assert response.status_code == 400 and response.context["comment_form"].errors["body"]
    assert not Comment.objects.exists()


def test_someone_elses_comment_cannot_be_edited_or_deleted(client, author, other, post):
    comment = CommentFactory(feedback=post, author=other, body="Mine")
    client.force_login(author)
    assert client.get(f"/feedback/comments/{comment.pk}/edit/").status_code == 404
    assert client.post(f"/feedback/comments/{comment.pk}/edit/", {"body": "Yours"}).status_code == 404
    assert client.post(f"/feedback/comments/{comment.pk}/delete/").status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_own_comment_is_frozen_after_15_minutes(client, other, post):
    comment = CommentFactory(feedback=post, author=other, body="Old", created_at=timezone.now() - timedelta(minutes=16))
    client.force_login(other)
    response = client.post(f"/feedback/comments/{comment.pk}/edit/", {"body": "New"}, follow=True)
    assert "only in the first 15 minutes" in response.content.decode()
    client.post(f"/feedback/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.body == "Old"
    assert "Edit</a>" not in client.get(detail(post)).content.decode()


# --- official answers --------------------------------------------------------------------------


def test_moderator_answers_and_the_history_shows(client, moderator, post):
    client.force_login(moderator)
    response = client.post(f"/feedback/{post.pk}/answer/", {"status": "planned", "response": "We will fix it in May."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.PLANNED and post.first_answered_at
    body = client.get(detail(post)).content.decode()
    assert "We will fix it in May." in body and "Mona Moderator" in body


def test_lead_of_the_linked_movement_sees_and_uses_the_answer_form(client, lead, movement_post):
    client.force_login(lead)
    assert "Answer officially" in client.get(detail(movement_post)).content.decode()
    client.post(f"/feedback/{movement_post.pk}/answer/", {"status": "in_progress", "response": "Piloting it."})
    movement_post.refresh_from_db()
    assert movement_post.status == Status.IN_PROGRESS


@pytest.mark.parametrize("who", ["author", "other"])
def test_author_and_other_employees_may_not_answer(client, who, author, other, movement_post):
    client.force_login({"author": author, "other": other}[who])
    assert "Answer officially" not in client.get(detail(movement_post)).content.decode()
    assert (
        client.post(f"/feedback/{movement_post.pk}/answer/", {"status": "resolved", "response": "x"}).status_code == 403
    )
    movement_post.refresh_from_db()
    assert movement_post.status == Status.NEW and not StatusChange.objects.exists()


def test_outsider_answering_gets_404(client, outsider, limited_post):
    client.force_login(outsider)
    assert (
        client.post(f"/feedback/{limited_post.pk}/answer/", {"status": "resolved", "response": "x"}).status_code == 404
    )
    assert not StatusChange.objects.exists()


def test_a_status_not_in_the_list_gets_a_message_and_changes_nothing(client, moderator, post):
    client.force_login(moderator)
    response = client.post(f"/feedback/{post.pk}/answer/", {"status": "done", "response": "x"})
    assert response.status_code == 400 and response.context["answer_form"].errors["status"]
    post.refresh_from_db()
    assert post.status == Status.NEW and not StatusChange.objects.exists()


def test_answer_get_is_405(client, moderator, post):
    client.force_login(moderator)
    assert client.get(f"/feedback/{post.pk}/answer/").status_code == 405


# --- reports and moderation --------------------------------------------------------------------


def test_report_post_and_comment_then_moderator_hides_from_the_queue(client, other, moderator, post):
    comment = CommentFactory(feedback=post, body="Off-topic rant")
    client.force_login(other)
    assert client.get(f"/feedback/{post.pk}/report/").status_code == 200
    assert client.post(f"/feedback/{post.pk}/report/", {"reason": "Names someone"}).status_code == 302
    assert client.post(f"/feedback/comments/{comment.pk}/report/", {"reason": "Rant"}).status_code == 302
    assert Report.objects.count() == 2
    client.force_login(moderator)
    queue = client.get("/feedback/moderation/").content.decode()
    assert "Names someone" in queue and "Off-topic rant" in queue
    response = client.post(
        f"/feedback/comments/{comment.pk}/moderate/", {"action": "hide", "reason": "Rude", "confirmed": "yes"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    client.force_login(other)
    assert "Off-topic rant" not in client.get(detail(post)).content.decode()
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert ModerationAction.objects.get().moderator == moderator


def test_empty_report_reason_gets_a_message(client, other, post):
    client.force_login(other)
    response = client.post(f"/feedback/{post.pk}/report/", {"reason": " "})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    assert not Report.objects.exists()


def test_moderation_pages_are_404_for_non_moderators_and_change_nothing(client, other, lead, post):
    for person in (other, lead):
        client.force_login(person)
        assert client.get("/feedback/moderation/").status_code == 404
        assert client.post(f"/feedback/{post.pk}/moderate/", {"action": "hide", "reason": "x"}).status_code == 404
    post.refresh_from_db()
    assert post.hidden_at is None and not ModerationAction.objects.exists()


def test_moderation_without_a_reason_gets_a_message(client, moderator, post):
    client.force_login(moderator)
    response = client.post(f"/feedback/{post.pk}/moderate/", {"action": "hide", "reason": ""})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    post.refresh_from_db()
    assert post.hidden_at is None


def test_moderation_queue_rejects_post_with_405(client, moderator):
    client.force_login(moderator)
    assert client.post("/feedback/moderation/").status_code == 405


@pytest.mark.parametrize("reported", [2, 20])
def test_moderation_queue_query_count_is_fixed(client, moderator, other, reported, django_assert_num_queries):
    for _ in range(reported):
        post = FeedbackFactory(author=other)
        Report.objects.create(feedback=post, reporter=other, reason="r")
        Report.objects.create(comment=CommentFactory(feedback=post, author=other), reporter=other, reason="r")
        ModerationAction.objects.create(feedback=post, moderator=moderator, action="dismiss", reason="ok")
    client.force_login(moderator)
    # session (+ person, department: one query), open reports (the header count), reports (+reporter, post, comment, its author and post),
    # hidden posts, hidden comments, log
    with django_assert_num_queries(6):
        assert client.get("/feedback/moderation/").status_code == 200


@pytest.mark.parametrize("options", [2, 20])
def test_form_query_count_is_fixed(client, other, options, django_assert_num_queries):
    from tests.factories import MovementFactory

    founder = UserFactory()
    for i in range(options):
        TagFactory(name=f"topic {i}")
        MovementFactory(founder=founder)
    client.force_login(other)
    # session (+ person, department: one query), the person's department (movement visibility), movements, topics (+ "any topics?" check)
    with django_assert_num_queries(4):
        assert client.get(NEW).status_code == 200


def test_reverse_names_exist():
    assert reverse("feedback:moderation") == "/feedback/moderation/"
    assert reverse("feedback:new") == NEW


def test_moderator_restores_a_hidden_post_from_its_page_and_everyone_sees_it_again(client, moderator, other, post):
    Feedback.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    client.force_login(moderator)
    page = client.get(f"/feedback/{post.pk}/moderate/?action=restore&next=/feedback/{post.pk}/")
    assert page.status_code == 200 and page.context["form"].initial["action"] == "restore"
    response = client.post(
        f"/feedback/{post.pk}/moderate/",
        {"action": "restore", "reason": "Cleared with HR", "next": f"/feedback/{post.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/feedback/{post.pk}/"
    assert ModerationAction.objects.get().reason == "Cleared with HR"
    client.force_login(other)
    assert client.get(detail(post)).status_code == 200


def test_an_empty_post_to_a_form_shows_the_field_errors(client, other, post):
    comment = CommentFactory(feedback=post, author=other)
    client.force_login(other)
    response = client.post(f"/feedback/comments/{comment.pk}/edit/", {})
    assert response.status_code == 400 and response.context["form"].errors["body"]
    response = client.post(f"/feedback/{post.pk}/report/", {})
    assert response.status_code == 400 and response.context["form"].errors["reason"]


# --- the nudges hear what people do here (the event channel, not a hand-paired hook) ---------------


def test_an_answered_nudge_counts_as_acted_on_after_a_comment_or_a_vote_from_the_pages(
    client, post, author, other, moderator, mailoutbox
):
    from nudges import services as nudge_services
    from nudges.models import Kind as NudgeKind
    from nudges.models import Nudge

    voter, bystander = UserFactory(), UserFactory()
    VoteFactory(feedback=post, person=voter)
    client.force_login(moderator)
    client.post(reverse("feedback:answer", args=[post.pk]), {"status": Status.PLANNED, "response": "In May."})
    answered = {n.recipient_id: n for n in Nudge.objects.filter(kind=NudgeKind.FEEDBACK_ANSWERED)}
    assert set(answered) == {author.pk, voter.pk}
    for nudge in answered.values():
        assert nudge_services.nudge_deliver(nudge_id=nudge.pk) == nudge_services.Outcome.SENT

    client.force_login(author)
    client.post(reverse("feedback:comment_add", args=[post.pk]), {"body": "Thanks, looking forward to it."})
    client.force_login(voter)
    client.post(reverse("feedback:vote", args=[FeedbackFactory(author=bystander).pk]), {"state": "vote"})

    acted = dict(Nudge.objects.filter(kind=NudgeKind.FEEDBACK_ANSWERED).values_list("recipient_id", "acted_on_at"))
    assert acted[author.pk] is not None  # commented
    assert acted[voter.pk] is not None  # voted
    assert Comment.objects.filter(feedback=post, author=author).exists()


def test_taking_a_vote_back_marks_nothing_acted_on(client, post, author, moderator, mailoutbox):
    from feedback import services as feedback_services
    from nudges import services as nudge_services
    from nudges.models import Kind as NudgeKind
    from nudges.models import Nudge

    voter = UserFactory()
    feedback_services.vote_set(feedback=post, person=voter, voted=True)
    client.force_login(moderator)
    client.post(reverse("feedback:answer", args=[post.pk]), {"status": Status.PLANNED, "response": "In May."})
    nudge = Nudge.objects.get(kind=NudgeKind.FEEDBACK_ANSWERED, recipient=voter)
    nudge_services.nudge_deliver(nudge_id=nudge.pk)
    client.force_login(voter)
    client.post(reverse("feedback:vote", args=[post.pk]), {"state": "unvote"})  # takes it back: no new vote
    nudge.refresh_from_db()
    assert nudge.acted_on_at is None and not Vote.objects.filter(feedback=post, person=voter).exists()
