"""Every cross-package signal receiver of the site, in one place.

Receivers only call services (here: notifications); packages never import each other
beyond DESIGN.md's dependency table, the site glues them.
"""
