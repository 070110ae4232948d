"""Errors raised while loading settings."""


class SettingsError(Exception):
    """The settings cannot be used; the message names the key, where it came from, and the problem."""
