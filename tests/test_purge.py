"""Retention: ``flask ats purge --closed-before YYYY-MM-DD [--dry-run]``
erases every candidate whose applications all closed before that day; the
worker runs it daily with ATS_RETENTION_MONTHS; ``flask ats erase-candidate``
erases one (contract, "CLI")."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ats import create_app
from ats.jobs import tasks
from ats.models import Application, AuditEvent, Candidate, Stage, utcnow
from ats.operations.erasure import retention_cutoff
from config import TestingConfig
from tests.fixtures.factories import set_columns, status_key_columns

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def people(app, create_application, role, create_role, db_session):
    """Old: one application, closed 3 May 2024. Mixed: one closed in 2023 and
    one still open. Recent: closed 2 June 2026. Twice: two applications, both
    closed before 2025, the last on 30 November 2024."""
    def closed(name, email, stage, when):
        application = create_application(role, name, stage, email=email, closed_from_stage=Stage.SCREENING)
        set_columns(db_session, application.id, stage_entered_at=when, applied_at=when - timedelta(days=20))
        return application

    def another(first, stage, when):
        """A second application of ``first``'s candidate, to another role."""
        db_session.add(Application(
            role_id=create_role(f"role-{first.id}", "Another role").id, candidate_id=first.candidate_id, full_name=first.full_name, email=first.email,
            stage=stage, closed_from_stage=Stage.APPLIED if stage.is_closed else None,
            applied_at=when - timedelta(days=20), stage_entered_at=when, **status_key_columns(app)))
        db_session.commit()

    old = closed("Olga Old", "olga@example.org", Stage.REJECTED, at(2024, 5, 3, 12))
    mixed = closed("Max Mixed", "max@example.org", Stage.WITHDRAWN, at(2023, 1, 9, 12))
    another(mixed, Stage.SCREENING, at(2023, 2, 1, 12))
    recent = closed("Rita Recent", "rita@example.org", Stage.HIRED, at(2026, 6, 2, 12))
    twice = closed("Tom Twice", "tom@example.org", Stage.REJECTED, at(2023, 3, 1, 12))
    another(twice, Stage.WITHDRAWN, at(2024, 11, 30, 23))
    return {"old": old, "mixed": mixed, "recent": recent, "twice": twice}


def erased_emails(db_session) -> set[str]:
    db_session.expire_all()
    kept = {c.email for c in db_session.scalars(select(Candidate).where(Candidate.erased_at.is_(None)))}
    return {"olga@example.org", "max@example.org", "rita@example.org", "tom@example.org"} - kept


def test_a_dry_run_lists_who_would_go_and_changes_nothing(app, people, db_session):
    result = app.test_cli_runner().invoke(args=["ats", "purge", "--closed-before", "2025-01-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    # Oldest first.
    assert result.stdout.splitlines() == ["olga@example.org\t2024-05-03", "tom@example.org\t2024-11-30"]
    assert "2 candidate(s)" in result.stderr and "dry run: nothing changed" in result.stderr
    assert erased_emails(db_session) == set()
    assert db_session.scalars(select(AuditEvent)).all() == []


def test_the_real_run_erases_exactly_those_the_dry_run_listed(app, people, db_session):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["ats", "purge", "--closed-before", "2025-01-01", "--dry-run"]).stdout
    result = runner.invoke(args=["ats", "purge", "--closed-before", "2025-01-01"])
    assert result.exit_code == 0, result.output
    assert "2 candidate(s) whose applications all closed before 2025-01-01 erased." in result.stdout
    assert erased_emails(db_session) == {line.split("\t")[0] for line in listed.splitlines()}
    # One open application keeps a candidate, however old the closed one.
    assert "max@example.org" not in erased_emails(db_session)
    # The anonymous rows stay: the three applications of the erased two.
    assert len(db_session.scalars(select(Application).where(Application.erased_at.is_not(None))).all()) == 3
    audit = db_session.scalars(select(AuditEvent).filter_by(action="candidate.erase")).all()
    assert [entry.detail["by"] for entry in audit] == ["command line", "command line"]
    # A second run finds no one.
    again = runner.invoke(args=["ats", "purge", "--closed-before", "2025-01-01"])
    assert "0 candidate(s)" in again.stdout


def test_the_day_itself_is_not_before_it(app, people, db_session):
    result = app.test_cli_runner().invoke(
        args=["ats", "purge", "--closed-before", "2024-05-03", "--dry-run"])
    assert result.stdout == ""
    result = app.test_cli_runner().invoke(
        args=["ats", "purge", "--closed-before", "2024-05-04", "--dry-run"])
    assert result.stdout.splitlines() == ["olga@example.org\t2024-05-03"]


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025-02-30", ""])
def test_a_bad_date_is_refused_with_a_message_and_exit_2(app, people, db_session, value):
    result = app.test_cli_runner().invoke(args=["ats", "purge", "--closed-before", value])
    assert result.exit_code == 2
    assert "Invalid value for '--closed-before'" in result.output
    assert erased_emails(db_session) == set()


def test_the_daily_job_keeps_the_configured_retention(app, create_application, role, db_session, monkeypatch):
    """Times relative to now: the job reads the clock, as it will in production."""
    now = utcnow()
    past = create_application(role, "Paula Past", Stage.REJECTED, email="paula@example.org",
                              closed_from_stage=Stage.APPLIED)
    set_columns(db_session, past.id, stage_entered_at=now - timedelta(days=31 * 13))
    within = create_application(role, "Will Within", Stage.REJECTED, email="will@example.org",
                                closed_from_stage=Stage.APPLIED)
    set_columns(db_session, within.id, stage_entered_at=now - timedelta(days=30 * 11))
    monkeypatch.setitem(app.config, "ATS_RETENTION_MONTHS", 12)
    with app.app_context():
        assert tasks.purge_expired() == 1
    db_session.expire_all()
    assert db_session.get(Application, past.id).erased_at is not None
    assert db_session.get(Application, within.id).erased_at is None
    [entry] = db_session.scalars(select(AuditEvent).filter_by(action="candidate.erase")).all()
    assert entry.actor_id is None and entry.detail["by"] == "retention"


@pytest.mark.parametrize("today, months, cutoff", [
    (date(2026, 12, 1), 24, date(2024, 12, 1)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2028, 3, 31), 1, date(2028, 2, 29)),
    (date(2026, 1, 15), 13, date(2024, 12, 15)),
    (date(2026, 5, 31), 120, date(2016, 5, 31)),
])
def test_the_retention_cutoff_counts_calendar_months(today, months, cutoff):
    assert retention_cutoff(today, months) == cutoff


@pytest.mark.parametrize("value", ["0", "121", "two years", "-3", "1.5"])
def test_a_bad_retention_period_stops_the_start(monkeypatch, value):
    monkeypatch.setattr(TestingConfig, "ATS_RETENTION_MONTHS", value)
    with pytest.raises(RuntimeError, match="ATS_RETENTION_MONTHS"):
        create_app(TestingConfig)


def test_the_privacy_notice_states_the_configured_period(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_RETENTION_MONTHS", 18)
    assert "for 18 months after your last application closes" in client.get("/privacy").get_data(as_text=True)


# --- erase-candidate --------------------------------------------------------------


def test_erase_candidate_asks_unless_told_yes(app, people, db_session):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["ats", "erase-candidate", "RITA@example.org"], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert erased_emails(db_session) == set()
    confirmed = runner.invoke(args=["ats", "erase-candidate", "RITA@example.org"], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert erased_emails(db_session) == {"rita@example.org"}
    told = runner.invoke(args=["ats", "erase-candidate", "tom@example.org", "--yes"])
    assert told.exit_code == 0 and "Erased: 2 application(s) kept as anonymous rows" in told.output
    assert erased_emails(db_session) == {"rita@example.org", "tom@example.org"}


def test_erase_candidate_of_an_unknown_or_erased_address_exits_1(app, people):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["ats", "erase-candidate", "nobody@example.org", "--yes"])
    assert unknown.exit_code == 1 and "There is no candidate with the address 'nobody@example.org'." in unknown.output
    assert runner.invoke(args=["ats", "erase-candidate", "olga@example.org", "--yes"]).exit_code == 0
    assert runner.invoke(args=["ats", "erase-candidate", "olga@example.org", "--yes"]).exit_code == 1
