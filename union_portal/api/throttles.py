from rest_framework.throttling import SimpleRateThrottle


class APIKeyRateThrottle(SimpleRateThrottle):
    """Limits each partner key on its own (axes does not cover API keys)."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        if key is None or not hasattr(key, "prefix"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class CardVerifyThrottle(SimpleRateThrottle):
    """Card verification answers anyone with a card number: limit guessing."""

    scope = "card_verify"

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        ident = key.prefix if hasattr(key, "prefix") else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
