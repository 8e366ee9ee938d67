import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture
def sign_in(live_server, page):
    """A session made on the server and handed to the browser: much faster than the login form."""

    def sign_in(person):
        client = Client()
        client.force_login(person)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return sign_in
