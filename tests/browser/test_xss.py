"""XSS: a payload set posted through the real forms everywhere text is accepted never runs in Chromium.

Payloads: a script tag, an img onerror, a javascript: link (HTML and Markdown), an element with hx-get
(and hx-trigger="load") to a URL of ours, an svg onload. Each page that shows the text is opened and:
no dialog opens, no request goes to the hx-get target, no CSP violation is reported (our own scripts never
need one, and escaped text never causes one), and no javascript: link or live event handler is in the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Comment, Feedback, Report
from movements.models import Invitation, Movement, Update
from tests.factories import DepartmentFactory, UserFactory

HX_TARGET = "/xss-hx-target"
PAYLOADS = [
    '<script>alert("xss1")</script>',
    '<img src=x onerror=alert("xss2")>',
    "<a href=\"javascript:alert('xss3')\">j</a>",
    f'<div hx-get="{HX_TARGET}" hx-trigger="load">h</div>',
    '<svg onload=alert("xss5")>',
]
ALL = " ".join(PAYLOADS)  # 190 characters: fits every title field (max 200)
MARKDOWN = ALL + "\n\n[click me](javascript:alert('xss6')) ![x](javascript:alert('xss7'))"


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    department = DepartmentFactory(name="Engineering")
    people = {
        "lead": UserFactory(display_name=PAYLOADS[0][:60], department=department),
        "member": UserFactory(display_name="Max Member", department=department),
        "invitee": UserFactory(display_name="Ivo Invitee", department=department),
        "moderator": UserFactory(
            display_name="Mona Moderator", department=department, is_moderator=True, is_staff=True
        ),
    }
    return people


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _post(client: Client, url: str, data: dict, expect: int = 302):
    response = client.post(url, data)
    assert response.status_code == expect, f"{url}: {response.status_code} {response.content[:2000]!r}"
    return response


def _post_payloads_everywhere(people) -> dict:
    lead, member, moderator = _client(people["lead"]), _client(people["member"]), _client(people["moderator"])
    assert len(ALL) <= 200
    _post(
        lead,
        reverse("movements:new"),
        {
            "title": ALL,
            "pitch": ALL,
            "problem": ALL,
            "use_cases": ALL,
            "tool": ALL[:120],
            "custom_1_name": "Own " + PAYLOADS[2],
            "custom_1_seats": 2,
        },
    )
    movement = Movement.objects.get()
    slug = movement.slug
    for payload in PAYLOADS:
        _post(lead, reverse("movements:roles", args=[slug]), {"name": payload, "description": ALL, "seats": 3})
    _post(member, reverse("movements:follow", args=[slug]), {})
    _post(member, reverse("movements:update_post", args=[slug]), {"body": ALL})
    _post(lead, reverse("movements:invite", args=[slug]), {"invitee": people["invitee"].pk, "note": ALL})
    _post(
        lead,
        reverse("movements:pilot", args=[slug]),
        {"hypothesis": ALL, "success_measure": ALL, "start": "2026-01-01", "end": "2026-02-01", "rationale": ALL},
    )
    _post(
        member,
        reverse("feedback:new"),
        {"kind": "doesnt", "title": ALL, "body": MARKDOWN, "movement": movement.pk, "new_tags": "xss"},
    )
    post = Feedback.objects.get()
    _post(member, reverse("feedback:comment_add", args=[post.pk]), {"body": ALL})
    comment = Comment.objects.get()
    _post(moderator, reverse("feedback:answer", args=[post.pk]), {"status": "planned", "response": ALL})
    _post(member, reverse("feedback:report", args=[post.pk]), {"reason": ALL})
    _post(lead, reverse("feedback:comment_report", args=[comment.pk]), {"reason": ALL})
    assert Update.objects.filter(body=ALL).exists()
    assert Invitation.objects.filter(note=ALL).exists()
    assert Report.objects.filter(reason=ALL).count() == 2
    movement.refresh_from_db()
    assert movement.title == ALL and movement.roles.count() == 6
    return {"movement": movement, "post": post, "invitation": Invitation.objects.get()}


def _sign_in(page, live_server, person) -> None:
    client = _client(person)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_payloads_posted_everywhere_never_run_in_the_browser(world, live_server, page):
    made = _post_payloads_everywhere(world)
    movement, post, invitation = made["movement"], made["post"], made["invitation"]
    dialogs, hx_requests, csp_violations, page_errors = [], [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request", lambda request: urlsplit(request.url).path.startswith(HX_TARGET) and hx_requests.append(request.url)
    )
    page.on("console", lambda msg: "Content Security Policy" in msg.text and csp_violations.append(msg.text))
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    visits = [
        ("member", reverse("home")),
        ("member", reverse("movements:list")),
        ("member", movement.get_absolute_url()),
        ("lead", reverse("movements:roles", args=[movement.slug])),
        ("lead", reverse("movements:invite", args=[movement.slug])),
        ("lead", reverse("movements:welcome", args=[movement.slug])),
        ("lead", reverse("movement_analytics", args=[movement.slug])),
        ("invitee", reverse("movements:invitation", args=[invitation.token])),
        ("member", reverse("feedback:list")),
        ("member", post.get_absolute_url()),
        ("moderator", reverse("feedback:moderation")),
        ("moderator", reverse("dashboards:overview")),
        ("invitee", reverse("nudges:list")),
    ]
    shown_literally = 0
    for who, path in visits:
        _sign_in(page, live_server, world[who])
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path} as {who}: {response.status}"
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # a load-triggered hx-get or an onerror would have fired by now
        found = page.evaluate("""() => {
            const all = [...document.querySelectorAll('*')];
            return {
              jsLinks: all.filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
              handlers: all.filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length,
              hxToTarget: all.filter(e => [...e.attributes].some(a => a.name.startsWith('hx-') && a.value.trim().startsWith('/xss-hx-target'))).length,
              injectedSvgOrImg: document.querySelectorAll('svg[onload], img[src="x"]').length,
              text: document.body.innerText,
            };
        }""")
        assert (found["jsLinks"], found["handlers"], found["hxToTarget"], found["injectedSvgOrImg"]) == (0, 0, 0, 0), (
            path,
            found,
        )
        shown_literally += PAYLOADS[0] in found["text"]
    assert dialogs == []
    assert hx_requests == []
    assert csp_violations == []
    assert page_errors == []
    # The payloads were on the pages, as text: the pages really showed what was posted.
    assert shown_literally >= 8
