"""Every page of the URL matrix, for every kind of person, in German and in Arabic: no English interface
string is left on it (texts and labels compared with the English msgids our catalogue translates), and
`<html lang dir>` says the language. Without a browser, so it covers every page in seconds; the browser
test (tests/browser/test_languages.py) adds axe-core and the right-to-left layout for the main pages."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from people.models import User
from tests.browser.test_languages import english_leftovers
from tests.browser.test_layout import pages_for
from tests.hardening.test_url_matrix import PEOPLE

ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
# What the world's people wrote that happens to equal an English msgid: a role its lead named "Evangelist"
# (a role's name is the lead's text, stored as written; the suggestions offered when naming it are translated).
CONTENT = {"Evangelist"}


class Texts(HTMLParser):
    """The texts a person reads or hears: text nodes (not scripts or styles) and labelling attributes."""

    def __init__(self):
        super().__init__()
        self.texts, self.skip, self.html_tag = [], 0, {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.html_tag = values
        if tag in ("script", "style"):
            self.skip += 1
        for name in ATTRIBUTES:
            if values.get(name):
                self.texts.append(" ".join(values[name].split()))
        if tag == "input" and values.get("type") == "submit" and values.get("value"):
            self.texts.append(" ".join(values["value"].split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_page_for_every_person_is_in_their_language(world, language):
    leftovers = english_leftovers(language)
    User.objects.update(language=language)
    problems, seen = [], 0
    for who in PEOPLE:
        client = Client()
        person = world.person(who)
        if person is None:
            client.cookies["django_language"] = language
        else:
            client.force_login(person)
        for url in pages_for(world, who):
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = Texts()
            parser.feed(response.content.decode())
            seen += 1
            if parser.html_tag.get("lang") != language:
                problems.append(f"{who} {url}: <html lang={parser.html_tag.get('lang')!r}>")
            if english := [text for text in leftovers(parser.texts) if text not in CONTENT]:
                problems.append(f"{who} {url}: English left: {sorted(set(english))[:6]}")
    assert seen > 150  # the matrix really gave us pages
    assert not problems, "\n".join(problems)
