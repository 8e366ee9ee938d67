"""Similar posts and movements while the feedback form is typed (feedback/similar.py, feedback/views_similar.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback, Kind, Vote
from feedback.similar import similar_posts, similar_things
from tests.factories import FeedbackFactory, MovementFactory, UserFactory, VoteFactory

SIMILAR = reverse("feedback:similar")


@pytest.fixture
def long_meetings(author):
    return FeedbackFactory(
        author=author, kind=Kind.DOESNT, title="Meetings run long", body="Every weekly sync overruns.", vote_count=3
    )


def test_a_typed_title_finds_the_post_with_a_similar_title(other, long_meetings):
    FeedbackFactory(title="The canteen is great", body="Food.")
    found = similar_posts(viewer=other, title="meetings run too long")
    assert found == [long_meetings] and found[0].voted is False


def plan_of_the_ranked_query(lookup, others) -> str:
    """EXPLAIN of the lookup's ranked query over a table of 300 `others` (unsaved rows), analysed, with
    sequential scans discouraged: a search index shows up in the plan only if the SQL has exactly the
    indexed expression."""
    model = others[0].__class__
    model.objects.bulk_create(others)
    with CaptureQueriesContext(connection) as queries:
        lookup()
    (sql,) = [query["sql"] for query in queries.captured_queries if "word_similarity" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_lookup_can_use_the_full_text_index(other, long_meetings):
    # The search document is written as SQL text (feedback/similar.py): it must stay migration 0011's expression.
    others = [Feedback(kind=Kind.WORKS, title=f"Canteen {n}", body="Food.", body_html="") for n in range(300)]
    plan = plan_of_the_ranked_query(lambda: similar_posts(viewer=other, title="meetings run long"), others)
    assert "Bitmap Index Scan on feedback_search" in plan


def test_words_of_the_body_find_a_post(other, long_meetings):
    assert long_meetings in similar_posts(viewer=other, title="Syncs", body="the weekly sync overruns again")


def test_a_hidden_post_is_never_suggested_not_even_to_a_moderator(other, moderator, long_meetings):
    long_meetings.hidden_at = timezone.now()
    long_meetings.save()
    assert similar_posts(viewer=other, title="meetings run long") == []
    assert similar_posts(viewer=moderator, title="meetings run long") == []


def test_a_post_about_a_movement_the_person_cannot_see_is_never_suggested(other, limited_movement):
    FeedbackFactory(title="Meetings run long in sales", movement=limited_movement)
    assert similar_posts(viewer=other, title="meetings run long") == []


def test_an_anonymous_post_is_suggested_without_any_author(client, other):
    anonymous = FeedbackFactory(title="Meetings run long", author=None, is_anonymous=True)
    client.force_login(other)
    html = client.get(SIMILAR, {"title": "meetings run long"}, headers={"HX-Request": "true"}).content.decode()
    assert anonymous.get_absolute_url() in html
    assert "Anonymous" not in html and "Person" not in html


def test_posts_and_movements_are_ranked_together_up_to_five(other, long_meetings):
    movement = MovementFactory(title="Shorter meetings", problem="Meetings run long")
    for n in range(6):
        FeedbackFactory(title=f"Meetings run long again {n}")
    found = similar_things(viewer=other, title="Meetings run long")
    assert len(found) == 5
    assert found[0] == long_meetings and found[0].is_post
    assert movement in similar_things(viewer=other, title="shorter meetings")


def test_the_htmx_answer_shows_status_votes_and_me_too_instead(client, other, long_meetings):
    client.force_login(other)
    html = client.get(SIMILAR, {"title": "meetings run long"}, headers={"HX-Request": "true"}).content.decode()
    assert "Meetings run long" in html and "New" in html and "3 “me too”s" in html
    assert f'formaction="{reverse("feedback:vote", args=[long_meetings.pk])}" name="state" value="vote"' in html


def test_a_post_already_voted_shows_no_button_that_would_take_the_vote_back(client, other, long_meetings):
    VoteFactory(feedback=long_meetings, person=other)
    client.force_login(other)
    html = client.get(SIMILAR, {"title": "meetings run long"}, headers={"HX-Request": "true"}).content.decode()
    assert "You said “me too” to this." in html
    assert reverse("feedback:vote", args=[long_meetings.pk]) not in html


def test_me_too_instead_counts_the_vote_in_one_post(client, other, long_meetings):
    client.force_login(other)
    # The button says what it wants (name="state" value="vote"), as every "me too" button does.
    response = client.post(reverse("feedback:vote", args=[long_meetings.pk]), {"state": "vote"})
    assert response.status_code == 302 and response["Location"] == long_meetings.get_absolute_url()
    assert Vote.objects.filter(feedback=long_meetings, person=other).exists()


def test_the_feedback_form_asks_as_title_and_body_are_typed_and_not_while_anonymous(client, other):
    client.force_login(other)
    html = client.get(reverse("feedback:new")).content.decode()
    assert f'hx-get="{SIMILAR}"' in html and "from:#id_body" in html
    assert 'id="similar-actions"' in html and "js/similar.js" in html


def test_a_plain_page_without_javascript(client, other, long_meetings):
    client.force_login(other)
    response = client.get(SIMILAR, {"title": "meetings run long"})
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_post_is_refused_and_the_anonymous_visitor_signs_in(client, other):
    assert client.get(SIMILAR, {"title": "x"})["Location"].startswith("/accounts/login/")
    client.force_login(other)
    assert client.post(SIMILAR).status_code == 405


def test_a_percent_sign_or_a_huge_query_is_answered_safely(client, other, long_meetings):
    client.force_login(other)
    assert client.get(SIMILAR, {"title": "%"}, headers={"HX-Request": "true"}).status_code == 200
    response = client.get(SIMILAR, {"title": "meetings " * 1200}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Meetings run long" in response.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_similar_answer_costs_the_same_queries_for_few_and_many_posts(
    client, other, count, django_assert_num_queries
):
    voter = UserFactory()
    for n in range(count):
        VoteFactory(feedback=FeedbackFactory(title=f"Meetings run long {n}"), person=voter)
        MovementFactory(title=f"Shorter meetings {n}")
    client.force_login(other)
    # session (+ person, department: one query), the viewer's department (visibility, read once), the ranked posts (+voted), the ranked
    # movements (+department, following)
    with django_assert_num_queries(3):
        response = client.get(SIMILAR, {"title": "meetings run long"}, headers={"HX-Request": "true"})
    assert response.content.decode().count('class="similar-item"') == 5
