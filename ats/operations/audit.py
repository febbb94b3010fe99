"""Acts that change nothing but are kept in the audit trail: a resume read,
the pipeline exported. Each is one transaction of its own, committed before
the file is sent, so what was handed out is on record even if the download
is cut short."""
from ..extensions import db
from ..models.audit import record
from ..queries.filters import Filters
from . import write_transaction


def record_resume_download(application_id: int, staff_id: int) -> None:
    """Record that a staff member downloaded the application's resume. One transaction."""
    write_transaction()
    record("resume.download", staff_id, application_id)
    db.session.commit()


def record_export(actor_id: int, filters: Filters, deidentified: bool) -> None:
    """Write the audit event for an export, in a transaction of its own,
    before any row is sent: the number of rows is not known yet."""
    write_transaction()
    record("pipeline.export", actor_id, None, filters=filters.as_dict(), deidentified=deidentified)
    db.session.commit()


def record_candidate_export(application_ids: list[int]) -> None:
    """Record that everything held about a candidate was handed out (their
    right of access), from the command line: which applications, never what
    they hold. One transaction."""
    write_transaction()
    record("candidate.export", None, None, applications=application_ids, by="command line")
    db.session.commit()
