"""One sandbox per user, shared by every ``--sandbox`` server process (issue 27.6).

Clients that start a server process per call (LangChain's and llama-index's defaults) must see their own
writes: the first ``--sandbox`` server starts the sandbox as a background process on a loopback port and
records it in the user's state folder; later ones reuse it. Beside it live the sandbox servers' SQLite store
(credit cap, cursors' signing key) and a confirmation key, so those hold across processes too.
``outbound-mcp sandbox --reset`` stops it and clears all of it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mcp_server.core.errors import ConfigError
from mcp_server.core.state.sqlite import default_path
from mcp_server.locks import FileLock

PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
START_WAIT = 60.0  # seconds a new sandbox may take to start on a loaded machine
STOP_WAIT = 10.0
RESET_COMMAND = "outbound-mcp sandbox --reset"


def shared_dir() -> Path:
    """``$XDG_STATE_HOME/outbound-mcp/sandbox`` (``~/.local/state`` when unset), beside the default store."""
    return default_path().parent / "sandbox"


@dataclass(frozen=True)
class SharedSandbox:
    folder: Path

    @property
    def record(self) -> Path:
        return self.folder / "sandbox.json"

    @property
    def alive_lock(self) -> FileLock:
        """Held by the sandbox process for as long as it runs."""
        return FileLock(self.folder / "alive.lock")

    @property
    def start_lock(self) -> FileLock:
        """Held while a server checks for, or starts, the sandbox: two servers never start two."""
        return FileLock(self.folder / "start.lock")

    @property
    def log(self) -> Path:
        return self.folder / "sandbox.log"

    @property
    def store(self) -> str:
        return f"sqlite:///{self.folder / 'state.sqlite3'}"

    def running(self) -> bool:
        return self.alive_lock.is_held_elsewhere() and self.record.exists()

    def environment(self) -> tuple[str, dict[str, str]]:
        """The sandbox's origin and the variables pointing the providers at it."""
        data = json.loads(self.record.read_text())
        return str(data["origin"]), {str(k): str(v) for k, v in dict(data["environment"]).items()}

    def ensure(self) -> tuple[str, dict[str, str]]:
        """The running sandbox, started first if there is none."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.start_lock:
            if not self.running():
                self.record.unlink(missing_ok=True)
                self._start()
            return self.environment()

    def _start(self) -> None:
        command = [sys.executable, "-m", "mcp_server", "sandbox", "--shared-in", str(self.folder)]
        # This package's own folder first on the path: a bundle runs it from its folder, not site-packages.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        with self.log.open("ab") as log:
            child = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own session: Ctrl-C in the terminal of the server that started it does not reach it.
                start_new_session=sys.platform != "win32",
                creationflags=getattr(subprocess, "DETACHED_PROCESS", 0),
            )
        deadline = time.monotonic() + START_WAIT
        while not self.running():
            if child.poll() is not None or time.monotonic() > deadline:
                raise ConfigError(
                    f"--sandbox: the shared sandbox did not start ({self._last_log_line()}); see {self.log}",
                    variable="--sandbox",
                )
            time.sleep(0.02)

    def _last_log_line(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        return lines[-1] if lines else "no output"

    def secret(self) -> str:
        """This user's sandbox confirmation key, made on first use (0600)."""
        path = self.folder / "state-secret"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
        return path.read_text().strip()

    def pid(self) -> int | None:
        """The running sandbox's process id, or None."""
        return int(json.loads(self.record.read_text())["pid"]) if self.running() else None

    def reset(self) -> bool:
        """Stop the sandbox and delete its data; True when one was running."""
        if not self.folder.exists():
            return False
        with self.start_lock:
            was_running = self.running()
            if was_running:
                self._stop()
            for path in self.folder.iterdir():
                if path.name != "start.lock":
                    path.unlink(missing_ok=True)
        return was_running

    def stop(self) -> None:
        """Stop the sandbox, keeping its data files."""
        with self.start_lock:
            if self.running():
                self._stop()
                self.record.unlink(missing_ok=True)

    def _stop(self) -> None:
        pid = int(json.loads(self.record.read_text())["pid"])
        # Signalled only while it holds its lock, so a reused pid is never hit.
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT
        while self.alive_lock.is_held_elsewhere() and time.monotonic() < deadline:
            time.sleep(0.02)


def write_record(folder: Path, origin: str, environment: dict[str, str]) -> None:
    """Called by the sandbox process once it listens: atomically, so a reader never sees half of it."""
    partial = folder / "sandbox.json.partial"
    partial.write_text(json.dumps({"pid": os.getpid(), "origin": origin, "environment": environment}))
    partial.replace(folder / "sandbox.json")
