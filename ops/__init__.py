"""Process tooling: the local servers liveroom's tests and demo start for themselves.

Every server here listens on 127.0.0.1 only, on a port and a data folder the caller chooses, and runs in
its own process group so a Ctrl-C in a terminal reaches its owner first. Nothing here is shipped inside
the product: Redis and PostgreSQL come from Debian's packages, Neo4j Community (GPL-3) from Maven Central.
"""
