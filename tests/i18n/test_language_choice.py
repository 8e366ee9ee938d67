"""Which language a person sees: their saved preference, else the browser's Accept-Language, else
LANGUAGE_CODE; the switcher (user menu, signed-out pages) and the settings page; the same URLs in every
language; Arabic right to left."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def german(text: str) -> str:
    with translation.override("de"):
        return translation.gettext(text)


def test_without_a_preference_the_browser_language_decides_and_else_english(client):
    client.force_login(UserFactory())
    page = client.get("/movements/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert html_tag(page) == '<html lang="de" dir="ltr">'
    assert german("Movements") in page.content.decode() and german("Movements") != "Movements"
    assert page["Content-Language"] == "de"
    assert "Accept-Language" in page["Vary"]
    assert html_tag(client.get("/movements/", HTTP_ACCEPT_LANGUAGE="ja")) == '<html lang="en" dir="ltr">'
    assert html_tag(client.get("/movements/")) == '<html lang="en" dir="ltr">'


def test_a_saved_preference_beats_the_browser(client):
    client.force_login(UserFactory(language="fr"))
    page = client.get("/feedback/", HTTP_ACCEPT_LANGUAGE="de")
    assert html_tag(page) == '<html lang="fr" dir="ltr">'


def test_arabic_pages_are_right_to_left(client):
    client.force_login(UserFactory(language="ar"))
    assert html_tag(client.get("/")) == '<html lang="ar" dir="rtl">'


def test_urls_are_the_same_in_every_language(client):
    person = UserFactory()
    client.force_login(person)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            assert reverse("movements:list") == "/movements/"
        User.objects.filter(pk=person.pk).update(language=code)
        assert client.get("/movements/").status_code == 200


def test_the_switcher_in_the_user_menu_saves_the_preference_and_goes_back(client):
    person = UserFactory()
    client.force_login(person)
    menu = client.get("/feedback/").content.decode()
    assert 'action="/language/"' in menu and '<option value="ar" lang="ar">العربية</option>' in menu
    response = client.post("/language/", {"language": "es", "next": "/feedback/?kind=works"})
    assert response.status_code == 302 and response["Location"] == "/feedback/?kind=works"
    person.refresh_from_db()
    assert person.language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/feedback/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="es"' in page
    with translation.override("es"):
        assert translation.gettext("The portal is now in %(language)s.") % {"language": "Español"} in page


def test_the_switcher_on_the_sign_in_page_works_signed_out(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/language/"' in page
    response = client.post("/language/", {"language": "de", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_tag(login) == '<html lang="de" dir="ltr">'
    assert german("Sign In") in login.content.decode()


def test_the_switcher_refuses_an_unknown_language_and_a_foreign_next(client):
    person = UserFactory(language="fr")
    client.force_login(person)
    response = client.post("/language/", {"language": "xx", "next": "/feedback/"}, follow=True)
    person.refresh_from_db()
    assert person.language == "fr"
    assert response.redirect_chain[-1][0] == "/feedback/"
    with translation.override("fr"):
        assert (
            translation.gettext("That language is not offered here. Choose one from the list.")
            in response.content.decode()
        )
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_settings_page_saves_language_and_time_zone_and_refuses_bad_input(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get("/settings/language/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Deutsch" in page  # "your browser's language (now: Deutsch)"
    response = client.post("/settings/language/", {"language": "xx", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a language from the list." in body and "Choose a time zone from the list." in body
    person.refresh_from_db()
    assert (person.language, person.time_zone) == ("", "UTC")
    response = client.post("/settings/language/", {"language": "de", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.language, person.time_zone) == ("de", "Europe/Berlin")
    # Back to "the browser decides".
    client.post("/settings/language/", {"language": "", "time_zone": "Europe/Berlin"})
    person.refresh_from_db()
    assert person.language == ""


def test_the_switcher_needs_a_post(client):
    assert client.get("/language/").status_code == 405


def test_the_feedback_tabs_count_in_the_readers_language():
    from feedback import selectors
    from feedback.models import Kind

    assert selectors.COUNT_CAP == 1000
    counts = {Kind.WORKS: 999, Kind.DOESNT: 235}
    assert selectors.count_labels(counts) == {"works": "999", "doesnt": "235", "all": "1,234"}
    with translation.override("de"):
        assert selectors.count_labels(counts)["all"] == "1.234"
    with translation.override("fr"):
        assert selectors.count_labels({Kind.WORKS: 5000, Kind.DOESNT: 0})["works"] == "1\xa0000+"
