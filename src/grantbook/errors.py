"""Errors outside the domain's rules, each worth one clear line to a user."""


class StoreError(Exception):
    """The store cannot be used: missing, unreachable, busy or unreadable."""


class KeyFileError(Exception):
    """The key that protects national register numbers is missing or wrong."""


def driver_error(error: BaseException) -> BaseException:
    """The database driver's own error inside one SQLAlchemy wrapped (the read models use SQLAlchemy)."""
    original = getattr(error, "orig", None)
    if type(error).__module__.split(".")[0] == "sqlalchemy" and isinstance(original, BaseException):
        return original
    return error


def is_read_only(error: BaseException) -> bool:
    """The database refused a write because this user or file may only be read (a read-only
    PostgreSQL role or session, a read-only SQLite file or folder)."""
    text = str(driver_error(error)).lower()
    return any(
        words in text
        for words in ("read-only transaction", "readonly database", "permission denied", "read-only file")
    )


def is_driver_error(error: BaseException) -> bool:
    """An error raised by a database driver (sqlite3, psycopg) used directly, not through the store."""
    return type(driver_error(error)).__module__.split(".")[0] in ("sqlite3", "psycopg")



class TamperEvidenceError(Exception):
    """The store, a checkpoint or a key is not what it should be (one line)."""

    def __init__(self, message: str, institution: str | None = None, position: int | None = None) -> None:
        where = []
        if institution is not None:
            where.append(f"institution {institution}")
        if position is not None:
            where.append(f"position {position}")
        super().__init__(("integrity: " + ", ".join(where) + ": " if where else "integrity: ") + message)
        self.institution = institution
        self.position = position
