"""The lessons library (/movements/lessons/) and "what drove the success / what got in the way" on posts."""

from datetime import date

import pytest
from django.urls import reverse

from feedback import publication
from feedback.models import AnonymousQueueEntry, Feedback, Kind
from feedback.selectors import ListFilters, filtered_posts
from movements import services as movement_services
from movements.models import Decision
from pilots.models import Measure, MeasureValue
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, UserFactory

LESSONS = reverse("lessons")


def decided(title: str, decision: Decision, *, rationale: str = "It worked.", **extra):
    movement = MovementFactory(title=title, **extra)
    movement_services.pilot_start(
        movement=movement,
        actor=movement.founder,
        hypothesis=f"Hypothesis of {title}",
        success_measure=f"Measure of {title}",
        start=date(2026, 1, 1),
        end=date(2026, 3, 1),
        rationale="Ready.",
    )
    return movement_services.decision_record(
        movement=movement, actor=movement.founder, decision=decision, rationale=rationale
    )


@pytest.fixture
def adopted(db):
    movement = decided("Working out loud", Decision.ADOPT, rationale="Teams found answers faster.", tool="Teams")
    FeedbackFactory(title="Posting drafts helps", kind=Kind.WORKS, movement=movement, cause="A champion per team")
    FeedbackFactory(title="Too many channels", kind=Kind.DOESNT, movement=movement, cause="Nobody archived")
    return movement


@pytest.fixture
def retired(db):
    return decided("Paperless meetings", Decision.RETIRE, rationale="Printers won.", tool="OneNote")


def test_adopted_and_retired_movements_show_hypothesis_measure_rationale_and_feedback(client, other, adopted, retired):
    MovementFactory(title="Still recruiting")
    client.force_login(other)
    html = client.get(LESSONS).content.decode()
    assert "2 lessons" in html and "Still recruiting" not in html
    assert "Hypothesis of Working out loud" in html and "Measure of Working out loud" in html
    assert "Teams found answers faster." in html and "Printers won." in html
    assert "Posting drafts helps" in html and "A champion per team" in html
    assert "Too many channels" in html and "Nobody archived" in html


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"tool": "teams"}, "Working out loud"),
        ({"outcome": "retired"}, "Paperless meetings"),
        ({"q": "printers"}, "Paperless meetings"),  # the decision's rationale
        ({"q": "archived"}, "Working out loud"),  # what got in the way, in a linked post
        ({"q": "champion team"}, "Working out loud"),  # what drove the success
    ],
)
def test_the_library_is_searchable_by_tool_outcome_and_words(client, other, adopted, retired, params, found):
    client.force_login(other)
    html = client.get(LESSONS, params).content.decode()
    assert "1 lesson" in html and found in html


def test_the_library_filters_by_the_founders_department(client, other, retired):
    sales = DepartmentFactory(name="Sales")
    decided("Sales pilot", Decision.ADOPT, founder=UserFactory(department=sales))
    client.force_login(other)
    html = client.get(LESSONS, {"department": sales.pk}).content.decode()
    assert "Sales pilot" in html and "Paperless meetings" not in html


def test_a_department_limited_lesson_is_not_shown_to_an_outsider(client, other):
    sales = DepartmentFactory(name="Sales")
    decided("Sales secret", Decision.ADOPT, department=sales, founder=UserFactory(department=sales))
    client.force_login(other)
    html = client.get(LESSONS).content.decode()
    assert "Sales secret" not in html and "No lessons yet" in html


def test_a_hidden_post_is_not_shown_as_a_lesson(client, other, adopted):
    from django.utils import timezone

    Feedback.objects.filter(title="Too many channels").update(hidden_at=timezone.now())
    client.force_login(other)
    assert "Too many channels" not in client.get(LESSONS).content.decode()


def test_empty_state_and_no_match_say_so(client, other, adopted):
    client.force_login(other)
    assert "No lesson matches this search." in client.get(LESSONS, {"q": "zzzz"}).content.decode()


def test_nonsense_a_percent_sign_or_a_huge_query_is_answered_safely(client, other, adopted):
    client.force_login(other)
    for params in ({"q": "%"}, {"q": "x" * 10_000}, {"department": "a", "outcome": "\x00", "page": "-1"}):
        assert client.get(LESSONS, params).status_code == 200


def test_pages_of_ten(client, other):
    for n in range(12):
        decided(f"Lesson {n}", Decision.RETIRE)
    client.force_login(other)
    html = client.get(LESSONS).content.decode()
    assert html.count('class="card lesson"') == 10 and "Page 1 of 2" in html
    assert client.get(LESSONS, {"page": 2}).content.decode().count('class="card lesson"') == 2


def test_htmx_gets_the_results_only_and_post_is_405(client, other):
    client.force_login(other)
    assert client.get(LESSONS, headers={"HX-Request": "true"}).content.decode().lstrip().startswith("<section")
    assert client.post(LESSONS).status_code == 405


@pytest.mark.parametrize("count", [2, 12])
def test_the_library_costs_the_same_queries_for_few_and_many(client, other, count, django_assert_num_queries):
    for n in range(count):
        movement = decided(f"Lesson {n}", Decision.ADOPT, tool=f"Tool {n}")
        for k in range(4):
            FeedbackFactory(movement=movement, kind=Kind.WORKS if k % 2 else Kind.DOESNT)
        measure = Measure.objects.create(
            movement=movement, name="Hours", unit="h", direction="up", baseline=1, target=2, source="by_hand"
        )
        MeasureValue.objects.create(measure=measure, measured_on=date(2026, 2, 1), value=2)
    client.force_login(other)
    # session (+ person, department: one query), the viewer's department (visibility), count, the page (+founder, department), decisions,
    # the top posts per movement and kind, the measures and their last values (pilots app), tools, departments
    with django_assert_num_queries(9):
        response = client.get(LESSONS)
    assert response.status_code == 200


# --- what drove the success / what got in the way ------------------------------------------------


def test_the_form_asks_the_seeds_question_for_each_kind(client, other):
    client.force_login(other)
    assert "What drove the success?" in client.get(reverse("feedback:new"), {"kind": "works"}).content.decode()
    assert "What got in the way?" in client.get(reverse("feedback:new"), {"kind": "doesnt"}).content.decode()


def test_the_answer_is_stored_shown_and_searchable(client, other):
    client.force_login(other)
    response = client.post(
        reverse("feedback:new"),
        {"kind": "doesnt", "title": "Slow approvals", "body": "Weeks.", "cause": "Three sign-offs for a wiki page"},
    )
    post = Feedback.objects.get(title="Slow approvals")
    assert response.status_code == 302 and post.cause == "Three sign-offs for a wiki page"
    assert "What got in the way" in client.get(post.get_absolute_url()).content.decode()
    assert list(filtered_posts(person=other, filters=ListFilters(q="sign-offs"))) == [post]


def test_an_over_long_answer_is_refused_with_a_message(client, other):
    client.force_login(other)
    response = client.post(reverse("feedback:new"), {"kind": "works", "title": "T", "body": "B", "cause": "x" * 2001})
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert "2,000" in response.content.decode() or "2000" in response.content.decode()


def test_an_anonymous_posts_answer_travels_through_the_queue(db, other):
    publication.anonymous_enqueue(person=other, kind=Kind.WORKS, title="T", body="B", cause="Pairing")
    assert AnonymousQueueEntry.objects.get().cause == "Pairing"
