"""The studio's rules: plain Python, no Telegram, no SQL (SPEC §1, §2, §5)."""
