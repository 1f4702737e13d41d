"""Setting the studio up (SPEC §4): spaces, people, invites, pass templates and passes,
schedules, and the demo studio — each a command an admin (or owner) gives in one line.
Bad input raises a DomainError with a clear message and changes nothing.

Each command has an `…_in(uow, …)` form that runs inside a unit of work the caller
opened, so the demo loads a whole studio in one transaction."""
