"""What a new movement can start from (a feedback post), without movements importing the apps above it.

The app that owns the origin registers a loader in its AppConfig.ready(); the start page asks for the
origin by name and gets the object the viewer may see, or None (a 404). An origin offers `pk`, `title`,
`vote_count`, `body_as_text()` (the start form's problem) and `voters()` (people the founder may invite).
"""

from __future__ import annotations

from collections.abc import Callable

Loader = Callable[..., object | None]

_loaders: dict[str, Loader] = {}


def register(name: str, loader: Loader) -> None:
    """`loader(viewer=..., pk=...)` returns the object when the viewer may see it, else None."""
    _loaders[name] = loader


def load(name: str, *, viewer, pk: int) -> object | None:
    loader = _loaders.get(name)
    return loader(viewer=viewer, pk=pk) if loader else None
