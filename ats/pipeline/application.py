"""One application: profile, resume, skills, notes, stage control and history."""
from .routes import bp  # noqa: F401
