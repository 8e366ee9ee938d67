"""What the API answers: small, explicit shapes (no model dumps), documented in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator


class Input(Schema):
    """Every input: text with a NUL character is refused (422) before it can reach PostgreSQL."""

    @field_validator("*", mode="after")
    @classmethod
    def no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
            raise ValueError("NUL characters are not allowed")
        return value


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list | dict | None = None


class Person(Schema):
    id: int
    name: str


class Me(Schema):
    id: int
    name: str
    email: str
    is_staff: bool
    token_scope: str | None = Field(None, description="The scope of the token used, or null for a session.")


class MovementSummary(Schema):
    slug: str
    title: str
    pitch: str
    stage: str
    tool: str
    department: str | None
    founder: Person
    follower_count: int
    open_seats: int
    created_at: dt.datetime
    last_activity_at: dt.datetime
    url: str


class MovementDetail(MovementSummary):
    problem: str
    use_cases: str
    hypothesis: str
    success_measure: str
    pilot_start: dt.date | None
    pilot_end: dt.date | None
    needs_lead: bool
    you_follow: bool


class MovementPage(Schema):
    items: list[MovementSummary]
    next_cursor: str | None


class Member(Schema):
    position: int
    person: Person
    joined_at: dt.datetime
    is_lead: bool


class MemberPage(Schema):
    items: list[Member]
    next_cursor: str | None


class Following(Schema):
    slug: str
    following: bool
    follower_count: int


class FeedbackSummary(Schema):
    id: int
    kind: str
    title: str
    status: str
    anonymous: bool
    author: Person | None = Field(description="null for an anonymous post")
    movement: str | None = Field(description="the movement's slug")
    vote_count: int
    comment_count: int
    created_at: dt.datetime
    url: str


class Comment(Schema):
    id: int
    author: Person
    body: str
    created_at: dt.datetime


class Answer(Schema):
    status: str
    response: str
    answered_by: Person | None
    created_at: dt.datetime


class FeedbackDetail(FeedbackSummary):
    body: str
    body_html: str
    tags: list[str]
    you_voted: bool
    comments: list[Comment]
    answers: list[Answer]


class FeedbackPage(Schema):
    items: list[FeedbackSummary]
    next_cursor: str | None


class FeedbackIn(Input):
    # Strict: "anonymous": 0 or "false" is refused, never guessed (a wrong guess would publish a name).
    model_config = ConfigDict(strict=True)

    kind: Literal["works", "doesnt"]
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    anonymous: bool = False
    movement: str | None = Field(None, max_length=220, description="slug of a movement you can see")
    tags: list[str] = Field(default_factory=list, max_length=5)


class Posted(Schema):
    id: int | None = Field(description="null for an anonymous post: nothing ties it to you, this answer included")
    anonymous: bool


class Vote(Schema):
    id: int
    voted: bool
    vote_count: int


class CommentIn(Input):
    model_config = ConfigDict(strict=True)

    body: str = Field(min_length=1, max_length=10000)


class Notification(Schema):
    id: int
    kind: str
    headline: str
    link: str
    sent_at: dt.datetime | None
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[Notification]
    next_cursor: str | None


class Table(Schema):
    name: str
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]


class Dashboard(Schema):
    days: int
    tables: list[Table]
