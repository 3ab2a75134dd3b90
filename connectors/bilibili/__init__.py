"""Bilibili live danmaku: ``framing`` (packet codec), ``proto`` (tiny protobuf reader), ``wbi`` (signing),
``api`` (room init + send over HTTP), ``payloads`` (commands -> ChatEvent), ``client`` (WebSocket +
connector), ``config``, ``errors``."""
