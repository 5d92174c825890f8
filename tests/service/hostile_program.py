"""The program a hostile uploader runs: ``main(..., attack=NAME, **target)`` tries one escape
and returns what it saw.  Each ``attack_*`` function is one attempt of
``tests/service/test_hostile_jobs.py``; they report, they do not assert."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time


def main(backend, user_messenger, attack, **target):
    return globals()[f"attack_{attack}"](user_messenger, **target)


def _attempt(action):
    """``"ok"`` and the value, or the name of the error that stopped it."""
    try:
        return ["ok", action()]
    except Exception as error:  # noqa: BLE001
        return [type(error).__name__, str(error)[:200]]


def attack_environment(messenger, token):
    environ = dict(os.environ)
    found_in_proc = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if token.encode() in _read(f"/proc/{entry}/environ"):
                    found_in_proc.append(entry)
    return {
        "names": sorted(environ),
        "token_in_environ": any(token in value for value in environ.values()),
        "token_in_proc": found_in_proc,
    }


def attack_data_dir(messenger, data_dir, victim_blob):
    database = os.path.join(data_dir, "runtime-kit.sqlite3")
    return {
        "list": _attempt(lambda: os.listdir(data_dir)),
        "read_db": _attempt(lambda: _read(database, 100)),
        "read_wal": _attempt(lambda: _read(database + "-wal", 100)),
        "read_blob": _attempt(lambda: _read(victim_blob)),
        "write_db": _attempt(lambda: _sql(database, "UPDATE tokens SET role='admin'")),
        "write_blob": _attempt(lambda: _write(victim_blob, b"def main(b, m):\n  return 'pwned'\n")),
        "write_admin_token": _attempt(
            lambda: _write(os.path.join(data_dir, "admin-token"), b"rk_attacker_chosen\n")
        ),
    }


def _read(path, size=-1):
    with open(path, "rb") as handle:
        return handle.read(size)


def _sql(path, statement):
    import sqlite3

    connection = sqlite3.connect(path, timeout=1)
    connection.execute(statement)
    connection.commit()
    return "committed"


def _write(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
    return "written"


def attack_service_proc(messenger, service_pid):
    return {
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "cmdline": _attempt(lambda: _read(f"/proc/{service_pid}/cmdline")),
        "environ": _attempt(lambda: _read(f"/proc/{service_pid}/environ", 50)),
        "root": _attempt(lambda: os.listdir(f"/proc/{service_pid}/root")),
    }


def attack_signals(messenger, service_pid, victim_pid):
    return {
        "service": _attempt(lambda: os.kill(service_pid, signal.SIGKILL)),
        "victim": _attempt(lambda: os.kill(victim_pid, signal.SIGKILL)),
        "everyone": _attempt(_kill_all),
    }


def _kill_all():
    """Every pid this job can see, but its own."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (os.getpid(), 1):
            with contextlib.suppress(OSError):
                os.kill(int(entry), signal.SIGKILL)
    return "sent"


CLONE_NEWUSER, CLONE_NEWNET, MS_REMOUNT, MS_BIND = 0x10000000, 0x40000000, 32, 4096


def attack_capabilities(messenger, service_pid):
    libc = ctypes.CDLL(None, use_errno=True)

    def call(result):
        if result != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))
        return "succeeded"

    def setns(path):
        fd = os.open(path, os.O_RDONLY)
        return call(libc.setns(fd, 0))

    status = dict(line.split(":", 1) for line in _read("/proc/self/status").decode().splitlines())
    return {
        "uid": os.getuid(),
        "euid": os.geteuid(),
        "cap_eff": status["CapEff"].strip(),
        "cap_bnd": status["CapBnd"].strip(),
        "remount_rw": _attempt(lambda: call(libc.mount(None, b"/", None, MS_REMOUNT, None))),
        "remount_usr": _attempt(
            lambda: call(libc.mount(None, b"/usr", None, MS_REMOUNT | MS_BIND, None))
        ),
        "write_usr": _attempt(lambda: _write("/usr/pwned", b"x")),
        "new_userns": _attempt(lambda: call(libc.unshare(CLONE_NEWUSER))),
        "setns_service_net": _attempt(lambda: setns(f"/proc/{service_pid}/ns/net")),
        "setns_init_net": _attempt(lambda: setns("/proc/1/ns/net")),
        "setuid_root": _attempt(lambda: os.setuid(0)),
    }


def attack_other_job(messenger, victim_dir, secret):
    found = []
    for top in ("/job", "/tmp", "/", "/proc"):
        with contextlib.suppress(OSError):
            found += [name for name in os.listdir(top) if secret in name]
    cmdlines = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                cmdlines.append(_read(f"/proc/{entry}/cmdline"))
    return {
        "victim_dir": _attempt(lambda: os.listdir(victim_dir)),
        "secret_in_names": found,
        "secret_in_cmdlines": any(secret.encode() in line for line in cmdlines),
    }


def attack_network(messenger, service_port, other_port):
    def connect(port):
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return "connected"

    def own_loopback():
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            return "listening"

    return {
        "service": _attempt(lambda: connect(service_port)),
        "other": _attempt(lambda: connect(other_port)),
        "outside": _attempt(connect_outside),
        "own_loopback": _attempt(own_loopback),
        "ipv6": _attempt(lambda: socket.socket(socket.AF_INET6).close()),
        "raw": _attempt(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()),
    }


def connect_outside():
    with socket.create_connection(("1.1.1.1", 53), timeout=2):
        return "connected"


def attack_processes(messenger, count):
    children = []
    failure = None
    try:
        for _ in range(count):
            children.append(subprocess.Popen(["sleep", "60"]))
    except OSError as error:
        failure = [type(error).__name__, error.errno]
    started = len(children)
    for child in children:
        child.kill()
    return {"started": started, "failure": failure}


def attack_memory(messenger, children, mib):
    code = f'b = b"x" * ({mib} << 20)\nimport time\ntime.sleep(30)\n'  # touched: really used
    running = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(children)]
    # Each ends 30 s after it has touched its memory, unless the cap ends the job first; a
    # loaded machine may take a while to get there.
    deadline = time.monotonic() + 100
    for child in running:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            break
    return {"exit_codes": [child.poll() for child in running]}


def attack_disk(messenger, mib, path):
    chunk = b"\0" * (1 << 20)
    with open(path, "wb") as handle:
        for _ in range(mib):
            handle.write(chunk)
    return "wrote it all"


def attack_files(messenger, count, mib):
    for number in range(count):
        attack_disk(messenger, mib, f"/job/file-{number}")
    return "wrote them all"


def attack_interim(messenger, count, kib):
    payload = "x" * (kib << 10)
    for number in range(count):
        messenger.publish({"n": number, "data": payload})
    return "published it all"


def attack_detach(messenger, marker):
    """A daemon (double fork, new session) that would outlive the job; returns once it runs."""
    ready, told = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(told, b"up")
            os.execvp(
                sys.executable, [sys.executable, "-c", f"import time; time.sleep(600) # {marker}"]
            )
        os._exit(0)
    os.close(told)
    return "detached" if os.read(ready, 2) == b"up" else "not started"


def attack_detach_and_wait(messenger, marker):
    attack_detach(messenger, marker)
    time.sleep(600)


def attack_sleep(messenger, marker, seconds=600):
    """The victim: a secret in its own directory and its command line, then it waits."""
    with open(marker, "w") as handle:
        handle.write("victim's secret")
    messenger.publish({"pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd()})
    os.execvp(
        sys.executable, [sys.executable, "-c", f"import time; time.sleep({seconds}) # {marker}"]
    )


def attack_big_frame(messenger, declared, mib):
    """A frame header declaring ``declared`` bytes on the harness pipe, then ``mib`` MiB of
    it (the service used to allocate what the header said, and read it all)."""
    fd = messenger._fd
    os.write(fd, f"interim {declared}\n".encode())
    chunk = b"x" * (1 << 20)
    sent = 0
    with contextlib.suppress(OSError):
        for _ in range(mib):
            os.write(fd, chunk)
            sent += 1
    time.sleep(30)  # the service ends the job from the header; it should not get here
    return {"sent_mib": sent}


def attack_malformed_frame(messenger):
    """A header line with no end, then silence."""
    os.write(messenger._fd, b"interim " + b"9" * 4096)
    time.sleep(30)
    return "not stopped"


# (x86_64, aarch64) numbers of the calls attack_kernel_surface makes.
_NUMBERS = {
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "keyctl": (250, 219),
    "add_key": (248, 217), "request_key": (249, 218), "perf_event_open": (298, 241),
    "userfaultfd": (323, 282), "bpf": (321, 280), "getpid": (39, 172),
}  # fmt: skip


def attack_kernel_surface(messenger):
    """Calls a job has no use for: each should fail, with the errno's name returned."""
    import platform

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    column = 0 if platform.machine() == "x86_64" else 1

    def call(name, *args, number=None):
        number = _NUMBERS[name][column] if number is None else number
        result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
        if result == -1:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))
        return result

    attr = ctypes.create_string_buffer(128)
    seen = {
        "vsock": _attempt(lambda: socket.socket(40, socket.SOCK_STREAM).close()),
        "netlink": _attempt(lambda: socket.socket(16, socket.SOCK_RAW, 0).close()),
        "ptrace_init": _attempt(lambda: call("ptrace", 16, 1, 0, 0)),  # PTRACE_ATTACH pid 1
        "ptrace_traceme": _attempt(lambda: call("ptrace", 0, 0, 0, 0)),
        "process_vm_readv": _attempt(lambda: call("process_vm_readv", 1, 0, 0, 0, 0, 0)),
        "keyctl": _attempt(lambda: call("keyctl", 0, -3, 0)),  # the session keyring's id
        "add_key": _attempt(
            lambda: call(
                "add_key", ctypes.addressof(ctypes.create_string_buffer(b"user")), 0, 0, 0, -3
            )
        ),
        "request_key": _attempt(lambda: call("request_key", 0, 0, 0, 0)),
        "perf_event_open": _attempt(
            lambda: call("perf_event_open", ctypes.addressof(attr), 0, -1, -1, 0)
        ),
        "userfaultfd": _attempt(lambda: call("userfaultfd", 0)),
        "bpf": _attempt(lambda: call("bpf", 0, 0, 0)),
        "unix_socket": _attempt(lambda: socket.socketpair()[0].close() or "ok"),
    }
    if column == 0:  # x32: getpid through the x32 ABI
        seen["x32"] = _attempt(lambda: call("getpid", number=0x40000000 | 39))
    return {name: [what[0], what[1] if what[0] != "ok" else ""] for name, what in seen.items()}
