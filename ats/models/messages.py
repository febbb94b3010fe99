"""Messages to candidates: the templates admins edit, and every message a
candidate was sent or is to be sent.

A template is known by its key (``TEMPLATES``: received, the interview
mails, offer, a rejection per stage, withdrawal confirmed). Its default
wording lives here, in code: a key with no row in ``message_templates``
uses it, an admin's edit writes the row, and resetting deletes the row. So
a fresh database has every template without a data migration.

A :class:`CandidateMessage` is one message to the candidate of an
application: ``scheduled`` (to be sent once ``send_after`` has passed),
``sent`` (with the subject and text as they were sent, for the candidate's
status page), or ``cancelled`` (a later move made it moot, or the candidate
was erased before it went).
"""
import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application, Stage
from .types import UTCDateTime, utcnow, value_enum

MAX_SUBJECT = 200
MAX_BODY = 20_000


@dataclass(frozen=True)
class TemplateDefault:
    name: str
    # When it is sent, for the admin pages.
    when: str
    subject: str
    body_text: str
    body_html: str | None = None


_SIGN_OFF = "\n\n{site_name}\n"

TEMPLATES: dict[str, TemplateDefault] = {
    "application_received": TemplateDefault(
        "Application received",
        "When a candidate applies.",
        "We received your application for {role}",
        "Hello {full_name},\n\n"
        "Thank you for applying for {role}. A recruiter will read your application.\n\n"
        "Follow your application, and withdraw it if you change your mind, at:\n{status_link}\n\n"
        "Keep this link private: anyone who has it can see your application's page." + _SIGN_OFF,
    ),
    "interview_scheduled": TemplateDefault(
        "Interview scheduled",
        "When a recruiter schedules an interview (with the calendar file).",
        "Interview for {role} with {company}",
        "Hello {full_name},\n\n"
        "You have an interview for {role} with {company}.\n\n"
        "When: {interview_time}\n"
        "Kind: {interview_kind}\n"
        "Where: {interview_location}\n\n"
        "The attached invitation adds it to your calendar. Your application's page lists your upcoming interviews:\n"
        "{status_link}" + _SIGN_OFF,
    ),
    "interview_rescheduled": TemplateDefault(
        "Interview rescheduled",
        "When a recruiter moves an interview to a new time (with the updated calendar file).",
        "New time: interview with {company}",
        "Hello {full_name},\n\n"
        "Your interview for {role} with {company} has a new time.\n\n"
        "When: {interview_time}\n"
        "Kind: {interview_kind}\n"
        "Where: {interview_location}\n\n"
        "The attached invitation updates the event in your calendar.\n"
        "{status_link}" + _SIGN_OFF,
    ),
    "interview_cancelled": TemplateDefault(
        "Interview cancelled",
        "When a recruiter cancels an interview (with the file that removes it from the calendar).",
        "Cancelled: interview with {company}",
        "Hello {full_name},\n\n"
        "Your interview for {role} with {company} on {interview_time} has been cancelled. "
        "The attached file removes it from your calendar.\n\n"
        "Your recruiter will be in touch. Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "offer": TemplateDefault(
        "Offer",
        "When an application moves to Offer (the recruiter may choose not to send it, or to send it later).",
        "Good news about your application for {role}",
        "Hello {first_name},\n\n"
        "We are glad to tell you that we would like to offer you the {role} position with {company}.\n\n"
        "Your recruiter will contact you in the next few days with the details of the offer and to answer "
        "your questions. There is nothing you need to do before then.\n\n"
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "rejection_applied": TemplateDefault(
        "Rejection after applying",
        "When an application is rejected from Applied, before any conversation.",
        "Your application for {role}",
        "Hello {first_name},\n\n"
        "Thank you for applying for {role}. We have read your application carefully, and we have decided "
        "not to take it further. With many applications for each place, this is often a close call, "
        "and it is not a judgement of you.\n\n"
        "You are welcome to apply again for this or another role in the future.\n\n"
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "rejection_screening": TemplateDefault(
        "Rejection after screening",
        "When an application is rejected from Screening.",
        "Your application for {role}",
        "Hello {first_name},\n\n"
        "Thank you for your interest in {role} and for the time you gave us. After looking closely at "
        "your experience against what the role needs, we have decided not to move forward with your "
        "application.\n\n"
        "We know this is not the news you hoped for. You are welcome to apply again for this or another "
        "role in the future.\n\n"
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "rejection_interview": TemplateDefault(
        "Rejection after an interview",
        "When an application is rejected from Interview.",
        "Your interview for {role}",
        "Hello {first_name},\n\n"
        "Thank you for interviewing for {role} with {company}, and for the time and thought you put into "
        "it. We have now made our decision, and we will not be offering you the role.\n\n"
        "This was not an easy decision. If you would like to hear more about it, reply to this message "
        "and your recruiter will get back to you.\n\n"
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "rejection_offer": TemplateDefault(
        "Rejection at the offer stage",
        "When an application is rejected from Offer.",
        "Your application for {role}",
        "Hello {first_name},\n\n"
        "We are writing about the offer we discussed for {role} with {company}. We are sorry to tell you "
        "that we are not able to go ahead with it.\n\n"
        "We know how disappointing this is at such a late stage. Your recruiter will contact you to "
        "explain and to answer your questions.\n\n"
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
    "withdrawal_confirmed": TemplateDefault(
        "Withdrawal confirmed",
        "When a candidate withdraws their application on their status page.",
        "You withdrew your application for {role}",
        "Hello {first_name},\n\n"
        "This confirms that you withdrew your application for {role}. Nobody will contact you about it "
        "any more.\n\n"
        "If this was a mistake, reply to this message and a recruiter can reopen it. "
        "Your application's page:\n{status_link}" + _SIGN_OFF,
    ),
}

# The rejection a recruiter is offered first, by the stage the application is rejected from.
REJECTION_FOR = {
    Stage.APPLIED: "rejection_applied",
    Stage.SCREENING: "rejection_screening",
    Stage.INTERVIEW: "rejection_interview",
    Stage.OFFER: "rejection_offer",
}
REJECTIONS = tuple(REJECTION_FOR.values())
# The templates that can go with a move to a stage, the first being the default.
FOR_MOVE_TO = {Stage.OFFER: ("offer",), Stage.REJECTED: REJECTIONS}


class MessageTemplate(db.Model):
    """An admin's wording of one template (no row: the default is used)."""

    __tablename__ = "message_templates"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    updated_by = relationship("StaffUser")


class MessageStatus(enum.Enum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    CANCELLED = "cancelled"


class CandidateMessage(db.Model):
    """One message to an application's candidate (module docstring)."""

    __tablename__ = "candidate_messages"
    __table_args__ = (
        # The sweep's list: what is still to be sent, by when it is due.
        Index("ix_candidate_messages_due", "status", "send_after"),
        Index("ix_candidate_messages_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    template_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[MessageStatus] = mapped_column(value_enum(MessageStatus, "status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The staff member whose move planned it (none: the system, or the candidate).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # A mail sent for an event (received, the interview mails) names it, so a
    # retried delivery finds it sent and does not send it again.
    event_id: Mapped[int | None] = mapped_column(unique=True)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The zone a delayed message was timed in (shown to staff), if any.
    send_zone: Mapped[str | None] = mapped_column(String(64))
    # A job is sending it until then (see ``ats.notifications.messages``).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # As sent (empty until then, and after the candidate's erasure).
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship()

    @property
    def name(self) -> str:
        default = TEMPLATES.get(self.template_key)
        return default.name if default else self.template_key

    def __repr__(self) -> str:
        return f"<CandidateMessage {self.id} {self.template_key} {self.status.value}>"
