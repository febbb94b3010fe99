"""Forms of the admins' staff pages."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from ..models import Access
from ..web import clean_line, one_line

ACCESS_CHOICES = [SelectChoice(level.value, level.label) for level in Access]
ACCESS_HINT = ("Recruiters see the pipeline and interviews; managers also the reports; "
               "admins everything, these pages included.")


def access_field(label: str = "Access level") -> SelectField:
    return SelectField(label, choices=ACCESS_CHOICES, default=Access.RECRUITER.value,
                       validators=[InputRequired("Choose an access level.")])


class InviteForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[InputRequired("Enter the person's name."), Length(max=200), one_line],
        filters=[clean_line],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter the email address the invitation goes to."), Length(max=320),
                    Email("Enter an email address like name@example.com.")],
        filters=[clean_line],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    access = access_field()


class AccessForm(FlaskForm):
    access = access_field("New access level")


class ButtonForm(FlaskForm):
    """Deactivate, reactivate, send a link: a button, nothing to fill in."""
