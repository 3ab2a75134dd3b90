"""``python -m nlu.rasa.launch <rasa args>`` (inside .venv-rasa): ``rasa`` with the API token from the env.

``rasa run --auth-token`` only takes the token on the command line, where ``ps``, ``/proc/<pid>/cmdline``
and the supervisor's "starting rasa: ..." line would show it to anyone. This launcher reads
``LIVEROOM_RASA_TOKEN`` from its environment and hands it to Rasa's CLI in-process, so the token never
appears in an argv. Runs on Python 3.10 inside the Rasa runtime: standard library only.
"""

from __future__ import annotations

import os
import sys


def rasa_argv(args: list[str], token: str | None) -> list[str]:
    """Rasa's argv with ``--auth-token`` added for ``rasa run`` when a token is configured."""
    argv = ["rasa", *args]
    if token and args[:1] == ["run"] and "--auth-token" not in args:
        argv.append(f"--auth-token={token}")  # one argument: a token starting with "-" is not an option
    return argv


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], os.environ.get("LIVEROOM_RASA_TOKEN"))
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
