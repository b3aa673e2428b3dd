"""The built-in example team, shipped as package data.

Seven volunteers in Dublin, London, San Francisco and Sydney, weekly shifts
with Monday 09:00 handoffs through November 2026, and a handful of pages.
"""
