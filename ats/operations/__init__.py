"""Operations: one function per change of state, and the only way to make it.

The web forms, bulk actions, the CLI (and later the API and jobs) call them.
Each public function is one transaction: it checks (a stale version first,
then the rules), writes the change with its history and audit entry, records
its events (``ats.events``), and commits, or leaves nothing behind. No web
code here: no request, ``url_for``, templates, flash or session.
"""
from ..extensions import db


def write_transaction() -> None:
    """Start the transaction of a workflow that writes.

    Whatever the request read so far is committed (it wrote nothing), and a
    new transaction begins. On SQLite it waits its turn among the process's
    writers and takes the write lock at once, so two workflows never both
    read and then fail to write (``ats.infra.sqlite``); PostgreSQL needs no such
    help. Objects loaded earlier are reloaded on next access.
    """
    end_transaction()
    db.session.connection(execution_options={"sqlite_write": True})


def end_transaction() -> None:
    """End the transaction the request has open (it only read) before slow
    work outside the database, such as reading a resume, so that no lock,
    snapshot or connection is held meanwhile. Objects loaded earlier are
    reloaded on next access."""
    if db.session().in_transaction():
        db.session.commit()
