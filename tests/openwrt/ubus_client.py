#!/usr/bin/env python3
# ubus_client.py: a ubus client written from the protocol (no libubus in Debian) and the checks test_ubusd.sh runs through it against keel-ubusd.
# SPDX-License-Identifier: MIT
"""usage: ubus_client.py SOCKET WORKDIR | SOCKET timeout | SOCKET WORKDIR serve

Prints one "ok - ..." or "not ok - ..." line per check; exit status 1 when one failed.
"""
import os
import socket
import struct
import sys
import time

HELLO, STATUS, DATA, PING, LOOKUP, INVOKE, ADD_OBJECT, REMOVE_OBJECT, SUBSCRIBE, UNSUBSCRIBE, NOTIFY = range(11)
A_STATUS, A_OBJPATH, A_OBJID, A_METHOD, A_OBJTYPE, A_SIGNATURE, A_DATA, A_TARGET, A_ACTIVE, A_NO_REPLY = range(1, 11)
BM_UNSPEC, BM_ARRAY, BM_TABLE, BM_STRING, BM_INT64, BM_INT32, BM_INT16, BM_INT8, BM_DOUBLE = range(9)
EVENT_OBJ = 1


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def attr(aid, payload, ext=False):
    return pad(struct.pack(">I", (0x80000000 if ext else 0) | aid << 24 | (4 + len(payload))) + payload)


def u32(aid, v):
    return attr(aid, struct.pack(">I", v & 0xFFFFFFFF))


def string(aid, s):
    return attr(aid, s.encode() + b"\0")


def bm(btype, name, payload):
    n = name.encode()
    return attr(btype, pad(struct.pack(">H", len(n)) + n + b"\0") + payload, ext=True)


def bm_value(name, v):
    if v is None:
        return bm(BM_UNSPEC, name, b"")
    if isinstance(v, bool):
        return bm(BM_INT8, name, bytes([int(v)]))
    if isinstance(v, int):
        if -2**31 <= v < 2**31:
            return bm(BM_INT32, name, struct.pack(">i", v))
        return bm(BM_INT64, name, struct.pack(">q", v))
    if isinstance(v, float):
        return bm(BM_DOUBLE, name, struct.pack(">d", v))
    if isinstance(v, str):
        return bm(BM_STRING, name, v.encode() + b"\0")
    if isinstance(v, dict):
        return bm(BM_TABLE, name, b"".join(bm_value(k, x) for k, x in v.items()))
    if isinstance(v, list):
        return bm(BM_ARRAY, name, b"".join(bm_value("", x) for x in v))
    raise TypeError(v)


def table(d):
    """a dict as blobmsg list (a DATA attribute's payload)"""
    return b"".join(bm_value(k, v) for k, v in d.items())


def attrs(data):
    """a blob list -> [(id, ext, payload)]"""
    out, pos = [], 0
    while pos + 4 <= len(data):
        (w,) = struct.unpack(">I", data[pos:pos + 4])
        n = w & 0xFFFFFF
        if n < 4 or pos + n > len(data):
            raise ValueError("bad blob length")
        out.append(((w >> 24) & 0x7F, bool(w & 0x80000000), data[pos + 4:pos + n]))
        pos += (n + 3) & ~3
    return out


def bm_parse(payload, is_table=True):
    res = {} if is_table else []
    for t, ext, p in attrs(payload):
        (nl,) = struct.unpack(">H", p[:2])
        name = p[2:2 + nl].decode()
        body = p[(2 + nl + 1 + 3) & ~3:]
        if t == BM_TABLE:
            v = bm_parse(body, True)
        elif t == BM_ARRAY:
            v = bm_parse(body, False)
        elif t == BM_STRING:
            v = body[:-1].decode()
        elif t == BM_INT8:
            v = bool(body[0])
        elif t == BM_INT16:
            v = struct.unpack(">h", body)[0]
        elif t == BM_INT32:
            v = struct.unpack(">i", body)[0]
        elif t == BM_INT64:
            v = struct.unpack(">q", body)[0]
        elif t == BM_DOUBLE:
            v = struct.unpack(">d", body[:8])[0]
        else:
            v = None
        if is_table:
            res[name] = v
        else:
            res.append(v)
    return res


class Msg:
    def __init__(self, mtype, seq, peer, blob):
        self.type, self.seq, self.peer = mtype, seq, peer
        self.a = {}
        for aid, _, p in attrs(blob):
            self.a[aid] = p

    def u32(self, aid):
        return struct.unpack(">I", self.a[aid])[0]

    def str(self, aid):
        return self.a[aid][:-1].decode()

    def data(self):
        return bm_parse(self.a.get(A_DATA, b""))


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)
        self.seq = 0
        self.pending = []
        hello = self.recv()
        assert hello.type == HELLO, hello.type
        self.id = hello.peer

    def send(self, mtype, seq, peer, body):
        blob = attr(0, body)
        self.s.sendall(struct.pack(">BBHI", 0, mtype, seq, peer) + blob)

    def _read(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b

    def recv(self):
        h = self._read(12)
        _, mtype, seq, peer = struct.unpack(">BBHI", h[:8])
        (w,) = struct.unpack(">I", h[8:12])
        rest = self._read((w & 0xFFFFFF) - 4)
        return Msg(mtype, seq, peer, rest)

    def request(self, mtype, peer, body):
        """a request: its DATA answers and its STATUS; messages meanwhile are kept"""
        self.seq = (self.seq + 1) & 0xFFFF
        self.send(mtype, self.seq, peer, body)
        datas = []
        while True:
            m = self.recv()
            if m.seq == self.seq and m.peer == peer and m.type == DATA:
                datas.append(m)
            elif m.seq == self.seq and m.peer == peer and m.type == STATUS:
                return m.u32(A_STATUS), datas
            else:
                self.pending.append(m)

    def lookup(self, path=None):
        st, ds = self.request(LOOKUP, 0, string(A_OBJPATH, path) if path else b"")
        return st, {m.str(A_OBJPATH): (m.u32(A_OBJID), bm_parse(m.a[A_SIGNATURE])) for m in ds}

    def call(self, objid, method, data=None):
        body = u32(A_OBJID, objid) + string(A_METHOD, method) + attr(A_DATA, table(data or {}))
        st, ds = self.request(INVOKE, objid, body)
        return st, (ds[0].data() if ds else None)

    def add_object(self, path, methods):
        sig = b"".join(bm_value(m, args) for m, args in methods.items())
        body = (string(A_OBJPATH, path) if path else b"") + attr(A_SIGNATURE, sig)
        st, ds = self.request(ADD_OBJECT, 0, body)
        return st, (ds[0].u32(A_OBJID) if ds else None)

    def next_msg(self):
        return self.pending.pop(0) if self.pending else self.recv()


FAILED = 0


def check(name, cond, why=""):
    global FAILED
    if cond:
        print("ok - ubusd: " + name)
    else:
        FAILED += 1
        print("not ok - ubusd: " + name)
        if why:
            print("# " + str(why).replace("\n", "\n# "))
    sys.stdout.flush()


def wait_file(path, text, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            with open(path) as f:
                if text in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def timeout_check(sock):
    """the daemon runs a shim that never answers, with -t 1"""
    c = Client(sock)
    st, objs = c.lookup("system")
    t0 = time.time()
    st, d = c.call(objs["system"][0], "board")
    took = time.time() - t0
    check("a built-in call that does not end in -t seconds: TIMEOUT (and the daemon answers at once after)",
          st == 7 and took < 5, (st, took))
    st, _ = c.lookup("service")
    check("... the daemon goes on", st == 0, st)
    return 1 if FAILED else 0


def serve(sock, work):
    """test.shim (echo) and a listener of shim.* events, for the ubus command's checks"""
    c = Client(sock)
    st, oid = c.add_object("test.shim", {"echo": {"a": BM_INT32}})
    st2, lid = c.add_object(None, {})
    st3, _ = c.call(EVENT_OBJ, "register", {"object": lid, "pattern": "shim.*"})
    with open(os.path.join(work, "serve.ready"), "w") as f:
        f.write("%d %d %d\n" % (st, st2, st3))
    c.s.settimeout(30)
    while True:
        try:
            m = c.next_msg()
        except (EOFError, OSError):
            return 0
        if m.type != INVOKE:
            continue
        if m.u32(A_OBJID) == lid:
            with open(os.path.join(work, "serve.events"), "a") as f:
                f.write("%s %s\n" % (m.str(A_METHOD), sorted(m.data().items())))
            continue
        if m.str(A_METHOD) == "echo":
            c.send(DATA, m.seq, m.peer, u32(A_OBJID, oid) + attr(A_DATA, table({"got": m.data()})))
            c.send(STATUS, m.seq, m.peer, u32(A_STATUS, 0) + u32(A_OBJID, oid))
        else:
            c.send(STATUS, m.seq, m.peer, u32(A_STATUS, 3) + u32(A_OBJID, oid))


def write_network(text):
    """as uci commit writes: a new file renamed over the old one"""
    path = os.path.join(os.environ["UCI_CONFIG_DIR"], "network")
    with open(path + ".new", "w") as f:
        f.write(text)
    os.rename(path + ".new", path)


def collect(c, want, secs=5):
    """messages c gets within secs (the pending ones first) until want(messages) holds"""
    got, end = [], time.time() + secs
    while not want(got) and time.time() < end:
        c.s.settimeout(max(0.05, end - time.time()))
        try:
            got.append(c.next_msg())
        except (socket.timeout, EOFError, OSError):
            break
    c.s.settimeout(10)
    return got


def interfaces_follow_config(sock):
    """network.interface.NAME objects come and go with UCI's network file, as netifd's objects do"""
    c = Client(sock)
    st, objs = c.lookup("network.interface.lan")
    lan = objs.get("network.interface.lan", (0, {}))[0]
    st, sub = c.add_object(None, {})
    st, _ = c.request(SUBSCRIBE, 0, u32(A_OBJID, sub) + u32(A_TARGET, lan))
    check("SUBSCRIBE to network.interface.lan (netifd's objects can be watched)", st == 0, st)
    st, lid = c.add_object(None, {})
    st2, _ = c.call(EVENT_OBJ, "register", {"object": lid, "pattern": "ubus.object.*"})
    check("... and a listener of ubus.object.*", st == 0 and st2 == 0, (st, st2))

    write_network("config interface 'loopback'\n\toption device 'lo'\n\nconfig interface wan\n\toption device eth1\n")

    def seen(ms):
        return any(m.type == UNSUBSCRIBE for m in ms) and \
            {m.str(A_METHOD) for m in ms if m.type == INVOKE} >= {"ubus.object.remove", "ubus.object.add"}
    got = collect(c, seen)
    uns = [m for m in got if m.type == UNSUBSCRIBE]
    check("lan gone from the config: its subscriber gets UNSUBSCRIBE (subscriber, target), unasked",
          len(uns) == 1 and uns[0].u32(A_OBJID) == sub and uns[0].u32(A_TARGET) == lan,
          [(m.type, m.a) for m in got])
    evs = {m.str(A_METHOD): m.data() for m in got if m.type == INVOKE and m.u32(A_OBJID) == lid}
    rm = evs.get("ubus.object.remove", {})
    check("... listeners get ubus.object.remove with its id and path",
          rm.get("path") == "network.interface.lan" and rm.get("id", 0) & 0xFFFFFFFF == lan, evs)
    check("... and ubus.object.add for the new wan", evs.get("ubus.object.add", {}).get("path") == "network.interface.wan",
          evs)
    st, d = c.call(lan, "status")
    check("a call of the removed object's id: NOT_FOUND", st == 4 and d is None, (st, d))
    st, d = c.call(lan, "nosuch")
    check("... whatever the method (the object is gone, not the method)", st == 4, st)
    st, _ = c.lookup("network.interface.lan")
    check("LOOKUP of the removed object: NOT_FOUND", st == 4, st)
    st, objs = c.lookup("network.interface.*")
    check("LOOKUP lists the config's interfaces: loopback and the new wan, with their methods",
          st == 0 and sorted(objs) == ["network.interface.loopback", "network.interface.wan"]
          and sorted(objs["network.interface.wan"][1]) == ["down", "status", "up"], (st, sorted(objs)))
    st, _ = c.request(UNSUBSCRIBE, 0, u32(A_OBJID, sub) + u32(A_TARGET, lan))
    check("UNSUBSCRIBE from the removed object afterwards: NOT_FOUND (the subscription went with it)", st == 4, st)

    os.unlink(os.path.join(os.environ["UCI_CONFIG_DIR"], "network"))
    st, objs = c.lookup("network.interface.*")
    check("no network file: no network.interface.NAME (network.interface itself stays)",
          st == 4 and c.lookup("network.interface")[0] == 0, (st, sorted(objs)))
    write_network("config interface 'lan'\n\toption device 'br-lan'\n")
    st, objs = c.lookup("network.interface.lan")
    check("lan back in the config: a new object (a new id)", st == 0 and objs["network.interface.lan"][0] != lan,
          (st, objs))
    c.s.close()


def main():
    sock, work = sys.argv[1], sys.argv[2]
    if work == "timeout":
        return timeout_check(sock)
    if len(sys.argv) > 3 and sys.argv[3] == "serve":
        return serve(sock, work)
    a = Client(sock)
    check("HELLO gives the client its id", a.id >= 1024, a.id)
    b = Client(sock)
    check("two clients, two ids", a.id != b.id)

    st, objs = a.lookup()
    check("LOOKUP lists service, system, network.interface and network.interface.lan",
          st == 0 and all(p in objs for p in ("service", "system", "network.interface", "network.interface.lan")),
          (st, sorted(objs)))
    check("LOOKUP: method signatures (service list {name: string, verbose: bool})",
          objs.get("service", (0, {}))[1].get("list") == {"name": BM_STRING, "verbose": BM_INT8}, objs.get("service"))
    st, one = a.lookup("network.interface.*")
    check("LOOKUP with a pattern", st == 0 and sorted(one) == ["network.interface.lan", "network.interface.loopback"], sorted(one))
    st, _ = a.lookup("no.such.object")
    check("LOOKUP of a missing object: NOT_FOUND", st == 4, st)

    service = objs["service"][0]
    st, d = a.call(service, "list")
    inst = (d or {}).get("demo", {}).get("instances", {}).get("instance1", {})
    check("service list: procd's shape for a procd-style script's instance",
          st == 0 and inst.get("running") is True and inst.get("pid") == 4242
          and inst.get("command") == ["/usr/sbin/demod", "-f", "two words"], (st, d))
    st, d = a.call(service, "list", {"name": "demo", "verbose": True})
    check("service list {name, verbose}: one service, its triggers",
          st == 0 and list(d or {}) == ["demo"] and "triggers" in d["demo"], (st, d))
    st, d = a.call(objs["system"][0], "board")
    check("system board: the kernel", st == 0 and d and d.get("kernel") == os.uname().release, (st, d))
    st, d = a.call(service, "nosuch")
    check("unknown method: METHOD_NOT_FOUND", st == 3, st)
    st, d = a.call(0x7FFFFFF0, "x")
    check("unknown object: NOT_FOUND", st == 4, st)
    st, d = a.call(service, "delete", {})
    check("the shim's exit code becomes the status (service delete without name: INVALID_ARGUMENT)", st == 2, st)

    # an object of client a, invoked by client b
    st, oid = a.add_object("test.echo", {"hello": {"who": BM_STRING}})
    check("ADD_OBJECT gives an id", st == 0 and oid and oid >= 1024, (st, oid))
    st, seen = b.lookup("test.echo")
    check("b finds a's object with its methods",
          st == 0 and seen.get("test.echo", (0, {}))[0] == oid and "hello" in seen["test.echo"][1], seen)
    bseq = (b.seq + 1) & 0xFFFF
    b.seq = bseq
    b.send(INVOKE, bseq, oid, u32(A_OBJID, oid) + string(A_METHOD, "hello") + attr(A_DATA, table({"who": "b"})))
    inv = a.next_msg()
    ok_inv = inv.type == INVOKE and inv.str(A_METHOD) == "hello" and inv.data() == {"who": "b"} and inv.peer == b.id
    check("a gets b's INVOKE (method, data, b as peer)", ok_inv, vars(inv))
    a.send(DATA, inv.seq, inv.peer, u32(A_OBJID, oid) + attr(A_DATA, table({"answer": "hi b", "n": 2**40})))
    a.send(STATUS, inv.seq, inv.peer, u32(A_STATUS, 0) + u32(A_OBJID, oid))
    got = []
    while True:
        m = b.next_msg()
        got.append(m)
        if m.type == STATUS:
            break
    check("b gets a's DATA and STATUS, with the object as peer",
          len(got) == 2 and got[0].type == DATA and got[0].data() == {"answer": "hi b", "n": 2**40}
          and got[0].peer == oid and got[1].u32(A_STATUS) == 0 and got[1].seq == bseq,
          [(m.type, m.peer, m.a) for m in got])

    # events: a listens, b sends
    st, lid = a.add_object(None, {})
    st2, _ = a.call(EVENT_OBJ, "register", {"object": lid, "pattern": "custom.*"})
    check("an anonymous object registers for events", st == 0 and st2 == 0, (st, st2))
    st, _ = b.call(EVENT_OBJ, "send", {"id": "custom.hello", "data": {"x": 1, "who": "keel"}})
    check("event sent: OK", st == 0, st)
    ev = a.next_msg()
    check("the listener gets the event (INVOKE, type as method, its data)",
          ev.type == INVOKE and ev.str(A_METHOD) == "custom.hello" and ev.u32(A_OBJID) == lid
          and ev.data() == {"x": 1, "who": "keel"}, vars(ev))
    st, _ = b.call(EVENT_OBJ, "send", {"id": "other.thing", "data": {}})
    st, _ = b.call(EVENT_OBJ, "send", {"id": "custom.go", "data": {"k": "v"}})
    ev = a.next_msg()
    check("events of other types are not delivered", ev.str(A_METHOD) == "custom.go", ev.str(A_METHOD))
    check("an event sent over the socket runs its triggers (as ubus send does)",
          wait_file(os.path.join(work, "fired"), "custom.go"))
    check("... and is in ubus listen's file", wait_file(os.path.join(work, "ubus.events"), '"custom.hello"'))

    # ubus.object.add reaches a listener; subscriptions and notifications between clients
    st, wid = b.add_object(None, {})
    b.call(EVENT_OBJ, "register", {"object": wid, "pattern": "ubus.object.add"})
    st, pub = a.add_object("test.pub", {})
    ev = b.next_msg()
    check("ubus.object.add: id and path of a new object",
          ev.type == INVOKE and ev.str(A_METHOD) == "ubus.object.add" and ev.data().get("path") == "test.pub"
          and ev.data().get("id", 0) & 0xFFFFFFFF == pub,
          vars(ev))
    st, sub = b.add_object(None, {})
    st, _ = b.request(SUBSCRIBE, 0, u32(A_OBJID, sub) + u32(A_TARGET, pub))
    m = a.next_msg()
    check("SUBSCRIBE: the target's owner hears it is watched (NOTIFY, active)",
          st == 0 and m.type == NOTIFY and m.u32(A_OBJID) == pub and m.a.get(A_ACTIVE) == b"\1", (st, vars(m)))
    a.seq += 1
    a.send(NOTIFY, a.seq, 0, u32(A_OBJID, pub) + string(A_METHOD, "tick") + attr(A_DATA, table({"n": 1})))
    m = a.next_msg()
    subs = [struct.unpack(">I", p)[0] for _, _, p in attrs(m.a.get(11, b""))]
    check("NOTIFY: answered with the subscribers' ids", m.type == STATUS and subs == [sub], (vars(m), subs))
    inv = b.next_msg()
    check("NOTIFY: the subscriber gets it as an INVOKE",
          inv.type == INVOKE and inv.str(A_METHOD) == "tick" and inv.u32(A_OBJID) == sub and inv.data() == {"n": 1},
          vars(inv))
    b.send(STATUS, inv.seq, inv.peer, u32(A_STATUS, 0) + u32(A_OBJID, sub))
    m = a.next_msg()
    check("... and its answer reaches the notifier", m.type == STATUS and m.u32(A_STATUS) == 0 and m.peer == sub, vars(m))
    st, _ = b.request(UNSUBSCRIBE, 0, u32(A_OBJID, sub) + u32(A_TARGET, pub))
    m = a.next_msg()
    check("UNSUBSCRIBE: the owner hears it is no longer watched",
          st == 0 and m.type == NOTIFY and m.a.get(A_ACTIVE) == b"\0", (st, vars(m)))

    # garbage: the daemon survives, the other clients are not affected
    for name, raw in (
        ("a blob shorter than its header", struct.pack(">BBHII", 0, INVOKE, 1, 0, 3)),
        ("an oversized message (16 MiB)", struct.pack(">BBHII", 0, INVOKE, 1, 0, 0xFFFFFF)),
    ):
        g = Client(sock)
        g.s.sendall(raw)
        try:
            closed = g.s.recv(100) == b""
        except (ConnectionResetError, socket.timeout):
            closed = True
        check("garbage: %s: the client is dropped" % name, closed)
    g = Client(sock)
    g.send(INVOKE, 7, 5, attr(A_OBJID, b"\0\0") + string(A_METHOD, "x"))
    m = g.recv()
    check("garbage: a malformed attribute: INVALID_ARGUMENT", m.type == STATUS and m.u32(A_STATUS) == 2 and m.seq == 7,
          vars(m))
    g.send(INVOKE, 8, 5, u32(A_OBJID, service) + string(A_METHOD, "list") + attr(A_DATA, attr(3, b"x\0")))
    m = g.recv()
    check("garbage: DATA that is not blobmsg: INVALID_ARGUMENT", m.type == STATUS and m.u32(A_STATUS) == 2, vars(m))
    g.send(99, 9, 0, b"")
    m = g.recv()
    check("garbage: an unknown message type: INVALID_COMMAND", m.type == STATUS and m.u32(A_STATUS) == 1, vars(m))
    deep = b""
    for _ in range(200):
        deep = bm(BM_ARRAY, "", deep)
    g.send(INVOKE, 10, 5, u32(A_OBJID, service) + string(A_METHOD, "list") + attr(A_DATA, bm(BM_TABLE, "t", deep)))
    m = g.recv()
    check("garbage: blobmsg nested 200 deep: INVALID_ARGUMENT", m.type == STATUS and m.u32(A_STATUS) == 2, vars(m))
    # a message in pieces, with pauses between them, is put together
    raw = struct.pack(">BBHI", 0, LOOKUP, 11, 0) + attr(0, string(A_OBJPATH, "system"))
    for i in range(0, len(raw), 5):
        g.s.sendall(raw[i:i + 5])
        time.sleep(0.02)
    m = g.recv()
    check("a message sent in 5-byte pieces is answered", m.type == DATA and m.str(A_OBJPATH) == "system", vars(m))
    g.recv()
    # a client that sends and never reads is dropped once its answers pile up
    slow = Client(sock)
    slow.s.setblocking(False)
    req = struct.pack(">BBHI", 0, LOOKUP, 1, 0) + attr(0, b"")
    dropped = False
    end = time.time() + 20
    while time.time() < end and not dropped:
        try:
            slow.s.send(req * 64)
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            dropped = True
    check("a client that never reads its answers is dropped (bounded buffers)", dropped)
    st, d = b.call(objs["system"][0], "board")
    check("after the garbage, another client is still served", st == 0 and d and "kernel" in d, (st, d))
    b.send(PING, 99, 0, b"")
    m = b.next_msg()
    check("PING answered", m.type == DATA and m.seq == 99, vars(m))

    interfaces_follow_config(sock)

    # a client going away takes its objects with it
    a.s.close()
    time.sleep(0.2)
    st, _ = b.lookup("test.echo")
    check("a disconnected client's objects are gone", st == 4, st)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
