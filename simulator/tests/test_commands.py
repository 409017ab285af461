"""The project settings pick the simulator as the PBX command interface when no exchange is configured."""

from pbx.commands import get_commands
from simulator.commands import SimulatorCommands


def test_the_default_pbx_commands_are_the_simulators():
    assert isinstance(get_commands(), SimulatorCommands)
