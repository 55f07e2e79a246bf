"""A live HL7 v2 feed over MLLP: every message is stored durably before it is acknowledged.

Messages arrive framed as ``<VT> message <FS><CR>``. Each is parsed at once (a message that
cannot be read is answered AR/AE with the reason and kept in quarantine); good ones wait for the
next group commit: the writer takes everything queued (up to ``max_group`` messages; while the
group is smaller than the previous one it lingers up to ``linger`` seconds for the senders it has
just acknowledged), writes it in one DuckDB transaction and only after COMMIT (DuckDB flushes its
write-ahead log on commit) sends each sender its AA. Each commit costs the same few statements
whatever its size, so fuller groups mean more messages a second. A sender that sees no ACK must
resend; a resent message adds nothing (a visit keeps the ids of the messages applied to it, and
records and events are versioned by content).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ddj.ingest.canonical import ParsedFile, merge_parsed
from ddj.ingest.session import KnownRows
from ddj.ingest.writer import append_to_batch, close_batch, open_batch
from ddj.store import Store

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
MAX_MESSAGE_BYTES = 8 * 1024 * 1024

Parse = Callable[[str], ParsedFile]
BuildAck = Callable[[str, str, str | None], str]


@dataclass
class ListenerStats:
    received: int = 0
    stored: int = 0
    rejected: int = 0
    commits: int = 0
    errors: list[str] = field(default_factory=list)


class MllpListener:
    """Serve one source's HL7 v2 feed into the workspace until stopped."""

    def __init__(
        self,
        store: Store,
        *,
        source: str,
        system: str,
        parse: Parse,
        build_ack: BuildAck,
        host: str = "127.0.0.1",
        port: int = 2575,
        max_group: int = 500,
        linger: float = 0.005,
    ):
        self.store = store
        self.source, self.system = source, system
        self.parse, self.build_ack = parse, build_ack
        self.host, self.port = host, port
        self.max_group = max_group
        self.linger = linger  # seconds a small group waits for more (never past the last size)
        self._last_group = 0
        self.stats = ListenerStats()
        self.path = f"mllp://{host}:{port}"
        self._queue: asyncio.Queue | None = None
        self._server: asyncio.base_events.Server | None = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ddj-mllp-writer")
        self._batch_id: str | None = None
        self._known: KnownRows | None = None  # the stored rows this session knows
        self.ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def run(self) -> None:
        """Blocking: serve until stop() is called (from any thread) or Ctrl-C."""
        asyncio.run(self._main())

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._queue = asyncio.Queue()
        threads = await self._in_db(self._one_thread)
        self._batch_id = await self._in_db(self._open_batch)
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, limit=MAX_MESSAGE_BYTES
        )
        self.port = self._server.sockets[0].getsockname()[1]
        writer = asyncio.create_task(self._writer())
        self.ready.set()
        try:
            await self._stopping.wait()
        finally:
            self._server.close()
            await self._server.wait_closed()
            await self._queue.join()
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            await self._in_db(lambda: close_batch(self.store, self._batch_id))
            await self._in_db(lambda: self.store.con.execute(f"SET threads = {int(threads)}"))
            self._db.shutdown(wait=True)

    async def _in_db(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn)

    def _one_thread(self) -> int:
        """Have DuckDB run each statement on one thread while listening (returns the number of
        threads to restore): a commit's statements touch a few rows each, and handing their work
        to other threads costs more than it saves (about 15% of a commit)."""
        [(threads,)] = self.store.con.execute("SELECT current_setting('threads')").fetchall()
        self.store.con.execute("SET threads = 1")
        return int(threads)

    def _open_batch(self) -> str:
        return open_batch(
            self.store,
            source=self.source,
            system=self.system,
            fmt="hl7v2",
            profile=None,
            path=self.path,
            sha256="",
            status="listening",
        )

    # -- connections ----------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                frame = await _read_frame(reader)
                if frame is None:
                    break
                ack = await self._receive(frame)
                writer.write(START_BLOCK + ack.encode("utf-8") + END_BLOCK)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _receive(self, frame: bytes) -> str:
        self.stats.received += 1
        text = frame.decode("utf-8", errors="replace")
        try:
            parsed = self.parse(text)
        except Exception as exc:  # a parser bug must not kill the feed: answer and carry on
            self.stats.rejected += 1
            return self.build_ack(text, "AR", f"message could not be read: {exc}")
        rejected = bool(parsed.rejected) and not (parsed.records or parsed.events)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        await self._queue.put((parsed, future))
        try:
            await future
        except Exception as exc:  # storage failed: the sender must resend
            return self.build_ack(text, "AE", f"not stored: {exc}")
        if rejected:
            self.stats.rejected += 1
            reason = "; ".join(r.reason for r in parsed.rejected[:3])
            return self.build_ack(text, "AR", reason)
        self.stats.stored += 1
        return self.build_ack(text, "AA", None)

    # -- the group-commit writer ----------------------------------------------------------------

    async def _writer(self) -> None:
        queue = self._queue
        while True:
            group = [await queue.get()]
            await self._gather(group)
            parts = [parsed for parsed, _ in group]
            try:
                await self._in_db(lambda parts=parts: self._commit(parts))
                self.stats.commits += 1
                for _, future in group:
                    future.set_result(None)
            except Exception as exc:  # report to every waiting sender, keep serving
                self.stats.errors.append(str(exc))
                for _, future in group:
                    future.set_exception(exc)
            finally:
                for _ in group:
                    queue.task_done()

    async def _gather(self, group: list) -> None:
        """Take what is queued; then, while the group is smaller than the last one, linger a
        moment for the senders just acknowledged: their next messages join this commit instead
        of waiting for another (group commit with a commit delay, as databases do)."""
        queue = self._queue
        deadline = asyncio.get_running_loop().time() + self.linger
        while len(group) < self.max_group:
            if not queue.empty():
                group.append(queue.get_nowait())
                continue
            remaining = deadline - asyncio.get_running_loop().time()
            if len(group) >= self._last_group or remaining <= 0:
                break
            try:
                group.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break
        self._last_group = len(group)

    def _commit(self, parts: list[ParsedFile]) -> None:
        con = self.store.con
        if self._known is None:
            self._known = KnownRows(self.store, self.source)
        con.execute("BEGIN")
        try:
            append_to_batch(
                self.store,
                self._batch_id,
                merge_parsed(parts),
                source=self.source,
                system=self.system,
                path=self.path,
                session=self._known,
            )
            con.execute("COMMIT")
        except BaseException:
            self._known.discard()
            con.execute("ROLLBACK")
            raise
        self._known.keep()


async def _read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """The next MLLP frame's payload, or None at end of stream. Bytes before <VT> are skipped."""
    while True:
        byte = await reader.read(1)
        if not byte:
            return None
        if byte == START_BLOCK:
            break
    payload = await reader.readuntil(END_BLOCK)
    if len(payload) > MAX_MESSAGE_BYTES:
        raise ConnectionError("message too large")
    return payload[: -len(END_BLOCK)]
