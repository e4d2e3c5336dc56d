"""Settings of the test suite (pytest's ``DJANGO_SETTINGS_MODULE``): the project's settings as
``make run`` has them, with fixed keys and the fast, inspectable backends tests need.

Values go into the environment before the project's settings are read, so that the processes the
tests start (Celery workers, ``manage.py`` subprocesses) inherit the same keys and can read what
the tests wrote. Anything set in the environment already (CI's DATABASE_URL, REDIS_URL) wins.
"""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-data")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5ISE=")
os.environ.setdefault("BLIND_INDEX_KEY", "test-only-blind-index-key")
os.environ.setdefault("SMS_BACKEND", "locmem")
# No quiet hours unless a test sets them: an SMS test must not depend on the hour CI runs at.
os.environ.setdefault("NOTIFICATION_QUIET_START", "00:00")
os.environ.setdefault("NOTIFICATION_QUIET_END", "00:00")

from union_portal.settings import *  # noqa: E402, F403

# Tests create thousands of users: the production hasher is deliberately slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
