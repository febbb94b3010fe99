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


def record_candidate_export(application_ids: list[int], actor_id: int | None = None, by: str = "command line",
                            files: bool = False) -> None:
    """Record that everything held about a candidate was handed out (their
    right of access): which applications, by whom and how, never what they
    hold; ``files`` when their stored files were. One transaction."""
    write_transaction()
    detail = {"applications": application_ids, "by": by}
    if files:
        detail["files"] = True
    record("candidate.export", actor_id, None, **detail)
    db.session.commit()
