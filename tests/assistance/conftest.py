"""Hardship aid fixtures: an open festival campaign, a mutual-aid scheme, and members with files.

The fixtures are in ``fixtures.py`` (the workspace's tests use them too); what they make is in
``factories.py``, made through the services as the application makes it.
"""

from .fixtures import _empty_sms_outbox, _private_media, aid  # noqa: F401 - fixtures
