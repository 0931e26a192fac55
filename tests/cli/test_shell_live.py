"""``skyscope shell`` typed at through a pseudo-terminal: its loop keeps running between prompts.

A real IPython with its normal (prompt_toolkit) prompt in a child process, driven by pexpect as
a user would type; what it draws goes through pyte, a terminal emulator, so the tests read the
screen the user would see (the bottom toolbar included: pyte answers prompt_toolkit's
cursor-position requests, without which prompt_toolkit draws no toolbar).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")
pytest.importorskip("IPython")

ROWS, COLUMNS = 40, 160
START_S = 60.0  # IPython and the simulated microscope start slowly on a busy machine
WAIT_S = 30.0


class Terminal:
    """A shell in a pseudo-terminal, and the screen it draws: type lines, wait for text."""

    def __init__(self, child: Any, log: IO[str]) -> None:
        self.child = child
        self.log = log
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.screen.write_process_input = child.send  # the terminal's answers go back
        self.stream = pyte.Stream(self.screen)

    def write(self, text: str) -> None:
        """Take what the shell printed (pexpect's ``logfile_read``)."""
        self.log.write(text)
        self.stream.feed(text)

    def flush(self) -> None:
        self.log.flush()

    @property
    def text(self) -> str:
        """The screen as it looks now, one line per row."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, pattern: str, timeout: float = WAIT_S) -> re.Match[str]:
        """Read the shell's output until ``pattern`` shows on the screen; return its match."""
        deadline = time.monotonic() + timeout
        while (match := re.search(pattern, self.text)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never showed on the screen:\n{self.text}")
            with contextlib.suppress(pexpect.TIMEOUT):  # nothing new yet: look again
                self.child.read_nonblocking(65536, timeout=0.1)
        return match

    def run(self, line: str, prompt_number: int) -> None:
        """Type ``line`` at the prompt numbered ``prompt_number``, and wait for the next one."""
        self.child.sendline(line)
        self.wait_for(rf"In \[{prompt_number + 1}\]:")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Terminal]:
    ipython_dir = tmp_path / "ipython" / "profile_default"
    ipython_dir.mkdir(parents=True)
    # no colours: prompts and output come out as plain text to match
    (ipython_dir / "ipython_config.py").write_text('c.InteractiveShell.colors = "nocolor"\n')
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        **os.environ,
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        "TERM": "xterm",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "skyscope.cli", "shell", "--data-dir", str(tmp_path / "data")],
        env=env,
        encoding="utf-8",
        dimensions=(ROWS, COLUMNS),
        timeout=WAIT_S,
    )
    with (tmp_path / "terminal.log").open("w") as log:
        terminal = Terminal(child, log)
        child.logfile_read = terminal
        try:
            terminal.wait_for(r"In \[1\]:", timeout=START_S)
            yield terminal
            child.sendline("exit")
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 0
        finally:
            if child.isalive():
                child.terminate(force=True)


def test_a_live_view_keeps_counting_frames_between_prompts(shell: Terminal) -> None:
    shout = "lambda f: f.number in (30, 60) and print(f'FRAME {f.number}')"
    shell.run(f"view = LiveView(); t = view.subscribe({shout})", 1)
    shell.run("h = engine.start(live(scope.camera, view))", 2)
    shell.child.send("x = 1 + ")  # half a line typed, no Enter: the plan goes on meanwhile
    shell.wait_for(r"FRAME 30")
    shell.wait_for(r"FRAME 60")
    shell.wait_for(r"\n live: running$")  # the bottom toolbar, on the last line
    assert re.search(r"^In \[3\]: x = 1 \+$", shell.text, re.MULTILINE), shell.text
    shell.run("2", 3)
    shell.child.sendline("print('COUNT', view.count, h.done())")
    count = int(shell.wait_for(r"COUNT (\d+) False").group(1))
    assert count > 60
    shell.child.sendline("r = await h.stop(); print('STOPPED', r.exit_status, h.done())")
    shell.wait_for(r"STOPPED success True")


def test_ensure_future_in_a_plain_cell_runs_between_prompts(shell: Terminal) -> None:
    shell.run("t = asyncio.ensure_future(asyncio.sleep(0.01, 'slept'))", 1)
    shell.child.sendline("print('RESULT', t.result())")  # done while the prompt waited
    shell.wait_for(r"RESULT slept")


def test_mda_progress_shows_in_the_toolbar(shell: Terminal) -> None:
    sequence = "useq.MDASequence(time_plan={'interval': 0.1, 'loops': 20})"
    shell.run(f"h = engine.start(mda({sequence}, scope))", 1)
    shell.wait_for(r"mda: running, \d+/20 frames, ETA \d+:\d\d, -?\d+\.\d\d s late")
    shell.child.sendline("r = await h; print('DONE', r.exit_status, h.progress.frames_done)")
    shell.wait_for(r"DONE success 20")
    shell.wait_for(r"mda: success, 20/20 frames")


def test_a_forgotten_await_gets_a_hint(shell: Terminal) -> None:
    shell.run("engine(count([scope.camera], 1))", 1)
    shell.wait_for(r"hint: Engine.__call__\(\.\.\.\) is a coroutine and has not run: put `await`")
    shell.run("_.close(); count([scope.camera], 1)", 2)
    shell.wait_for(r"hint: count\(\.\.\.\) is a plan and has not run: `await engine\(count")


def test_a_plan_traceback_shows_the_plan_not_the_engine(shell: Terminal) -> None:
    shell.run("from skyscope.engine import Msg", 1)
    shell.run("async def lost(): yield Msg('null'); raise ValueError('focus lost')", 2)
    shell.run("await engine(lost())", 3)
    screen = shell.wait_for(r"(?s)Traceback.*ValueError: focus lost.*hidden: %tb shows them")
    shown = screen.group(0)
    assert "raise ValueError('focus lost')" in shown
    assert "_loop.py" not in shown
    assert "_engine.py" not in shown


def test_ctrl_c_while_awaiting_a_plan_pauses_it_and_gives_the_prompt_back(
    shell: Terminal,
) -> None:
    shell.run("view = LiveView(); h = engine.start(live(scope.camera, view))", 1)
    shell.child.sendline("print('AWAITING'); r = await h; print('RETURNED', r.paused)")
    shell.wait_for(r"\nAWAITING")  # the cell runs: Ctrl-C is a signal now, not a key
    shell.child.sendintr()
    shell.wait_for(r"skyscope: pausing at the next checkpoint")
    shell.wait_for(r"RETURNED True")
    shell.wait_for(r"\n live: paused$")
    shell.run("h.resume(); n = view.count", 3)
    shell.wait_for(r"\n live: running$")
    shell.child.sendline("r = await h.stop(); print('STOPPED', r.exit_status, view.count > n)")
    shell.wait_for(r"STOPPED success True")
    # the plan has ended: Ctrl-C in a plain cell interrupts it, as in any IPython
    shell.child.sendline("import time; print('SLEEPING'); time.sleep(50)")
    shell.wait_for(r"\nSLEEPING")
    shell.child.sendintr()
    shell.wait_for(r"KeyboardInterrupt")
