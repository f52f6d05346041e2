"""A transactional outbox of domain events.

A package records an event with ``services.event_record(kind=..., data=...)`` inside the transaction
that made the change, so the event exists exactly when the change does. The relay
(``services.events_relay``, run by Celery beat and kicked after each commit that recorded events, with
at most one kicked run waiting at a time) hands every event once to the handlers registered for its
kind (``registry.register``), in the context the event was recorded in (the site's
FORECOURT_EVENTS_ROUTE / FORECOURT_EVENTS_ROUTE_CONTEXT hooks).
"""
