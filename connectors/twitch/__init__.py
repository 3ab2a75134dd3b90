"""Twitch: ``config`` (settings, endpoint override), ``payloads`` (EventSub TypedDicts -> ChatEvent),
``eventsub`` (our WebSocket session), ``connector`` (twitchio login/Helix, limits), ``errors``."""
