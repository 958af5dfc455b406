"""The access log of personal data: who read whose contact details, when, through which endpoint.

No foreign keys: an entry must outlive the user or customer it names (an auditor reads it
after an account is closed); entries older than the retention period are pruned.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from dispatch.account.models import Role
from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now


class AccessLogBase(SQLModel):
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    user_id: int = Field(index=True, description="the staff account that read")
    role: Role = Field(sa_type=enum_type(Role, "role"))
    customer_id: int = Field(index=True, description="whose contact details")
    endpoint: str = Field(max_length=200, description="method and path template")
    fields: str = Field(max_length=200, description="what was shown, comma-separated")


class AccessLog(AccessLogBase, table=True):
    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)


class AccessLogPublic(AccessLogBase):
    id: int
    user_name: str | None = Field(description="None once the account is gone")


class AccessLogsPublic(SQLModel):
    data: list[AccessLogPublic]
    count: int
