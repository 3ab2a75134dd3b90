"""YouTube Live: the YouTube Data API v3 (liveChatMessages, liveChatBans, liveBroadcasts) over aiohttp."""
