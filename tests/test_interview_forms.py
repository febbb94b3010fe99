"""The scheduling form and the offer form share what an interview is
(company, kind, duration, place, interviewers, time zone): the same input is
refused with the same messages by both, and each keeps its fields in the
order its page shows them to the error summary."""
import re

import pytest
from werkzeug.datastructures import MultiDict

from ats.interviews.forms import OfferForm, RescheduleForm, ScheduleForm
from ats.timezones import zone_names

SHARED = ("company", "kind", "duration_minutes", "location", "interviewers", "timezone")


def errors(app, form_class, data: dict) -> dict[str, list[str]]:
    with app.test_request_context():
        form = form_class(formdata=MultiDict(data), meta={"csrf": False})
        form.company.choices = []
        form.validate()
        return {name: list(messages) for name, messages in form.errors.items() if name in SHARED}


@pytest.mark.parametrize("data", [
    {},
    {"company": "nowhere", "kind": "carrier-pigeon", "timezone": "Mars/Olympus_Mons"},
    {"duration_minutes": "5", "interviewers": "ana@example.org, not an address"},
    {"duration_minutes": "481", "location": "x" * 501},
    {"duration_minutes": "forty", "interviewers": ",".join(f"i{n}@example.org" for n in range(11))},
])
def test_both_forms_refuse_the_same_input_alike(app, data):
    schedule, offer = errors(app, ScheduleForm, data), errors(app, OfferForm, data)
    assert schedule
    assert schedule == offer


def test_the_shared_fields_look_the_same_but_for_the_time_zone_label(app):
    with app.test_request_context():
        schedule, offer = ScheduleForm(formdata=None), OfferForm(formdata=None)
        for name in SHARED:
            assert str(schedule[name]) == str(offer[name]), name
        assert schedule.timezone.label.text == "Time zone"
        assert offer.timezone.label.text == "Time zone of the times below"
        assert RescheduleForm(formdata=None).timezone.choices == schedule.timezone.choices


def names(form) -> list[str]:
    return [field.name for field in form if field.name != "csrf_token"]


def test_the_fields_keep_their_order(app):
    with app.test_request_context():
        assert names(ScheduleForm(formdata=None)) == [
            "starts_at", "timezone", "duration_minutes", "company", "kind", "location", "interviewers",
        ]
        assert names(OfferForm(formdata=None)) == [
            "company", "kind", "duration_minutes", "location", "interviewers", "timezone", "slots", "expires_at",
        ]
        assert names(RescheduleForm(formdata=None)) == ["starts_at", "timezone", "duration_minutes"]


def test_the_time_zone_select_lists_every_zone_once_with_the_chosen_one_selected(app):
    with app.test_request_context():
        form = ScheduleForm(formdata=MultiDict({"timezone": "America/New_York"}))
        html = str(form.timezone)
        assert re.match(r'<select [^>]*name="timezone"', html)
        values = re.findall(r'<option value="([^"]+)"', html)
        assert values == list(zone_names())
        assert re.findall(r'<option value="([^"]+)" selected>', html) == ["America/New_York"]
        assert '<option value="America/New_York" selected>America/New York</option>' in html
        # A value that is no zone selects nothing, and is never written into the page.
        form = ScheduleForm(formdata=MultiDict({"timezone": '"><script>x</script>'}))
        html = str(form.timezone)
        assert " selected" not in html and "<script>" not in html
