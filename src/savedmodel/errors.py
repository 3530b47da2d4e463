"""One error hierarchy mirroring TensorFlow's canonical error codes.

Every error raised by savedmodel for bad input is one of these, so callers can catch
`savedmodel.errors.OpError` (or a specific code) the way they catch TensorFlow's errors.
Messages say what went wrong and where (file, key, node).
"""

from __future__ import annotations

# Canonical codes, numbered as tensorflow.error.Code.
OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """Base of all savedmodel errors; `error_code` is the canonical TensorFlow code."""

    error_code = UNKNOWN

    def __init__(self, message: str, *, node_name: str | None = None, op_type: str | None = None):
        super().__init__(message)
        self.message = message
        self.node_name = node_name
        self.op_type = op_type

    def __str__(self) -> str:
        if self.node_name:
            op = f" ({self.op_type})" if self.op_type else ""
            return f"{self.message}\n\t [[node {self.node_name}{op}]]"
        return self.message


class CancelledError(OpError):
    error_code = CANCELLED


class UnknownError(OpError):
    error_code = UNKNOWN


class InvalidArgumentError(OpError, ValueError):
    error_code = INVALID_ARGUMENT


class DeadlineExceededError(OpError):
    error_code = DEADLINE_EXCEEDED


class NotFoundError(OpError, LookupError):
    error_code = NOT_FOUND


class AlreadyExistsError(OpError):
    error_code = ALREADY_EXISTS


class PermissionDeniedError(OpError):
    error_code = PERMISSION_DENIED


class ResourceExhaustedError(OpError):
    error_code = RESOURCE_EXHAUSTED


class FailedPreconditionError(OpError):
    error_code = FAILED_PRECONDITION


class AbortedError(OpError):
    error_code = ABORTED


class OutOfRangeError(OpError):
    error_code = OUT_OF_RANGE


class UnimplementedError(OpError, NotImplementedError):
    error_code = UNIMPLEMENTED


class InternalError(OpError):
    error_code = INTERNAL


class UnavailableError(OpError):
    error_code = UNAVAILABLE


class DataLossError(OpError):
    """A file is corrupt or truncated (bad checksum, bad framing, unparsable protobuf)."""

    error_code = DATA_LOSS


class UnauthenticatedError(OpError):
    error_code = UNAUTHENTICATED
