"""Every audited, version-checked write: products, other catalog items, open questions, the audit log."""
