"""Similar movements while the start form is typed (movements/similar.py, movements/views_similar.py)."""

import pytest
from django.urls import reverse

from movements.models import Membership, Movement, Stage
from movements.similar import similar_movements, typed_text, typed_words
from tests.factories import DepartmentFactory, MembershipFactory, MovementFactory, UserFactory
from tests.feedback.test_similar import plan_of_the_ranked_query

SIMILAR = reverse("movements:similar")


@pytest.fixture
def viewer(db):
    return UserFactory(display_name="Vera Viewer")


@pytest.fixture
def meetings(db):
    return MovementFactory(
        title="Shorter meetings", problem="Our meetings run long and nobody knows the agenda.", follower_count=4
    )


def test_a_typed_title_finds_the_movement_with_a_similar_title(viewer, meetings):
    MovementFactory(title="Working out loud", problem="Work stays invisible.")
    found = similar_movements(viewer=viewer, title="shorter meeting")
    assert [m.pk for m in found] == [meetings.pk]
    assert found[0].score > 0 and found[0].following is False


def test_the_lookup_can_use_the_full_text_index(viewer, meetings):
    # The search document is written as SQL text (movements/similar.py): it must stay migration 0007's expression.
    others = [
        Movement(title=f"Canteen {n}", slug=f"canteen-{n}", pitch="Food.", founder=meetings.founder) for n in range(300)
    ]
    plan = plan_of_the_ranked_query(lambda: similar_movements(viewer=viewer, title="shorter meetings"), others)
    assert "Bitmap Index Scan on movement_search" in plan


def test_words_of_the_problem_find_a_movement_whose_title_differs(viewer, meetings):
    found = similar_movements(viewer=viewer, title="Agenda first", problem="nobody knows the agenda")
    assert meetings in found


def test_a_misspelt_title_is_found_by_trigram_similarity(viewer, meetings):
    assert meetings in similar_movements(viewer=viewer, title="shorter meetngs")


def test_the_closest_comes_first_and_at_most_five_are_returned(viewer, meetings):
    for n in range(8):
        MovementFactory(title=f"Meetings guild {n}", problem="meetings")
    found = similar_movements(viewer=viewer, title="Shorter meetings")
    assert len(found) == 5
    assert found[0] == meetings


def test_a_department_limited_movement_is_never_suggested_to_an_outsider(viewer):
    sales = DepartmentFactory(name="Sales")
    limited = MovementFactory(
        title="Shorter meetings in sales", department=sales, founder=UserFactory(department=sales)
    )
    assert similar_movements(viewer=viewer, title="shorter meetings") == []
    insider = UserFactory(department=sales)
    assert similar_movements(viewer=insider, title="shorter meetings") == [limited]


def test_fewer_than_three_letters_or_only_punctuation_suggest_nothing(viewer, meetings):
    assert similar_movements(viewer=viewer, title="sh") == []
    assert similar_movements(viewer=viewer, title="%%% !!! ***") == []


def test_query_syntax_and_nul_bytes_are_read_as_plain_words(viewer, meetings):
    found = similar_movements(viewer=viewer, title="shorter & | ! ( meetings:* \x00 '")
    assert meetings in found


def test_a_huge_paste_is_cut_to_a_few_words():
    text = typed_text("word " * 5000, "more " * 5000)
    assert len(text) <= 300
    assert len(typed_words("alpha beta gamma delta " * 20 + " ".join(f"w{n}x" for n in range(50)))) <= 12


def test_the_movement_already_followed_is_marked(viewer, meetings):
    MembershipFactory(movement=meetings, person=viewer, position=2)
    assert similar_movements(viewer=viewer, title="Shorter meetings")[0].following is True


def test_the_htmx_answer_lists_stage_follower_count_and_a_follow_button(client, viewer, meetings):
    client.force_login(viewer)
    response = client.get(SIMILAR, {"title": "shorter meetings"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Shorter meetings" in html and "Recruiting" in html and "4 followers" in html
    assert reverse("movements:follow", kwargs={"slug": meetings.slug}) in html
    assert 'form="similar-actions"' in html


def test_a_retired_movement_offers_its_lessons_not_a_follow_button(client, viewer):
    retired = MovementFactory(title="Shorter meetings", stage=Stage.RETIRED)
    client.force_login(viewer)
    html = client.get(SIMILAR, {"title": "shorter meetings"}, headers={"HX-Request": "true"}).content.decode()
    assert "Read what was learned" in html
    assert reverse("movements:follow", kwargs={"slug": retired.slug}) not in html


def test_without_javascript_the_same_url_is_a_page_with_the_actions_form(client, viewer, meetings):
    client.force_login(viewer)
    response = client.get(SIMILAR, {"title": "shorter meetings"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'id="similar-actions"' in html and "Shorter meetings" in html


def test_nothing_similar_says_so(client, viewer):
    client.force_login(viewer)
    html = client.get(SIMILAR, {"title": "quantum knitting"}, headers={"HX-Request": "true"}).content.decode()
    assert "Nothing similar yet" in html


def test_the_start_form_asks_for_similar_movements_as_title_and_problem_are_typed(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("movements:new")).content.decode()
    assert f'hx-get="{SIMILAR}"' in html
    assert "delay:500ms from:#id_title" in html and "from:#id_problem" in html
    assert 'id="similar-actions"' in html


def test_follow_this_instead_follows_in_one_post_and_opens_the_movement(client, viewer, meetings):
    client.force_login(viewer)
    response = client.post(reverse("movements:follow", kwargs={"slug": meetings.slug}))
    assert response.status_code == 302 and response["Location"] == meetings.get_absolute_url()
    assert Membership.objects.current().filter(movement=meetings, person=viewer).exists()


def test_the_similar_url_refuses_post(client, viewer):
    client.force_login(viewer)
    assert client.post(SIMILAR, {"title": "x"}).status_code == 405


def test_the_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(SIMILAR, {"title": "shorter meetings"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("count", [3, 60])
def test_the_similar_answer_costs_the_same_queries_for_few_and_many_movements(
    client, viewer, count, django_assert_num_queries
):
    for n in range(count):
        MovementFactory(title=f"Shorter meetings {n}", department=DepartmentFactory())
        MovementFactory(title=f"Meetings that matter {n}")
    client.force_login(viewer)
    # session (+ person, department: one query), the viewer's department (visibility), the ranked movements (+department, following)
    with django_assert_num_queries(2):
        response = client.get(SIMILAR, {"title": "shorter meetings"}, headers={"HX-Request": "true"})
    assert response.content.decode().count('class="similar-item"') == min(count, 5)
