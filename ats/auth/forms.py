"""The sign-in forms, and those for a password link."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from ..models.staff import check_password_rule


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


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=320),
                    Email("Enter an email address like name@example.com.")],
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"},
    )


def password_rule(form, field) -> None:
    """The rule every staff password follows (``check_password_rule``)."""
    try:
        check_password_rule(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired("Choose a password."), Length(max=1000), password_rule],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[InputRequired("Type the password again."),
                    EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )
