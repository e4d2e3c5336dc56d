from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Ready to serve, for load balancers and container health checks (issue 18.7, 18.8): the
    database answers, the cache keeps a value, the encryption keys read the key canary, and a real
    page renders (templates, translations and the static manifest production needs). 503 naming what
    failed otherwise."""
    import secrets

    from django.core.cache import cache
    from django.template.loader import render_to_string

    from .keycheck import key_check

    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure is "not ready"
        failed.append("database")
    try:
        probe = secrets.token_hex(8)
        cache.set("healthz:probe", probe, 30)
        if cache.get("healthz:probe") != probe:
            failed.append("cache")
    except Exception:  # noqa: BLE001
        failed.append("cache")
    if key_check() == "mismatch":
        failed.append("encryption_keys")
    try:
        render_to_string("base.html", {}, request=request)
    except Exception:  # noqa: BLE001 - a missing manifest entry, a broken template: no page would render
        failed.append("page")
    if failed:
        return JsonResponse({"status": "failing", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})


# --- error pages: the portal's style, the admin's style under /admin/ -------------------------------


def _error_page(request, status: int, title, text):
    from django.shortcuts import render
    from django.urls import reverse

    admin_root = reverse("admin:index")
    user = getattr(request, "user", None)
    in_admin = request.path.startswith(admin_root) and user is not None and user.is_active and user.is_staff
    template = "admin/error_page.html" if in_admin else "error_page.html"
    context = {"status": status, "error_title": title, "error_text": text}
    if in_admin:
        from django.contrib import admin

        context.update(admin.site.each_context(request))
    return render(request, template, context, status=status)


def permission_denied(request, exception=None):
    from django.utils.translation import gettext as _

    return _error_page(
        request, 403, _("You may not open this page"),
        _("Your account does not have the right to do this. Ask your union's administrator if you need it."),
    )  # fmt: skip


def page_not_found(request, exception=None):
    from django.utils.translation import gettext as _

    return _error_page(
        request, 404, _("Page not found"),
        _("The page does not exist, or it is not within what your account may see. Check the address, or go back."),
    )  # fmt: skip


def server_error(request):
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
