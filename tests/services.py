"""Before the suite: are PostgreSQL and Redis reachable? If not, say exactly what to start.

Reads the same DATABASE_URL / REDIS_URL as the test settings (defaults on 127.0.0.1)."""

import os
import socket
import sys

import environ

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/serop"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def main() -> int:
    env = environ.Env()
    db = env.db_url_config(os.environ.get("DATABASE_URL", DEFAULT_DB))
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS)
    problems = []
    db_host, db_port = db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)
    if not _reachable(db_host, db_port):
        problems.append(
            f"PostgreSQL is not reachable at {db_host}:{db_port}.\n"
            "  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start\n"
            "  or: docker compose up -d db   (then DATABASE_URL=postgres://serop:serop@127.0.0.1:5432/serop)\n"
            "  or point DATABASE_URL at a PostgreSQL server."
        )
    redis = environ.Env.cache_url_config(redis_url)
    location = str(redis.get("LOCATION", "redis://127.0.0.1:6379"))
    hostport = location.split("//", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    r_host, _, r_port = hostport.partition(":")
    if not _reachable(r_host or "127.0.0.1", int(r_port or 6379)):
        problems.append(
            f"Redis is not reachable at {hostport}.\n"
            "  Start it, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
            "--save ''\n"
            "  or: docker compose up -d redis\n"
            "  or point REDIS_URL at a Redis server."
        )
    if problems:
        print("make test needs PostgreSQL and Redis:\n\n" + "\n\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
