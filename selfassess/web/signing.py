"""itsdangerous serializers for session cookies and CSRF tokens, built once and quick to use.

The tokens are in the format Flask and Flask-WTF make themselves, so either side reads
what the other wrote (Flask-WTF's ``validate_csrf`` checks our CSRF tokens). Three things
cost more than a page view and are done once here instead of on every call:

- building a serializer (Flask builds one per request, and itsdangerous test-serialises);
- deriving the signing key from the secret key and salt (an HMAC per signature);
- hashing through the FIPS-friendly sha1 wrappers of Flask and itsdangerous, which send
  ``hmac`` down its slow pure-Python path; ``hashlib.sha1`` itself gives the same digests.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

# zlib's header and checksum make payloads this short longer, never shorter.
COMPRESS_FROM = 64

_derived: dict[tuple[bytes, bytes, str, Any], bytes] = {}


class KeyCachingSigner(TimestampSigner):
    """itsdangerous' timestamp signer with each derived key remembered."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        raw = self.secret_keys[-1] if secret_key is None else _as_bytes(secret_key)
        key = (raw, self.salt, self.key_derivation, self.digest_method)
        derived = _derived.get(key)
        if derived is None:
            if len(_derived) > 64:  # secret keys and salts are few; tests make many apps
                _derived.clear()
            derived = _derived[key] = super().derive_key(raw)
        return derived


class QuickSerializer(URLSafeTimedSerializer):
    """A URL-safe timed serializer that skips zlib for payloads too short to gain from it."""

    default_signer = KeyCachingSigner

    def dump_payload(self, obj: Any) -> bytes:
        json = self.serializer.dumps(obj, **self.serializer_kwargs)
        data = json.encode() if isinstance(json, str) else json
        if len(data) >= COMPRESS_FROM:
            return super().dump_payload(obj)
        return base64_encode(data)


_serializers: dict[tuple[Any, ...], QuickSerializer] = {}


def serializer(secret_keys: list[Any], salt: str, **options: Any) -> QuickSerializer:
    """Return the serializer for these keys and salt, built on first use."""
    signer_kwargs = {"digest_method": hashlib.sha1, **options.pop("signer_kwargs", {})}
    key = (tuple(secret_keys), salt, tuple(sorted(signer_kwargs.items())), tuple(sorted(options.items())))
    found = _serializers.get(key)
    if found is None:
        if len(_serializers) > 64:
            _serializers.clear()
        found = _serializers[key] = QuickSerializer(secret_keys, salt=salt, signer_kwargs=signer_kwargs, **options)
    return found


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value
