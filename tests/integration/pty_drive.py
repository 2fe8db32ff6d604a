"""pty_drive.py ANSWER... -- CMD...: run CMD on a new terminal (its
controlling tty), answer each prompt ending in ":" with the next ANSWER,
print what the terminal showed, and exit with CMD's status. For tests of
password prompts: what the terminal showed must not hold the answers."""
import os, pty, sys, time
i = sys.argv.index("--")
answers, cmd = sys.argv[1:i], sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen = b""
mark = 0  # answered up to here
deadline = time.time() + 120
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if answers and seen[mark:].rstrip().endswith(b":"):
        # A person answers after the prompt, not before it.
        time.sleep(0.1)
        os.write(fd, answers.pop(0).encode() + b"\n")
        mark = len(seen)
    if time.time() > deadline:
        break
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
