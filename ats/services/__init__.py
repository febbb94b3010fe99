"""The workflows. Each public function is one transaction: it commits or leaves nothing behind."""
from ..extensions import db


def write_transaction() -> None:
    """Start the transaction of a workflow that writes.

    Whatever the request read so far is committed (it wrote nothing), and a
    new transaction begins. On SQLite it waits its turn among the process's
    writers and takes the write lock at once, so two workflows never both
    read and then fail to write (``ats.sqlite``); PostgreSQL needs no such
    help. Objects loaded earlier are reloaded on next access.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_write": True})
