from django.test import RequestFactory

from union_portal.core.clientip import client_ip


def test_without_proxies_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_behind_one_proxy_the_rightmost_forwarded_address_counts(settings):
    settings.PROXY_COUNT = 1
    forged = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(forged) == "203.0.113.9"
    missing = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert client_ip(missing) == "10.0.0.1"


def test_a_malformed_encryption_key_fails_the_system_check(settings):
    from union_portal.core.checks import encryption_keys_check

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    assert [e.id for e in encryption_keys_check()] == ["core.E001"]
    settings.FIELD_ENCRYPTION_KEYS = ["x" * 43 + "="]
    settings.BLIND_INDEX_KEY = "short"
    ids = [e.id for e in encryption_keys_check()]
    assert "core.E002" in ids


def test_every_declared_beat_schedule_is_installed_in_shanghai_time(db):
    from django_celery_beat.models import PeriodicTask

    from union_portal.core.schedules import declared_schedules, install_schedules

    install_schedules()
    declared = declared_schedules()
    assert "imports: expire abandoned import jobs" in declared
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    for name, (task, minute, hour) in declared.items():
        assert tasks[name].task == task
        assert (tasks[name].crontab.minute, tasks[name].crontab.hour) == (minute, hour)
        assert str(tasks[name].crontab.timezone) == "Asia/Shanghai"


def test_the_access_log_records_the_client_behind_the_proxy(settings, db):
    from union_portal.core.models import log_access

    from ..accounts.factories import make_user

    # given one trusted proxy that forwards the client's address
    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    actor = make_user(None, None, username="auditor-ip")

    # when a reveal is logged, then the client's address is kept, not the proxy's
    entry = log_access(actor=actor, action="reveal", target=actor, reason="核对", request=request)
    assert entry.ip_address == "198.51.100.7"
