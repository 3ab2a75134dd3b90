"""liveroom command line: ``python -m bot up | serve | train | content``.

- ``up``: the supervisor — graph DB, action server, Rasa and the gateway, in order (``make demo``).
- ``serve``: only the gateway web app (the supervisor runs this as a child).
- ``train``: train the Rasa model if its inputs changed.
- ``content preview | runofshow | recap [SESSION]``: the streamer's announcement, run-of-show and stream
  recap (bot/content/cli.py; ``python -m bot content --help``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.rasa_model import REPO
from connectors.settings import load_dotenv


def _serve() -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.config import GatewayConfig

    config = GatewayConfig.from_env()
    web.run_app(create_app(config), host=config.host, port=config.port, print=None)
    return 0


def _train() -> int:
    from bot.rasa_model import TrainingFailed, ensure_model

    try:
        ensure_model(REPO, log_file=REPO / "var" / "log" / "rasa-train.log")
    except TrainingFailed as err:
        print(f"liveroom: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["content"]:
        try:
            load_dotenv(REPO / ".env")
        except ValueError as err:
            print(f"liveroom: bad .env: {err}", file=sys.stderr)
            return 2
        from bot.content.cli import main as content

        return content(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m bot", description="liveroom")
    parser.add_argument("command", choices=["up", "serve", "train", "content"])
    parser.add_argument(
        "--vision", metavar="SOURCE", help="up: also run the camera sidecar (vision/) on SOURCE"
    )
    args = parser.parse_args(argv)
    if args.vision:
        os.environ["LIVEROOM_VISION_SOURCE"] = args.vision  # read by SupervisorConfig.from_env
    try:
        load_dotenv(REPO / ".env")
    except ValueError as err:
        print(f"liveroom: bad .env: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "up":
        from bot.supervisor import main as up

        return up()
    if args.command == "serve":
        return _serve()
    return _train()


if __name__ == "__main__":
    sys.exit(main())
