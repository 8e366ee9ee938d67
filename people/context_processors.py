from . import kept_text


def restored_form(request) -> dict:
    """The form a signed-out tab posted, to put back on this page (people/kept_text.py); no query."""
    if kept_text.PARAMETER not in request.GET:
        return {}
    return {"restored_form": kept_text.take(request)}
