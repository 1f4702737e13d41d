"""What trainers and admins do with sessions (SPEC §2): list, card, override, cancel."""
