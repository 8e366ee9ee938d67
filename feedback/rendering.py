"""Markdown in, safe HTML out: python-markdown renders, nh3 keeps only an allow-list of tags, attributes and link schemes."""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render Markdown and sanitise it: no script, no style, no on*/hx-* attributes, only http(s)/mailto links."""
    # Raw HTML in the source passes through markdown untouched; nh3 strips it below.
    html = markdown.markdown(text, extensions=["fenced_code", "sane_lists"], output_format="html")
    # Headings h1/h2 would break the page outline; they come out as plain text.
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
