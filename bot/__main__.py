"""The gateway's command line: ``python -m bot serve | content``.

- ``serve``: the gateway web app (``make demo``'s supervisor, ``python -m ops up``, runs it as a child;
  Dockerfile.app and docker-compose.yml run it directly).
- ``content preview | runofshow | recap [SESSION]``: the streamer's announcement, run-of-show and stream
  recap (bot/content/cli.py; ``python -m bot content --help``).

Starting the whole stack, training the Rasa model and the repository tools are ``python -m ops``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from connectors.settings import load_dotenv

REPO = Path(__file__).resolve().parent.parent
MOVED_TO_OPS = ("up", "train")


def _serve() -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.core.config import GatewayConfig

    config = GatewayConfig.from_env()
    web.run_app(create_app(config), host=config.host, port=config.port, print=None)
    return 0


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] and args_in[0] in MOVED_TO_OPS:
        print(f"liveroom: `{args_in[0]}` is `python -m ops {' '.join(args_in)}`", file=sys.stderr)
        return 2
    if args_in[:1] == ["content"]:
        try:
            load_dotenv(REPO / ".env")
        except ValueError as err:
            print(f"liveroom: bad .env: {err}", file=sys.stderr)
            return 2
        from bot.content.cli import main as content

        return content(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m bot", description="liveroom gateway")
    parser.add_argument("command", choices=["serve", "content"])
    parser.parse_args(argv)
    try:
        load_dotenv(REPO / ".env")
    except ValueError as err:
        print(f"liveroom: bad .env: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return _serve()


if __name__ == "__main__":
    sys.exit(main())
