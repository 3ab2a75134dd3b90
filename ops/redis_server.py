"""A throw-away Redis (Debian's redis-server) for the scale-out tests: no persistence, loopback only."""

from __future__ import annotations

import socket

from ops.loopback_server import HOST, LoopbackServer, require_binary


class RedisServer(LoopbackServer):
    name = "redis"

    def command_line(self) -> list[str]:
        binary = require_binary("redis-server", "redis-server", search=["/usr/bin/redis-server"])
        return [
            binary,
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", "",
        ]  # fmt: skip

    def answers(self) -> bool:
        """PING answers PONG (a starting Redis may accept TCP before it serves commands)."""
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"
