"""``python -m vision --source 0|FILE|URL [--gateway URL] [--interval N] [--room platform:room]``.

The camera sidecar as its own process (the supervisor starts it with ``python -m ops up --vision
SOURCE``). The gateway token comes from ``LIVEROOM_VISION_TOKEN`` only (argv is visible to every
user of the machine). SIGTERM / Ctrl-C stop it cleanly.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from connectors.settings import load_dotenv

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision", description="liveroom camera sidecar")
    parser.add_argument("--source", help="webcam index (0), video file, or http(s)/rtsp URL")
    parser.add_argument("--gateway", help="gateway base URL (default: 127.0.0.1:$LIVEROOM_GATEWAY_PORT)")
    parser.add_argument("--interval", type=float, help="seconds between reports (default 5)")
    parser.add_argument("--room", help="platform:room the camera watches (default simulator:demo)")
    parser.add_argument("--max-fps", type=float, help="frames analysed per second at most (default 15)")
    parser.add_argument(
        "--tiles",
        action="store_true",
        default=None,
        help="also search frame tiles for small faces (~4x detection cost; LIVEROOM_VISION_TILES=1)",
    )
    args = parser.parse_args(argv)
    try:
        load_dotenv(REPO / ".env")
    except ValueError as err:
        print(f"vision: bad .env: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from vision.sidecar import Sidecar, SidecarConfig

    try:
        config = SidecarConfig.from_env(
            source=args.source,
            gateway_url=args.gateway,
            interval_s=args.interval,
            room=args.room,
            max_fps=args.max_fps,
            tiles=args.tiles,
        )
    except ValueError as err:
        print(f"vision: bad configuration: {err}", file=sys.stderr)
        return 2
    if not config.token:
        logging.getLogger("vision").warning(
            "LIVEROOM_VISION_TOKEN is not set: the gateway will refuse the reports"
        )
    sidecar = Sidecar(config)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sidecar.stop.set())
    sidecar.run()
    logging.getLogger("vision").info("vision sidecar stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
