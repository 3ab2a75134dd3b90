"""Every audited, version-checked write: products, other catalog items, FAQs, open questions, audit log."""
