"""Forms for scheduling, rescheduling and cancelling interviews (contract field names)."""
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..models import InterviewKind
from ..services.interviews import MAX_DURATION, MIN_DURATION, zone_names


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


class TimeFields(FlaskForm):
    starts_at = DateTimeLocalField(
        "Starts at (local time)",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Enter the date and time, as YYYY-MM-DDTHH:MM.")],
    )
    timezone = SelectField("Time zone", validators=[InputRequired("Choose a time zone.")])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=45,
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(MIN_DURATION, MAX_DURATION, f"Between {MIN_DURATION} and {MAX_DURATION} minutes."),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in zone_names()]


class ScheduleForm(TimeFields):
    company = SelectField("Company", validators=[InputRequired("Choose the company.")])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in InterviewKind],
        default=InterviewKind.VIDEO.value,
    )
    location = StringField("Location or link", validators=[Optional(), Length(max=500)])
    interviewers = EmailListField("Interviewers' e-mails", validators=[Length(max=2000)])

    def for_companies(self, listings) -> "ScheduleForm":
        self.company.choices = [SelectChoice(l.company.slug, l.company.name) for l in listings]
        return self


class RescheduleForm(TimeFields):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired("Say why it is cancelled."), Length(max=2000)])


class OfferForm(FlaskForm):
    """Several times for the candidate to choose from, one per line."""

    company = SelectField("Company", validators=[InputRequired("Choose the company.")])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in InterviewKind],
        default=InterviewKind.VIDEO.value,
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=45,
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(MIN_DURATION, MAX_DURATION, f"Between {MIN_DURATION} and {MAX_DURATION} minutes."),
        ],
    )
    location = StringField("Location or link", validators=[Optional(), Length(max=500)])
    interviewers = EmailListField("Interviewers' e-mails", validators=[Length(max=2000)])
    timezone = SelectField("Time zone of the times below", validators=[InputRequired("Choose a time zone.")])
    slots = TextAreaField(
        "Times to offer",
        validators=[InputRequired("Enter at least one time."), Length(max=2000)],
        render_kw={"rows": 5, "spellcheck": "false"},
    )
    expires_at = DateTimeLocalField(
        "Offer expires at", format="%Y-%m-%dT%H:%M", validators=[InputRequired("Enter when the offer expires.")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in zone_names()]
        self.local_starts: tuple = ()

    def for_companies(self, listings) -> "OfferForm":
        self.company.choices = [SelectChoice(l.company.slug, l.company.name) for l in listings]
        return self

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
