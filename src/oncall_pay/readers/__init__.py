"""Readers: files in, domain values out. The core never imports them."""
