"""The application page's forms, with the contract's field names: the stage
move (``stage``, ``reason``, ``version``, optional ``next``, and the optional
``decision_summary`` a decision after an interview needs), the note
(``body``) and the skill annotations (``skill-<slug>``, ``note-<slug>``)."""
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import Application, RoleSkill, SkillLevel, Stage
from ..models.applications import MAX_REASON, valid_source
from ..operations.pipeline import MAX_DECISION_SUMMARY
from ..models.messages import FOR_MOVE_TO, TEMPLATES
from ..operations.messages import NONE, default_zone
from ..operations.assessment import MAX_ANNOTATION_NOTE, MAX_NOTE_BODY, SkillInput
from ..web import ZoneSelect, clean_text


class StageForm(FlaskForm):
    # Checked by the view, in the contract's order (a stale version first),
    # not by WTForms: the choices offered are only the moves allowed now.
    stage = SelectField("Move to", id="stage-to", validate_choice=False)
    reason = TextAreaField(
        "Reason",
        id="stage-reason",
        filters=[clean_text],
        validators=[Length(max=MAX_REASON, message=f"Keep the reason to {MAX_REASON:,} characters.")],
    )
    # Moving to offer or rejected after an interview needs it; when empty,
    # the reason is taken as the summary (``ats.operations.pipeline``).
    decision_summary = TextAreaField(
        "Decision summary",
        id="stage-decision-summary",
        filters=[clean_text],
        validators=[Length(max=MAX_DECISION_SUMMARY,
                           message=f"Keep the decision summary to {MAX_DECISION_SUMMARY:,} characters.")],
    )
    version = HiddenField(id="stage-version")
    next = HiddenField(id="stage-next")
    # The message to the candidate that goes with a rejection or an offer
    # (``ats.operations.messages.message_choice`` checks them, after the stage).
    message = SelectField("Which message", id="stage-message", validate_choice=False)
    send_at = RadioField("Send it", id="stage-send-at", validate_choice=False,
                         choices=[SelectChoice("now", "Now"),
                                  SelectChoice("next-morning", "The next morning, at 09:00 in the time zone below"),
                                  SelectChoice("at", "At a time of your choice")], default="now")
    send_zone = SelectField("Time zone", id="stage-send-zone", validate_choice=False, choices=[],
                            widget=ZoneSelect(leading=("UTC",)))
    send_time = StringField("Date and time", id="stage-send-time", render_kw={"type": "datetime-local"})

    def offer_messages(self, application: Application, zone: str | None = None) -> None:
        """The message choices for a move of ``application``: its usual
        message, each template a rejection or an offer can send, or none.
        ``zone``: the zone preset (default: ``default_zone``)."""
        keys = [key for stage in (Stage.REJECTED, Stage.OFFER) for key in FOR_MOVE_TO[stage]]
        self.message.choices = ([SelectChoice("", "The usual message for this move")] +
                                [SelectChoice(key, TEMPLATES[key].name) for key in keys] +
                                [SelectChoice(NONE, "No message")])
        if not self.send_zone.data:
            self.send_zone.data = zone or default_zone(application)
        if not self.send_at.data:
            self.send_at.data = "now"

    def chosen_stage(self) -> Stage | None:
        try:
            return Stage(self.stage.data)
        except ValueError:
            return None

    def shown_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class NoteForm(FlaskForm):
    body = TextAreaField(
        "New note",
        id="note-body",
        filters=[clean_text],
        validators=[
            DataRequired("Write the note before saving it."),
            Length(max=MAX_NOTE_BODY, message=f"Keep the note to {MAX_NOTE_BODY:,} characters."),
        ],
    )


def read_skill_form(form: MultiDict, skills: list[RoleSkill]):
    """The annotations sent for ``skills`` and the errors by field name.

    A skill whose fields were not sent is left as it was.
    Returns ``(inputs, sent, errors)``: the valid inputs by skill slug, what was
    sent (to show again), and ``{field name: message}``.
    """
    inputs, sent, errors = {}, {}, {}
    for skill in skills:
        level_name, note_name = f"skill-{skill.slug}", f"note-{skill.slug}"
        level_raw, note_raw = form.get(level_name), form.get(note_name)
        level = note = None
        if level_raw is not None:
            try:
                level = SkillLevel(level_raw)
            except ValueError:
                errors[level_name] = "Choose Strong, Partial, None or Not assessed."
        if note_raw is not None:
            note = clean_text(note_raw)
            if len(note) > MAX_ANNOTATION_NOTE:
                errors[note_name] = (
                    f"Keep the note to {MAX_ANNOTATION_NOTE:,} characters (it has {len(note):,})."
                )
        sent[skill.slug] = (level_raw, note_raw)
        if level is not None or note is not None:
            inputs[skill.slug] = SkillInput(level, note)
    return inputs, sent, errors


def source_shape(form, field):
    if not valid_source(field.data):
        raise ValidationError("Use lowercase letters, digits and hyphens only, at most 40, such as linkedin or career-fair-2026.")


class TrackedLinkForm(FlaskForm):
    """A source name, for a link to the role page that carries it (a GET:
    nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    source = StringField(
        "Source",
        id="tracked-source",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired("Name the source, such as linkedin."), source_shape],
        render_kw={"maxlength": 40, "spellcheck": "false", "autocapitalize": "none", "autocomplete": "off"},
    )
