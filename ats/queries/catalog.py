"""The role catalog's version: what anything built from the catalog and kept
is kept under (``ats.models.CatalogVersion``)."""
from ..extensions import db

_VERSION = "SELECT version FROM catalog_version WHERE id = 1"


def catalog_version() -> int | None:
    """The number the database raises on every change to the catalog; None
    if its row is missing (then nothing may be kept).

    Read on every request for a kept page, so read the cheapest way: a pooled
    connection of its own, outside the ORM session (a third of the cost). It
    sees the latest committed version on either database."""
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(_VERSION).scalar()
