"""The similar lookups compiled once per shape (socialbiz/statements.py): the same answers as the queryset built
afresh, each viewer's own standing, and no visibility carried from one person to another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Kind
from feedback.similar import _ranked_posts, similar_posts
from movements.similar import _ranked_movements, lookup_values, similar_movements, typed_words
from socialbiz import statements
from tests.factories import (
    DepartmentFactory,
    FeedbackFactory,
    MembershipFactory,
    MovementFactory,
    UserFactory,
    VoteFactory,
)

TITLE = "meetings run long"


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales")


@pytest.fixture
def things(sales):
    """Posts and movements about meetings: open ones, and one of each limited to Sales."""
    open_movement = MovementFactory(title="Shorter meetings", problem="Meetings run long.")
    limited = MovementFactory(
        title="Meetings in sales run long", department=sales, founder=UserFactory(department=sales)
    )
    posts = [
        FeedbackFactory(kind=Kind.DOESNT, title="Meetings run long", body="Weekly sync.", vote_count=2),
        FeedbackFactory(kind=Kind.WORKS, title="Short meetings work", body="Agenda first.", movement=open_movement),
        FeedbackFactory(kind=Kind.DOESNT, title="Sales meetings run long", body="Pipeline.", movement=limited),
    ]
    return {"open": open_movement, "limited": limited, "posts": posts}


def fresh(ranked, viewer, title):
    """The lookup's queryset built by Django with this viewer and these words, as a plain query: nothing kept,
    no stand-in."""
    return list(ranked(viewer, 5, **lookup_values(viewer, title, typed_words(title))))


@pytest.mark.parametrize("kind", ["employee", "insider", "moderator", "staff"])
def test_the_kept_statement_answers_as_the_fresh_query(things, sales, kind):
    viewer = {
        "employee": lambda: UserFactory(),
        "insider": lambda: UserFactory(department=sales),
        "moderator": lambda: UserFactory(is_moderator=True),
        "staff": lambda: UserFactory(is_staff=True),
    }[kind]()
    MembershipFactory(movement=things["open"], person=viewer)
    VoteFactory(feedback=things["posts"][0], person=viewer)
    for _ in range(2):  # compiled on the first, kept on the second
        posts = similar_posts(viewer=viewer, title=TITLE)
        movements = similar_movements(viewer=viewer, title=TITLE)
        assert [(p.pk, p.voted, p.score) for p in posts] == [
            (p.pk, p.voted, p.score) for p in fresh(_ranked_posts, viewer, TITLE)
        ]
        assert [(m.pk, m.following, m.department) for m in movements] == [
            (m.pk, m.following, m.department) for m in fresh(_ranked_movements, viewer, TITLE)
        ]
    sees_limited = kind in ("insider", "staff")
    assert (things["limited"] in movements) is sees_limited
    assert (things["posts"][2] in posts) is sees_limited


def test_two_people_of_one_shape_each_get_their_own_standing(things):
    department = DepartmentFactory()
    first, second = UserFactory(department=department), UserFactory(department=department)
    VoteFactory(feedback=things["posts"][0], person=first)
    MembershipFactory(movement=things["open"], person=second)
    assert statements.viewer_shape(first) == statements.viewer_shape(second)
    post = things["posts"][0]
    assert next(p for p in similar_posts(viewer=first, title=TITLE) if p == post).voted is True
    assert next(p for p in similar_posts(viewer=second, title=TITLE) if p == post).voted is False
    assert next(m for m in similar_movements(viewer=first, title=TITLE) if m == things["open"]).following is False
    assert next(m for m in similar_movements(viewer=second, title=TITLE) if m == things["open"]).following is True


def test_an_insider_asking_first_shows_the_outsider_nothing_limited(things, sales):
    insider, outsider = UserFactory(department=sales), UserFactory()
    assert things["limited"] in similar_movements(viewer=insider, title=TITLE)
    assert things["posts"][2] in similar_posts(viewer=insider, title=TITLE)
    assert things["limited"] not in similar_movements(viewer=outsider, title=TITLE)
    assert things["posts"][2] not in similar_posts(viewer=outsider, title=TITLE)


def test_a_person_moved_out_of_the_department_stops_seeing_its_movement_at_once(things, sales):
    person = UserFactory(department=sales)
    assert things["limited"] in similar_movements(viewer=person, title=TITLE)
    person.department = DepartmentFactory(name="Finance")
    person.save()
    assert things["limited"] not in similar_movements(viewer=person, title=TITLE)


def test_a_kept_lookup_is_one_query_and_builds_no_queryset(things):
    viewer = UserFactory()
    similar_posts(viewer=viewer, title=TITLE)
    statements._kept.clear()
    with CaptureQueriesContext(connection) as first:
        similar_posts(viewer=viewer, title=TITLE)
    with CaptureQueriesContext(connection) as again:
        similar_posts(viewer=viewer, title="weekly syncs overrun")  # three words again: the same statement
    assert len(first) == len(again) == 1
    assert first.captured_queries[0]["sql"].split("WHERE")[0] == again.captured_queries[0]["sql"].split("WHERE")[0]
    assert "\x00" not in again.captured_queries[0]["sql"] and "weekly" in again.captured_queries[0]["sql"]


def test_a_stand_in_missing_from_the_query_is_refused_when_compiled(things):
    def build(viewer, title, word0, unused):
        return _ranked_posts(UserFactory(), 5, viewer, title, word0=word0)

    values = {**lookup_values(UserFactory(), "meetings", ["meetings"]), "unused": "never in the query"}
    with pytest.raises(ValueError, match="stand-ins not found"):
        statements.run(("test-missing-stand-in",), build, values)
