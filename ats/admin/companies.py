"""Companies: the list with the roles that list each, creating one and
editing its name, website and description (its slug is fixed once
created). Which role pages list a company, and what they say of it, is
edited on the role's page. The changes: ``ats.operations.companies``."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..operations.catalog import CatalogRuleError
from ..operations.companies import CompanyInput, create_company, update_company
from ..queries.catalog_admin import companies_overview, company_by_slug
from ..web import or_404
from .forms import CompanyForm
from .routes import bp


@bp.get("/companies")
def companies():
    return render_template("admin/companies.html", companies=companies_overview())


def _form_page(form: CompanyForm, company=None, status: int = 200):
    return render_template("admin/company_form.html", form=form, company=company), status


def _given(form: CompanyForm) -> CompanyInput:
    return CompanyInput(form.name.data or "", form.website.data or "", form.description.data or "")


def _refused(form: CompanyForm, error: CatalogRuleError, company=None):
    field = getattr(form, error.field)
    field.errors = [*field.errors, str(error)]
    return _form_page(form, company, 422)


@bp.route("/companies/new", methods=["GET", "POST"])
def new_company():
    form = CompanyForm()
    if request.method == "GET":
        return _form_page(form)
    if not form.validate():
        return _form_page(form, status=422)
    try:
        company = create_company(form.slug.data, _given(form), current_user.id)
    except CatalogRuleError as error:
        return _refused(form, error)
    flash(f"{company.name} is added. List it on role pages from each role’s page.", "success")
    return redirect(url_for(".companies"), 303)


@bp.route("/companies/<slug>/edit", methods=["GET", "POST"])
def edit_company(slug: str):
    company = or_404(company_by_slug(slug))
    form = CompanyForm(obj=company) if request.method == "GET" else CompanyForm()
    form.slug.data = company.slug  # fixed once created
    if request.method == "GET":
        return _form_page(form, company)
    if not form.validate():
        return _form_page(form, company, 422)
    try:
        changed = update_company(slug, _given(form), current_user.id)
    except LookupError:
        abort(404)
    except CatalogRuleError as error:
        return _refused(form, error, company)
    flash(f"Saved: {', '.join(changed)}." if changed else "Nothing had changed, so nothing was saved.",
          "success" if changed else "info")
    return redirect(url_for(".companies"), 303)
