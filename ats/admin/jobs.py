"""Admins see the background jobs that gave up, and run them again."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..jobs import queue
from ..jobs.tasks import BY_NAME
from ..operations.jobs import AlreadyHandled, reopen_failure
from ..queries.jobs import open_failures
from ..web import or_404
from .routes import bp


@bp.get("/jobs")
def jobs():
    return render_template("admin/jobs.html", failures=open_failures(), queue=queue(),
                           labels={name: job.label for name, job in BY_NAME.items()},
                           retries=BY_NAME["deliver_event"].retries)


@bp.post("/jobs/<int:failure_id>/run-again")
def run_again(failure_id: int):
    try:
        task, args = or_404(reopen_failure(failure_id, current_user.id))
    except AlreadyHandled:
        flash("That job was already run again.", "info")
    else:
        jobs = queue()
        if not jobs.enqueue(task, *args):
            flash("The queue cannot be reached: the job will be picked up when it is back.", "info")
        elif jobs.in_process:
            flash(f"{BY_NAME[task].label}: run again. If it failed again, it is listed anew.", "success")
        else:
            flash(f"{BY_NAME[task].label}: queued again.", "success")
    return redirect(url_for("admin.jobs"), 303)
