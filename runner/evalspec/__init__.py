"""evalspec: executable failure-mode specs for AI products."""

from evalspec._version import __version__

__all__ = ["__version__"]
