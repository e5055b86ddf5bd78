"""Shared infrastructure every app uses: the client's address, 429 answers, the database router.

This package sits below the apps and imports none of them (tests/test_layers.py checks it), as
healthchecks keeps such code in `hc/lib/`. The project package around it only wires things up.
"""
