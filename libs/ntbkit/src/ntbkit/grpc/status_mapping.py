"""Domain errors -> gRPC status with google.rpc details (one place for all services)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ntbkit import errors

ERROR_DOMAIN = "ntb.io"


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def to_grpc_status(error: errors.NtbError) -> grpc.Status:
    code, details = _code_and_details(error)
    status = status_pb2.Status(code=code, message=error.message, details=details)
    return rpc_status.to_status(status)


def _code_and_details(error: errors.NtbError) -> tuple[int, list[any_pb2.Any]]:
    if isinstance(error, errors.InvalidArgument):
        request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in error.violations
            ]
        )
        return code_pb2.INVALID_ARGUMENT, [_pack(request)]
    if isinstance(error, errors.NotFound):
        info = error_details_pb2.ResourceInfo(
            resource_type=error.resource_type, resource_name=error.resource_name
        )
        return code_pb2.NOT_FOUND, [_pack(info)]
    if isinstance(error, errors.FailedPrecondition):
        info = error_details_pb2.ErrorInfo(
            reason=error.reason, domain=ERROR_DOMAIN, metadata=error.details.metadata
        )
        return code_pb2.FAILED_PRECONDITION, [_pack(info)]
    if isinstance(error, errors.AlreadyExists):
        info = error_details_pb2.ErrorInfo(reason=error.reason, domain=ERROR_DOMAIN)
        return code_pb2.ALREADY_EXISTS, [_pack(info)]
    simple = {
        errors.Unauthenticated: code_pb2.UNAUTHENTICATED,
        errors.PermissionDenied: code_pb2.PERMISSION_DENIED,
        errors.Unavailable: code_pb2.UNAVAILABLE,
    }
    for error_type, code in simple.items():
        if isinstance(error, error_type):
            return code, []
    return code_pb2.INTERNAL, []
