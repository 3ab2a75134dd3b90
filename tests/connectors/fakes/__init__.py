"""Local servers that speak the platforms' documented wire protocols, for connector tests and bench."""
