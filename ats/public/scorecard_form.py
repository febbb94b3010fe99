"""The scorecard's form, named as the staff skills form is: per skill
``skill-<slug>`` (``strong``, ``partial``, ``none``, ``unknown``) and
``note-<slug>``, then ``recommendation`` and ``summary``."""
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..models import Recommendation, RoleSkill, SkillLevel
from ..operations.scorecards import MAX_RATING_NOTE, MAX_SUMMARY, RatingInput
from ..web import clean_text


class ScorecardForm(FlaskForm):
    recommendation = RadioField(
        "Your recommendation",
        choices=[SelectChoice(choice.value, choice.label) for choice in Recommendation],
        validators=[InputRequired("Choose strong yes, yes, no or strong no.")],
    )
    summary = TextAreaField(
        "Summary",
        filters=[clean_text],
        validators=[Length(max=MAX_SUMMARY, message=f"Keep the summary to {MAX_SUMMARY:,} characters.")],
    )


def read_ratings(form: MultiDict, skills: list[RoleSkill]):
    """The ratings sent for ``skills``, what was sent (to show again) and the
    errors by field name. A skill whose level was not sent is not assessed."""
    ratings, sent, errors = {}, {}, {}
    for skill in skills:
        level_name, note_name = f"skill-{skill.slug}", f"note-{skill.slug}"
        level_raw = form.get(level_name) or SkillLevel.UNKNOWN.value
        note = clean_text(form.get(note_name) or "")
        sent[skill.slug] = (level_raw, note)
        try:
            level = SkillLevel(level_raw)
        except ValueError:
            errors[level_name] = "Choose Strong, Partial, None or Not assessed."
            continue
        if len(note) > MAX_RATING_NOTE:
            errors[note_name] = f"Keep the note to {MAX_RATING_NOTE:,} characters (it has {len(note):,})."
            continue
        ratings[skill.slug] = RatingInput(level, note)
    return ratings, sent, errors
