"""What the tests of one application's staff page share (issue 4, "One
application"): the candidate they start from, the page's address and its
three forms, and reading back what the forms wrote."""
import secrets
from urllib.parse import urlsplit

from sqlalchemy import select

from ats.models import Application, AuditEvent
from tests.fixtures.staff import staff_csrf_token

PROFILE = (
    "Built a survival model for sepsis risk at a regional hospital.\n"
    "Led HIPAA de-identification of 2M clinical notes.\n"
    "I enjoy hiking."
)


def ada(**changes) -> dict:
    """``create_application``'s arguments for the application most tests of the
    page start from: Ada Lovelace, with her contact details and profile, who
    applied three days ago (her first history entry written too). ``changes``
    replace any of them."""
    arguments = {
        "name": "Ada Lovelace",
        "email": f"{secrets.token_hex(5)}@example.org",
        "phone": "+44 20 7946 0000",
        "location": "London, UK",
        "linkedin_url": "https://www.linkedin.com/in/ada-lovelace",
        "profile": PROFILE,
        "days_in_stage": 3,
        "history": True,
    }
    arguments.update(changes)
    return arguments


def page_url(application_id: int) -> str:
    return f"/pipeline/applications/{application_id}"


def token_for(client, application_id: int) -> str:
    return staff_csrf_token(client, page_url(application_id))


def post_stage(client, application_id, stage, version=1, reason="", token=None, **extra):
    data = {"csrf_token": token or token_for(client, application_id), "stage": stage,
            "reason": reason, "version": str(version), **extra}
    return client.post(f"{page_url(application_id)}/stage", data=data)


def post_skills(client, application_id, token=None, **fields):
    data = {"csrf_token": token or token_for(client, application_id)}
    data.update({name.replace("_", "-"): value for name, value in fields.items()})
    return client.post(f"{page_url(application_id)}/skills", data=data)


def post_note(client, application_id, body, token=None):
    return client.post(f"{page_url(application_id)}/notes",
                       data={"csrf_token": token or token_for(client, application_id), "body": body})


def location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def audit_events(db_session, action: str) -> list[AuditEvent]:
    return db_session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def current(db_session, application_id: int) -> Application:
    db_session.expire_all()
    return db_session.get(Application, application_id)
