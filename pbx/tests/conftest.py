"""Fixtures shared by the pbx tests."""

from pbx.tests.monitoring_support import commands  # noqa: F401 (the call-monitoring tests' PBX)
