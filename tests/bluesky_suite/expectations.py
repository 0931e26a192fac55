# ruff: noqa: E501  (a data table: one test id and its reason per line)
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

# Measured differences (run of 2026-12-03): each flips to XPASS, failing the suite, once fixed.
XFAIL: dict[str, str] = {
    "examples::test_seqnum_nonrepeated[False]": "kept by design: after a pause bluesky replays the event saved since the checkpoint, emitting seq_num 2 twice (two events, one seq_num, one stream); skyscope keeps the saved event and does not duplicate it, so (stream, seq_num) stays unique in the catalog",
    "examples::test_seqnum_nonrepeated[True]": "kept by design: after a pause bluesky replays the event saved since the checkpoint, emitting seq_num 2 twice (two events, one seq_num, one stream); skyscope keeps the saved event and does not duplicate it, so (stream, seq_num) stays unique in the catalog",
    "run_engine::test_1event_rewind[False]": "after the rewind bluesky re-emits the event saved between the checkpoint and the pause (seq_nums 1, 1, 2); skyscope does not repeat an event it already saved (a duplicate seq_num would corrupt the run), as in examples::test_seqnum_nonrepeated",
    "run_engine::test_1event_rewind[True]": "after the rewind bluesky re-emits the event saved between the checkpoint and the pause (seq_nums 1, 1, 2); skyscope does not repeat an event it already saved (a duplicate seq_num would corrupt the run), as in examples::test_seqnum_nonrepeated",
    "run_engine::test_max_depth[False]": "kept by design: RE.max_depth refuses a call made deeper than N frames in the caller's stack (a guard for typing RE(plan) at a prompt); skyscope's engine is awaited, always from inside a coroutine, so the caller's stack depth says nothing about misuse",
    "run_engine::test_max_depth[True]": "kept by design: RE.max_depth refuses a call made deeper than N frames in the caller's stack (a guard for typing RE(plan) at a prompt); skyscope's engine is awaited, always from inside a coroutine, so the caller's stack depth says nothing about misuse",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor0-det0-msg_seq0]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor0-det0-msg_seq0]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "suspenders::test_pre_suspend_plan[False-<lambda>-<lambda>-expected_list3]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-None-post_plan1-expected_list1]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-pre_plan0-None-expected_list0]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-pre_plan2-post_plan2-expected_list2]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-<lambda>-<lambda>-expected_list3]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-None-post_plan1-expected_list1]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-pre_plan0-None-expected_list0]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-pre_plan2-post_plan2-expected_list2]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
}

FLAKY: dict[str, str] = {
    # xfail(strict=False): the test races a thread of its own, under bluesky's RunEngine too
    # (figures of 2026-12-04, each test id run 20-75 times in this harness, both parameters)
    "new_examples::test_descriptor_layout_from_monitor": (
        "races ophyd's SynPeriodicSignal thread (its first put comes right after "
        "start_simulation(), then after sleeps of max(0, 1+randn) s) against the monitor's "
        "configuration read: a put between that read and the test's own fails it. skyscope "
        "reads sooner (~0.5 ms after start_simulation, bluesky ~1.5 ms), so loses the race more "
        "often: 13 of 150 runs fail (bluesky's RunEngine: 1 of 80; 5 of 200 vs 1 of 200 outside "
        "pytest); same read, same message as bluesky"
    ),
    "suspenders::test_unresumable_suspend_fail": (
        "asserts 0.1 s < elapsed, elapsed measured from after a 0.1 s Timer thread started: it "
        "needs the engine to take longer to abort than the test takes to start a second Timer "
        "and read the clock. Fails 18 of 40 here, bluesky's RunEngine 6 of 40 (its loop in "
        "debug mode); outside pytest both fail 9 of 15, both reacting in ~0.7 ms"
    ),
}
