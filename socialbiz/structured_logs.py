"""One JSON object per log line, and a request log that names the route, never the person or the path.

The route pattern (`feedback/<int:pk>/`) is logged instead of the path so tokens in URLs never reach
the logs, and no user id is logged, so a request log can never tie a person to an anonymous post.
"""

import json
import logging
import time

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("socialbiz.request")
# Requests that leave no log line at all: posting feedback may be anonymous, and a line with its second
# would date the post (and the people active around it) however the post itself is stored.
UNLOGGED_VIEWS = {("POST", "feedback:new"), ("POST", "pilots:pulse_answer")}
SAFE_EXTRA = ("method", "route", "status", "duration_ms", "task", "task_id", "state")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: getattr(record, key) for key in SAFE_EXTRA if hasattr(record, key)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match and (request.method, match.view_name) in UNLOGGED_VIEWS:
            return response
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "route": (match.route if match else "(unresolved)"),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - began) * 1000, 1),
            },
        )
        return response
