"""Webhooks: the list with each one's recent deliveries, registering one
(its secret shown once), pausing and resuming, and sending a delivery
again. The changes: ``ats.operations.webhooks``."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..jobs import queue
from ..operations.webhooks import WebhookError, create_webhook, redeliver, set_active
from ..queries.webhooks import RECENT, webhooks_overview
from ..web import or_404
from ..webhooks import MAX_TRIES
from .forms import WebhookForm
from .routes import bp


def _page(form: WebhookForm | None = None, made=None, status: int = 200):
    response = current_app.make_response((render_template(
        "admin/webhooks.html", form=form or WebhookForm(), hooks=webhooks_overview(), made=made,
        recent=RECENT, max_tries=MAX_TRIES,
        allow_private=current_app.config["ATS_WEBHOOK_ALLOW_PRIVATE"],
    ), status))
    if made is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret is on it
    return response


@bp.get("/webhooks")
def webhooks():
    return _page()


@bp.post("/webhooks")
def create_webhook_page():
    """A new webhook; its secret is shown on the page this once (not redirected to)."""
    form = WebhookForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        made = create_webhook(form.url.data, form.events.data, form.secret.data, current_user.id,
                              allow_private=current_app.config["ATS_WEBHOOK_ALLOW_PRIVATE"])
    except WebhookError as error:
        field = getattr(form, error.field)
        field.errors = [*field.errors, str(error)]
        return _page(form, status=422)
    return _page(WebhookForm(formdata=None), made=made)


def _set_active(webhook_id: int, active: bool):
    changed = or_404(set_active(webhook_id, active, current_user.id))
    if changed:
        flash(f"Webhook {webhook_id} {'resumed' if active else 'paused'}.", "success")
    else:
        flash(f"Webhook {webhook_id} was {'active' if active else 'paused'} already.", "info")
    return redirect(url_for("admin.webhooks"), 303)


@bp.post("/webhooks/<int:webhook_id>/pause")
def pause_webhook(webhook_id: int):
    return _set_active(webhook_id, False)


@bp.post("/webhooks/<int:webhook_id>/resume")
def resume_webhook(webhook_id: int):
    return _set_active(webhook_id, True)


@bp.post("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver_webhook(webhook_id: int, delivery_id: int):
    or_404(redeliver(webhook_id, delivery_id, current_user.id) or None)
    jobs = queue()
    if not jobs.enqueue("deliver_webhook", delivery_id):
        flash("The queue cannot be reached: the delivery will be sent when it is back.", "info")
    else:
        flash(f"Delivery {delivery_id} is being sent again.", "success")
    return redirect(url_for("admin.webhooks"), 303)
