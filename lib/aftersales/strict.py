"""The one base of every YAML shape a lead writes: unknown keys are errors, never ignored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A pydantic model that refuses keys it does not define (a typo is a located problem).

    Subclasses add to the configuration (``frozen``, ``populate_by_name``); pydantic merges it
    with this one, so ``extra="forbid"`` always holds.
    """

    model_config = ConfigDict(extra="forbid")
