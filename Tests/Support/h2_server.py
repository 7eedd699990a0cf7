#!/usr/bin/env python3
"""An HTTP/2-over-TLS echo server on 127.0.0.1 for LatticeKit's transport tests.

  h2_server.py start PIDFILE [PROTOCOL...]
                               make a throwaway self-signed certificate for 127.0.0.1, listen
                               on a port the OS picks, print "URL CAFILE" on stdout once
                               listening, and exit leaving the server in the background
                               (PID in PIDFILE, its output in PIDFILE.log). ALPN offers the
                               PROTOCOLs, by default h2 and http/1.1.
  h2_server.py stop PIDFILE    stop that server (SIGTERM, SIGKILL after 5 s); it removes its
                               certificate on the way out. A missing PID file is no error.

Every request gets 200, content-type application/json and an echo of what the server saw:
protocol ("h2" or "http/1.1"), connection (the TLS connection's number, from 1), connections
(how many were accepted so far), stream (the HTTP/2 stream id; null over HTTP/1.1), method,
path, headers (as [name, value] pairs, pseudo-headers included) and body_length.
  /wait/N   holds the answer until N streams are open at once on this connection, and says
            how many were open (open_streams): multiplexing, observed by the server. After
            10 s it answers 504 instead, so a client that never multiplexes fails, not hangs.
            Over HTTP/1.1, where requests overlap only on separate connections, it counts the
            /wait requests held on the whole server instead.
  /services a ListServices-shaped body; the echo rides in nextToken, a free-form string.
By default ALPN offers h2 and http/1.1, so a client that does not offer h2 still gets an
answer (over a minimal HTTP/1.1) and the test can see which protocol it spoke; offering only
http/1.1 makes a TLS server that declines HTTP/2.
Exit status: 0 on success, 1 on failure with the reason on stderr, 2 on bad usage.
"""
import asyncio
import json
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
except ImportError:
    sys.exit("h2_server.py: the Python h2 package is missing; `make test` installs the pinned "
             "version (Tests/requirements.txt)")

WAIT_LIMIT = 10  # seconds a /wait/N stream waits for company before it gets a 504
connections = 0
held_http1 = []  # futures of the HTTP/1.1 /wait/N requests held now, on any connection


def echo(protocol, connection, stream, method, path, headers, body_length, **extra):
    return dict(protocol=protocol, connection=connection, connections=connections, stream=stream,
                method=method, path=path, headers=headers, body_length=body_length, **extra)


def payload(path, seen):
    """The JSON answer for a path: a ListServices page for /services, else the echo itself."""
    if path.split("?")[0] == "/services":
        return {"items": [{"id": "svc-0123456789abcdef0", "name": "h2-echo", "status": "ACTIVE",
                           "arn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"}],
                "nextToken": json.dumps(seen)}
    return seen


def wanted_streams(path):
    """N for /wait/N, else None."""
    parts = path.split("?")[0].split("/")
    return int(parts[2]) if len(parts) == 3 and parts[1] == "wait" and parts[2].isdigit() else None


async def serve_h2(reader, writer, number):
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    requests = {}  # stream id -> [headers, body length]
    waiting = {}   # stream id -> (N, the timer that gives up on it)

    def answer(stream_id, status=200, **extra):
        headers, length = requests.pop(stream_id)
        pseudo = dict(headers)
        seen = echo("h2", number, stream_id, pseudo[":method"], pseudo[":path"], headers, length, **extra)
        body = json.dumps(payload(pseudo[":path"], seen)).encode()
        # Bodies are a few KiB at most, well inside the flow-control windows curl opens.
        conn.send_headers(stream_id, [(":status", str(status)), ("content-type", "application/json"),
                                      ("content-length", str(len(body)))])
        conn.send_data(stream_id, body, end_stream=True)
        writer.write(conn.data_to_send())

    def give_up(stream_id):
        if waiting.pop(stream_id, None):
            answer(stream_id, 504, open_streams=conn.open_inbound_streams)

    def release_waiters():
        # Streams answered are no longer open, so count once, before answering any.
        open_now = conn.open_inbound_streams
        for stream_id, (n, timer) in list(waiting.items()):
            if open_now >= n:
                timer.cancel()
                del waiting[stream_id]
                answer(stream_id, open_streams=open_now)

    try:
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    requests[event.stream_id] = [[list(h) for h in event.headers], 0]
                elif isinstance(event, h2.events.DataReceived):
                    requests[event.stream_id][1] += len(event.data)
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    n = wanted_streams(dict(requests[event.stream_id][0])[":path"])
                    if n is None:
                        answer(event.stream_id)
                    else:
                        timer = asyncio.get_running_loop().call_later(WAIT_LIMIT, give_up, event.stream_id)
                        waiting[event.stream_id] = (n, timer)
                elif isinstance(event, h2.events.StreamReset):
                    requests.pop(event.stream_id, None)
                    if w := waiting.pop(event.stream_id, None):
                        w[1].cancel()
            # A stream that just opened (or just closed) can change what the waiters see.
            release_waiters()
            writer.write(conn.data_to_send())
            await writer.drain()
    finally:  # however the connection ended, nothing is left to answer on it
        for _, timer in waiting.values():
            timer.cancel()


async def serve_http1(reader, writer, number):
    """Just enough HTTP/1.1 (Content-Length bodies, keep-alive) to echo a request."""
    while head := await reader.readuntil(b"\r\n\r\n"):
        lines = head.decode("latin-1").split("\r\n")[:-2]
        method, path, _ = lines[0].split(" ", 2)
        headers = [[k.strip(), v.strip()] for k, v in (line.split(":", 1) for line in lines[1:])]
        length = int(dict((k.lower(), v) for k, v in headers).get("content-length", 0))
        await reader.readexactly(length)
        status, extra = 200, {}
        if (n := wanted_streams(path)) is not None:
            status, extra["open_streams"] = await hold_http1(n)
        seen = echo("http/1.1", number, None, method, path, headers, length, **extra)
        body = json.dumps(payload(path, seen)).encode()
        writer.write(b"HTTP/1.1 %d Echo\r\ncontent-type: application/json\r\n"
                     b"content-length: %d\r\n\r\n%s" % (status, len(body), body))
        await writer.drain()


async def hold_http1(n):
    """Waits until n HTTP/1.1 /wait requests are held at once; (status, how many were held)."""
    arrived = asyncio.get_running_loop().create_future()
    held_http1.append(arrived)
    if len(held_http1) >= n:
        for f in held_http1:
            if not f.done():  # one that just timed out is cancelled
                f.set_result(len(held_http1))
        held_http1.clear()
    try:
        return 200, await asyncio.wait_for(arrived, WAIT_LIMIT)
    except TimeoutError:
        held = len(held_http1)
        if arrived in held_http1:
            held_http1.remove(arrived)
        return 504, held


async def serve(reader, writer):
    global connections
    connections += 1
    number = connections
    protocol = writer.get_extra_info("ssl_object").selected_alpn_protocol()
    try:
        await (serve_h2 if protocol == "h2" else serve_http1)(reader, writer, number)
    except asyncio.IncompleteReadError:
        pass  # the client closed an HTTP/1.1 connection between requests
    except (ConnectionError, ssl.SSLError, h2.exceptions.ProtocolError) as e:
        print(f"connection {number}: {e!r}", flush=True)  # the client went away; that is fine
    finally:
        writer.close()


def make_certificate(directory, protocols):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    # An EC key is made in milliseconds. The certificate is its own CA: the client trusts
    # exactly this file, and subjectAltName lets it verify the host 127.0.0.1 too.
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"h2_server.py: openssl could not make a certificate: {made.stderr.strip()}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(protocols)
    return cert, context


def start(pidfile, protocols):
    directory = tempfile.mkdtemp(prefix="latticekit-h2-")
    cafile, context = make_certificate(directory, protocols or ["h2", "http/1.1"])
    # Listening before the fork: once the URL is printed, connections queue in the backlog.
    listener = socket.create_server(("127.0.0.1", 0))
    url = "https://127.0.0.1:%d" % listener.getsockname()[1]
    log = open(pidfile + ".log", "w")
    pid = os.fork()
    if pid:
        with open(pidfile, "w") as f:
            f.write(f"{pid}\n")
        print(url, cafile, flush=True)
        os._exit(0)
    # The server: off the caller's stdout and stderr, so whoever reads them sees their end.
    os.setsid()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        asyncio.run(run(listener, context))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def run(listener, context):
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    async with await asyncio.start_server(serve, sock=listener, ssl=context):
        await stopped.wait()


def stop(pidfile):
    try:
        pid = int(open(pidfile).read())
    except FileNotFoundError:
        return
    try:  # only our own server, not whatever process got its PID since
        ours = b"h2_server.py" in open(f"/proc/{pid}/cmdline", "rb").read()
        process = os.pidfd_open(pid) if ours else None
    except (FileNotFoundError, ProcessLookupError):
        process = None
    if process is not None:
        os.kill(pid, signal.SIGTERM)
        watch = select.poll()  # a pidfd turns readable when the process exits
        watch.register(process, select.POLLIN)
        if not watch.poll(5000):
            os.kill(pid, signal.SIGKILL)
    os.remove(pidfile)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("start", "stop") or (sys.argv[1] == "stop" and len(sys.argv) > 3):
        print("usage: h2_server.py start PIDFILE [PROTOCOL...] | h2_server.py stop PIDFILE", file=sys.stderr)
        sys.exit(2)
    if sys.argv[1] == "start":
        start(sys.argv[2], sys.argv[3:])
    else:
        stop(sys.argv[2])
