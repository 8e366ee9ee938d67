"""What `make bench` serves: socialbiz, plus a framework-free WSGI hello on the same gunicorn.

The plain hello is the floor under the framework's own floor (the signed-in Django hello): the two side
by side say what the framework, the session and the middleware cost before a page does any work.
"""

from socialbiz.wsgi import application as django_application

BODY = b"hello"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/wsgi-hello":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
        return [BODY]
    return django_application(environ, start_response)
