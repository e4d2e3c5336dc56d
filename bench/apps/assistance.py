"""Hardship aid on a district with aid data (``assistance.scale``, built by ``generate_scale``):
the work queues, the payment list, the files and the aid API.

* query counts at 10 and 100 rows, which must be the same and the pages really that full: on the
  medium district (10,000 members: 1,000 applications), or the large one in quick mode (the quick
  medium district of 2,000 members holds about 25 applications in a state);
* the time of each page at the large district against the small one, like the member lists (≤ 5×).
"""

from __future__ import annotations

from bench import common
from bench.common import Row

QUEUES = {
    "aid queue: to check (submitted)": "/admin/assistance/aidapplication/?state__exact=submitted",
    "aid queue: to approve (checked)": "/admin/assistance/aidapplication/?state__exact=checked",
    "aid queue: to pay (approved)": "/admin/assistance/aidapplication/?state__exact=approved",
    "aid applications: all": "/admin/assistance/aidapplication/",
    "aid payment list": "/admin/assistance/payment/",
    "hardship files": "/admin/assistance/hardshipfile/",
}
API = {
    "aid API: applications": "/api/v1/aid/applications/",
    "aid API: applications to approve": "/api/v1/aid/applications/?state=checked",
    "aid API: hardship files": "/api/v1/aid/files/",
}


def section(ctx):
    rows, notes = [], []
    counts_url = ctx.large_url if ctx.quick else ctx.medium_url
    counts = common.run_worker("assistance:query_counts", counts_url, {})
    for name, c in counts["pages"].items():
        filled = c["rows10"] == 10 and c["rows100"] == 100
        rows.append(
            Row(
                f"queries: {name}",
                f"{c['100']} at {c['rows100']} rows",
                f"{c['10']} at {c['rows10']} rows",
                None,
                "same at 10 and 100 rows",
                c["10"] == c["100"] and filled,
            )
        )
        if not filled:
            notes.append(f"{name}: not met for want of data ({c['rows10']} and {c['rows100']} rows)")
    large = common.run_worker("assistance:timings", ctx.large_url, {})
    small = common.run_worker("assistance:timings", ctx.small_url, {})
    for name, seconds in large["times"].items():
        ratio = seconds / small["times"][name]
        rows.append(
            Row(
                f"{name} ({ctx.sizes['large']:,} members)",
                common.ms(seconds),
                f"at {ctx.sizes['small']:,}: {common.ms(small['times'][name])}",
                ratio,
                "≤ 5×",
                ratio <= 5,
            )
        )
    notes.append(
        "Aid data: "
        + "; ".join(
            f"{label} {r['applications']:,} applications, {r['payments']:,} payments, {r['files']:,} files"
            for label, r in (
                ("large", large),
                ("small", small),
                ("large (query counts)" if ctx.quick else "medium (query counts)", counts),
            )
        )
    )
    return rows, notes


# --- workers (run in a subprocess with the bench settings) ------------------------------------------------


def _setup():
    from bench.workers import _no_connection_closing, api_secret, staff_user

    common.django_setup()
    _no_connection_closing()
    from django.test import Client

    user = staff_user()
    client = Client()
    client.force_login(user)
    return client, {"HTTP_AUTHORIZATION": f"Api-Key {api_secret(user)}"}


def _sizes() -> dict:
    from assistance.models import AidApplication, HardshipFile, Payment

    return {
        "applications": AidApplication.objects.count(),
        "payments": Payment.objects.count(),
        "files": HardshipFile.objects.count(),
    }


def _admin_of(url: str):
    from django.contrib import admin

    from assistance.models import AidApplication, HardshipFile, Payment

    model = {"aidapplication": AidApplication, "payment": Payment, "hardshipfile": HardshipFile}[
        url.split("/")[3]
    ]
    return admin.site._registry[model]


def query_counts(payload: dict) -> dict:
    client, headers = _setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = {}

    def measure(name, fetch, rows_of):
        counts = {}
        for size in (10, 100):
            fetch(size)  # warm
            with CaptureQueriesContext(connection) as ctx:
                response = fetch(size)
            assert response.status_code == 200, (name, response.status_code)
            counts[str(size)], counts[f"rows{size}"] = len(ctx.captured_queries), rows_of(response)
        pages[name] = counts

    for name, url in QUEUES.items():
        model_admin = _admin_of(url)

        def fetch(size, url=url, model_admin=model_admin):
            model_admin.list_per_page = size
            return client.get(url)

        measure(f"admin {name}", fetch, lambda r: len(r.context_data["cl"].result_list))
    for name, url in API.items():

        def fetch_api(size, url=url):
            return client.get(url, {"page_size": size}, **headers)

        measure(name, fetch_api, lambda r: len(r.json()["results"]))
    return {"pages": pages, **_sizes()}


def timings(payload: dict) -> dict:
    client, headers = _setup()
    times = {}
    for name, url in QUEUES.items():

        def fetch(url=url):
            assert client.get(url).status_code == 200

        times[f"admin {name}, open"] = common.median_time(fetch, repeat=5)
    for name, url in API.items():

        def fetch_api(url=url):
            assert client.get(url, {"page_size": 100}, **headers).status_code == 200

        times[f"{name}, page of 100"] = common.median_time(fetch_api, repeat=5)
    return {"times": times, **_sizes()}
