"""Other places a delivered nudge is copied to, such as a person's Slack or Teams channel. Apps above
register a copier in their AppConfig.ready(); it runs in the transaction that marks the nudge sent, so
a copy is written exactly when the nudge is delivered (after the person's preferences and the cap)."""

from __future__ import annotations

from collections.abc import Callable

_copiers: list[Callable] = []


def register(copier: Callable) -> Callable:
    if copier not in _copiers:
        _copiers.append(copier)
    return copier


def copy_delivered(nudge) -> None:
    for copier in _copiers:
        copier(nudge)
