"""What the scorecard sweep (``ats.operations.scorecards``) and the
dashboard share: which interviews ended within a span of time, read through
the interviews' (status, starts_at) index rather than every interview, and
which applications can still take scorecards."""
from datetime import datetime, timedelta

from sqlalchemy import and_

from ..models import Application, Interview, InterviewStatus
from ..models.scorecards import DECIDED_STAGES

# No interview lasts longer (``ats.operations.interviews.MAX_DURATION``, which
# a test holds this to): an interview that ended at or after ``earliest``
# started after ``earliest - LONGEST_INTERVIEW``.
LONGEST_INTERVIEW = timedelta(hours=8)


def ended_between(earliest: datetime, latest: datetime):
    """SQL: a scheduled interview that ended in [earliest, latest]."""
    return and_(
        Interview.status == InterviewStatus.SCHEDULED,
        Interview.starts_at >= earliest - LONGEST_INTERVIEW, Interview.starts_at <= latest,
        Interview.ends_at >= earliest, Interview.ends_at <= latest,
    )


def takes_scorecards():
    """SQL: the interview's application can still take scorecards (its
    candidate not erased, no decision made)."""
    return and_(Application.id == Interview.application_id, Application.erased_at.is_(None),
                Application.stage.not_in(list(DECIDED_STAGES)))

