"""Supporters are known only by a salted hash of their email address, to merge their reports."""

from __future__ import annotations

import hashlib
import hmac
import re

from actions.errors import InvalidInputError

EMAIL = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
EMAIL_MAX_LEN = 254


def normalise_email(address: str, *, field: str = "supporter_email") -> str:
    """Lower-cased, trimmed address; ``InvalidInputError`` naming ``field`` if it is not one."""
    text = address.strip()
    if len(text) > EMAIL_MAX_LEN or not EMAIL.fullmatch(text):
        raise InvalidInputError(field, "not an email address such as name@example.org")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def supporter_hash(address: str, salt: bytes) -> str:
    """HMAC-SHA256 of the normalised address: stable for one service, useless without its salt."""
    return hmac.new(salt, normalise_email(address).encode(), hashlib.sha256).hexdigest()
