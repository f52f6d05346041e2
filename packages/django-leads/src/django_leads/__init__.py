"""Dealer and broker CRM for Django: leads, assignment, status pipeline, sales and commissions."""

__version__ = "0.1.0"
