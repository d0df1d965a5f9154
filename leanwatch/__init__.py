"""leanwatch: research intelligence on efficient AI."""

__version__ = "0.1.0"
