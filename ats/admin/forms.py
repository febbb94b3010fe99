"""Forms of the admins' pages (the role page form: ``role_forms``)."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..web import clean_line, clean_text, one_line
from ..webhooks import EVENT_NAMES
from .role_forms import CheckboxesField


class CompanyForm(FlaskForm):
    slug = StringField("Slug", validators=[InputRequired("The slug is required."), Length(max=80)],
                       filters=[clean_line], render_kw={"spellcheck": "false"})
    name = StringField("Name", validators=[InputRequired("The name is required."), Length(max=200), one_line],
                       filters=[clean_line])
    website = StringField("Website", validators=[Optional(), Length(max=300), one_line], filters=[clean_line],
                          render_kw={"inputmode": "url", "spellcheck": "false"})
    description = TextAreaField("About the company", validators=[Optional(), Length(max=5_000)],
                                filters=[clean_text], render_kw={"rows": 4})


class WebhookForm(FlaskForm):
    url = StringField("URL", validators=[InputRequired("The URL is required."), Length(max=2000), one_line],
                      filters=[clean_line], render_kw={"inputmode": "url", "spellcheck": "false"})
    events = CheckboxesField("Events", choices=[SelectChoice(name, name) for name in EVENT_NAMES],
                             validators=[InputRequired("Choose at least one event.")])
    secret = StringField("Secret", validators=[Optional(), Length(min=16, max=200), one_line],
                         filters=[clean_line], render_kw={"spellcheck": "false", "autocomplete": "off"})


class MessageTemplateForm(FlaskForm):
    """A message template's wording; what it may hold is checked by
    ``ats.operations.messages.save_template`` (placeholders, lengths)."""

    subject = StringField("Subject", validators=[one_line], filters=[clean_line])
    body_text = TextAreaField("Plain-text message", filters=[clean_text], render_kw={"rows": 14})
    body_html = TextAreaField("HTML message", filters=[clean_text], render_kw={"rows": 8, "spellcheck": "false"})
