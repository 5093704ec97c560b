"""Fixtures of the browser tests: headless Chromium and a fresh page per test (tests/browser.py)."""

from browser import browser, page  # noqa: F401
