"""The load generator of ``bench/signup``: N concurrent HTTP/1.1 clients, standard library only.

The clients are threads spread over a few processes (the GIL would otherwise make one Python
process the bottleneck before the server is). Each client keeps its connection open where the
server allows it (``http.client`` reconnects by itself after a ``Connection: close``), and
loops until the deadline:

- ``get``: ``GET path``, expecting 200;
- ``signup``: first (untimed) ``GET path`` for the form's hidden inputs (the CSRF token, the
  consent text versions) and the ``csrftoken`` cookie, as a browser would, then ``POST path``
  as ``multipart/form-data`` with a new email address every time, expecting a 302
  (accepted) to somewhere else than the form itself. A 200 is the form shown again with
  errors: "rejected".

The clients warm up (the form, two untimed requests), wait for each other at a barrier, and
then issue requests for ``duration`` seconds. Each request's latency is measured from
sending to having read the whole response.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import resource
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any, TypeVar

INPUT = re.compile(rb"<input\b[^>]*>")
ATTRIBUTE = re.compile(rb'([\w-]+)="([^"]*)"')
Snapshot = TypeVar("Snapshot")  # what run_load's on_start measures (CPU counters)
# A form's fields, for one email address: {name: value or [values]}.
FieldsFor = Callable[[str], dict[str, str | list[str]]]


@dataclass(frozen=True)
class Load:
    host: str
    port: int
    path: str
    kind: str  # "get" or "signup"
    duration: float
    fields_for: FieldsFor | None = None
    file_field: str = ""
    file_bytes: bytes = b""
    email_tag: str = "load"
    warm_ups: int = 2


@dataclass
class Sample:
    started: float  # seconds since the clients' common start
    ms: float
    outcome: str  # "ok", "accepted", "rejected", "http_<status>", "exception_<name>"
    email: str = ""


@dataclass
class ClientResult:
    samples: list[Sample] = field(default_factory=list)
    warm_up_accepted: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0


def multipart(
    fields: dict[str, str | list[str]], file_field: str = "", file_bytes: bytes = b""
) -> tuple[bytes, str]:
    boundary = f"----bench{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + one.encode()
                + b"\r\n"
            )
    if file_field:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + file_bytes
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(self, load: Load, name: str) -> None:
        self.load = load
        self.name = name
        self.conn = http.client.HTTPConnection(load.host, load.port, timeout=60)
        self.cookie = ""
        self.hidden: dict[str, str] = {}
        self.count = 0

    def request(self, method: str, body: bytes | None = None, content_type: str = ""):
        headers = {"Host": f"{self.load.host}:{self.load.port}", "User-Agent": "bench-signup"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            try:
                self.conn.request(method, self.load.path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed while idle: reconnect once, as
                # browsers do. A second failure is an error.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def fetch_form(self) -> None:
        response, body = self.request("GET")
        if response.status != 200:
            raise RuntimeError(f"GET {self.load.path}: HTTP {response.status}")
        # The hidden inputs go back as they came: the CSRF token and, for instance, the version
        # of each consent text shown.
        for tag in INPUT.findall(body):
            attributes = {k.decode(): v.decode() for k, v in ATTRIBUTE.findall(tag)}
            if attributes.get("type") == "hidden" and attributes.get("name"):
                self.hidden[attributes["name"]] = html.unescape(attributes.get("value", ""))
        if "csrfmiddlewaretoken" not in self.hidden:
            raise RuntimeError(f"GET {self.load.path}: no csrfmiddlewaretoken in the form")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        if not self.cookie:
            raise RuntimeError(f"GET {self.load.path}: no csrftoken cookie")

    def once(self, start: float) -> Sample:
        load = self.load
        email = ""
        started = time.perf_counter()
        try:
            if load.kind == "get":
                response, _ = self.request("GET")
                outcome = "ok" if response.status == 200 else f"http_{response.status}"
            else:
                assert load.fields_for is not None
                self.count += 1
                email = f"{self.name}n{self.count}.{load.email_tag}@bench.example.com"
                fields = {**self.hidden, **load.fields_for(email)}
                body, content_type = multipart(fields, load.file_field, load.file_bytes)
                started = time.perf_counter()
                response, _ = self.request("POST", body, content_type)
                location = response.getheader("Location") or ""
                if response.status == 302 and not location.endswith(load.path):
                    outcome = "accepted"
                elif response.status == 200:
                    outcome = "rejected"
                else:
                    outcome = f"http_{response.status}"
        except Exception as error:  # every failure is counted, none stops the run
            self.conn.close()
            outcome = f"exception_{type(error).__name__}"
        ms = (time.perf_counter() - started) * 1000
        return Sample(time.time() - ms / 1000 - start, ms, outcome, email)

    def run(self, into: ClientResult, lock: threading.Lock, barrier: Any) -> None:
        load = self.load
        mine: list[Sample] = []
        warm: list[str] = []
        failed = ""
        try:
            if load.kind == "signup":
                self.fetch_form()
            for _ in range(load.warm_ups):
                sample = self.once(time.time())
                if sample.outcome == "accepted":
                    warm.append(sample.email)
        except Exception as error:  # counted as an error of this client; the others go on
            failed = f"exception_{type(error).__name__}"
        finally:
            barrier.wait()  # every client warmed up (or failed to): go
        start = time.time()
        deadline = start + load.duration
        if failed:
            mine.append(Sample(0.0, 0.0, failed))
        while time.time() < deadline and not failed:
            mine.append(self.once(start))
        self.conn.close()
        with lock:
            into.samples.extend(mine)
            into.warm_up_accepted.extend(warm)


def _client_process(load: Load, process: int, threads: int, barrier: Any, out: Any) -> None:
    result = ClientResult()
    lock = threading.Lock()
    workers = [
        threading.Thread(target=Client(load, f"p{process}t{t}").run, args=(result, lock, barrier))
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    out.put(result)


def run_load(
    load: Load, clients: int, processes: int, on_start: Callable[[], Snapshot]
) -> tuple[ClientResult, float, Snapshot]:
    """Run ``clients`` clients in ``processes`` processes; return their merged result, the
    measured wall time (from the common start to the last response) and what ``on_start``
    returned at the start. The clients warm up first (the form, ``warm_ups`` untimed
    requests: a gunicorn worker's first requests load the URLconf, templates and catalogues)
    and wait for each other at a barrier."""
    processes = max(1, min(processes, clients))
    context = get_context("fork")
    barrier = context.Barrier(clients + 1)
    out = context.Queue()
    per_process = [clients // processes + (i < clients % processes) for i in range(processes)]
    children = [
        context.Process(target=_client_process, args=(load, i, n, barrier, out))
        for i, n in enumerate(per_process)
    ]
    for child in children:
        child.start()
    barrier.wait(timeout=600)
    at_start = on_start()
    merged = ClientResult()
    for _ in children:
        part = out.get(timeout=load.duration + 600)
        merged.samples.extend(part.samples)
        merged.warm_up_accepted.extend(part.warm_up_accepted)
        merged.cpu_seconds += part.cpu_seconds
    for child in children:
        child.join()
    ended = max((s.started + s.ms / 1000 for s in merged.samples), default=load.duration)
    return merged, ended, at_start


def proc_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), for the server's CPU per
    request."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine, all cores (Linux /proc/stat: everything but idle
    and iowait), for the total cost of a request: server, worker, database, Redis, clients."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user..steal, less idle and iowait
    return busy / ticks


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes together, in MB (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def pids_named(*names: str) -> list[int]:
    """The processes on this machine whose command name is one of ``names`` (Linux /proc):
    the local PostgreSQL server's processes, or Redis's. Empty when they run elsewhere."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() in names:
                    found.append(int(entry))
        except OSError:
            continue
    return found


def child_pids(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(p) for p in children.read().split()]
    except FileNotFoundError:
        return []
