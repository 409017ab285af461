"""The PBX command interface: the implementation is whatever the PBX_COMMANDS setting names."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from pbx.commands import get_commands
from pbx.tests.monitoring_support import RECORDING_COMMANDS, RecordingCommands


def test_the_setting_names_the_implementation(settings):
    settings.PBX_COMMANDS = RECORDING_COMMANDS
    assert isinstance(get_commands(), RecordingCommands)


def test_without_the_setting_no_implementation_is_guessed(settings):
    settings.PBX_COMMANDS = ""
    with pytest.raises(ImproperlyConfigured, match="PBX_COMMANDS"):
        get_commands()
