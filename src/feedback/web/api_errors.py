"""The JSON body of every API refusal, and how an operation documents one."""

from __future__ import annotations

import msgspec
from litestar.openapi import ResponseSpec

__all__ = ["ErrorOut", "refusal"]


class ErrorOut(msgspec.Struct):
    status_code: int
    detail: str


def refusal(description: str) -> ResponseSpec:
    """An error response of an operation, with the common body, said in the API's words."""
    return ResponseSpec(ErrorOut, description=description)
