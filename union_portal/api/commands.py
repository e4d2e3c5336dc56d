"""The one idiom for API commands: a viewset action per workflow step.

```python
@extend_schema(request=ApproveInputSerializer, responses={200: ApplicationSerializer})
@action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
def approve(self, request, pk=None):
    application = self.get_object()                   # among the rows the caller sees, else 404
    data = self.command_input(ApproveInputSerializer)  # 400 with field errors
    return self.render(services.application_approve(application=application, by=request.user, **data))
```

The router names the route ``<basename>-<action>`` and the scope walk POSTs to it as every role.
The command's own permission (approve, pay, transfer ...) is checked by the service it calls.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings


class CommandMixin:
    """Reads a command's input and renders what the service returned with the viewset's serializer."""

    def command_input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def command_fields(self, serializer_class) -> dict:
        """The input's fields that ``serializer_class`` declares, required ones present (else the same
        400 as :meth:`command_input`), their values as sent: for a busy command whose service checks
        every value itself (the quiz submit), where running the serializer cost as much again. The
        serializer still documents the input."""
        data = self.request.data
        if not isinstance(data, dict):
            message = serializers.Serializer.default_error_messages["invalid"]
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [message.format(datatype=type(data).__name__)]},
                code="invalid",
            )
        fields = serializer_class._declared_fields
        missing = {
            name: [serializers.ErrorDetail(str(field.error_messages["required"]), code="required")]
            for name, field in fields.items()
            if field.required and name not in data
        }
        if missing:
            raise serializers.ValidationError(missing)
        return {name: data[name] for name in fields if name in data}

    def render(self, obj, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.output_serializer_class
        return Response(serializer_class(obj, context=self.get_serializer_context()).data)
