"""Small HTML builders for lists too long to loop over in a template (hundreds of departments)."""

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def options(pairs: Iterable[tuple[int, str]], selected: int | None) -> SafeString:
    """<option>s for (pk, label) pairs in one pass (a template loop, or format_html per option, is ~10x slower)."""
    return mark_safe(
        "".join(
            f'<option value="{int(pk)}"{" selected" if pk == selected else ""}>{escape(label)}</option>'
            for pk, label in pairs
        )
    )
