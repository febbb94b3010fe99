"""The sign-in form."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
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
