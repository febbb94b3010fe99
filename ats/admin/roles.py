"""Role pages: the list with status and applications, creating and editing a
page's every section, a preview as the public would see it, and opening
(publishing, reopening) and closing it. The changes are made by
``ats.operations.catalog``, which audits them."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import RoleStatus
from ..operations import catalog
from ..queries.catalog_admin import company_choices, role_form_data, role_with_content, roles_overview
from ..urls import absolute_url
from ..web import or_404
from .role_forms import BLANK_ROWS, MORE_ROWS, RoleForm
from .routes import bp


@bp.get("/roles")
def roles():
    return render_template("admin/roles.html", roles=roles_overview())


@bp.route("/roles/new", methods=["GET", "POST"])
def new_role():
    if request.method == "GET":
        return _form_page(RoleForm(formdata=None).with_rows(company_choices(), more=BLANK_ROWS + 1))
    return _save(RoleForm(), None)


@bp.route("/roles/<slug>/edit", methods=["GET", "POST"])
def edit_role(slug: str):
    role = or_404(role_with_content(slug))
    if request.method == "GET":
        form = RoleForm(formdata=None, data=role_form_data(role))
        return _form_page(form.with_rows(company_choices()), role)
    return _save(RoleForm(), role)


def _form_page(form: RoleForm, role=None, status: int = 200, retiring=None):
    return render_template(
        "admin/role_form.html",
        form=form,
        role=role,
        saved_slugs={skill.slug for skill in role.skills if not skill.retired} if role else set(),
        retired=[skill for skill in role.skills if skill.retired] if role else [],
        retiring=retiring,
        errors=form.flat_errors(),
    ), status


def _save(form: RoleForm, role):
    """Check the posted form and save it, or send it back: with more blank
    rows (200), with its errors (422), or asking to confirm retiring skills
    that applications claim or recruiters annotated (422, nothing written)."""
    if "more_rows" in request.form:
        return _form_page(form.with_rows(company_choices(), more=MORE_ROWS), role)
    form.with_rows(company_choices(), more=0)
    if role is not None:
        form.slug.data = role.slug  # fixed once saved, whatever was posted
    valid = form.validate()
    spec = form.to_spec()
    if not valid or spec is None:
        return _form_page(form, role, 422)
    try:
        saved = catalog.save_role(spec, current_user.id, slug=role.slug if role else None,
                                  retire_confirmed=form.retire_confirmed.data)
    except LookupError:
        abort(404)
    except catalog.CatalogRuleError as error:
        field = getattr(form, error.field)
        field.errors = [*field.errors, str(error)] if isinstance(field.errors, list) else [str(error)]
        return _form_page(form, role, 422)
    except catalog.RetireNeedsConfirmation as needed:
        return _form_page(form, role, 422, retiring=needed.skills)
    if saved.created:
        flash(f"The role page “{saved.role.title}” is saved as a draft: preview it, then publish it.", "success")
    elif saved.changed:
        flash(f"Saved: {', '.join(name.replace('_', ' ') for name in saved.changed)}.", "success")
    else:
        flash("Nothing had changed, so nothing was saved.", "info")
    return redirect(url_for(".edit_role", slug=saved.role.slug), 303)


@bp.get("/roles/<slug>/preview")
def preview_role(slug: str):
    """The public template with this role as it is saved, marked as a preview
    and not indexed; no apply form, no JobPosting."""
    role = or_404(role_with_content(slug))
    return render_template(
        "public/role.html",
        role=role,
        preview=True,
        closed=role.status == RoleStatus.CLOSED,
        job_posting={"url": absolute_url("public.role", slug=role.slug)},
    )


@bp.post("/roles/<slug>/open")
def open_role(slug: str):
    try:
        was_draft = or_404(role_with_content(slug)).status == RoleStatus.DRAFT
        changed = catalog.open_role(slug, current_user.id)
    except LookupError:
        abort(404)
    if not changed:
        flash("This role is open already.", "info")
    elif was_draft:
        flash("Published: the page is public and takes applications.", "success")
    else:
        flash("Reopened: the page takes applications again and is back in the catalog.", "success")
    return redirect(url_for(".edit_role", slug=slug), 303)


@bp.post("/roles/<slug>/close")
def close_role(slug: str):
    try:
        changed = catalog.close_role(slug, current_user.id)
    except LookupError:
        abort(404)
    except catalog.StatusError as error:
        flash(str(error), "info")
    else:
        if changed:
            flash("Closed: the page stays readable, says it is closed and takes no applications.", "success")
        else:
            flash("This role is closed already.", "info")
    return redirect(url_for(".edit_role", slug=slug), 303)
