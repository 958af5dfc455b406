"""The warranty's answer: covered or not, why, and until when."""

from datetime import date

from pydantic import BaseModel, ConfigDict


class CoverageDecision(BaseModel):
    """Whether the warranty covers a request on a day, with a sentence for the customer."""

    model_config = ConfigDict(frozen=True)

    covered: bool
    reason: str
    valid_until: date
