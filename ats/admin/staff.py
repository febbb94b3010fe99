"""Admins run the staff accounts: the list, inviting someone, one person's
page with their access level, deactivating and reactivating, and sending a
link to set a password (``ats.operations.staff_admin``).

Bad input on a form is answered 422 with the form's errors, nothing saved.
A change the rules refuse (the last active admin, one's own account) is
answered with a message on the person's page (flash and 303), as the other
admin pages do, since there is nothing to correct in the form.
"""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..models import LinkPurpose
from ..operations.staff import StaffError
from ..operations.staff_admin import (
    StaffRefused,
    change_access,
    deactivate_user,
    invite,
    reactivate_user,
    send_link,
)
from ..queries.staff import staff_list, staff_member
from ..web import or_404
from .routes import bp
from .staff_forms import ACCESS_HINT, AccessForm, ButtonForm, InviteForm


@bp.get("/staff")
def staff():
    return render_template("admin/staff.html", people=staff_list(), button=ButtonForm())


@bp.route("/staff/invite", methods=["GET", "POST"])
def invite_staff():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = invite(current_user.id, form.email.data, form.name.data, form.access.data)
        except StaffError as error:
            form.email.errors.append(str(error))
        except StaffRefused as error:
            flash(str(error), "info")
            return redirect(url_for(".staff"), 303)
        else:
            flash(f"Invitation sent to {user.email}. The link in it works for "
                  f"{LinkPurpose.INVITE.lifetime_text}.", "success")
            return redirect(url_for(".staff"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/staff_invite.html", form=form, access_hint=ACCESS_HINT,
                           invite_lifetime=LinkPurpose.INVITE.lifetime_text), status


def _person_page(user_id: int, access_form: AccessForm | None = None, status: int = 200):
    person = or_404(staff_member(user_id))
    if access_form is None:
        access_form = AccessForm(formdata=None, data={"access": person.access.value})
    return render_template("admin/staff_person.html", person=person, access_form=access_form,
                           button=ButtonForm(), is_me=person.id == current_user.id, access_hint=ACCESS_HINT,
                           invite_lifetime=LinkPurpose.INVITE.lifetime_text,
                           reset_lifetime=LinkPurpose.RESET.lifetime_text), status


@bp.get("/staff/<int:user_id>")
def staff_person(user_id: int):
    return _person_page(user_id)


def _refusing(change, user_id: int, done: str):
    """Run ``change(actor, user_id)``; 404 for no such user; the rule's
    message when refused; ``done`` (formatted with the user) otherwise."""
    try:
        user = or_404(change(current_user.id, user_id))
    except StaffRefused as error:
        flash(str(error), "info")
    else:
        flash(done.format(name=user.name, email=user.email), "success")
    return redirect(url_for(".staff_person", user_id=user_id), 303)


@bp.post("/staff/<int:user_id>/access")
def change_staff_access(user_id: int):
    form = AccessForm()
    if not form.validate_on_submit():
        return _person_page(user_id, form, 422)
    return _refusing(lambda actor, user: change_access(actor, user, form.access.data), user_id,
                     "{name}'s access level is saved.")


@bp.post("/staff/<int:user_id>/deactivate")
def deactivate_staff(user_id: int):
    return _refusing(deactivate_user, user_id, "{name} is deactivated and signed out everywhere.")


@bp.post("/staff/<int:user_id>/reactivate")
def reactivate_staff(user_id: int):
    return _refusing(reactivate_user, user_id, "{name} can sign in again.")


@bp.post("/staff/<int:user_id>/send-link")
def send_staff_link(user_id: int):
    return _refusing(send_link, user_id, "A link to set a password is on its way to {email}.")
