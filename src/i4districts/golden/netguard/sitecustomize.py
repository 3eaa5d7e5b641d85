"""Installed by i4districts replication mode on PYTHONPATH: no network in this process (see i4d_netguard)."""

import i4d_netguard

i4d_netguard.install()
i4d_netguard.chain_sitecustomize(__file__)
