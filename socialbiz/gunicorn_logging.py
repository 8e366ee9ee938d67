"""gunicorn's access log, made safe to keep: the route pattern instead of the path, and nothing about who.

A path can hold a token (password-reset keys, recruit links with a person's id, unsubscribe links) and a
query string can say which page a person came from; the client's address, user agent and referer tie a
line to a person. So a line carries only the time, the method, the route pattern Django resolves the path
to (`movements/<uslug:slug>/join/<int:person_id>/<str:token>/`), the status, the size and the duration,
and the request that can post anonymously leaves no line at all (see structured_logs.UNLOGGED_VIEWS).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

# No %(h)s (client address), %(q)s (query string), %(r)s or %(U)s (raw path), %(a)s or %(f)s.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'


def route_of(path: str) -> str:
    """The URL pattern the path resolves to, or a fixed placeholder: never the path's own text."""
    from django.urls import Resolver404, resolve

    if path.startswith("/static/"):
        return "/static/…"
    try:
        match = resolve(path)
    except (Resolver404, ValueError, UnicodeError):
        return "(unresolved)"
    return "/" + match.route


def is_unlogged(method: str, path: str) -> bool:
    from django.urls import Resolver404, resolve

    from .structured_logs import UNLOGGED_VIEWS

    try:
        match = resolve(path)
    except (Resolver404, ValueError, UnicodeError):
        return False
    return (method, match.view_name) in UNLOGGED_VIEWS


class RouteOnlyLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or "/"
        safe_path = route_of(path)
        method = environ.get("REQUEST_METHOD", "-")
        # Every atom that could carry the path, the query, a header or an environ value is dropped.
        keep = {key: atoms[key] for key in ("t", "m", "s", "b", "B", "T", "D", "M", "L", "H")}
        return {
            **keep,
            "h": "-",
            "u": "-",
            "l": "-",
            "U": safe_path,
            "r": f"{method} {safe_path} {environ.get('SERVER_PROTOCOL', '')}".strip(),
            "q": "",
            "a": "-",
            "f": "-",
        }

    def access(self, resp, req, environ, request_time):
        if is_unlogged(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO") or "/"):
            return
        super().access(resp, req, environ, request_time)
