"""The sign-in form."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    # No shape check on the address: an unknown one is simply wrong
    # credentials, answered like a wrong password.
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=320)],
        render_kw={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class CodeForm(FlaskForm):
    """The second step of signing in, for accounts with two-step sign-in on."""

    code = StringField(
        "Code",
        validators=[InputRequired("Enter the code from your app, or a recovery code."), Length(max=40)],
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"},
    )
