"""FollowTheMoney JSON lines: entities and claims out (Aleph/OpenAleph-ingestable) and back in."""
