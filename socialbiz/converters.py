"""A slug in any script: a movement titled in Arabic, Chinese or Cyrillic gets a readable address
(`/movements/اجتماعات-قصيرة/`), never `movement-2`. Django's own `slug` converter takes ASCII only."""

from django.urls import register_converter


class UnicodeSlugConverter:
    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
