from . import kept_text


def restored_form(request) -> dict:
    """The form a signed-out tab posted, to put back on this page (people/kept_text.py); no query.

    Taken once per request and kept on it: a page that renders parts of its template separately (the cached
    post and movement pages) runs the context processors more than once, and the kept form is read only once.
    """
    if kept_text.PARAMETER not in request.GET:
        return {}
    if not hasattr(request, "_restored_form"):
        request._restored_form = kept_text.take(request)
    return {"restored_form": request._restored_form}
