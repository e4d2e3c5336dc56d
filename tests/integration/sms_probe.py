"""An SMS gateway for the real-worker delivery test: it counts every call and every message sent in
Redis (the worker is another process), and refuses the first call of each text, like a gateway that
timed out once."""

from __future__ import annotations

import os

import redis

from union_portal.notifications.backends import BaseSMSBackend, SMSDeliveryError


def client() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


class FlakyOnceSMS(BaseSMSBackend):
    def send(self, mobile: str, text: str) -> str:
        r = client()
        if r.incr(f"smsprobe:calls:{text}") == 1:
            raise SMSDeliveryError("gateway timed out")
        r.rpush(f"smsprobe:sent:{mobile}", text)
        return "1"
