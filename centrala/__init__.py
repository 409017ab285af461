"""The project shell of Centrala: what knows every app and puts them together.

Like NetBox's `netbox/netbox/` above its apps: the settings, the root and API
URLconfs, WSGI, the menu, the dashboard, the periodic jobs and the demo
commands. The apps never import it; it imports them. `panel/` stays the
tenant root (customers, users, log-in and the shared machinery) and knows no
domain app.
"""
