from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import kept_text
from .models import AuditAction, User
from .services import audit_record
from .sessions import loading_session


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, except that the person read together with the session (people/sessions.py) is the user.

    Django's own get_user still decides everything (the session's backend, the password-change hash);
    only the backend's read of the person's row is skipped when the session query brought that row.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_of(request))


def _user_of(request):
    if not hasattr(request, "_cached_user"):
        token = loading_session.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            loading_session.reset(token)
    return request._cached_user


class PersonLocaleMiddleware:
    """Pages in the signed-in person's saved language and time zone.

    LocaleMiddleware has already chosen from the language cookie (the switcher on the sign-in page),
    the browser's Accept-Language and LANGUAGE_CODE; a saved preference goes before all of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zoneinfo)
            if user.language and user.language != request.LANGUAGE_CODE:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)


# After an anonymous post the session is left alone: not saved on that request, and its last-seen stamp
# not moved for a while, so no session row is written next to the post (feedback/publication.py rewrites
# the queued post within a minute). The browser carries the "quiet until" mark in a signed cookie.
QUIET_COOKIE = "socialbiz_quiet"
QUIET_SECONDS = 15 * 60


def keep_session_quiet(request, response):
    """Mark `response` so this request saves no session and later ones do not stamp it for QUIET_SECONDS."""
    request.session_write_forbidden = True
    response.set_signed_cookie(
        QUIET_COOKIE,
        "1",
        salt=QUIET_COOKIE,
        max_age=QUIET_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _is_quiet(request) -> bool:
    return request.get_signed_cookie(QUIET_COOKIE, default=None, salt=QUIET_COOKIE, max_age=QUIET_SECONDS) == "1"


class SessionWriteGuardMiddleware:
    """Right after SessionMiddleware: a request marked by keep_session_quiet saves no session at all,
    whatever else (messages overflowing the cookie, stamps) changed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "session_write_forbidden", False) and hasattr(request, "session"):
            request.session.modified = False
        return response


SESSION_STARTED_KEY = "people_signed_in_at"
SESSION_SEEN_KEY = "people_last_seen_at"
# Writing the session on every request costs a query; the idle clock only needs minute precision.
SEEN_RESOLUTION_SECONDS = 60


class SessionPolicyMiddleware:
    """Sign a person out when their account was deactivated, or after the idle or absolute timeout.

    Runs after AuthenticationMiddleware. A deactivated person's session still names them, but
    Django's backends no longer return them as the user: this ends that session on the server.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None:
            reason = self._end_reason(request, settings)
            if reason:
                self._sign_out(request, reason)
        return self.get_response(request)

    def _end_reason(self, request, settings) -> str:
        session = request.session
        if "_auth_user_id" not in session:
            return ""
        if not request.user.is_authenticated:
            return "deactivated"
        now = int(timezone.now().timestamp())
        started = session.get(SESSION_STARTED_KEY)
        if started is None:
            session[SESSION_STARTED_KEY] = started = now
        if settings.SESSION_ABSOLUTE_TIMEOUT and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return "absolute_timeout"
        seen = session.get(SESSION_SEEN_KEY, started)
        if settings.SESSION_IDLE_TIMEOUT and now - seen > settings.SESSION_IDLE_TIMEOUT:
            return "idle_timeout"
        if (now - seen >= SEEN_RESOLUTION_SECONDS or SESSION_SEEN_KEY not in session) and not _is_quiet(request):
            session[SESSION_SEEN_KEY] = now
        return ""

    def _sign_out(self, request, reason: str) -> None:

        if reason == "deactivated":
            # Django's backends no longer return an inactive person, so logout() would not know whom
            # it signs out: flush the orphaned session here and record it.
            user_id = request.session.get("_auth_user_id")
            request.session.flush()
            request.user = AnonymousUser()
            person = User.objects.filter(pk=user_id).first() if user_id else None
            audit_record(action=AuditAction.SESSION_EXPIRED, target=person, detail={"reason": reason}, request=request)
        else:
            # The user_logged_out signal writes the audit row, with this reason.
            request.session_end_reason = reason
            logout(request)
            messages.info(request, _("Your session has expired. Please sign in again."))


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, with a sane answer for htmx requests from a signed-out tab.

    A redirect would be followed by the browser and the login page swapped into the header or a card.
    Instead: HX-Redirect to the login page with `next` set to the page the person is on (HX-Current-URL),
    and a bare 204 for the bell's poll, which must not move anybody off their page.
    """

    def handle_no_permission(self, request, view_func):
        if request.method == "POST" and request.headers.get("HX-Request") != "true":
            # A form sent from a signed-out tab: sign in, then back to the form's page with the text put
            # back (people/kept_text.py), never to the POST-only address (a bare 405).
            page = kept_text.page_with_token(kept_text.form_page(request), kept_text.keep(request))
            return redirect_to_login(page, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        if request.resolver_match and request.resolver_match.view_name == BELL_VIEW:
            return HttpResponse(status=204)
        page = _page_path(request)
        if request.method == "POST":
            page = kept_text.page_with_token(page, kept_text.keep(request))
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{resolve_url(self.get_login_url(view_func))}?{urlencode({'next': page})}"
        return response


BELL_VIEW = "nudges:bell"


def _page_path(request) -> str:
    """The path of the page the htmx request came from, if it is ours; the request's own path otherwise."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path() if request.method == "GET" else "/"
