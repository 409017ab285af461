"""The PBX simulator: everything that fakes a telephone exchange while there is none behind the panel.

    manage.py simulate_traffic --customer firmaabcde --days 30 --calls-per-day 40 --seed 1

It is one app so that nothing else depends on it: the project settings pick it
(`PBX_COMMANDS`), and it reports what it plays through the same public entry
points a real PBX uses. simulator.traffic plans and routes calls (plain
Python), simulator.audio makes their MP3s, simulator.emit sends the events
(Python entry points or the HTTP API) and simulator.runner ties them together
for one customer; simulator.live plays calls in real time.
"""
