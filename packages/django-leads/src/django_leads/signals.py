"""Domain events, sent on commit with ``forecourt_core.signals.send_on_commit`` (they announce; receivers never
decide anything for the package).

- ``lead_created(sender, lead)``
- ``lead_assigned(sender, lead, agent, previous_agent_id, by)``  (``agent`` None: unassigned)
- ``lead_status_changed(sender, lead, old_status, new_status, by)``
- ``sale_closed(sender, sale)``
- ``commission_paid(sender, commission)``
"""
from django.dispatch import Signal

lead_created = Signal()
lead_assigned = Signal()
lead_status_changed = Signal()
sale_closed = Signal()
commission_paid = Signal()
