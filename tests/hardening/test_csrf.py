"""CSRF on every state-changing request, htmx ones included: without the token a POST is refused (403) and
changes nothing; with it, the same person's same POST reaches the view. GETs change nothing (test_url_matrix)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .test_url_matrix import URL_NAMES, _call
from .url_table import LOGIN, URL_TABLE, expected

PEOPLE = ("member", "lead", "moderator", "admin", "outsider")
# RFC 8058 one-click unsubscribe: mail clients POST without a session; the signed token in the URL is the proof.
CSRF_EXEMPT = {"nudges:unsubscribe"}


def _post_routes() -> list[tuple[str, str]]:
    """Each URL that accepts POST, with a person whose POST the view itself would accept (not 403/404/405)."""
    routes = []
    for name in URL_TABLE:
        for who in PEOPLE:
            if expected(name, who, "POST") not in (403, 404, 405, LOGIN):
                routes.append((name, who))
                break
    return routes


POST_ROUTES = _post_routes()


def test_the_csrf_check_covers_every_route_that_accepts_a_post():
    accepting = {name for name, _ in POST_ROUTES}
    assert {
        "feedback:vote",
        "movements:follow",
        "movements:role_claim",
        "nudges:read_all",
        "people:privacy_erasure_request",
        "feedback:new",
        "movements:new",
    } <= accepting
    assert len(accepting) >= 30


@pytest.mark.parametrize(("name", "who"), POST_ROUTES)
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, name, who, htmx):
    url = reverse(name, kwargs={k: v for k, v in world.kwargs_for(name).items() if k in URL_NAMES[name]})
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(world.person(who))
    headers = {"HX-Request": "true"} if htmx else {}
    # A real visit first, to a page that sets the cookie (an API answer sets none).
    client.get(url if expected(name, who, "GET") == 200 and not name.startswith("api:") else reverse("home"))
    response, changed = _call(_HeaderClient(client, headers), "POST", url)
    if name in CSRF_EXEMPT:
        assert response.status_code == 200
        return
    assert response.status_code == 403, f"{name} as {who} answered {response.status_code} without a CSRF token"
    assert changed == []

    # The same request with the token (cookie + header, as htmx sends it from <body hx-headers>) gets through.
    token = client.cookies["csrftoken"].value
    response, _ = _call(_HeaderClient(client, {**headers, "X-CSRFToken": token}), "POST", url)
    # htmx gets the refreshed part of the page (200) where a plain form post is redirected.
    assert response.status_code == expected(name, who, "POST") or (htmx and response.status_code == 200)


class _HeaderClient:
    """A client whose POSTs carry extra headers."""

    def __init__(self, client: Client, headers: dict[str, str]):
        self.client, self.headers = client, headers

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url):
        return self.client.post(url, headers=self.headers)
