"""The keys to private pages are never stored (issue 12, item 10): a status
link, an interview-offer link, a calendar feed address. The database keeps a
salt and the SHA-256 of each key; the key is an HMAC of the salt under the
site's secret (ats/models/tokens.py)."""
import hashlib

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from ats.extensions import db
from ats.models import Application, StaffUser, tokens
from tests.fixtures import ROOT
from tests.fixtures.factories import status_token
from tests.test_apply import APPLY_URL, STATUS, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


def test_a_status_link_is_kept_only_as_its_digest(app, client, csrf, db_session):
    token = STATUS.match(client.post(APPLY_URL, data=form(csrf())).headers["Location"]).group(1)
    stored = db_session.execute(select(Application.__table__)).one()._mapping
    assert token not in {str(value) for value in stored.values()}
    assert stored["status_token"] == hashlib.sha256(token.encode()).hexdigest()
    assert client.get(f"/applications/{token}").status_code == 200
    # Whoever copied the database has the digest and the salt: neither opens the page.
    for guess in (stored["status_token"], stored["status_salt"]):
        assert client.get(f"/applications/{guess}").status_code == 404


def test_after_a_new_link_key_rekey_links_makes_new_links_work_and_old_ones_stop(
        app, client, create_application, role, monkeypatch):
    application = create_application(role, "Ada Lovelace")
    before = status_token(app, application)
    assert client.get(f"/applications/{before}").status_code == 200
    monkeypatch.setitem(app.config, "ATS_LINK_KEY", "another-secret-for-links-only-0123456789")
    after = status_token(app, application)
    assert after != before
    result = app.test_cli_runner().invoke(args=["ats", "rekey-links"])
    assert result.exit_code == 0, result.output
    assert "status links: 1, interview-offer links: 0, calendar feeds: 0" in result.output
    assert client.get(f"/applications/{after}").status_code == 200
    assert client.get(f"/applications/{before}").status_code == 404


def test_a_calendar_feed_address_is_kept_only_as_its_digest(app, client, auth, signed_in, db_session):
    assert client.post("/interviews/feed", data={"csrf_token": auth.token("/interviews/")}).status_code == 303
    user = db_session.get(StaffUser, signed_in.id)
    with app.app_context():
        key = user.calendar_token
    assert user.calendar_digest == tokens.digest(key) and key not in (user.calendar_digest, user.calendar_salt)
    assert client.get(f"/calendar/{key}.ics").status_code == 200
    assert client.get(f"/calendar/{user.calendar_digest}.ics").status_code == 404


def test_the_migration_replaces_stored_keys_with_digests(app, create_application, role, db_session):
    application = create_application(role, "Ada Lovelace")
    with app.app_context():
        db.session.remove()
        downgrade(directory=str(ROOT / "migrations"), revision="0014")
        db.session.execute(text("UPDATE applications SET status_token = 'an-old-key-stored-as-it-was-0123456789'"))
        db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        stored = db.session.execute(text("SELECT status_salt, status_token FROM applications")).one()
        key = tokens.key_for(tokens.STATUS, stored.status_salt)
        assert stored.status_token == tokens.digest(key)
        assert db.session.get(Application, application.id).status_token == key
        db.session.remove()
