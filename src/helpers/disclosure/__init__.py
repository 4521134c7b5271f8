"""Disclosure control: small-number suppression, secondary suppression, the audit."""
