"""The Watch button: plain POST and htmx, the state asked for, outsiders get 404 and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversation.models import Watch
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def watch_url(item) -> str:
    if hasattr(item, "slug"):
        return reverse("conversation:watch_movement", kwargs={"slug": item.slug})
    return reverse("conversation:watch_feedback", kwargs={"pk": item.pk})


def test_watching_a_post_without_javascript_redirects_to_it_with_a_message(client):
    post, person = FeedbackFactory(), UserFactory()
    client.force_login(person)
    response = client.post(watch_url(post), {"watching": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == post.get_absolute_url()
    assert "You are watching" in response.content.decode()
    assert Watch.objects.get(person=person, feedback=post).watching is True


def test_htmx_stop_watching_answers_with_the_button_in_its_new_state(client):
    movement, person = MovementFactory(), UserFactory()
    Watch.objects.create(person=person, movement=movement)
    client.force_login(person)
    response = client.post(watch_url(movement), {"watching": "off"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'aria-pressed="false"' in html and 'value="on"' in html
    assert Watch.objects.get(person=person, movement=movement).watching is False


def test_the_same_choice_sent_twice_keeps_it(client):
    """Two tabs, both showing "Watch": both clicks mean watch, the second does not undo the first."""
    post, person = FeedbackFactory(), UserFactory()
    client.force_login(person)
    for _ in range(2):
        client.post(watch_url(post), {"watching": "on"}, headers={"HX-Request": "true"})
    assert Watch.objects.get(person=person, feedback=post).watching is True


def test_a_value_not_from_the_button_changes_nothing(client):
    post, person = FeedbackFactory(), UserFactory()
    client.force_login(person)
    response = client.post(watch_url(post), {"watching": "toggle"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'aria-pressed="false"' in response.content.decode()
    assert not Watch.objects.exists()


def test_an_outsider_gets_404_for_a_department_limited_movement_and_nothing_is_written(client):
    department = DepartmentFactory()
    movement = MovementFactory(founder=UserFactory(department=department), department=department)
    post = FeedbackFactory(movement=movement)
    client.force_login(UserFactory(department=DepartmentFactory()))
    assert client.post(watch_url(movement), {"watching": "on"}).status_code == 404
    assert client.post(watch_url(post), {"watching": "on"}).status_code == 404
    assert not Watch.objects.exists()


def test_get_is_not_allowed_and_the_anonymous_visitor_is_sent_to_sign_in(client):
    post = FeedbackFactory()
    assert client.post(watch_url(post), {"watching": "on"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(watch_url(post)).status_code == 405


def test_the_post_page_shows_the_button_pressed_for_a_voter(client):
    from feedback.services import vote_set

    post, voter = FeedbackFactory(), UserFactory()
    vote_set(feedback=post, person=voter, voted=True)
    client.force_login(voter)
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'class="watch-form"' in html and 'aria-pressed="true"' in html.split('class="watch-form"')[1]


def test_the_movement_page_shows_the_button_not_pressed_for_a_visitor(client):
    movement = MovementFactory()
    client.force_login(UserFactory())
    html = client.get(movement.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in html.split('class="watch-form"')[1]


def test_mention_suggestions_list_matching_colleagues_as_options(client, django_assert_num_queries):
    UserFactory(email="ana.lopez@example.com", display_name="Ana Lopez")
    UserFactory(email="anabel@example.com", display_name="Anabel Smith", is_active=False)
    UserFactory(email="bo@example.com", display_name="Bo")
    client.force_login(UserFactory())
    # session (+ person, department: one query), the matching people (+department)
    with django_assert_num_queries(2):
        response = client.get(reverse("conversation:mention_suggestions"), {"q": "@ana"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-handle="ana.lopez"' in html and "Anabel" not in html and "@bo" not in html


def test_mention_suggestions_say_so_when_nobody_matches(client):
    client.force_login(UserFactory())
    html = client.get(reverse("conversation:mention_suggestions"), {"q": "zzz"}).content.decode()
    assert "Nobody by that name" in html and "data-handle" not in html
