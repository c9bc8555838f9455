"""The rule catalogue: importing this package registers every rule in ``RULES``.

One module per theme: ``coverage`` (ES1xx), ``selftest`` and ``regex`` (ES2xx), ``traces``
(ES3xx), ``judges`` (ES4xx), ``suppression`` (ES9xx).
"""

from evalspec.lint.rules import coverage, judges, regex, selftest, suppression, traces

__all__ = ["coverage", "judges", "regex", "selftest", "suppression", "traces"]
