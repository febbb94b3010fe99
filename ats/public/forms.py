"""The application form on a role page, as the contract names its fields."""
import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Role
from ..models.applications import DEFAULT_SOURCE, valid_source
from ..models.self_identification import DECLINE, DISABILITY, GENDER, RACE_ETHNICITY, VETERAN
from ..web import clean_line, clean_text, one_line

_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]*$")


def normalised_email(form, field):
    try:
        result = validate_email(
            field.data,
            check_deliverability=current_app.config["ATS_EMAIL_CHECK_DELIVERABILITY"],
        )
    except EmailNotValidError as error:
        raise ValidationError(f"Enter a valid email address: {error}") from None
    field.data = result.normalized


def phone_shape(form, field):
    digits = sum(ch.isdigit() for ch in field.data)
    if not _PHONE.match(field.data) or not 7 <= digits <= 15:
        raise ValidationError("Enter a phone number of 7 to 15 digits, such as +1 415 555 0100.")


def http_url(form, field):
    match = re.match(r"^(https?)://([^/\s?#@]+)(?:[/?#]\S*)?$", field.data, re.IGNORECASE)
    if not match or "." not in match.group(2):
        raise ValidationError("Enter a full web address starting with https://, such as https://www.linkedin.com/in/your-name.")


def must_be_empty(form, field):
    if field.data:
        raise ValidationError("Leave this field empty.")


def as_source(value):
    """A posted source as stored: not the candidate's input, so never an
    error; anything but a valid source is the role page."""
    return valid_source(value) or DEFAULT_SOURCE


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(values: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in values.items()]


class ApplicationForm(FlaskForm):
    full_name = StringField(
        "Full name",
        filters=[clean_line],
        validators=[one_line, DataRequired("Enter your full name."), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        "Email",
        filters=[clean_line],
        validators=[one_line, DataRequired("Enter your email address."), Length(max=320), normalised_email],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )
    phone = StringField(
        "Phone",
        filters=[clean_line],
        validators=[one_line, Optional(), Length(max=40), phone_shape],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    location = StringField(
        "Location",
        filters=[clean_line],
        validators=[one_line, Optional(), Length(max=200)],
        render_kw={"autocomplete": "address-level2"},
    )
    linkedin_url = StringField(
        "LinkedIn profile",
        filters=[clean_line],
        validators=[one_line, Optional(), Length(max=500), http_url],
        render_kw={"type": "url", "autocomplete": "url", "spellcheck": "false"},
    )
    profile = TextAreaField(
        "Your profile",
        filters=[clean_text],
        validators=[DataRequired("Tell us about what you have done."), Length(max=20_000)],
        render_kw={"rows": 8},
    )
    skills = CheckboxesField("Skills you have", choices=[])
    resume = FileField("Resume")
    # The checkbox's visible label (with the notice's link) is in the template;
    # this short one names the field in the error summary.
    consent = BooleanField(
        "Privacy consent",
        validators=[DataRequired("Please agree to the privacy notice to apply.")],
    )
    # A field people never see; bots fill every field they find.
    homepage = StringField("Leave this field empty", validators=[must_be_empty])
    # Where the visitor came from (``?source=`` on the role page).
    source = HiddenField(filters=[as_source], default=DEFAULT_SOURCE)

    eeo_gender = RadioField("Gender", choices=_choices(GENDER), default=DECLINE)
    eeo_race_ethnicity = RadioField("Race or ethnicity", choices=_choices(RACE_ETHNICITY), default=DECLINE)
    eeo_veteran = RadioField("Veteran status", choices=_choices(VETERAN), default=DECLINE)
    eeo_disability = RadioField("Disability", choices=_choices(DISABILITY), default=DECLINE)

    SELF_ID_FIELDS = ("eeo_gender", "eeo_race_ethnicity", "eeo_veteran", "eeo_disability")

    @classmethod
    def for_role(cls, role: Role, **kwargs) -> "ApplicationForm":
        form = cls(**kwargs)
        form.skills.choices = [SelectChoice(skill.slug, skill.name) for skill in role.active_skills]
        return form
