"""The API's requests and responses as pydantic models.

The same models validate what comes in (spectree, in ``routes``), check what
goes out, and make the OpenAPI description (``GET /api/v1/openapi.json``),
so the description cannot drift from the code.
"""
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..models import Stage
from ..models.applications import MAX_REASON
from ..models.types import LARGEST_ID
from ..queries.api import CURSOR_PATTERN

StageName = Literal[tuple(stage.value for stage in Stage)]  # type: ignore[valid-type]
Time = Annotated[str, Field(
    pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
    description="ISO 8601 in UTC with Z, whole seconds (as the pipeline CSV writes it)",
    examples=["2026-03-01T09:30:00Z"],
)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class Skill(BaseModel):
    slug: str
    name: str


class RoleOut(BaseModel):
    slug: str
    title: str
    status: Literal["open", "closed"]
    skills: list[Skill]


class RoleList(BaseModel):
    data: list[RoleOut]


class Candidate(BaseModel):
    """Who applied; every field null under blind review (a recruiter's token) or after erasure."""

    name: str | None
    email: str | None
    phone: str | None
    location: str | None


class ApplicationOut(BaseModel):
    id: int
    role: str = Field(description="the role's slug")
    stage: StageName
    version: int = Field(description="send it back with a stage move: a stale one is answered 409")
    applied_at: Time
    updated_at: Time
    stage_entered_at: Time
    source: str
    skill_match_score: float | None = Field(
        description="0 to 100 with one decimal (strong = 1, partial = 1/2, over the role's skills); "
                    "null while no skill is assessed",
    )
    candidate: Candidate


class HistoryEntry(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: StageName | None = Field(alias="from", description="null for the application's first entry")
    to: StageName
    at: Time
    reason: str


class ApplicationDetail(ApplicationOut):
    history: list[HistoryEntry] = Field(description="stage changes, oldest first")


class ApplicationPage(BaseModel):
    data: list[ApplicationOut]
    next_cursor: str | None = Field(description="pass it as `cursor` for the next page; null on the last page")


class ApplicationQuery(BaseModel):
    # An unknown parameter (a misspelt filter) is refused, not ignored.
    model_config = ConfigDict(extra="forbid")

    role: Slug | None = Field(None, description="a role's slug")
    stage: StageName | None = None
    updated_since: AwareDatetime | None = Field(
        None, description="only applications changed at or after this time (ISO 8601 with a time zone)")
    limit: int = Field(50, ge=1, le=200)
    cursor: Annotated[str, Field(pattern=CURSOR_PATTERN)] | None = Field(
        None, description="`next_cursor` of the previous page (opaque: pass it back as given)")


class StageMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: StageName
    reason: str = Field("", max_length=MAX_REASON,
                        description="required for a move back, a rejection and a reopening; a move to offer or "
                                    "rejected after an interview needs it too, kept as the decision summary")
    version: int = Field(ge=1, le=LARGEST_ID, description="the application's `version` as last read")


class Problem(BaseModel):
    """An error (RFC 9457), sent as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
