"""-o never destroys what is at the path: devices, FIFOs, sockets and links are written in
place or through; regular files keep their mode; every check happens before sending."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from tests.support.gateway import pattern_bytes

BODY = pattern_bytes(1000)


def test_dev_null_stays_a_device(cli, profiles, gateway):
    r = cli("get", "open", "/bytes", "n==1000", "-o", "/dev/null")
    assert r.code == 0, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_symlink_to_a_device_stays_a_link(cli, profiles, gateway, tmp_path):
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    r = cli("get", "open", "/bytes", "n==1000", "-o", link)
    assert r.code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_in_place(cli, profiles, gateway, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []

    def reader():
        with open(fifo, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    r = cli("get", "open", "/bytes", "n==1000", "-o", fifo)
    t.join(10)
    assert r.code == 0, r.stderr
    assert got == [BODY]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_unix_socket_is_written_in_place(cli, profiles, gateway, tmp_path):
    path = str(tmp_path / "s.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    got = bytearray()

    def accept():
        conn, _ = server.accept()
        with conn:
            while piece := conn.recv(65536):
                got.extend(piece)

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    r = cli("get", "open", "/bytes", "n==1000", "-o", path)
    t.join(10)
    server.close()
    assert r.code == 0, r.stderr
    assert bytes(got) == BODY
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_symlink_to_a_file_replaces_the_target_and_keeps_the_link(cli, profiles, gateway, tmp_path):
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    r = cli("get", "open", "/bytes", "n==1000", "-o", link)
    assert r.code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == BODY
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_existing_file_keeps_its_mode(cli, profiles, gateway, tmp_path, mode):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    out.chmod(mode)
    r = cli("get", "open", "/bytes", "n==1000", "-o", out)
    assert r.code == 0, r.stderr
    assert out.read_bytes() == BODY
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_empty_output_name_is_a_usage_error_and_nothing_is_sent(cli, profiles, gateway):
    r = cli("post", "open", "/x", "a=1", "-o", "")
    assert r.code == 2
    assert "-o needs a file name" in r.stderr
    assert gateway.received == []


@pytest.mark.parametrize("where", ["missing/dir/out", "adir"])
def test_a_post_never_goes_out_when_its_output_cannot_be_written(cli, profiles, gateway, tmp_path,
                                                                 where):
    (tmp_path / "adir").mkdir()
    r = cli("post", "open", "/x", "a=1", "-o", tmp_path / where)
    assert r.code == 2
    assert gateway.received == []


def test_dev_stdout_and_proc_fd_are_written_in_place(run, profiles, gateway):
    r = run("get", "open", "/bytes", "n==1000", "-o", "/dev/stdout")
    assert r.code == 0, r.stderr
    assert r.stdout == BODY
    assert os.path.islink("/dev/stdout")
    r = run("get", "open", "/bytes", "n==1000", "-o", "/proc/self/fd/2")
    assert r.code == 0
    assert BODY.decode() in r.stderr


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_leave_no_partial_file(profiles, gateway, tmp_path, sig, code):
    out_dir = tmp_path / "dl"
    out_dir.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "restcli", "get", "open", "/slow", "n==400", "delay==0.05",
         "-o", str(out_dir / "f.bin")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(out_dir.iterdir()):
        time.sleep(0.05)
    assert any(p.name.endswith(".part") for p in out_dir.iterdir())
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    assert list(out_dir.iterdir()) == []


def test_fifo_without_a_reader_is_refused_before_sending(cli, profiles, gateway, tmp_path,
                                                         monkeypatch):
    import restcli.output.download

    monkeypatch.setattr(restcli.output.download, "READER_WAIT", 0.2)
    fifo = tmp_path / "lonely"
    os.mkfifo(fifo)
    r = cli("post", "open", "/x", "a=1", "-o", fifo)
    assert r.code == 2, r.stderr
    assert "no process is reading this FIFO" in r.stderr
    assert gateway.received == []


def test_a_unix_socket_nobody_listens_on_is_refused_before_sending(cli, profiles, gateway,
                                                                    tmp_path):
    path = str(tmp_path / "stale.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()  # the file stays; nothing listens behind it
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    r = cli("post", "open", "/x", "a=1", "-o", path)
    assert r.code == 2, r.stderr
    assert "cannot connect to this socket" in r.stderr
    assert gateway.received == []
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_new_file_under_dev_shm_is_an_ordinary_file(cli, profiles, gateway):
    shm = "/dev/shm"
    if not os.path.isdir(shm) or not os.access(shm, os.W_OK | os.X_OK):
        pytest.skip("no writable /dev/shm here")
    out = os.path.join(shm, f"restcli-test-{os.getpid()}-{time.monotonic_ns()}")
    try:
        r = cli("get", "open", "/bytes", "n==1000", "-o", out)
        assert r.code == 0, r.stderr
        assert stat.S_ISREG(os.lstat(out).st_mode)
        with open(out, "rb") as f:
            assert f.read() == BODY
    finally:
        if os.path.lexists(out):
            os.unlink(out)


def _as_root():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root (device nodes, another owner)")


def test_a_character_device_made_here_stays_a_device(cli, profiles, gateway, tmp_path):
    _as_root()
    (tmp_path / "dev").mkdir()
    node = tmp_path / "dev" / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("this container may not make device nodes")
    r = cli("get", "open", "/bytes", "n==1000", "-o", node)
    assert r.code == 0, r.stderr
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert [p.name for p in (tmp_path / "dev").iterdir()] == ["null"]  # no temporary file


def test_an_existing_file_keeps_its_owner(cli, profiles, gateway, tmp_path):
    _as_root()
    out = tmp_path / "owned.bin"
    out.write_bytes(b"old")
    os.chown(out, 12345, 23456)
    out.chmod(0o640)
    r = cli("get", "open", "/bytes", "n==1000", "-o", out)
    assert r.code == 0, r.stderr
    st = out.stat()
    assert (st.st_uid, st.st_gid) == (12345, 23456)
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert out.read_bytes() == BODY
