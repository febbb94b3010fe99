"""The applicant-tracking service."""
from pathlib import Path

from flask import Flask

from config import Config, ProductionConfig, config_from_env

from . import access, errors, jobs, security, templating, urls, web
from .commands import ats_cli
from .extensions import csrf, db, limiter, login_manager, migrate
from .infra import logs, metrics, sqlite, storage
from .operations.erasure import check_retention

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the application. ``config`` defaults to the class ``ATS_ENV`` names."""
    config = config or config_from_env()
    if issubclass(config, ProductionConfig) and not config.ATS_PUBLIC_URL:
        raise RuntimeError("ATS_PUBLIC_URL must be set when ATS_ENV=production (e.g. https://careers.example.org)")

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    security.check_secret_key(app)
    urls.check_public_url(app)
    check_retention(app)
    storage.init_app(app)
    sqlite.configure(app)
    if app.config["ATS_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["ATS_TRUSTED_PROXIES"]
        # X-Forwarded-Host is never trusted: links and the Host check use ATS_PUBLIC_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    app.url_map.converters["int"] = web.DatabaseId
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)

    from .account import bp as account_bp
    from .api import bp as api_bp
    from .api.problems import problem_from_http
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .interviews import bp as interviews_bp
    from .pipeline import bp as pipeline_bp
    from .public import bp as public_bp
    from .reports import bp as reports_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(pipeline_bp)
    app.register_blueprint(interviews_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.extensions.setdefault(errors.PATH_RENDERERS, {})[api_bp.url_prefix + "/"] = problem_from_http

    errors.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    access.init_app(app)
    templating.init_app(app)
    app.cli.add_command(ats_cli)
    return app
