"""A tab left open after the session ended: htmx requests are sent to the login page (keeping the page they came
from as `next`) instead of having the login page swapped into the header; the bell's poll gets a bare 204."""

import pytest

from tests.factories import FeedbackFactory

HTMX = {"HX-Request": "true"}


def test_an_htmx_filter_from_a_signed_out_tab_is_sent_to_login_with_the_page_as_next(client):
    response = client.get(
        "/feedback/?kind=works", headers={**HTMX, "HX-Current-URL": "http://testserver/feedback/?status=new"}
    )
    assert response.status_code == 204 and response.content == b""
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Ffeedback%2F%3Fstatus%3Dnew"


@pytest.mark.django_db
def test_an_htmx_vote_from_a_signed_out_tab_changes_nothing_and_returns_to_the_post(client):
    post = FeedbackFactory()
    response = client.post(
        f"/feedback/{post.pk}/vote/", headers={**HTMX, "HX-Current-URL": f"http://testserver/feedback/{post.pk}/"}
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=%2Ffeedback%2F{post.pk}%2F"
    post.refresh_from_db()
    assert post.vote_count == 0


def test_the_bell_poll_from_a_signed_out_tab_gets_a_bare_204(client):
    response = client.get("/notifications/bell/", headers={**HTMX, "HX-Current-URL": "http://testserver/feedback/"})
    assert response.status_code == 204 and response.content == b"" and not response.has_header("HX-Redirect")


def test_next_never_points_to_another_site(client):
    response = client.get("/movements/", headers={**HTMX, "HX-Current-URL": "https://evil.example/phish"})
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fmovements%2F"


def test_a_plain_request_from_a_signed_out_visitor_still_gets_the_redirect(client):
    response = client.get("/notifications/bell/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/notifications/bell/"


def test_a_signed_in_htmx_request_is_answered_as_usual(client, person):
    client.force_login(person)
    response = client.get("/notifications/bell/", headers=HTMX)
    assert response.status_code == 200 and b"nudges-bell" in response.content
