"""Every URL of ours, called by every kind of person with GET and with an empty POST, answers as the table says,
and nothing that is refused (or is a GET) changes a single row."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

from .conftest import db_fingerprint, fingerprint_diff
from .url_table import LOGIN, URL_TABLE, expected

PEOPLE = ("anonymous", "outsider", "member", "lead", "moderator", "admin", "sponsor", "manager", "other_manager")
THIRD_PARTY = ("admin:", "account_", "socialaccount", "openid_connect", "bench_hello")


def our_url_names() -> dict[str, set[str]]:
    """Every named route in the resolver (with its parameters), without the third-party ones."""
    names: dict[str, set[str]] = {}

    def walk(resolver, prefix: str = "", params: tuple = ()) -> None:
        for pattern in resolver.url_patterns:
            found = (*params, *pattern.pattern.regex.groupindex)
            if hasattr(pattern, "url_patterns"):
                walk(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix, found)
            elif pattern.name:
                names[prefix + pattern.name] = set(found)

    walk(get_resolver())
    return {name: params for name, params in sorted(names.items()) if not name.startswith(THIRD_PARTY)}


URL_NAMES = our_url_names()


def test_the_resolver_walk_finds_our_apps_and_skips_third_party_ones():
    assert {
        "home",
        "healthz",
        "movements:detail",
        "feedback:vote",
        "nudges:read",
        "dashboards:overview",
        "people:privacy",
        "movement_analytics",
    } <= URL_NAMES.keys()
    assert not [name for name in URL_NAMES if name.startswith(("admin:", "account_", "socialaccount"))]


def test_the_table_has_no_rows_for_urls_that_no_longer_exist():
    assert sorted(URL_TABLE.keys() - URL_NAMES.keys()) == []


def _call(client: Client, method: str, url: str, data: dict | None = None):
    """One request inside a savepoint that is rolled back, so every call meets the same world."""
    cache.clear()
    before = db_fingerprint()
    savepoint = transaction.savepoint()
    try:
        response = client.get(url) if method == "GET" else client.post(url, data) if data else client.post(url)
        changed = fingerprint_diff(before, db_fingerprint())
    finally:
        transaction.savepoint_rollback(savepoint)
    return response, changed


@pytest.mark.parametrize("name", URL_NAMES)
def test_every_person_gets_the_expected_answer_and_refusals_change_nothing(world, name):
    assert name in URL_TABLE, (
        f"URL name {name!r} has no row in tests/hardening/url_table.py: add the expected answer for every "
        "kind of person (anonymous, outsider, member, lead, moderator, admin) for GET and POST."
    )
    row = URL_TABLE[name]
    url = reverse(name, kwargs={k: v for k, v in world.kwargs_for(name).items() if k in URL_NAMES[name]})
    problems = []
    for who in PEOPLE:
        client = Client(raise_request_exception=False)
        if who != "anonymous":
            client.force_login(world.person(who))
        for method in ("GET", "POST"):
            want = expected(name, who, method)
            response, changed = _call(client, method, url)
            got = response.status_code
            if want == LOGIN:
                if got != 302 or not response["Location"].startswith("/accounts/login/"):
                    problems.append(
                        f"{method} as {who}: {got} {response.get('Location', '')}, expected a redirect to login"
                    )
            elif got != want:
                problems.append(f"{method} as {who}: {got}, expected {want}")
            if method == "GET":
                allowed = row.get("get_writes", set())
                if set(changed) - allowed:
                    problems.append(f"GET as {who} changed {changed}")
            elif changed and (who not in row.get("writes", ()) or got not in (200, 302)):
                problems.append(f"POST as {who} ({got}) changed {changed}")
    assert not problems, f"{name} ({url}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", ["feedback:vote", "movements:follow", "movements:role_claim", "nudges:read"])
def test_an_allowed_write_does_change_the_database(world, name):
    """The fingerprint sees real writes: otherwise 'nothing changed' above would prove nothing."""
    who = {"movements:follow": "admin"}.get(name, "member")
    client = Client()
    client.force_login(world.person(who))
    url = reverse(name, kwargs={k: v for k, v in world.kwargs_for(name).items() if k in URL_NAMES[name]})
    # The vote button says what it asks for (an empty POST is refused with a 400, see the table).
    data = {"state": "vote"} if name == "feedback:vote" else None
    response, changed = _call(client, "POST", url, data)
    assert response.status_code == 302
    assert changed


def test_the_invitation_page_that_is_404_for_the_six_opens_for_the_invitee(world):
    """The table expects 404 from everyone for the invitation: the invitee (the only one allowed) gets the page."""
    client = Client()
    client.force_login(world.invitee)
    url = reverse("movements:invitation", kwargs={"token": world.invitation.token})
    assert client.get(url).status_code == 200
    response, changed = _call(client, "POST", url)  # no "answer": a decline
    assert response.status_code == 302
    assert "movements_invitation" in changed
