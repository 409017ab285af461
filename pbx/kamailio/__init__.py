"""The bridge between the panel and Kamailio, the SIP registrar and proxy that phones register with.

Kamailio authenticates phones against a database view of the panel's SIP
accounts (`kamailio_subscriber`), keeps registrations in its `location` table
(`kamailio_location`, usrloc write-through) and routes calls between the
extensions of one customer. The panel reads the registrations back to show
who is online and sends SIP OPTIONS to monitored phones.
"""
