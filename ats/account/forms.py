"""Forms of a staff member's own page."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


def _strip(value):
    return value.strip() if value else value


class StartForm(FlaskForm):
    """Turning two-step sign-in on: a button, nothing to fill in."""


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from your app",
        validators=[InputRequired("Enter the 6-digit code your app shows."), Length(max=20)],
        filters=[_strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class ProofForm(FlaskForm):
    """It is really you: the app's current code or the password. Two on one
    page (turning off, new recovery codes), told apart by their prefix."""

    proof = PasswordField(
        "Current code from your app, or your password",
        validators=[InputRequired("Enter the code your app shows now, or your password."), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class TokenForm(FlaskForm):
    """A new API token: its name."""

    label = StringField(
        "Name",
        description="What the token is for, such as the script or system that uses it.",
        validators=[InputRequired("Give the token a name."), Length(max=100, message="100 characters at most.")],
        filters=[_strip],
        render_kw={"autocomplete": "off"},
    )


class RevokeForm(FlaskForm):
    """Revoking a token: a button."""
