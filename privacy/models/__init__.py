"""The privacy app's models: the processor register, the person base class, the audit trail,
subject requests."""

from .core import AuditEntry, AuditQuerySet, PersonRecord, Processor, SensitiveData
from .requests import RecipientNotice, RequestExport, RequestMatch, SubjectRequest

__all__ = [
    "AuditEntry",
    "AuditQuerySet",
    "PersonRecord",
    "Processor",
    "RecipientNotice",
    "RequestExport",
    "RequestMatch",
    "SensitiveData",
    "SubjectRequest",
]

from .breaches import Breach, HoldingSnapshot

__all__ += ["Breach", "HoldingSnapshot"]

from .notice import PrivacyNoticeVersion  # noqa: E402

__all__ += ["PrivacyNoticeVersion"]
