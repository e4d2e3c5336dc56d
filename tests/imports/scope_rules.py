"""Scope-walk rules of the import pages of every kind (``ImportAdminMixin``), found in the admin registry:
the job pages take the other town's import job (``VICTIMS[ImportJob]``), the template a literal format."""

from __future__ import annotations


def register(rules) -> None:
    from django.contrib import admin

    from union_portal.imports.admin import ImportAdminMixin, import_url_prefix
    from union_portal.imports.models import ImportJob

    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ImportAdminMixin):
            continue
        prefix = import_url_prefix(model)
        for suffix in ("_job", "_confirm", "_cancel"):
            rules.ADMIN_EXTRA_URLS[prefix + suffix] = {"job_id": ImportJob}
        rules.ADMIN_EXTRA_URLS[prefix + "_template"] = {"fmt": "csv"}
