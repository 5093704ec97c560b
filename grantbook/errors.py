"""Errors outside the domain's rules, each worth one clear line to a user."""


class StoreError(Exception):
    """The store cannot be used: missing, unreachable, busy or unreadable."""


class KeyFileError(Exception):
    """The key that protects national register numbers is missing or wrong."""
