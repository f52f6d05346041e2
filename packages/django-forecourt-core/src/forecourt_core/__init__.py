"""Forecourt's kernel: the plumbing every domain package shares, written once."""
