"""A page of a list held as plain values (so it can be cached and pickled), read by templates as a Django Page."""

from __future__ import annotations


class PageNavigation:
    """Django Page's navigation for a dataclass with `number` and `num_pages` (`page.paginator.num_pages` too)."""

    number: int
    num_pages: int

    @property
    def paginator(self) -> PageNavigation:
        return self

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1
