"""The main pages in German, French, Spanish and Arabic, in a real browser: axe-core finds nothing, no English
interface string is left on them (every text and label is compared with the English msgids of our catalogue),
and Arabic is laid out right to left (mirrored header, nothing wider than the viewport, screenshots kept)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Kind
from movements import services as movement_services
from movements.services import RoleSpec
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from people.models import User
from portal.management.commands.translations import catalogue_path
from tests.factories import DepartmentFactory, UserFactory

from .test_layout import overflow_report

LANGUAGES = ["de", "fr", "es", "ar"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "rtl"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")

TEXTS = """() => {
    const out = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (['SCRIPT', 'STYLE'].includes(node.parentElement.tagName)) continue;
      const text = node.textContent.replace(/\\s+/g, ' ').trim();
      if (text) out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit]')) {
      for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
        const value = el.getAttribute(name);
        if (value && (name !== 'value' || el.type === 'submit')) out.push(value.replace(/\\s+/g, ' ').trim());
      }
    }
    return out;
}"""


def _normal(text: str) -> str:
    return " ".join(text.split())


def english_leftovers(language: str):
    """A function telling which of a page's texts are English msgids this language translates differently."""
    catalogue = polib.pofile(str(catalogue_path(language)))
    translated = set()
    exact, patterns = set(), []
    for entry in catalogue:
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            pairs = [(entry.msgid, forms[0]), (entry.msgid_plural, forms[-1])]
            translated.update(_normal(f) for f in forms)
        translated.add(_normal(entry.msgstr))
        for english, foreign in pairs:
            english = _normal(english)
            if (
                english == _normal(foreign)
                or "<" in english
                or len(english) < 2
                or not re.search(r"[A-Za-z]{2}", english)
            ):
                continue
            if PLACEHOLDER.search(english):
                parts = PLACEHOLDER.split(english)
                if sum(len(p.strip()) for p in parts) >= 6:  # enough fixed words to be sure it is this string
                    patterns.append(re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$"))
            else:
                exact.add(english)

    def find(texts: list[str]) -> list[str]:
        found = []
        for text in texts:
            if text in translated:
                continue
            if text in exact or any(p.match(text) for p in patterns):
                found.append(text)
        return found

    return find


@pytest.fixture
def portal(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = DepartmentFactory(name="Team Nord")
    lead = UserFactory(display_name="Lina Lindqvist", department=team)
    member = UserFactory(display_name="Mateo Moreau", department=team)
    admin = UserFactory(display_name="Aiko Admin", department=team, is_staff=True, is_moderator=True)
    movement = movement_services.movement_start(
        founder=lead,
        title="Stand-up async 2026",
        pitch="Moins de réunions, plus de temps.",
        problem="Trop de réunions le matin.",
        roles=[RoleSpec(name="Scribe", seats=2)],
    )
    movement_services.membership_join(movement=movement, person=member)
    movement_services.update_post(movement=movement, author=lead, body="Semaine 1 : 4 équipes.")
    post = feedback_services.feedback_post(
        person=member, kind=Kind.WORKS, title="Kanban 2026", body="Tableau partagé.", anonymous=False, movement=movement
    )
    feedback_services.vote_set(feedback=post, person=lead, voted=True)
    feedback_services.comment_add(feedback=post, author=lead, body="Merci !")
    Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST,
        recipient=member,
        dedupe_key=f"i18n:{member.pk}",
        sent_at=timezone.now(),
        in_app=True,
    )
    pages = {
        member: [
            "/",
            "/movements/",
            movement.get_absolute_url(),
            "/feedback/",
            post.get_absolute_url(),
            "/notifications/",
            "/settings/notifications/",
            "/settings/language/",
        ],
        admin: ["/dashboards/", f"/movements/{movement.slug}/analytics/"],
    }
    return {"member": member, "admin": admin, "pages": pages}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_in_each_language_pass_axe_and_leave_no_english(
    portal, live_server, page, axe, sign_in, language
):
    User.objects.filter(pk__in=[portal["member"].pk, portal["admin"].pk]).update(language=language)
    leftovers = english_leftovers(language)
    problems = []
    for person, urls in portal["pages"].items():
        page.context.clear_cookies()
        sign_in(person)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            if english := leftovers(page.evaluate(TEXTS)):
                problems.append(f"{url}: English left: {english[:8]}")
            if violations := axe(page):
                problems.append(f"{url}: axe {violations}")
    # Signed out: the sign-in page in the language chosen with its switcher.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#language-header").select_option(language)
    page.locator(".language-switcher button").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.locator("html").get_attribute("lang") == language
    if english := leftovers(page.evaluate(TEXTS)):
        problems.append(f"/accounts/login/: English left: {english[:8]}")
    if violations := axe(page):
        problems.append(f"/accounts/login/: axe {violations}")
    assert not problems, "\n".join(problems)


def test_arabic_is_right_to_left_mirrored_and_fits_the_screen(portal, live_server, page, sign_in):
    User.objects.filter(pk__in=[portal["member"].pk, portal["admin"].pk]).update(language="ar")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for person, urls in portal["pages"].items():
        page.context.clear_cookies()
        sign_in(person)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844 if width < 768 else 900})
            for index, url in enumerate(urls):
                page.goto(f"{live_server.url}{url}")
                assert page.locator("html").get_attribute("dir") == "rtl"
                if (report := overflow_report(page)) is not None:
                    problems.append(f"{width}px {url}: {report}")
                # Overflow to the left does not widen the page in RTL: look for boxes outside it too.
                outside = page.evaluate(
                    """() => [...document.querySelectorAll('main *, header *')]
                    .filter(el => el.offsetParent !== null && !el.closest('.table-scroll, .visually-hidden, .skip-link'))
                    .filter(el => { const r = el.getBoundingClientRect(); return r.width && (r.left < -1 || r.right > innerWidth + 1); })
                    .map(el => el.outerHTML.slice(0, 100)).slice(0, 3)"""
                )
                if outside:
                    problems.append(f"{width}px {url}: outside the screen {outside}")
                page.screenshot(path=str(SCREENSHOTS / f"{person.pk}-{index}-{width}.png"), full_page=True)
        # The header is mirrored: the site's name on the right, the tools on the left.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/")
        brand = page.locator(".brand").bounding_box()
        tools = page.locator(".header-tools").bounding_box()
        assert brand["x"] > tools["x"], (brand, tools)
    assert not problems, "\n".join(problems)
