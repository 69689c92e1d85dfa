"""Team dossiers: identity from the PostgreSQL login, and the review rules enforced by the server.

A PostgreSQL database becomes a team dossier with ``dossier team init URL`` (:mod:`app.team.setup`):
the schema (the migrations), three group roles per database (:mod:`app.team.naming`), and the
privileges, row-level security policies and triggers of :mod:`app.team.policy`. People are
logins made members of one group (:mod:`app.team.members`); whoever acts is the authenticated
login (:mod:`app.team.identity`), never a self-declared name. The services check the same rules
first (:mod:`app.services.roles`, :mod:`app.services.workflow`), so the server's refusals are a
second line that only someone going around the application meets.
"""
