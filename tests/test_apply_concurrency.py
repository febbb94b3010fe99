"""Many candidates applying at the same moment, on the real database."""
import threading

import pytest
from sqlalchemy import func, select

from ats.models import Application, Candidate
from tests.fixtures.staff import csrf_token_from

APPLY_URL = "/roles/healthcare-ai-engineer/apply"

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


def apply_at_once(app, emails: list[str]) -> list[int]:
    """Each e-mail applies from its own client and thread, all released together."""
    clients = [app.test_client() for _ in emails]
    tokens = [csrf_token_from(c.get("/roles/healthcare-ai-engineer").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(len(emails))
    statuses: list[int | None] = [None] * len(emails)

    def submit(index: int) -> None:
        barrier.wait()
        response = clients[index].post(
            APPLY_URL,
            data={
                "csrf_token": tokens[index],
                "full_name": f"Candidate {index}",
                "email": emails[index],
                "profile": "Clinical NLP on discharge summaries.",
                "consent": "y",
            },
        )
        statuses[index] = response.status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.fixture(autouse=True)
def generous_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_APPLY_LIMIT", "1000 per hour")


def test_many_candidates_at_once_are_all_stored_once_each(app, db_session):
    """200 at once: on SQLite the writers take turns (``ats.infra.sqlite``) instead of
    racing for the lock, which once left two of 200 with "database is locked"."""
    emails = [f"candidate{i}@example.org" for i in range(200)]
    statuses = apply_at_once(app, emails)
    assert statuses == [303] * 200
    assert db_session.scalar(select(func.count()).select_from(Application)) == 200
    stored = db_session.scalars(select(Candidate.email_key).order_by(Candidate.email_key)).all()
    assert stored == sorted(emails)


def test_the_same_address_at_once_gets_exactly_one_application(app, db_session):
    statuses = apply_at_once(app, ["Same@example.org", "same@example.org", "SAME@example.org"] * 3)
    assert sorted(statuses) == [303] + [409] * 8
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
    assert db_session.scalar(select(func.count()).select_from(Candidate)) == 1
