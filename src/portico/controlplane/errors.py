"""Typed control-plane errors with the modelled exception names of the AWS services.

Rendered in one place (`render_error`): `{"message": ...}` with `x-amzn-ErrorType`, as API Gateway's
REST API reference shows for every operation's errors.
"""

from __future__ import annotations

import json

from portico.wire import Response


class ApiError(Exception):
    code = "InternalFailure"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadRequestException(ApiError):
    code = "BadRequestException"
    status = 400


class NotFoundException(ApiError):
    code = "NotFoundException"
    status = 404


class ConflictException(ApiError):
    code = "ConflictException"
    status = 409


class LimitExceededException(ApiError):
    code = "LimitExceededException"
    status = 429


class TooManyRequestsException(ApiError):
    code = "TooManyRequestsException"
    status = 429


class UnauthorizedException(ApiError):
    code = "UnauthorizedException"
    status = 401


class ServiceUnavailableException(ApiError):
    code = "ServiceUnavailableException"
    status = 503


class NotImplementedByPortico(ApiError):
    code = "NotImplementedException"
    status = 501


def render_error(error: ApiError, *, lambda_style: bool = False) -> Response:
    body: dict[str, str] = {"message": error.message}
    code = error.code
    if lambda_style:
        body = {"Type": "User", "message": error.message}  # Lambda's error body
        if code == "BadRequestException":  # request validation (spec.py) in Lambda's words
            code = "ValidationException"
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    return Response(error.status, headers, json.dumps(body).encode())
