"""Made-up Danish data for demos, tests and benchmarks (``manage.py seed_demo``).

- ``danish``: valid-looking Danish identifiers (CPR, CVR, phone, postcode, bank account).
- ``pools``: names, streets and texts drawn from Faker once, then combined quickly.
- ``files``: small real files (PDF, PNG, GIF) for uploaded documents and logos.
- ``reference``: lookup rows (job types, areas, consent texts) and the demo staff logins.
- ``dataset`` with ``customers``, ``candidates``, ``employees``, ``consents``: the demo data
  set, written with the ORM.
- ``bulk``: millions of rows for benchmarks, streamed with PostgreSQL COPY.

Nothing here is used by the running system: it only ever writes made-up people, and e-mail
addresses always use the reserved example.com/.net/.org domains so no mail reaches anyone.
"""
