#!/usr/bin/env python3
"""Run a command (the test suite) and fail if it leaves processes behind.

Usage: scripts/no_leftovers.py --watch PATH [--watch PATH...] -- CMD [ARG...]

Two checks, because a leaked process can escape either one alone:
  * This process becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER),
    so every process CMD starts, even one whose parent died or that
    daemonized, stays our descendant. After CMD exits, any descendant still
    alive is a leftover.
  * Every process whose command line mentions a watched path (the build
    folder, the suite's temporary folder) is counted before CMD starts and
    after it ends; one that appeared in between is a leftover.
Leftovers get a grace period of a few seconds to exit on their own, then
each is named (pid and command line), killed, and the exit status is 1.
Otherwise the exit status is CMD's.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
GRACE_S = 5.0


def proc_table():
    """{pid: (ppid, cmdline)} for every live, non-zombie process."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields after
        # the last ')' are fixed.
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] == "Z":
            continue
        table[int(d)] = (int(fields[1]), cmd.strip())
    return table


def descendants(table, root):
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], list(kids.get(root, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def watched(table, paths):
    me = os.getpid()
    return {p for p, (_, cmd) in table.items()
            if p != me and any(w in cmd for w in paths)}


def leftovers(before, paths):
    table = proc_table()
    left = set(descendants(table, os.getpid()))
    left |= watched(table, paths) - before
    return {p: table[p][1] for p in left if p in table}


def main():
    args = sys.argv[1:]
    paths = []
    while args and args[0] == "--watch":
        paths.append(os.path.realpath(args[1]))
        args = args[2:]
    if not args or args[0] != "--" or len(args) < 2:
        sys.exit(__doc__)
    cmd = args[1:]
    before = watched(proc_table(), paths)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("no_leftovers.py: prctl(PR_SET_CHILD_SUBREAPER): %s"
                 % os.strerror(ctypes.get_errno()))
    rc = subprocess.call(cmd)
    deadline = time.monotonic() + GRACE_S
    while True:
        # Reap orphans that ended (they are our children now).
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        left = leftovers(before, paths)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if not left:
        print("no_leftovers: no test left a process running")
        return rc
    print("no_leftovers: FAIL: %d process(es) outlived the suite:" % len(left))
    for pid, cmdline in sorted(left.items()):
        print("  %d  %s" % (pid, cmdline[:300]))
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return 1


sys.exit(main())
