"""The Telegram side: application, handlers, texts."""
