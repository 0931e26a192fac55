"""Which of bluesky's tests do not count (RunEngine internals) and which differ (xfail).

Keys are ``module::test`` (every parameter) or ``module::test[params]``, where ``module`` is
bluesky's test module without ``test_``.
"""

from __future__ import annotations

_SIGINT = (
    "sends SIGINT to the test process through bluesky's SigintHandler (patched by the test); "
    "skyscope's Ctrl-C handling is its own (tests/engine, tests/cli)"
)

INTERNALS: dict[str, str] = {
    "run_engine::test_panic_trap": "sets RE._state and RunEngineStateMachine's panicked state",
    "run_engine::test_reset": "reads RE._run_bundlers and calls RE.reset()",
    "run_engine::test_sideband_cancel": "cancels RE._task, the RunEngine's private task",
    "run_engine::test_print_commands": "prints RE._command_registry",
    "run_engine::test_dispatcher_unsubscribe_all": "bluesky's Dispatcher object (RE.dispatcher)",
    "run_engine::test_unsubscribe": "bluesky's Dispatcher object (RE.dispatcher)",
    "new_examples::test_custom_stream_name": "sets RE._require_stream_declaration",
    "run_engine::test_sigint_three_hits": _SIGINT,
    "run_engine::test_sigint_many_hits_pln": _SIGINT,
    "run_engine::test_sigint_many_hits_panic": _SIGINT,
    "run_engine::test_sigint_many_hits_cb": _SIGINT,
    "run_engine::test_single_sigint_interrupt_no_checkpoint": _SIGINT,
    "run_engine::test_single_sigint_hits_checkpoint": _SIGINT,
    "run_engine::test_single_sigint_no_carry_over": _SIGINT,
    "run_engine::test_double_sigint_interrupts_now": _SIGINT,
    "run_engine::test_sigint_during_suspender_active": _SIGINT,
    "run_engine::test_sigint_pause_during_active_suspension_no_devices": _SIGINT,
    "run_engine::test_sigint_in_not_pausable_state": _SIGINT,
}

XFAIL: dict[str, str] = {}
