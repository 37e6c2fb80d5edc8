"""``make run``'s server: the web server and the Huey worker together; Ctrl-C stops both, quietly.

A shell ``trap 'kill 0'`` also signalled make itself, which then reported the children's deaths
("Segmentation fault", "Error 130"). Here one parent starts both children in their own process
groups, forwards the first Ctrl-C or SIGTERM as SIGTERM, waits for both and exits 0.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args = parser.parse_args()
    python = sys.executable
    children = [
        subprocess.Popen([python, "manage.py", "run_huey", "--quiet"], start_new_session=True),
        subprocess.Popen(
            [python, "manage.py", "runserver", "--noreload", f"{args.host}:{args.port}"], start_new_session=True
        ),
    ]
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        # Either child ending (a port in use, say) ends the other too.
        while all(child.poll() is None for child in children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[1].wait(timeout=0.5)
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    if stopping and all(child.returncode in (0, -signal.SIGTERM) for child in children):
        print("\nStopped the web server and the background worker.")
        return 0
    return max(abs(child.returncode or 0) for child in children)


if __name__ == "__main__":
    sys.exit(main())
