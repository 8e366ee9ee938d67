"""Markdown in, safe HTML out: python-markdown renders, nh3 keeps only an allow-list of tags, attributes and link schemes."""

from __future__ import annotations

import re
from html import unescape

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


_BLOCK_ENDS = re.compile(r"</(p|h3|h4|h5|h6|blockquote|pre|ul|ol)>|<hr\s*/?>")
_ORDERED = re.compile(r"<ol>(.*?)</ol>", re.S)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def markdown_to_text(text: str) -> str:
    """The same Markdown as readable plain text, for fields shown as text (a movement made from a post):
    emphasis marks dropped, list items as "- ", links as "words (address)", paragraphs kept apart."""
    html = render_markdown(text)
    html = _LINK.sub(lambda m: m.group(2) if m.group(2) == m.group(1) else f"{m.group(2)} ({m.group(1)})", html)
    html = _ORDERED.sub(_number_items, html)
    html = re.sub(r"<li>\s*(<p>)?", "- ", html)
    html = re.sub(r"(</p>)?\s*</li>\s*|<br\s*/?>", "\n", html)
    html = _BLOCK_ENDS.sub("\n\n", html)
    plain = unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in plain.splitlines())).strip()


def _number_items(match: re.Match) -> str:
    items = iter(range(1, 10_000))
    return re.sub(r"<li>\s*(<p>)?", lambda _m: f"{next(items)}. ", match.group(1)) + "</ol>"
