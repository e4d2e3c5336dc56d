"""The one error type of the project.

Services raise :class:`ApplicationError` with a translatable message, a stable
machine code and, where it concerns one input, the field. The API renders it
as JSON (``union_portal.api.errors``), the portal as a form error
(:func:`add_to_form`), the admin as a message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A rule of the domain said no. The message is for the user, in their language."""

    status_code = 400

    def __init__(self, message, code: str = "invalid", field: str | None = None, params: dict | None = None):
        self.message = message
        self.code = code
        self.field = field
        self.params = params or {}
        super().__init__(str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    @classmethod
    def from_validation_error(cls, error: ValidationError, field: str | None = None) -> ApplicationError:
        if hasattr(error, "error_dict"):
            field_name, errors = next(iter(error.error_dict.items()))
            first = errors[0]
            return cls(" ".join(first.messages), code=first.code or "invalid", field=field or field_name)
        first = error.error_list[0]
        return cls(" ".join(first.messages), code=first.code or "invalid", field=field)

    def as_validation_error(self) -> ValidationError:
        error = ValidationError(str(self), code=self.code)
        return ValidationError({self.field: error}) if self.field else error


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message, code: str = "permission_denied", field: str | None = None):
        super().__init__(message, code=code, field=field)


class NotFoundError(ApplicationError):
    status_code = 404

    def __init__(self, message, code: str = "not_found", field: str | None = None):
        super().__init__(message, code=code, field=field)


def add_to_form(form, error: ApplicationError) -> None:
    """Show a service error on a Django form, on its field when the form has it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def apply_each(action, objects, *, arg: str, **kwargs) -> tuple[int, list]:
    """Call one service for each object (each in its own transaction, as services are); return how many
    succeeded and ``[(object, ApplicationError)]`` for the others, so one bad row does not stop a batch."""
    done, failed = 0, []
    for obj in objects:
        try:
            action(**{arg: obj}, **kwargs)
            done += 1
        except ApplicationError as exc:
            failed.append((obj, exc))
    return done, failed
