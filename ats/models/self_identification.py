"""Voluntary self-identification, kept apart from the application.

Nothing on the Application model leads here, and no staff page reads this
table for a person: only aggregate reports (counts per group, with small
groups suppressed) do. Every answer defaults to "decline".
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

DECLINE = "decline"

# The contract's values, in the order the form offers them, with their labels.
GENDER = {
    "female": "Female",
    "male": "Male",
    "nonbinary": "Non-binary",
    DECLINE: "Prefer not to say",
}
RACE_ETHNICITY = {
    "hispanic-latino": "Hispanic or Latino",
    "white": "White",
    "black": "Black or African American",
    "asian": "Asian",
    "native-hawaiian-pacific-islander": "Native Hawaiian or Other Pacific Islander",
    "american-indian-alaska-native": "American Indian or Alaska Native",
    "two-or-more": "Two or more races",
    DECLINE: "Prefer not to say",
}
VETERAN = {
    "protected-veteran": "I identify as a protected veteran",
    "not-veteran": "I am not a protected veteran",
    DECLINE: "Prefer not to say",
}
DISABILITY = {
    "yes": "Yes, I have a disability (or previously had one)",
    "no": "No, I do not have a disability",
    DECLINE: "Prefer not to say",
}


def _one_of(column: str, values: dict[str, str]) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


class SelfIdentification(db.Model):
    __tablename__ = "self_identifications"
    __table_args__ = (
        _one_of("gender", GENDER),
        _one_of("race_ethnicity", RACE_ETHNICITY),
        _one_of("veteran", VETERAN),
        _one_of("disability", DISABILITY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    gender: Mapped[str] = mapped_column(String(40), default=DECLINE)
    race_ethnicity: Mapped[str] = mapped_column(String(40), default=DECLINE)
    veteran: Mapped[str] = mapped_column(String(40), default=DECLINE)
    disability: Mapped[str] = mapped_column(String(40), default=DECLINE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
