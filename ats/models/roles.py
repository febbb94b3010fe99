"""The role catalog: role pages and their parts, and the companies they list."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow, value_enum


class RoleStatus(enum.StrEnum):
    """A draft is seen by admins only; an open role's page is public and takes
    applications; a closed one's page stays readable and takes none. A closed
    role can be opened again."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "open": "Open", "closed": "Closed"}[self.value]


class Role(db.Model):
    """A job role page, such as Healthcare AI Engineer."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_plural: Mapped[str] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(400))
    introduction: Mapped[str] = mapped_column(Text)
    duties: Mapped[str] = mapped_column(Text)
    day_in_life: Mapped[str] = mapped_column(Text)
    salary_note: Mapped[str] = mapped_column(Text, default="")
    apply_text: Mapped[str] = mapped_column(Text)
    # schema.org employmentType values, comma-separated (FULL_TIME,INTERN).
    employment_types: Mapped[str] = mapped_column(String(200))
    date_posted: Mapped[date]
    valid_through: Mapped[date | None]
    status: Mapped[RoleStatus] = mapped_column(
        value_enum(RoleStatus, "role_status", length=10), default=RoleStatus.DRAFT
    )
    # Set by every change made in the admin pages: ``ats seed`` then leaves
    # the role alone unless told --force (the file no longer holds the page).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Blind review (``ats.operations.blind_review``): while on, recruiters see no
    # candidate's identity on this role's applications until their skill match
    # has been saved once (``Application.identity_revealed_at``).
    blind_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    skills: Mapped[list["RoleSkill"]] = relationship(
        back_populates="role",
        order_by="RoleSkill.position",
        cascade="all, delete-orphan",
    )
    career_steps: Mapped[list["CareerStep"]] = relationship(
        order_by="CareerStep.position", cascade="all, delete-orphan"
    )
    salary_bands: Mapped[list["SalaryBand"]] = relationship(
        order_by="SalaryBand.position", cascade="all, delete-orphan"
    )
    company_listings: Mapped[list["RoleCompany"]] = relationship(
        back_populates="role",
        order_by="RoleCompany.position",
        cascade="all, delete-orphan",
    )
    faqs: Mapped[list["RoleFaq"]] = relationship(
        order_by="RoleFaq.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status in (RoleStatus.OPEN, RoleStatus.CLOSED)

    @property
    def active_skills(self) -> list["RoleSkill"]:
        return [skill for skill in self.skills if not skill.retired]

    @property
    def employment_type_list(self) -> list[str]:
        return [t for t in self.employment_types.split(",") if t]

    def __repr__(self) -> str:
        return f"<Role {self.slug}>"


class RoleSkill(db.Model):
    """One of a role's required skills.

    Skills are kept by slug: applications claim them and recruiters annotate
    them, so a skill dropped from the catalog is retired, never deleted.
    """

    __tablename__ = "role_skills"
    __table_args__ = (UniqueConstraint("role_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    # A short name for checkboxes and annotation rows, and the page's full line.
    name: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int]
    retired: Mapped[bool] = mapped_column(default=False)
    # Words and phrases that point to this skill in a profile or resume; they
    # drive the evidence suggestions on the application page.
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)

    role: Mapped[Role] = relationship(back_populates="skills")


class CareerStep(db.Model):
    __tablename__ = "role_career_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))


class SalaryBand(db.Model):
    """A row of the salary table. Amounts in whole US dollars; None is shown as a dash."""

    __tablename__ = "role_salary_bands"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    level: Mapped[str] = mapped_column(String(120))
    base_min: Mapped[int | None]
    base_max: Mapped[int | None]
    total_comp: Mapped[str | None] = mapped_column(String(200))
    intern_monthly_min: Mapped[int | None]
    intern_monthly_max: Mapped[int | None]


class Company(db.Model):
    """A hiring company; role pages list companies, interviews are held with them."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # An http(s) address, or empty.
    website: Mapped[str] = mapped_column(String(300), default="")
    # What the company is, for staff; each role page says its own words
    # about it (``RoleCompany.summary``).
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Company {self.slug}>"


class RoleCompany(db.Model):
    """A company as one role page lists it, with what that page says of it."""

    __tablename__ = "role_companies"
    __table_args__ = (UniqueConstraint("role_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    position: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)

    role: Mapped[Role] = relationship(back_populates="company_listings")
    company: Mapped[Company] = relationship(lazy="joined")


class RoleFaq(db.Model):
    __tablename__ = "role_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)


class CatalogVersion(db.Model):
    """One row: a number the database raises on every change to the role
    catalog (roles, their skills, career steps, salary bands, FAQs, company
    listings and companies), whoever makes it: triggers on those tables
    (migration 0019) raise it in the same transaction. What is built from
    the catalog once and kept (the public role pages) is kept under this
    number, so every worker on every machine sees a change at its next
    request. Read it; never write it."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
