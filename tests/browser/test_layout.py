"""Every page of the URL matrix, filled with long words, long URLs and several scripts, fits a phone and a desktop:
nothing scrolls sideways at 320, 390, 768 and 1280 px, axe-core finds nothing at 390 and 1280 px in the light and
the dark theme, list pages show
results on a phone's first screen and what a finger presses is at least 44 px tall."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from conversation import services as conversation_services
from feedback import services as feedback_services
from feedback.models import Kind
from movements import services as movement_services
from movements.services import RoleSpec
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import DepartmentFactory, UserFactory
from tests.hardening.conftest import World, _give_a_picture, sponsors_and_integrations
from tests.hardening.url_table import URL_TABLE, expected

# One unbroken word of 195 letters, a long URL and text in several scripts: what real people paste.
LONG_WORD = "Rechtsschutzversicherungsgesellschaften" * 5
LONG_URL = "https://intranet.example.com/" + "/".join(["averyveryverylongpathsegment"] * 10) + "?q=" + "x" * 80
SCRIPTS = "日本語の長い文章です 中文内容很长 العربية نص طويل עברית ארוכה Ελληνικά Русский текст 🙂🚀"
LONG_TEXT = (
    f"{LONG_WORD} {LONG_URL}\n\n{SCRIPTS}\n\n`{LONG_WORD}`\n\n    {LONG_WORD}{LONG_WORD}\n\n[{LONG_WORD}]({LONG_URL})"
)

# Pages that are not HTML pages a person reads (a JSON download, the bell's partial) are left out.
NOT_PAGES = {"healthz", "people:privacy_export", "nudges:bell", "people:avatar", "conversation:mention_suggestions"}
# JSON, feeds and calendars are for programs, not pages (the API docs page is checked in its own test).
NOT_PAGE_PREFIXES = ("api:", "integrations:feed_")
PERSONAS = ("lead", "member", "moderator", "admin", "outsider")
WIDTHS = (320, 390, 768, 1280)
AXE_WIDTHS = (390, 1280)


# Buttons, fields and summaries under 44 px tall, links under 24 px (the skip link and hidden things aside).
# A checkbox or radio is pressed through its label too: the taller of the box and its labels must reach 44 px.
TOO_SMALL = """() => [...document.querySelectorAll('button, .button, select, input:not([type=hidden]), summary, a')]
        .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
        .map(el => [el, Math.max(el.getBoundingClientRect().height,
                                 ...(el.matches('[type=checkbox], [type=radio]') ? [...el.labels] : [])
                                    .map(label => label.getBoundingClientRect().height)),
                    el.tagName === 'A' && !el.classList.contains('button') ? 24 : 44])
        .filter(([el, height, least]) => height + 0.5 < least)
        .map(([el, height, least]) => `${el.outerHTML.slice(0, 80)} ${height} < ${least}`)"""
# aria-describedby naming an element that is not on the page.
DANGLING_DESCRIPTIONS = """() => [...document.querySelectorAll('[aria-describedby]')]
    .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id))
    .map(id => `${el.outerHTML.slice(0, 80)} -> #${id}`))"""


def _title(prefix: str) -> str:
    return f"{prefix} {LONG_WORD} {SCRIPTS}"[:200]


@pytest.fixture
def long_world(transactional_db) -> World:
    """The hardening world (tests/hardening/conftest.py), with every user-written field as long as it may be."""
    dept_a = DepartmentFactory(name=f"Abteilung {LONG_WORD[:150]}")
    dept_b = DepartmentFactory(name="Department B")
    lead = UserFactory(display_name=f"Lena {LONG_WORD[:100]} 李小龍", department=dept_a)
    member = UserFactory(display_name=f"Max {LONG_WORD[:100]} محمد", department=dept_a)
    _give_a_picture(member)  # pictures in their circles beside the initials
    invitee = UserFactory(display_name="Ivo Invitee", department=dept_a)
    outsider = UserFactory(display_name="Olga Outsider", department=dept_b)
    moderator = UserFactory(display_name=f"Mona {LONG_WORD[:60]}", department=dept_a, is_moderator=True)
    admin = UserFactory(display_name="Adam Admin", department=dept_b, is_staff=True, is_moderator=True)
    movement = movement_services.movement_start(
        founder=lead,
        title=_title("Movement"),
        pitch=LONG_TEXT,
        problem=LONG_TEXT,
        use_cases=LONG_TEXT,
        tool=LONG_WORD[:120],
        department=dept_a,
        roles=[RoleSpec(name=LONG_WORD[:100], seats=2, description=LONG_TEXT)],
    )
    membership = movement_services.membership_join(movement=movement, person=member)
    movement_services.membership_join(movement=movement, person=moderator)
    invitation = movement_services.invitation_create(movement=movement, inviter=member, invitee=invitee, note=LONG_TEXT)
    update = movement_services.update_post(movement=movement, author=member, body=LONG_TEXT)
    today = timezone.localdate()
    movement_services.pilot_start(
        movement=movement,
        actor=lead,
        hypothesis=LONG_TEXT[:2000],
        success_measure=LONG_TEXT[:2000],
        start=today - datetime.timedelta(days=40),
        end=today - datetime.timedelta(days=1),
        rationale=LONG_TEXT,
    )
    post = feedback_services.feedback_post(
        person=member,
        kind=Kind.DOESNT,
        title=_title("Post"),
        body=LONG_TEXT,
        anonymous=False,
        movement=movement,
        new_tag_names=[LONG_WORD[:50], "日本語のトピック", "العربية"],
    )
    feedback_services.feedback_post(
        person=lead, kind=Kind.WORKS, title=_title("Works"), body=LONG_TEXT, anonymous=True, movement=movement
    )
    feedback_services.vote_set(feedback=post, person=lead, voted=True)
    comment = feedback_services.comment_add(feedback=post, author=lead, body=LONG_TEXT)
    feedback_services.report_create(reporter=member, reason=LONG_TEXT[:2000], comment=comment)
    feedback_services.report_create(reporter=lead, reason=LONG_TEXT[:2000], feedback=post)
    reply = conversation_services.reply_add(update=update, author=member, body=LONG_TEXT)
    long_pilot_parts(movement=movement, lead=lead, member=member)
    nudge = Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST,
        recipient=member,
        movement=movement,
        dedupe_key=f"layout:{member.pk}",
        sent_at=timezone.now(),
        in_app=True,
    )
    return World(
        dept_a=dept_a,
        dept_b=dept_b,
        lead=lead,
        member=member,
        outsider=outsider,
        moderator=moderator,
        admin=admin,
        invitee=invitee,
        movement=movement,
        role=movement.roles.get(),
        membership=membership,
        invitation=invitation,
        update=update,
        post=post,
        comment=comment,
        nudge=nudge,
        reply=reply,
        topic=post.tags.order_by("pk").first(),  # the member's long-named topic, waiting for a moderator
        **sponsors_and_integrations(movement=movement, lead=lead, member=member, outsider=outsider),
    )


def long_pilot_parts(*, movement, lead, member) -> None:
    """A long-named measure with a value, a pulse with its results and texts, a proposal with an objection."""
    from pilots import decisions as pilot_decisions
    from pilots import services as pilot_services
    from pilots.models import Pulse, PulseAnswer

    today = timezone.localdate()
    measure = pilot_services.measure_define(
        movement=movement,
        actor=lead,
        name=LONG_WORD[:120],
        unit=LONG_WORD[:40],
        direction="up",
        baseline=0,
        target=10,
        source="by_hand",
    )
    pilot_services.measure_value_record(
        measure=measure, actor=lead, measured_on=today - datetime.timedelta(days=3), value=4, note=LONG_TEXT[:500]
    )
    pulse = Pulse.objects.create(
        movement=movement,
        number=1,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=23),
        questions=[LONG_TEXT[:300]],
        published_count=5,
        closed_at=timezone.now(),
    )
    PulseAnswer.objects.bulk_create(
        [PulseAnswer(pulse=pulse, scores=[3], works=LONG_TEXT[:2000], doesnt=LONG_WORD) for _ in range(5)]
    )
    proposal = pilot_decisions.proposal_open(
        movement=movement,
        lead=lead,
        decision="extend",
        rationale=LONG_TEXT[:5000],
        new_end=today + datetime.timedelta(days=30),
    )
    pilot_decisions.proposal_respond(proposal=proposal, person=member, kind="object", reason=LONG_TEXT[:2000])


def pages_for(world: World, who: str) -> list[str]:
    """Every URL of the matrix that answers this person's GET with a page (200)."""
    from tests.hardening.test_url_matrix import URL_NAMES

    urls = []
    for name in URL_TABLE:
        if name in NOT_PAGES or name.startswith(NOT_PAGE_PREFIXES) or expected(name, who, "GET") != 200:
            continue
        kwargs = {k: v for k, v in world.kwargs_for(name).items() if k in URL_NAMES[name]}
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def overflow_report(page) -> dict | None:
    """None when the page fits; otherwise its width and the innermost elements whose removal makes it fit."""
    return page.evaluate(
        """() => {
        const width = window.innerWidth, doc = document.documentElement;
        if (doc.scrollWidth <= width) return null;
        const culprits = [];
        for (const el of [...document.querySelectorAll('body *')].reverse()) {
          const display = el.style.display;
          el.style.display = 'none';
          const fits = doc.scrollWidth <= width;
          el.style.display = display;
          if (fits && culprits.push(el.outerHTML.slice(0, 160)) > 2) break;
        }
        return {scrollWidth: doc.scrollWidth, innerWidth: width, culprits};
    }"""
    )


@pytest.mark.parametrize("who", PERSONAS)
def test_no_page_scrolls_sideways_and_axe_finds_nothing(long_world, live_server, page, axe, who, sign_in):
    sign_in(long_world.person(who))
    urls = pages_for(long_world, who)
    assert len(urls) >= 8  # the matrix really gave us pages to look at
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 768 else 900})
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            if (report := overflow_report(page)) is not None:
                problems.append(f"{width}px {url}: {report}")
            if width == 390 and (small := page.evaluate(TOO_SMALL)):
                problems.append(f"{width}px {url}: too small to tap {small[:3]}")
            if width == 390 and (dangling := page.evaluate(DANGLING_DESCRIPTIONS)):
                problems.append(f"{url}: aria-describedby names nothing {dangling[:3]}")
            if width in AXE_WIDTHS:
                for scheme in ("light", "dark"):
                    page.emulate_media(color_scheme=scheme)
                    if violations := axe(page):
                        problems.append(f"{width}px {scheme} {url}: axe {violations}")
                page.emulate_media(color_scheme="light")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/feedback/", "/movements/"])
def test_list_pages_show_a_result_on_the_first_phone_screen(long_world, live_server, page, path, sign_in):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(long_world.member)
    page.goto(f"{live_server.url}{path}")
    first = page.locator(".feedback-card, .movement-card").first
    assert first.bounding_box()["y"] < 844 - 60  # at least its heading is on the first screen
    disclosure = page.locator("details.filters-disclosure")
    assert disclosure.get_attribute("open") is None
    # The filters are one tap away, with or without JavaScript (a plain <details>).
    disclosure.locator("summary").click()
    assert page.get_by_label("Status" if path == "/feedback/" else "Stage").is_visible()


def test_filters_stay_open_on_a_wide_screen_and_when_applied(long_world, live_server, page, sign_in):
    sign_in(long_world.member)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/feedback/")
    assert page.get_by_label("Status").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/feedback/?status=new")
    assert page.get_by_label("Status").is_visible()


@pytest.mark.parametrize("path", ["movement", "/feedback/", "post", "/feedback/new/", "/accounts/login/"])
def test_touch_targets_are_at_least_44px_and_links_24px(long_world, live_server, page, path, sign_in):
    if path != "/accounts/login/":  # the sign-in page with its "Forgot your password?" link, signed out
        sign_in(long_world.lead)
    page.set_viewport_size({"width": 390, "height": 844})
    url = {"movement": long_world.movement.get_absolute_url(), "post": long_world.post.get_absolute_url()}.get(
        path, path
    )
    page.goto(f"{live_server.url}{url}")
    small = page.evaluate(TOO_SMALL)
    assert small == []


def test_the_dark_theme_follows_the_system_setting(long_world, live_server, page, sign_in):
    sign_in(long_world.member)
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/feedback/")
    colours = page.evaluate(
        "() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color]"
    )
    assert colours == ["rgb(17, 20, 24)", "rgb(231, 234, 238)"]
    page.emulate_media(color_scheme="light")
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(246, 247, 249)"


# --- pages outside the URL matrix: the admin, allauth's pages, the error pages ---------------------------


def admin_pages(world: World) -> list[str]:
    """The admin's index, each changelist with the long rows, and the change form of a long movement and person."""
    return [
        reverse("admin:index"),
        reverse("admin:people_user_changelist"),
        reverse("admin:people_user_change", args=[world.lead.pk]),
        reverse("admin:people_department_changelist"),
        reverse("admin:movements_movement_changelist"),
        reverse("admin:movements_movement_change", args=[world.movement.pk]),
        reverse("admin:movements_update_changelist"),
        reverse("admin:activity_activity_changelist"),
        reverse("admin:integrations_delivery_changelist"),
        reverse("admin:nudges_nudge_changelist"),
        reverse("admin:people_auditevent_changelist"),
    ]


SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/1-bad-key/",
    "/no-such-page/",
]
SIGNED_IN_ACCOUNT_PAGES = ["/accounts/password/change/", "/accounts/email/", "/accounts/logout/"]
# Rendered as the server renders them (a request with the signed-in person) and served at a path of the live
# server, so the page has its real stylesheet: the pages no ordinary visit reaches on purpose.
RENDERED_ERRORS = ("400.html", "429.html", "500.html", "503.html")


def _rendered_error(template: str, person) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user, request.session = person, SessionStore()
    request._messages = FallbackStorage(request)
    return render_to_string(template, {"message": f"{LONG_WORD} {LONG_URL}"}, request=request)


def _serve(html: str):
    def fulfil(route) -> None:  # Playwright passes (route, request) to a handler with two parameters
        route.fulfill(body=html, content_type="text/html")

    return fulfil


@pytest.mark.parametrize("group", ["admin", "allauth-signed-out", "allauth-signed-in", "errors"])
def test_admin_allauth_and_error_pages_do_not_scroll_sideways(long_world, live_server, page, sign_in, group):
    superuser = long_world.admin
    type(superuser).objects.filter(pk=superuser.pk).update(is_superuser=True)
    if group == "admin":
        sign_in(superuser)
        visits = [(url, 200) for url in admin_pages(long_world)]
    elif group == "allauth-signed-out":
        visits = [(url, None) for url in SIGNED_OUT_PAGES]
    elif group == "allauth-signed-in":
        sign_in(long_world.member)
        visits = [(url, 200) for url in SIGNED_IN_ACCOUNT_PAGES]
    else:
        sign_in(long_world.member)
        # A 404 and a 403 as the server answers them; then the error templates it renders when things go wrong.
        visits = [("/no-such-page/", 404), (reverse("movements:edit", args=[long_world.movement.slug]), 403)]
        for template in RENDERED_ERRORS:
            html = _rendered_error(template, long_world.member)
            path = f"/__layout__/{template}"
            page.route(f"{live_server.url}{path}", _serve(html))
            visits.append((path, 200))
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 768 else 900})
        for url, status in visits:
            response = page.goto(f"{live_server.url}{url}")
            if status is not None:
                assert response.status == status, url
            else:
                assert response.status < 500, url
            if (report := overflow_report(page)) is not None:
                problems.append(f"{width}px {url}: {report}")
    assert len(visits) >= 3
    assert not problems, "\n".join(problems)
