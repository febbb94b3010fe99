"""What search engines read: the sitemap of the open role pages and
robots.txt, which points at it and keeps them out of the staff pages."""
from flask import current_app, render_template

from ..queries.sitemap import open_role_pages
from ..urls import absolute_url
from .routes import bp

# Staff pages, the candidates' own pages and the API: nothing for a search engine.
KEPT_OUT = ("/pipeline/", "/interviews/", "/reports/", "/admin/", "/account/", "/login", "/applications/", "/api/")


def _answer(body: str, mimetype: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    pages = [(absolute_url("public.role", slug=page.slug), page.updated_on) for page in open_role_pages()]
    return _answer(render_template("public/sitemap.xml", pages=pages), "application/xml")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in KEPT_OUT), "",
             f"Sitemap: {absolute_url('public.sitemap')}", ""]
    return _answer("\n".join(lines), "text/plain")
