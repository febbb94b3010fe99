"""Column types shared by the models."""
from datetime import datetime, timezone

from sqlalchemy.types import DateTime, Enum, TypeDecorator

# The largest id a row can have: the ids are INTEGER columns, a signed 32-bit
# integer on PostgreSQL (SQLite's hold 64 bits). A larger number names
# nothing, and must never reach a query, where PostgreSQL refuses it
# ("integer out of range").
LARGEST_ID = 2**31 - 1


def utcnow() -> datetime:
    """The current time, aware, in UTC. Pass the function, not its result, as a default."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back as an aware UTC datetime.

    SQLite keeps no offset and PostgreSQL converts to the session's zone; this
    type makes both hand back the same value, so code never meets a naive time.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times as aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def value_enum(enum_class, name: str, length: int = 20) -> Enum:
    """A Python enum stored as its value in a short string column, checked by
    the database (a named CHECK constraint, not a native enum type, so values
    can be added with a plain migration on SQLite and PostgreSQL alike).

    ``name`` names the constraint: two such columns on one table need two names.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
