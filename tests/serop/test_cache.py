"""The Redis cache backend keeps one client per server (serop/cache.py) and still works from
threads and after a fork, as gunicorn and Celery use it. Against the real Redis."""

import multiprocessing
import threading
import uuid

from django.core.cache import cache, caches

from serop.cache import SeropRedisCache


def test_the_configured_cache_is_the_reusing_backend_and_keeps_its_client():
    backend = caches["default"]
    assert isinstance(backend, SeropRedisCache)
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    key = f"t:{uuid.uuid4().hex}"
    cache.set(key, {"a": 1}, 30)
    assert cache.get_many([key, key + "x"]) == {key: {"a": 1}}
    assert backend._cache.get_client() is client
    cache.delete(key)


def test_threads_share_the_client_without_losing_an_increment():
    key = f"t:{uuid.uuid4().hex}"
    cache.set(key, 0, 30)

    def bump():
        for _ in range(200):
            cache.incr(key)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get(key) == 1600


def _child_writes(key: str) -> None:
    cache.set(key, "from the child", 30)


def test_a_forked_process_reconnects_instead_of_sharing_the_parents_socket():
    key = f"t:{uuid.uuid4().hex}"
    cache.set(key, "from the parent", 30)  # the parent's pool has a connection now
    child = multiprocessing.get_context("fork").Process(target=_child_writes, args=(key,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert cache.get(key) == "from the child"
