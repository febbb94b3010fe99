"""Forms for scheduling, rescheduling and cancelling interviews (contract field names)."""
from datetime import datetime
from typing import Self

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..models import InterviewKind
from ..operations.interviews import MAX_DURATION, MIN_DURATION
from ..timezones import zone_names
from ..web import ZoneSelect, clean_line, one_line


class EmailListField(StringField):
    """Comma-separated addresses; ``emails`` holds them checked, lower-cased, once each."""

    emails: tuple[str, ...] = ()

    def pre_validate(self, form):
        emails = []
        for part in (self.data or "").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                email = validate_email(part, check_deliverability=False).normalized.lower()
            except EmailNotValidError as error:
                raise ValidationError(f"{part!r} is not a valid email address: {error}") from None
            if email not in emails:
                emails.append(email)
        if len(emails) > 10:
            raise ValidationError("At most 10 interviewers.")
        self.emails = tuple(emails)


def _zone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in zone_names()]


def zone_field(label: str) -> SelectField:
    """The IANA time zone the times are given in, of those the scheduling service accepts."""
    return SelectField(label, choices=_zone_choices, validators=[InputRequired("Choose a time zone.")],
                       widget=ZoneSelect())


def duration_field() -> IntegerField:
    """The interview's length in minutes, within the service's limits."""
    return IntegerField(
        "Duration (minutes)",
        default=45,
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(MIN_DURATION, MAX_DURATION, f"Between {MIN_DURATION} and {MAX_DURATION} minutes."),
        ],
    )


class TimeFields(FlaskForm):
    """When one interview takes place: a local time in a zone, and how long."""

    starts_at = DateTimeLocalField(
        "Starts at (local time)",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Enter the date and time, as YYYY-MM-DDTHH:MM.")],
    )
    timezone = zone_field("Time zone")
    duration_minutes = duration_field()


class InterviewDetails(FlaskForm):
    """What an interview is, whether scheduled at once or offered as times to
    choose from: the company (one listed for the role), the kind, its length,
    where, and who interviews.

    A form lists its fields (and the error summary its errors) in the order
    they were made: ScheduleForm takes ``duration_minutes`` from TimeFields,
    which comes first in its bases, and so keeps it after the time.
    """

    company = SelectField("Company", validators=[InputRequired("Choose the company.")])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in InterviewKind],
        default=InterviewKind.VIDEO.value,
    )
    duration_minutes = duration_field()
    # One line: a line break in it once broke the calendar file after the commit.
    location = StringField("Location or link", validators=[Optional(), one_line, Length(max=500)], filters=[clean_line])
    interviewers = EmailListField("Interviewers' e-mails", validators=[Length(max=2000)])

    def for_companies(self, listings) -> Self:
        """The form, offering the companies of the role's ``listings``."""
        self.company.choices = [SelectChoice(l.company.slug, l.company.name) for l in listings]
        return self


class ScheduleForm(TimeFields, InterviewDetails):
    pass


class RescheduleForm(TimeFields):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired("Say why it is cancelled."), Length(max=2000)])


class OfferForm(InterviewDetails):
    """Several times for the candidate to choose from, one per line."""

    timezone = zone_field("Time zone of the times below")
    slots = TextAreaField(
        "Times to offer",
        validators=[InputRequired("Enter at least one time."), Length(max=2000)],
        render_kw={"rows": 5, "spellcheck": "false"},
    )
    expires_at = DateTimeLocalField(
        "Offer expires at", format="%Y-%m-%dT%H:%M", validators=[InputRequired("Enter when the offer expires.")]
    )
    # The slots as local times, once the form has validated.
    local_starts: tuple = ()

    def validate_slots(self, field):
        starts = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                starts.append(datetime.strptime(line.replace(" ", "T", 1), "%Y-%m-%dT%H:%M"))
            except ValueError:
                raise ValidationError(f"Line {number}, {line!r}: write times as YYYY-MM-DD HH:MM.") from None
        if not starts:
            raise ValidationError("Enter at least one time.")
        self.local_starts = tuple(starts)
