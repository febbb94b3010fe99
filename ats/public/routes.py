"""Public pages: the role catalog, role pages and the health check."""
from flask import Blueprint, abort, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Role, RoleCompany
from .jsonld import job_posting

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    roles = db.session.scalars(
        db.select(Role).filter_by(published=True).order_by(Role.title)
    ).all()
    return render_template("public/index.html", roles=roles)


@bp.get("/roles/<slug>")
def role(slug: str):
    role = db.session.scalars(
        db.select(Role)
        .filter_by(slug=slug, published=True)
        .options(
            selectinload(Role.skills),
            selectinload(Role.career_steps),
            selectinload(Role.salary_bands),
            selectinload(Role.company_listings).joinedload(RoleCompany.company),
            selectinload(Role.faqs),
        )
    ).one_or_none()
    if role is None:
        abort(404)
    return render_template("public/role.html", role=role, job_posting=job_posting(role))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
