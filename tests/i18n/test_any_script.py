"""Content in any script: a title in Arabic, Chinese or Cyrillic gets a readable unique address (never
`movement-2`), the page is reachable by it, and posts in those languages are found by search."""

from urllib.parse import quote

import pytest

from movements.models import Movement
from movements.services import movement_start
from tests.factories import FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("اجتماعات قصيرة كل صباح", "اجتماعات-قصيرة-كل-صباح"),
        ("每日站会", "每日站会"),
        ("Работа в открытую", "работа-в-открытую"),
        ("Über Grenzen hinweg", "über-grenzen-hinweg"),
    ],
)
def test_a_title_in_any_script_gets_a_readable_address_that_works(client, title, slug):
    founder = UserFactory()
    movement = movement_start(founder=founder, title=title, pitch="Why it matters.")
    assert movement.slug == slug
    assert movement.get_absolute_url() == f"/movements/{quote(slug)}/"
    client.force_login(founder)
    page = client.get(movement.get_absolute_url())
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.content.decode() or title in page.content.decode()
    # Its other pages take the same address.
    assert client.get(f"/movements/{quote(slug)}/members/").status_code == 200
    # A second movement of the same title is told apart by a number, not turned into "movement".
    again = movement_start(founder=founder, title=title, pitch="Again.")
    assert again.slug == f"{slug}-2"
    assert not Movement.objects.filter(slug__startswith="movement").exists()


def test_an_unknown_unicode_address_is_a_404_not_an_error(client):
    client.force_login(UserFactory())
    assert client.get(f"/movements/{quote('لا-يوجد')}/").status_code == 404


@pytest.mark.parametrize(
    ("title", "body", "query"),
    [
        ("اجتماعات قصيرة كل صباح", "تساعد الفريق على التركيز", "التركيز"),
        ("Работа в открытую", "Команда делится заметками каждую пятницу", "заметками"),
        ("Besprechungen ohne Laptops", "Die Besprechungen laufen kürzer und besser", "kürzer"),
        ("每日站会让团队同步", "十五分钟就够了", "站会"),
    ],
)
def test_a_post_in_any_language_is_found_by_search(client, title, body, query):
    person = UserFactory()
    FeedbackFactory(title=title, body=body)
    FeedbackFactory(title="Unrelated English post", body="Nothing in common.")
    client.force_login(person)
    page = client.get("/feedback/", {"q": query}).content.decode()
    assert title in page
    assert "Unrelated English post" not in page


def test_english_search_still_stems(client):
    FeedbackFactory(title="Fewer meetings on Fridays", body="We cancelled the status meetings.")
    client.force_login(UserFactory())
    assert "Fewer meetings on Fridays" in client.get("/feedback/", {"q": "meeting"}).content.decode()
