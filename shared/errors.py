"""The one error shape of the project, {"error", "message", "field", "code"}, as an exception."""

from __future__ import annotations


class ShapedError(Exception):
    """An expected refusal that knows how to say itself in the API's error shape.

    Subclasses set `error` (the kind); instances carry the message, the field at fault and a
    machine-readable code. Views answer 4xx with `as_error()`, screens show `message`.
    """

    error = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_error(self) -> dict[str, str | None]:
        """The project-wide error body for this failure."""
        return {
            "error": self.error,
            "message": self.message,
            "field": self.field,
            "code": self.code,
        }
