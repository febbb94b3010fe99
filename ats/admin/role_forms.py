"""The role page form: every section of a role page. Repeating sections
(skills, salary bands, companies, questions) are rows, a few blank ones
below the filled ones; "More rows" sends the form back with more blank
rows, so it works without JavaScript. A blank row is ignored."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..operations.catalog import SLUG, CompanySpec, RoleSpec, SalarySpec, SkillSpec
from ..templating import EMPLOYMENT_LABELS
from ..web import clean_line, clean_text, one_line

BLANK_ROWS = 2
MORE_ROWS = 3
SLUG_MESSAGE = "Use lower-case letters, digits and single hyphens (like clinical-nlp)."


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _line(label: str, max_length: int, required: bool = False, **kwargs):
    checks = [InputRequired(f"{label} is required.")] if required else [Optional()]
    return StringField(label, validators=[*checks, Length(max=max_length), one_line],
                       filters=[clean_line], **kwargs)


def _text(label: str, max_length: int, required: bool = False, rows: int = 6):
    checks = [InputRequired(f"{label} is required.")] if required else [Optional()]
    return TextAreaField(label, validators=[*checks, Length(max=max_length)], filters=[clean_text],
                         render_kw={"rows": rows})


def _amount(label: str):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100_000_000)],
                        render_kw={"inputmode": "numeric"})


class SkillRow(Form):
    slug = _line("Slug", 80, render_kw={"spellcheck": "false"})
    name = _line("Short name", 120)
    text = _line("Line on the page", 1_000)
    keywords = _line("Keywords (comma-separated)", 2_000)
    remove = BooleanField("Take this skill off the page")


class BandRow(Form):
    level = _line("Level", 120)
    base_min = _amount("Base salary from")
    base_max = _amount("Base salary to")
    total_comp = _line("Total comp (with equity)", 200)
    intern_monthly_min = _amount("Intern monthly from")
    intern_monthly_max = _amount("Intern monthly to")


class ListingRow(Form):
    company = SelectField("Company", choices=[], validate_choice=False)
    summary = _text("What this page says of it", 2_000, rows=3)


class FaqRow(Form):
    question = _line("Question", 500)
    answer = _text("Answer", 10_000, rows=4)


class RoleForm(FlaskForm):
    slug = StringField("Address (slug)", validators=[InputRequired("The address is required."), Length(max=80),
                                                     Regexp(SLUG, message=SLUG_MESSAGE)],
                       filters=[clean_line], render_kw={"spellcheck": "false"})
    title = _line("Title", 200, required=True)
    title_plural = _line("Title, plural", 200, required=True)
    headline = _line("Headline", 300, required=True)
    summary = _text("Summary", 400, required=True, rows=3)
    employment_types = CheckboxesField("Employment types", choices=[SelectChoice(v, label) for v, label in EMPLOYMENT_LABELS.items()],
                                       validators=[InputRequired("Choose at least one employment type.")])
    introduction = _text("Overview (introduction)", 20_000, required=True)
    duties = _text("What the job involves", 20_000, required=True)
    day_in_life = _text("A day in the life", 20_000, required=True)
    career_path = _text("Career path, one step per line, first step first", 5_000, required=True, rows=5)
    skills = FieldList(FormField(SkillRow))
    salary_bands = FieldList(FormField(BandRow))
    salary_note = _text("Note under the salary table", 2_000, rows=2)
    companies = FieldList(FormField(ListingRow))
    faq = FieldList(FormField(FaqRow))
    apply_text = _text("Text above the apply form", 2_000, required=True, rows=3)
    date_posted = DateField("Date posted", validators=[InputRequired("The date posted is required.")])
    valid_through = DateField("Valid through", validators=[Optional()])
    retire_confirmed = BooleanField("Yes, retire these skills")

    ROWS = ("skills", "salary_bands", "companies", "faq")

    def with_rows(self, companies: list[tuple[str, str]], more: int = BLANK_ROWS) -> "RoleForm":
        """Add ``more`` blank rows to each repeating section; offer ``companies``."""
        for name in self.ROWS:
            for _ in range(more):
                getattr(self, name).append_entry()
        for row in self.companies:
            row.company.choices = [SelectChoice("", "Choose a company"),
                                  *(SelectChoice(slug, name) for slug, name in companies)]
        return self

    def to_spec(self) -> RoleSpec | None:
        """The page the form describes, or None with row errors attached."""
        skills = [_skill(row.form) for row in self.skills if not _blank(row.form) and not row.form.remove.data]
        bands = [_band(row.form) for row in self.salary_bands if not _blank(row.form)]
        listings = [_listing(row.form) for row in self.companies if not _blank(row.form)]
        faq = [_faq(row.form) for row in self.faq if not _blank(row.form)]
        if not skills and not any(row.errors for row in self.skills):
            self.skills.errors.append("List at least one skill.")
        career_path = [line.strip() for line in (self.career_path.data or "").split("\n") if line.strip()]
        if any(len(step) > 200 for step in career_path):
            self.career_path.errors = [*self.career_path.errors, "Each step is at most 200 characters."]
        if self.valid_through.data and self.date_posted.data and self.valid_through.data < self.date_posted.data:
            self.valid_through.errors = [*self.valid_through.errors, "Valid through must not be before the date posted."]
        if self.flat_errors():
            return None
        fields = {name: getattr(self, name).data for name in (
            "slug", "title", "title_plural", "headline", "summary", "introduction", "duties", "day_in_life",
            "apply_text", "date_posted", "valid_through")}
        fields["salary_note"] = self.salary_note.data or ""
        fields["employment_types"] = ",".join(self.employment_types.data)
        return RoleSpec(fields, skills, career_path, bands, listings, faq)

    def flat_errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every error, rows included, for the summary."""
        found = []
        for field in self:
            if isinstance(field, FieldList):
                found += [(field.id, field.label.text, message) for message in field.errors if isinstance(message, str)]
                for number, row in enumerate(field, start=1):
                    for sub in row.form:
                        found += [(sub.id, f"{sub.label.text} (row {number})", m) for m in sub.errors]
            else:
                found += [(field.id, field.label.text, message) for message in field.errors]
        return found


def _blank(row: Form) -> bool:
    return all(not field.data for field in row if field.type != "BooleanField")


def _require(row: Form, *names: str) -> None:
    for name in names:
        field = getattr(row, name)
        if not field.data and not field.errors:
            field.errors = [*field.errors, f"{field.label.text} is required in a filled row."]


def _skill(row: SkillRow) -> SkillSpec | None:
    _require(row, "slug", "name", "text")
    if row.slug.data and not SLUG.match(row.slug.data):
        row.slug.errors = [*row.slug.errors, SLUG_MESSAGE]
    keywords = tuple(word.strip() for word in (row.keywords.data or "").split(",") if word.strip())
    if any(len(word) > 80 for word in keywords):
        row.keywords.errors = [*row.keywords.errors, "Each keyword is at most 80 characters."]
    return SkillSpec(row.slug.data, row.name.data, row.text.data, keywords)


def _range(row: Form, low: str, high: str) -> tuple[int | None, int | None]:
    low_field, high_field = getattr(row, low), getattr(row, high)
    if (low_field.data is None) != (high_field.data is None):
        high_field.errors = [*high_field.errors, "Give both ends of the range, or neither."]
    elif low_field.data is not None and high_field.data < low_field.data:
        high_field.errors = [*high_field.errors, "The range must run from low to high."]
    return low_field.data, high_field.data


def _band(row: BandRow) -> SalarySpec:
    _require(row, "level")
    base = _range(row, "base_min", "base_max")
    monthly = _range(row, "intern_monthly_min", "intern_monthly_max")
    return SalarySpec(row.level.data, *base, row.total_comp.data or None, *monthly)


def _listing(row: ListingRow) -> CompanySpec:
    _require(row, "company", "summary")
    return CompanySpec(row.company.data, "", row.summary.data)


def _faq(row: FaqRow) -> tuple[str, str]:
    _require(row, "question", "answer")
    return row.question.data, row.answer.data
