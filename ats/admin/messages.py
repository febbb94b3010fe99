"""Messages to candidates: the templates (``/admin/messages``), editing one,
resetting it to its default wording, and previewing it filled in with a
real application. The changes: ``ats.operations.messages``.

The preview shows the HTML message inside a sandboxed frame (``srcdoc``,
no scripts, no same origin), never as part of the staff page, and the
candidate's private status link as a stand-in.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models.messages import TEMPLATES
from ..notifications.placeholders import PLACEHOLDERS, render, values_for
from ..operations.messages import TemplateError, TemplateInput, reset_template, save_template
from ..queries.messages import all_templates, current_template, preview_application
from ..web import or_404
from .forms import MessageTemplateForm
from .routes import bp

# What the preview shows for the candidate's private link (the real one would let the reader act as them).
LINK_STAND_IN = "(the candidate’s private status link)"
ERASED = "[erased]"


@bp.get("/messages")
def messages():
    return render_template("admin/messages.html", templates=all_templates())


def _edit_page(template, form: MessageTemplateForm, status: int = 200):
    return render_template("admin/message_template.html", template=template, form=form,
                           placeholders=PLACEHOLDERS), status


@bp.route("/messages/<key>", methods=["GET", "POST"])
def edit_message(key: str):
    template = or_404(current_template(key))
    if request.method == "GET":
        form = MessageTemplateForm(data={"subject": template.subject, "body_text": template.body_text,
                                         "body_html": template.body_html or ""})
        return _edit_page(template, form)
    form = MessageTemplateForm()
    if not form.validate():
        return _edit_page(template, form, 422)
    given = TemplateInput(form.subject.data or "", form.body_text.data or "", form.body_html.data or "")
    try:
        changed = save_template(key, given, current_user.id)
    except LookupError:
        abort(404)
    except TemplateError as error:
        form[error.field].errors = [*form[error.field].errors, str(error)]
        return _edit_page(template, form, 422)
    if changed:
        flash(f"Saved {template.name}. It is used from the next message on.", "success")
    else:
        flash("Nothing had changed, so nothing was saved.", "info")
    return redirect(url_for(".edit_message", key=key), 303)


@bp.post("/messages/<key>/reset")
def reset_message(key: str):
    if key not in TEMPLATES:
        abort(404)
    name = TEMPLATES[key].name
    if reset_template(key, current_user.id):
        flash(f"{name} is back to its default wording.", "success")
    else:
        flash(f"{name} already had its default wording.", "info")
    return redirect(url_for(".edit_message", key=key), 303)


@bp.get("/messages/<key>/preview")
def preview_message(key: str):
    """Template ``key`` filled in with application ``?application=<id>``
    (default: the latest). 404 for an unknown key or application, 400 for
    an id that is not a number."""
    template = or_404(current_template(key))
    asked = request.args.get("application", "").strip()
    if asked and not (asked.isascii() and asked.isdigit() and len(asked) < 10):
        abort(400, description="Give the application as its number, such as 42.")
    application = preview_application(int(asked) if asked else None)
    if asked and application is None:
        abort(404)
    rendered = None
    if application is not None:
        values = values_for(application, status_link=LINK_STAND_IN)
        if application.erased:
            for name in ("first_name", "full_name"):
                values[name] = ERASED
        rendered = render(template, values)
    return render_template("admin/message_preview.html", template=template, application=application,
                           rendered=rendered)
