"""Other places a delivered nudge is copied to, such as a person's Slack or Teams channel. Apps above
register a copier in their AppConfig.ready(); it runs in the transaction that marks the nudge sent, so
a copy is written exactly when the nudge is delivered (after the person's preferences and the cap)."""

from __future__ import annotations

from collections.abc import Callable

_copiers: list[Callable] = []
_email_replacements: list[Callable] = []


def register(copier: Callable) -> Callable:
    if copier not in _copiers:
        _copiers.append(copier)
    return copier


def copy_delivered(nudge) -> None:
    for copier in _copiers:
        copier(nudge)


def register_email_replacement(replaces: Callable) -> Callable:
    """`replaces(nudge) -> bool`: True when the person receives this nudge's copy instead of its email."""
    if replaces not in _email_replacements:
        _email_replacements.append(replaces)
    return replaces


def replaces_email(nudge) -> bool:
    return any(replaces(nudge) for replaces in _email_replacements)
