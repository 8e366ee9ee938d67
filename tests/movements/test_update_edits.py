"""An update's author edits it; the page marks it edited and everyone who sees the movement sees its history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activity.models import Activity, Verb
from movements import services
from movements.models import Update, UpdateRevision
from tests.factories import UserFactory


@pytest.fixture
def update(movement, member):
    return services.update_post(movement=movement, author=member, body="We tried a demo day.")


def edit_url(update) -> str:
    return reverse("movements:update_edit", args=[update.movement.slug, update.pk])


def history_url(update) -> str:
    return reverse("movements:update_history", args=[update.movement.slug, update.pk])


def _snapshot(update) -> tuple:
    fresh = Update.objects.get(pk=update.pk)
    return fresh.body, fresh.edited_at, UpdateRevision.objects.count()


def test_an_edit_keeps_the_old_text_and_records_an_event(update, member):
    edited = services.update_edit(update=update, person=member, body="We tried two demo days.")
    assert edited.body == "We tried two demo days." and edited.edited_at is not None
    revision = UpdateRevision.objects.get(update=update)
    assert revision.body == "We tried a demo day." and revision.written_at == update.created_at
    event = Activity.objects.get(verb=Verb.UPDATE_EDITED)
    assert event.actor == member and event.movement == update.movement
    assert event.payload == {"update_id": update.pk, "revision_id": revision.pk}


def test_the_same_text_writes_no_revision_and_empty_text_is_refused(update, member):
    services.update_edit(update=update, person=member, body="  We tried a demo day.  ")
    assert not UpdateRevision.objects.exists()
    with pytest.raises(ValidationError):
        services.update_edit(update=update, person=member, body="   ")


def test_only_the_author_may_edit(update, founder):
    with pytest.raises(PermissionDenied):
        services.update_edit(update=update, person=founder, body="The lead's version")
    assert not UpdateRevision.objects.exists()


def test_the_author_edits_from_the_page_and_members_see_the_mark_and_the_history(client, update, member, founder):
    client.force_login(member)
    page = client.get(update.movement.get_absolute_url()).content.decode()
    assert edit_url(update) in page
    assert client.get(edit_url(update)).status_code == 200
    response = client.post(edit_url(update), {"body": "We tried two demo days."})
    assert response.status_code == 302 and response["Location"].endswith(f"#update-{update.pk}")
    client.force_login(founder)
    page = client.get(update.movement.get_absolute_url()).content.decode()
    assert "We tried two demo days." in page and history_url(update) in page and edit_url(update) not in page
    history = client.get(history_url(update)).content.decode()
    assert "We tried a demo day." in history and "We tried two demo days." in history


def test_update_edits_are_rate_limited_and_the_text_comes_back(client, update, member, settings):
    settings.UPDATE_RATE_LIMIT = "1 per hour"
    client.force_login(member)
    assert client.post(edit_url(update), {"body": "first"}).status_code == 302
    response = client.post(edit_url(update), {"body": "second kept"})
    assert response.status_code == 429 and "second kept" in response.content.decode()
    assert Update.objects.get(pk=update.pk).body == "first"


def test_someone_else_gets_404_for_the_edit_page_and_nothing_changes(client, update, founder):
    client.force_login(founder)
    before = _snapshot(update)
    assert client.get(edit_url(update)).status_code == 404
    assert client.post(edit_url(update), {"body": "hijack"}).status_code == 404
    assert _snapshot(update) == before


def test_an_outsider_gets_404_for_edit_and_history_of_a_limited_movement(client, outsider_department_movement, founder):
    movement, outsider = outsider_department_movement
    update = services.update_post(movement=movement, author=founder, body="Engineering news")
    services.update_edit(update=update, person=founder, body="Engineering news, corrected")
    before = _snapshot(update)
    client.force_login(outsider)
    assert client.get(history_url(update)).status_code == 404
    assert client.get(edit_url(update)).status_code == 404
    assert client.post(edit_url(update), {"body": "x"}).status_code == 404
    assert _snapshot(update) == before


def test_an_update_of_another_movement_is_a_404(client, update, member, start_movement):
    other = start_movement(title="Another one")
    client.force_login(member)
    assert client.get(reverse("movements:update_history", args=[other.slug, update.pk])).status_code == 404


def test_wrong_methods_and_the_anonymous_visitor(client, update, member):
    assert client.get(edit_url(update)).status_code == 302
    client.force_login(member)
    assert client.post(history_url(update)).status_code == 405


@pytest.mark.parametrize("edits", [1, 8])
def test_history_and_edit_pages_cost_fixed_queries(client, update, member, edits, django_assert_num_queries):
    for n in range(edits):
        services.update_edit(update=update, person=member, body=f"version {n}")
    client.force_login(member)
    # session (+ person, department: one query), the person's department (visible_to), the movement, the update (+author), its revisions
    with django_assert_num_queries(4):
        response = client.get(history_url(update))
    assert response.content.decode().count("replaced") == edits
    # session (+ person, department: one query), department, movement, the update (+author)
    with django_assert_num_queries(3):
        assert client.get(edit_url(update)).status_code == 200


def test_movement_page_query_count_does_not_grow_with_edited_updates(client, movement, member, founder):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(founder)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(movement.get_absolute_url())
        return len(queries)

    update = services.update_post(movement=movement, author=member, body="one")
    services.update_edit(update=update, person=member, body="one, edited")
    services.update_post(movement=movement, author=founder, body="two")
    few = count()
    for n in range(6):
        other = UserFactory()
        services.membership_join(movement=movement, person=other)
        u = services.update_post(movement=movement, author=other, body=f"news {n}")
        services.update_edit(update=u, person=other, body=f"news {n}, edited")
    assert count() == few
