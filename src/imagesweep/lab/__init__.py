"""The device lab: simulated routers, switches and firewalls of every supported platform (IOS,
IOS-XE, NX-OS, IOS XR, Junos, PAN-OS) as real SSH servers on 127.0.0.1.

- :mod:`imagesweep.lab.fleet`: fleet files (the devices as data), the demo fleet, a generator.
- :mod:`imagesweep.lab.server`: :class:`~imagesweep.lab.server.Lab` serves a fleet and
  writes a Nornir inventory and the known-good catalogue for it; ``run_forever`` for the CLI.
- :mod:`imagesweep.lab.faults`: fault injection, data and hooks in one place.
- :mod:`imagesweep.lab.personas`: the command behaviour of each device family.
"""
