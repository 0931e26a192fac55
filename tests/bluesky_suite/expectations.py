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
    "examples::test_simple_fly[False]": "flyer describe_collect lacks source/dtype/shape: event-model's schema refuses that descriptor, so skyscope does too",
    "examples::test_simple_fly[True]": "flyer describe_collect lacks source/dtype/shape: event-model's schema refuses that descriptor, so skyscope does too",
    "new_examples::test_cache_used_correct_number_of_times_for_object[False]": "a device method is called fewer times than bluesky calls it",
    "new_examples::test_cache_used_correct_number_of_times_for_object[True]": "a device method is called fewer times than bluesky calls it",
    "new_examples::test_stage_all_and_unstage_all[False]": "timing expectation (wall clock) differs",
    "new_examples::test_stage_all_and_unstage_all[True]": "timing expectation (wall clock) differs",
    "plans::test_input_plan[False]": "no 'input' command",
    "plans::test_input_plan[True]": "no 'input' command",
    "plans::test_reset_wrapper[False]": "an event skyscope's document checks refuse",
    "plans::test_reset_wrapper[True]": "an event skyscope's document checks refuse",
    "run_engine::test_1event_rewind[False]": "message order/number differs around pause/rewind",
    "run_engine::test_1event_rewind[True]": "message order/number differs around pause/rewind",
    "run_engine::test_abs_set_fails[False-False]": "the failed Status surfaces as the device's own error, not FailedStatus",
    "run_engine::test_abs_set_fails[True-False]": "the failed Status surfaces as the device's own error, not FailedStatus",
    "run_engine::test_deferred_pause_requested[False-0.1-False]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_deferred_pause_requested[False-1.4-True]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_deferred_pause_requested[False-None-False]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_deferred_pause_requested[True-0.1-False]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_deferred_pause_requested[True-1.4-True]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_deferred_pause_requested[True-None-False]": "RunEngine attribute skyscope has no counterpart for: deferred_pause_requested",
    "run_engine::test_empty_cache_pause[False]": "the run ended instead of pausing (skyscope aborts a pause it cannot rewind; bluesky resumes without replay)",
    "run_engine::test_empty_cache_pause[True]": "the run ended instead of pausing (skyscope aborts a pause it cannot rewind; bluesky resumes without replay)",
    "run_engine::test_exception_cascade_REside[False]": "request_suspend(pre_plan=...) on a PAUSED engine: bluesky runs that pre_plan on resume and throws its error into the plan; skyscope's requested suspension acts only on a running plan (pause/suspenders group)",
    "run_engine::test_exception_cascade_REside[True]": "request_suspend(pre_plan=...) on a PAUSED engine: bluesky runs that pre_plan on resume and throws its error into the plan; skyscope's requested suspension acts only on a running plan (pause/suspenders group)",
    "run_engine::test_exception_cascade_planside[False]": "request_suspend(pre_plan=...) on a PAUSED engine: bluesky runs that pre_plan on resume and throws its error into the plan; skyscope's requested suspension acts only on a running plan (pause/suspenders group)",
    "run_engine::test_exception_cascade_planside[True]": "request_suspend(pre_plan=...) on a PAUSED engine: bluesky runs that pre_plan on resume and throws its error into the plan; skyscope's requested suspension acts only on a running plan (pause/suspenders group)",
    "run_engine::test_invalid_generator[False]": "request_suspend(pre_plan=...) on a PAUSED engine (skyscope acts on it only while running, pause/suspenders group), and bluesky's stderr text 'The plan ... tried to yield a value on close'",
    "run_engine::test_invalid_generator[True]": "request_suspend(pre_plan=...) on a PAUSED engine (skyscope acts on it only while running, pause/suspenders group), and bluesky's stderr text 'The plan ... tried to yield a value on close'",
    "run_engine::test_max_depth[False]": "kept by design: RE.max_depth refuses a call made deeper than N frames in the caller's stack (a guard for typing RE(plan) at a prompt); skyscope's engine is awaited, always from inside a coroutine, so the caller's stack depth says nothing about misuse",
    "run_engine::test_max_depth[True]": "kept by design: RE.max_depth refuses a call made deeper than N frames in the caller's stack (a guard for typing RE(plan) at a prompt); skyscope's engine is awaited, always from inside a coroutine, so the caller's stack depth says nothing about misuse",
    "run_engine::test_no_rewind[False]": "the run ended instead of pausing (skyscope aborts a pause it cannot rewind; bluesky resumes without replay)",
    "run_engine::test_no_rewind[True]": "the run ended instead of pausing (skyscope aborts a pause it cannot rewind; bluesky resumes without replay)",
    "run_engine::test_nonrewindable_finalizer[False-False-msg_seq1]": "message stream differs (bluesky emits extra 'rewindable' messages around a non-rewindable plan)",
    "run_engine::test_nonrewindable_finalizer[False-True-msg_seq0]": "message stream differs (bluesky emits extra 'rewindable' messages around a non-rewindable plan)",
    "run_engine::test_nonrewindable_finalizer[True-False-msg_seq1]": "message stream differs (bluesky emits extra 'rewindable' messages around a non-rewindable plan)",
    "run_engine::test_nonrewindable_finalizer[True-True-msg_seq0]": "message stream differs (bluesky emits extra 'rewindable' messages around a non-rewindable plan)",
    "run_engine::test_record_interruptions[False]": "RunEngine attribute skyscope has no counterpart for: record_interruptions",
    "run_engine::test_record_interruptions[True]": "RunEngine attribute skyscope has no counterpart for: record_interruptions",
    "run_engine::test_self_describe[False]": "custom command handlers get skyscope's context, not the RunEngine",
    "run_engine::test_self_describe[True]": "custom command handlers get skyscope's context, not the RunEngine",
    "run_engine::test_set_failed_before_watch_raises_immediately[False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_set_failed_before_watch_raises_immediately[True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_set_finished_before_watch_completes_immediately[False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_set_finished_before_watch_completes_immediately[True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_stage_and_unstage_status_objects[False]": "unstage of staged devices at the end differs",
    "run_engine::test_stage_and_unstage_status_objects[True]": "unstage of staged devices at the end differs",
    "run_engine::test_unrewindable_det[False-test_plan-motor0-det0-msg_seq0]": "pause in a non-rewindable section: skyscope aborts (FailedPause), bluesky raises NoReplayAllowed",
    "run_engine::test_unrewindable_det[True-test_plan-motor0-det0-msg_seq0]": "pause in a non-rewindable section: skyscope aborts (FailedPause), bluesky raises NoReplayAllowed",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor0-det0-msg_seq0]": "pause in a non-rewindable section: skyscope aborts (FailedPause), bluesky raises NoReplayAllowed",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender') into the message stream; skyscope does not",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor0-det0-msg_seq0]": "pause in a non-rewindable section: skyscope aborts (FailedPause), bluesky raises NoReplayAllowed",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender') into the message stream; skyscope does not",
    "run_engine::test_wait_returns_based_on_watch_raises[False-False-WaitForTimeoutError-0.5]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_returns_based_on_watch_raises[False-True-FailedStatus-0.1]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_returns_based_on_watch_raises[True-False-WaitForTimeoutError-0.5]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_returns_based_on_watch_raises[True-True-FailedStatus-0.1]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_then_add_to_groups[False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_then_add_to_groups[True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_when_one_status_returns_raises[False-False-WaitForTimeoutError-0.5]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_when_one_status_returns_raises[False-True-FailedStatus-0.1]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_when_one_status_returns_raises[True-False-WaitForTimeoutError-0.5]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_when_one_status_returns_raises[True-True-FailedStatus-0.1]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_with_planstub_coroutine[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_wait_with_planstub_coroutine[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_wait_with_planstub_status[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_wait_with_planstub_status[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_wait_with_planstub_timeout[False]": "wait_for timeout raises skyscope's WaitTimeout (a TimeoutError), not bluesky's WaitForTimeoutError",
    "run_engine::test_wait_with_planstub_timeout[True]": "wait_for timeout raises skyscope's WaitTimeout (a TimeoutError), not bluesky's WaitForTimeoutError",
    "run_engine::test_wait_with_timeout[False-False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_with_timeout[False-True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_with_timeout[True-False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_with_timeout[True-True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_wait_with_timeout_can_be_repeated[False]": "Msg('wait', timeout=...): bluesky raises TimeoutError and keeps the group for a later wait; skyscope differs",
    "run_engine::test_wait_with_timeout_can_be_repeated[True]": "Msg('wait', timeout=...): bluesky raises TimeoutError and keeps the group for a later wait; skyscope differs",
    "run_engine::test_waiting_hook[False]": "a plan gets a different response to a message",
    "run_engine::test_waiting_hook[True]": "a plan gets a different response to a message",
    "run_engine::test_watch_finished_before_set_return_when_set_finishes[False]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "run_engine::test_watch_finished_before_set_return_when_set_finishes[True]": "hangs under skyscope (pytest-timeout): waits on bluesky's loop/thread timing",
    "suspenders::test_deferred_pause_from_suspend[False]": "a suspension/pause interplay ends differently (skyscope holds instead of pausing)",
    "suspenders::test_deferred_pause_from_suspend[True]": "a suspension/pause interplay ends differently (skyscope holds instead of pausing)",
    "suspenders::test_pause_from_suspend[False]": "a suspension/pause interplay ends differently (skyscope holds instead of pausing)",
    "suspenders::test_pause_from_suspend[True]": "a suspension/pause interplay ends differently (skyscope holds instead of pausing)",
    "suspenders::test_pre_suspend_plan[False-<lambda>-<lambda>-expected_list3]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[False-None-post_plan1-expected_list1]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[False-pre_plan0-None-expected_list0]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[False-pre_plan2-post_plan2-expected_list2]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[True-<lambda>-<lambda>-expected_list3]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[True-None-post_plan1-expected_list1]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[True-pre_plan0-None-expected_list0]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pre_suspend_plan[True-pre_plan2-post_plan2-expected_list2]": "suspender pre/post plans: bluesky replays them into the rewound plan's messages, skyscope runs them as side plans",
    "suspenders::test_pretripped[False]": "a bluesky suspender tripped before the plan starts: bluesky holds before the first message, skyscope does not",
    "suspenders::test_pretripped[True]": "a bluesky suspender tripped before the plan starts: bluesky holds before the first message, skyscope does not",
    "suspenders::test_suspender_plans[False]": "suspenders installed by a plan are not listed the same way",
    "suspenders::test_suspender_plans[True]": "suspenders installed by a plan are not listed the same way",
}

_TIMING = "timing-dependent here (2 shared cores): passes or fails from run to run under skyscope"

FLAKY: dict[str, str] = {
    # xfail(strict=False): measured to both pass and fail under skyscope on this machine
    "new_examples::test_descriptor_layout_from_monitor": (
        "compares configuration read after the run with the descriptor's, of a simulated "
        "detector whose configuration changes while it runs: " + _TIMING
    ),
    "suspenders::test_unresumable_suspend_fail": "asserts a wall-clock lower bound; " + _TIMING,
}
