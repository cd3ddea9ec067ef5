"""The shaped link of scripts/bench_slowlink.py: a network namespace, a veth pair, tc, and relays.

The browser runs in its own namespace, joined to this host by a veth pair
whose two ends are each shaped with `tbf` (the rate, in each direction).
The round trip is `netem` delay where the kernel has it; this machine's
kernel has no netem, so the host-side relay holds every chunk for half the
round trip in each direction instead (in order), plus one round trip before
a connection's first request - what a TCP handshake costs on a real line.
The site keeps listening on 127.0.0.1: the relay listens on the veth
address and forwards to it, and a plain forwarder inside the namespace
listens on the namespace's own 127.0.0.1 and port, so the browser opens the
very same URL (same Host header, same cookies) as a visitor on this host.
"""

import asyncio
import contextlib
import os
import subprocess
import threading

HOST_ADDRESS, CLIENT_ADDRESS = "10.213.0.1", "10.213.0.2"


def _run(*command, check=True):
    return subprocess.run(command, check=check, capture_output=True, text=True)


def rate_bits(rate):
    """'256kbit' -> 256000, '1mbit' -> 1000000 (tc's own units)."""
    text = rate.lower().removesuffix("/s").removesuffix("bit").removesuffix("bps")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("kmg")) * scale)


class Link:
    """The namespace and its shaped veth pair; `down()` removes all of it (safe to call twice)."""

    def __init__(self, rtt_ms):
        tag = os.getpid() % 100000
        self.namespace, self.host_side, self.client_side = f"yk-slow-{tag}", f"yks{tag}h", f"yks{tag}n"
        self.rtt_ms = rtt_ms
        self.netem = False

    def up(self):
        ns = ("ip", "netns", "exec", self.namespace)
        _run("ip", "netns", "add", self.namespace)
        _run("ip", "link", "add", self.host_side, "type", "veth", "peer", "name", self.client_side)
        _run("ip", "link", "set", self.client_side, "netns", self.namespace)
        _run("ip", "addr", "add", f"{HOST_ADDRESS}/30", "dev", self.host_side)
        _run("ip", "link", "set", self.host_side, "up")
        _run(*ns, "ip", "addr", "add", f"{CLIENT_ADDRESS}/30", "dev", self.client_side)
        _run(*ns, "ip", "link", "set", self.client_side, "up")
        _run(*ns, "ip", "link", "set", "lo", "up")

    def shape(self, rate):
        """tbf at `rate` on both ends (replacing any earlier shaping), netem delay under it if there is netem."""
        bits = rate_bits(rate)
        burst = max(3200, bits // 8 // 50)  # 20 ms of the line, at least two full packets
        netem_ok = True
        for prefix, device in ((), self.host_side), (("ip", "netns", "exec", self.namespace), self.client_side):
            _run(*prefix, "tc", "qdisc", "del", "dev", device, "root", check=False)
            _run(*prefix, "tc", "qdisc", "add", "dev", device, "root", "handle", "1:", "tbf",
                 "rate", str(bits), "burst", str(burst), "latency", "400ms")  # fmt: skip
            delay = f"{self.rtt_ms / 2:g}ms"
            added = _run(*prefix, "tc", "qdisc", "add", "dev", device, "parent", "1:1", "handle", "10:",
                         "netem", "delay", delay, check=False)  # fmt: skip
            netem_ok = netem_ok and added.returncode == 0
        self.netem = netem_ok
        return self.relay_delay()

    def relay_delay(self):
        """Seconds the relay holds each chunk: none when netem already delays the packets."""
        return 0.0 if self.netem else self.rtt_ms / 2000

    def exec_prefix(self):
        return ["ip", "netns", "exec", self.namespace]

    def down(self):
        _run("ip", "netns", "del", self.namespace, check=False)
        _run("ip", "link", "del", self.host_side, check=False)


class Relay(threading.Thread):
    """TCP forwarders on their own event loop: (listen host, port) -> (target host, port), each chunk held `delay` s."""

    def __init__(self, routes, delay=0.0, handshake=0.0):
        super().__init__(daemon=True)
        self.routes, self.delay, self.handshake = routes, delay, handshake
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.error = None

    def run(self):
        asyncio.set_event_loop(self.loop)
        try:
            self.servers = [
                self.loop.run_until_complete(asyncio.start_server(self._connection(target), host, port))
                for (host, port), target in self.routes
            ]
        except OSError as error:
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()

    def start(self):
        super().start()
        self.ready.wait(10)
        if self.error:
            raise self.error
        return self

    def stop(self):
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(5)

    def _connection(self, target):
        async def handle(reader, writer):
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*target)
            except OSError:
                writer.close()
                return
            await asyncio.gather(
                self._pipe(reader, upstream_writer, self.handshake),
                self._pipe(upstream_reader, writer, 0.0),
                return_exceptions=True,
            )
            for stream in (writer, upstream_writer):
                stream.close()

        return handle

    async def _pipe(self, source, sink, first_extra):
        """Copy source to sink, each chunk `delay` late (the first `first_extra` more), in order."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def pump():
            extra = first_extra
            try:
                while data := await source.read(65536):
                    queue.put_nowait((loop.time() + self.delay + extra, data))
                    extra = 0.0
            finally:
                queue.put_nowait((loop.time() + self.delay, b""))

        reading = asyncio.ensure_future(pump())
        try:
            while True:
                due, data = await queue.get()
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                if not data:
                    with contextlib.suppress(OSError):
                        sink.write_eof()
                    break
                sink.write(data)
                await sink.drain()
        except OSError:
            sink.close()  # the other direction of this socket then ends too
        finally:
            reading.cancel()
