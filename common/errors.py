"""Errors a person can act on. Services raise these; views and APIs show the message.

NotFound and PermissionDenied extend Django's own, so pages answer 404/403 and DRF
answers them as JSON without any mapping code.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class ServiceError(Exception):
    """A request that cannot be carried out as asked; the message says why, in Chinese."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError, Http404):
    """Missing or outside the acting user's scope: the two are never told apart."""


class PermissionDenied(ServiceError, DjangoPermissionDenied):
    """The user may see the object but not do this to it."""


class Conflict(ServiceError):
    """The state changed underneath the request (a double submit, a locked record)."""
