"""Websockets: the tenant resolved from the Host header, and the routes."""
