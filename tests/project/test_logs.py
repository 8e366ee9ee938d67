import json
import logging

import pytest

from socialbiz.structured_logs import JsonFormatter


@pytest.mark.django_db
def test_request_log_names_the_route_not_the_person_or_the_token(client, person, caplog):
    client.force_login(person)
    with caplog.at_level(logging.INFO, logger="socialbiz.request"):
        client.get("/accounts/password/reset/key/secret-token-123/")
        client.get("/")
    records = [r for r in caplog.records if r.name == "socialbiz.request"]
    assert len(records) == 2
    lines = [JsonFormatter().format(r) for r in records]
    for line in lines:
        entry = json.loads(line)
        assert set(entry) >= {"time", "level", "method", "route", "status", "duration_ms"}
    everything = "\n".join(lines)
    assert "secret-token-123" not in everything
    assert person.email not in everything and str(person.pk) not in json.loads(lines[-1])["route"]


def test_json_formatter_keeps_only_safe_extras():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.password = "hunter2"
    record.route = "feedback/<int:pk>/"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["route"] == "feedback/<int:pk>/"
    assert "hunter2" not in json.dumps(entry)


@pytest.mark.django_db
def test_posting_feedback_leaves_no_request_log_line_at_all(client, person, caplog):
    client.force_login(person)
    with caplog.at_level(logging.INFO, logger="socialbiz.request"):
        client.post("/feedback/new/", {"kind": "works", "title": "t", "body": "b", "anonymous": "on"})
        client.get("/feedback/new/")
    routes = [(r.method, r.route) for r in caplog.records if r.name == "socialbiz.request"]
    assert routes == [("GET", "feedback/new/")]
