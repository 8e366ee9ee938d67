"""The pilots' side of the event channel: nudges for pulses, proposals and stale measures (pilots above nudges)."""
