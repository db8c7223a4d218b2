#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# hmp.py SOCKET COMMAND: send one command to a QEMU human monitor on a
# unix socket (-monitor unix:SOCKET,server=on,wait=off) and print what it
# answered. QEMU may be busy (a vCPU stuck in a device reset waits for
# the block layer): wait for it, up to a few minutes.
import socket
import sys
import time

PROMPT = b"(qemu) "


def read_until_prompt(sock, deadline):
    buf = b""
    while not buf.endswith(PROMPT):
        sock.settimeout(max(0.1, deadline - time.time()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def main():
    path, cmd = sys.argv[1], " ".join(sys.argv[2:])
    deadline = time.time() + 300
    while True:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            break
        except OSError as err:
            if time.time() > deadline:
                print(f"hmp: cannot connect to {path}: {err}")
                return 1
            time.sleep(0.5)
    read_until_prompt(sock, deadline)
    sock.sendall(cmd.encode() + b"\n")
    out = read_until_prompt(sock, deadline).decode(errors="replace")
    # The monitor echoes the command line; drop it and the prompt.
    lines = [l for l in out.replace("\r", "").split("\n")
             if l.strip() and not l.startswith("(qemu)")]
    print("\n".join(lines[1:] if lines and cmd in lines[0] else lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
