"""The DomainError hierarchy; app.py maps each kind to one HTTP status."""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "ConfigurationError",
    "Conflict",
    "DomainError",
    "ImportFailed",
    "InvalidInput",
    "InvalidTransition",
    "NotAuthenticated",
    "NotFound",
    "RowError",
    "TooLittleData",
]

from dataclasses import dataclass


class DomainError(Exception):
    """A rule of the domain refused the request; the message is safe to show."""

    status_code = 400
    # The exit status of the `feedback` command that this error ends.
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400


class TooLittleData(InvalidInput):
    """The data holds too few cases to learn from or to judge by; asking again will not help
    until there is more."""

    exit_code = 2


class NotAuthenticated(DomainError):
    status_code = 401


class AccessDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidTransition(Conflict):
    """An action the current state does not allow; the message names those it does."""

    def __init__(self, state: str, action: str, allowed: list[str]) -> None:
        self.state, self.action, self.allowed = state, action, tuple(allowed)
        choices = ", ".join(allowed) if allowed else "none (the complaint is finished)"
        super().__init__(f"cannot {action} a complaint that is {state}; allowed actions: {choices}")


class ConfigurationError(DomainError):
    """The environment is not usable; raised at start-up, never during a request."""

    status_code = 500


@dataclass(frozen=True)
class RowError:
    """One bad line of an imported file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportFailed(InvalidInput):
    """A file had bad rows; nothing of it was written."""

    def __init__(self, path_name: str, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {error}" for error in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(
            f"{path_name}: {len(errors)} bad row(s), nothing was imported:\n{shown}{more}"
        )
