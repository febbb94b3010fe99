"""Flask extensions, created unbound and bound to the app in ``create_app``.

Models import ``db`` from here, never from the package root.
"""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints, so that Alembic migrations can alter them on SQLite and
# PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
csrf = CSRFProtect()
# Staff sign-in; the user loader lives in ats/access.py and checks the
# session's row on the server on every request (``staff_sessions``).
login_manager = LoginManager()
# No session protection: Flask-Login's "strong" mode fingerprints the client
# by a hash of X-Forwarded-For (taken as sent, whether or not a proxy set it)
# and the User-Agent, so a replayed cookie with the victim's headers copied
# passed, while a user whose address changed was signed out. Sessions end on
# the server instead: sign-out, new password, deactivation, idle and absolute
# limits (ats/access.py).
login_manager.session_protection = None
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
# Storage from RATELIMIT_STORAGE_URI (memory:// by default, redis://… for
# several workers). Limits are set per route; none apply by default.
limiter = Limiter(key_func=get_remote_address)
