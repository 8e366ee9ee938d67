"""The URL matrix's world (tests/hardening/conftest.py), for the every-page language sweep."""

from tests.hardening.conftest import world  # noqa: F401
