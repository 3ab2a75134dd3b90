"""Process supervision and repository tooling: ``python -m ops up | train | setup | audit | hash-lock``.

The supervisor starts and restarts every liveroom process (supervisor.py); the Rasa model is trained
only when its inputs change (rasa_model.py); setup builds or links the two cached runtimes
(bootstrap.py, standard library only); audit and hash-lock check and pin the dependencies; deploy/ and
grafana/ hold the Prometheus and Grafana files docker-compose.yml mounts. The local servers the tests
and the demo start for themselves (Redis, PostgreSQL, Neo4j: *_server.py) listen on 127.0.0.1 only, on a
port and a data folder the caller chooses, each in its own process group so a Ctrl-C in a terminal
reaches its owner first. Nothing here is shipped inside the product (Dockerfile.app copies no ops/):
Redis and PostgreSQL come from Debian's packages, Neo4j Community (GPL-3) from Maven Central. Only tests
and bench/ import this package; it imports nothing at import time.
"""
