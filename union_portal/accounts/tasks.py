"""Celery tasks of the accounts app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def password_reset_code_task(*, mobile: str) -> bool:
    """The password-reset code, looked up and sent outside the request (see ``password_reset_request``)."""
    from .services import password_reset_code_deliver

    return password_reset_code_deliver(mobile=mobile)
