"""The gateway's small HTTP surfaces (health, metrics, catalog names, vision reports) and the bearer
check and JSON error shape every surface (bot/http, bot/web, bot/admin) shares."""
