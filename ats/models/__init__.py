"""The data model, one module per aggregate."""
from .applications import (
    CLOSED_STAGES,
    OPEN_STAGES,
    PIPELINE,
    Application,
    ApplicationSkillClaim,
    Candidate,
    ResumeTextStatus,
    Stage,
    StageChange,
    StageCount,
)
from .api_tokens import ApiToken
from .assessment import ApplicationNote, SkillAnnotation, SkillLevel
from .audit import AuditEvent
from .data_rights import ErasureRequest, FairnessTally
from .events import Event, EventType
from .interviews import (
    Interview,
    InterviewInterviewer,
    InterviewKind,
    InterviewOffer,
    InterviewStatus,
    OfferSlot,
    OfferStatus,
)
from .jobs import JobFailure
from .messages import CandidateMessage, MessageStatus, MessageTemplate
from .password_links import LinkPurpose, LinkState, PasswordLink
from .roles import CareerStep, CatalogVersion, Company, Role, RoleCompany, RoleFaq, RoleSkill, RoleStatus, SalaryBand
from .scorecards import Recommendation, Scorecard, ScorecardRating, ScorecardVersion
from .self_identification import SelfIdentification
from .sessions import StaffSession
from .staff import Access, StaffUser
from .two_step import RecoveryCode
from .types import UTCDateTime, utcnow
from .webhooks import DeliveryStatus, Webhook, WebhookDelivery

__all__ = [
    "CandidateMessage",
    "MessageStatus",
    "MessageTemplate",
    "Recommendation",
    "Scorecard",
    "ScorecardRating",
    "ScorecardVersion",
    "DeliveryStatus",
    "Webhook",
    "WebhookDelivery",
    "ApiToken",
    "ApplicationNote",
    "AuditEvent",
    "ErasureRequest",
    "FairnessTally",
    "Event",
    "EventType",
    "Interview",
    "InterviewInterviewer",
    "InterviewKind",
    "InterviewOffer",
    "OfferSlot",
    "OfferStatus",
    "InterviewStatus",
    "JobFailure",
    "LinkPurpose",
    "LinkState",
    "PasswordLink",
    "SkillAnnotation",
    "SkillLevel",
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "PIPELINE",
    "Access",
    "Application",
    "ApplicationSkillClaim",
    "Candidate",
    "CareerStep",
    "CatalogVersion",
    "Company",
    "RecoveryCode",
    "ResumeTextStatus",
    "Role",
    "RoleCompany",
    "RoleFaq",
    "RoleSkill",
    "RoleStatus",
    "SalaryBand",
    "SelfIdentification",
    "StaffSession",
    "StaffUser",
    "Stage",
    "StageChange",
    "StageCount",
    "UTCDateTime",
    "utcnow",
]
