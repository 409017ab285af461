"""The traffic simulator: realistic calls routed by the engine, reported through the public ingestion entry points.

    manage.py simulate_traffic --customer firmaabcde --days 30 --calls-per-day 40 --seed 1

pbx.simulator.traffic plans and routes calls (plain Python), pbx.simulator.audio
makes their MP3s, pbx.simulator.emit sends the events (Python entry points or
the HTTP API) and pbx.simulator.runner ties them together for one customer.
"""
