"""The Nu HTML Checker (vnu, the W3C's validator, from npm's vnu-jar on the machine's Java) finds no error on
the main pages, each fetched as a person who may see it, with the world of conftest.py (an update, a post
with a comment, a notification, roles, a sponsor, a picture)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# htmx's attributes (hx-get, hx-target, ...) are its documented, non-standard markup; the checker knows no
# custom attributes, so exactly these messages are set aside, and every other error counts.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z]+” at this point\.$")
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def main_pages(world) -> list[tuple[str, str]]:
    """(who, url) for the pages people use most, and the pages of every kind (forms, confirmations, errors)."""
    slug = world.movement.slug
    return [
        ("anonymous", reverse("account_login")),
        ("anonymous", reverse("account_reset_password")),
        ("member", reverse("home")),
        ("member", reverse("movements:list")),
        ("member", world.movement.get_absolute_url()),
        ("lead", world.movement.get_absolute_url()),
        ("member", reverse("movements:new")),
        ("member", reverse("movements:leave", kwargs={"slug": slug})),
        ("member", reverse("movements:invite", kwargs={"slug": slug})),
        ("lead", reverse("movements:edit", kwargs={"slug": slug})),
        ("lead", reverse("movements:roles", kwargs={"slug": slug})),
        ("lead", reverse("movement_analytics", kwargs={"slug": slug})),
        ("member", reverse("feedback:list")),
        ("member", world.post.get_absolute_url()),
        ("member", reverse("feedback:new")),
        ("moderator", reverse("feedback:moderation")),
        ("member", reverse("nudges:list")),
        ("member", reverse("nudges:preferences")),
        ("member", reverse("people:privacy")),
        ("member", reverse("people:avatar_settings")),
        ("member", reverse("people:locale_settings")),
        ("manager", reverse("organisation")),
        ("admin", reverse("dashboards:overview")),
        ("member", reverse("api_tokens:list")),
        ("member", reverse("integrations:feeds")),
        ("member", "/no-such-page/"),
    ]


def test_the_main_pages_have_no_html_errors(world, tmp_path, settings):
    assert VNU.exists(), "run npm ci (vnu-jar)"
    assert shutil.which("java"), "the Nu HTML Checker needs Java"
    files = []
    for index, (who, url) in enumerate(main_pages(world)):
        client = Client()
        person = world.person(who)
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code in (200, 404), (who, url, response.status_code)
        path = tmp_path / f"{index:02d}.html"
        path.write_bytes(response.content)
        files.append((path, who, url))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *(str(f) for f, _w, _u in files)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(result.stderr or result.stdout)
    names = {f.name: (who, url) for f, who, url in files}
    errors = [
        f"{names[Path(m['url']).name]} line {m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in report["messages"]
        if (m["type"] == "error" or m.get("subType") == "fatal") and not HTMX_ATTRIBUTE.match(m["message"])
    ]
    assert errors == [], "\n".join(errors)
    # The checker did look at every page (a file it could not read would be an error of type "non-document-error").
    assert not [m for m in report["messages"] if m["type"] == "non-document-error"]
