"""The names the money layer uses, kept apart so that the command line can build its parser
without loading the database layer or FollowTheMoney (``dossier --help`` stays light)."""

from __future__ import annotations

#: The FtM schemata an investigator records as entities.
ENTITY_SCHEMATA = ("Person", "Company", "Organization", "PublicBody", "LegalEntity",
                   "BankAccount", "Territory")

#: kind -> (FtM schema, subject property, object property, the roles' names for people)
KINDS: dict[str, tuple[str, str, str, str, str]] = {
    "payment": ("Payment", "payer", "beneficiary", "payer", "payee"),
    "contract": ("Employment", "employer", "employee", "employer", "workers"),
    "ownership": ("Ownership", "owner", "asset", "owner", "asset"),
    "membership": ("Membership", "member", "organization", "member", "organisation"),
    "directorship": ("Directorship", "director", "organization", "director", "organisation"),
}
#: Fields each kind keeps besides parties, amount and date.
FIELDS = {
    "payment": ("purpose", "channel"),
    "contract": ("country", "duration", "wage", "deductions"),
    "ownership": ("share",),
    "membership": ("role",),
    "directorship": ("role",),
}
