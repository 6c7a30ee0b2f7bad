from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from common.errors import Conflict, NotFound, PermissionDenied, ServiceError


def api_exception_handler(exc, context) -> Response | None:
    """Errors as JSON {"detail": "<Chinese message>"}; a service's own message wins, and a
    404 never names the model or the lookup it failed on."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(exc.message)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, ServiceError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        code = (
            status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else status.HTTP_400_BAD_REQUEST
        )
        return Response(body, status=code)
    return exception_handler(exc, context)
