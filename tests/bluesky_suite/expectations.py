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
    "examples::test_seqnum_nonrepeated[False]": "after a rewind bluesky re-emits the event already saved (seq_num 2 twice); skyscope does not",
    "examples::test_seqnum_nonrepeated[True]": "after a rewind bluesky re-emits the event already saved (seq_num 2 twice); skyscope does not",
    "new_examples::test_cache_used_correct_number_of_times_for_object[False]": "skyscope reads a device's configuration once per run and reuses it in each stream's descriptor (read_configuration called 1 time); bluesky reads it again for every new stream (4): a bundler choice, not waiting",
    "new_examples::test_cache_used_correct_number_of_times_for_object[True]": "skyscope reads a device's configuration once per run and reuses it in each stream's descriptor (read_configuration called 1 time); bluesky reads it again for every new stream (4): a bundler choice, not waiting",
    "plans::test_reset_wrapper[False]": "ophyd's simulated pseudo3x3 describes its real axes as dtype 'integer' yet reads floats (-0.0): skyscope's event check refuses a value that contradicts its descriptor, bluesky emits it unchecked",
    "plans::test_reset_wrapper[True]": "ophyd's simulated pseudo3x3 describes its real axes as dtype 'integer' yet reads floats (-0.0): skyscope's event check refuses a value that contradicts its descriptor, bluesky emits it unchecked",
    "run_engine::test_1event_rewind[False]": "after the rewind bluesky re-emits the event saved between the checkpoint and the pause (seq_nums 1, 1, 2); skyscope does not repeat an event it already saved (a duplicate seq_num would corrupt the run), as in examples::test_seqnum_nonrepeated",
    "run_engine::test_1event_rewind[True]": "after the rewind bluesky re-emits the event saved between the checkpoint and the pause (seq_nums 1, 1, 2); skyscope does not repeat an event it already saved (a duplicate seq_num would corrupt the run), as in examples::test_seqnum_nonrepeated",
    "run_engine::test_abs_set_fails[False-False]": "abs_set(wait=False) of a Status that fails while nobody waits for it: bluesky throws FailedStatus into the plan at its next step; skyscope reports a Status's failure where the plan waits for it, so an unwaited one passes unnoticed (a gap in the run loop, _loop.py, left open here: raising it at the plan's end would double-report moves a timed-out wait already stopped)",
    "run_engine::test_abs_set_fails[True-False]": "abs_set(wait=False) of a Status that fails while nobody waits for it: bluesky throws FailedStatus into the plan at its next step; skyscope reports a Status's failure where the plan waits for it, so an unwaited one passes unnoticed (a gap in the run loop, _loop.py, left open here: raising it at the plan's end would double-report moves a timed-out wait already stopped)",
    "run_engine::test_broken_read_exception[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_broken_read_exception[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_exception_cascade_REside[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_exception_cascade_REside[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_exception_cascade_planside[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_exception_cascade_planside[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_exit_raise[False-<lambda>-RequestAbort]": "RE.abort/stop from a callback: the plan is thrown skyscope's RequestAbort/RequestStop, not bluesky's",
    "run_engine::test_exit_raise[False-<lambda>-RequestStop]": "RE.abort/stop from a callback: the plan is thrown skyscope's RequestAbort/RequestStop, not bluesky's",
    "run_engine::test_exit_raise[True-<lambda>-RequestAbort]": "RE.abort/stop from a callback: the plan is thrown skyscope's RequestAbort/RequestStop, not bluesky's",
    "run_engine::test_exit_raise[True-<lambda>-RequestStop]": "RE.abort/stop from a callback: the plan is thrown skyscope's RequestAbort/RequestStop, not bluesky's",
    "run_engine::test_failing_describe_callback[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_failing_describe_callback[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_force_stop_exit_status[False-abort-abort]": "exit status differs for a run ended from a callback",
    "run_engine::test_force_stop_exit_status[False-stop-success]": "exit status differs for a run ended from a callback",
    "run_engine::test_force_stop_exit_status[True-abort-abort]": "RunEngine attribute skyscope has no counterpart for: NO_PLAN_RETURN",
    "run_engine::test_force_stop_exit_status[True-halt-abort]": "RunEngine attribute skyscope has no counterpart for: NO_PLAN_RETURN",
    "run_engine::test_force_stop_exit_status[True-resume-success]": "RunEngine attribute skyscope has no counterpart for: NO_PLAN_RETURN",
    "run_engine::test_force_stop_exit_status[True-stop-success]": "RunEngine attribute skyscope has no counterpart for: NO_PLAN_RETURN",
    "run_engine::test_invalid_generator[False]": "the stop reason text differs",
    "run_engine::test_invalid_generator[True]": "the stop reason text differs",
    "run_engine::test_many_context_managers[False]": "RunEngine attribute skyscope has no counterpart for: context_managers",
    "run_engine::test_many_context_managers[True]": "RunEngine attribute skyscope has no counterpart for: context_managers",
    "run_engine::test_max_depth[False]": "RunEngine attribute skyscope has no counterpart for: max_depth",
    "run_engine::test_max_depth[True]": "RunEngine attribute skyscope has no counterpart for: max_depth",
    "run_engine::test_need_both_stage_and_unstage_for_stagable[False]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_need_both_stage_and_unstage_for_stagable[True]": "an exception raised in a subscriber/cleanup is recorded, not re-raised by the call, as bluesky does",
    "run_engine::test_no_context_manager[False]": "a plan's KeyboardInterrupt aborts the run (RunEngineInterrupted) rather than propagating",
    "run_engine::test_no_context_manager[True]": "a plan's KeyboardInterrupt aborts the run (RunEngineInterrupted) rather than propagating",
    "run_engine::test_old_subscribe[False]": "bluesky warns (UserWarning) where skyscope does not",
    "run_engine::test_old_subscribe[True]": "bluesky warns (UserWarning) where skyscope does not",
    "run_engine::test_preprocessors[False]": "message stream differs around subscribe/unsubscribe",
    "run_engine::test_preprocessors[True]": "message stream differs around subscribe/unsubscribe",
    "run_engine::test_raise_if_interrupted_deprecation[False]": "bluesky warns (UserWarning) where skyscope does not",
    "run_engine::test_raise_if_interrupted_deprecation[True]": "bluesky warns (UserWarning) where skyscope does not",
    "run_engine::test_self_describe[False]": "Msg('RE_class') asks the RunEngine for its own class: bluesky-internal introspection; skyscope's vocabulary has no such command (an unknown command is refused with InvalidCommand, as in bluesky)",
    "run_engine::test_self_describe[True]": "Msg('RE_class') asks the RunEngine for its own class: bluesky-internal introspection; skyscope's vocabulary has no such command (an unknown command is refused with InvalidCommand, as in bluesky)",
    "run_engine::test_state_hook[False]": "state transitions are reported through RE.state_hook in bluesky only",
    "run_engine::test_state_hook[True]": "state transitions are reported through RE.state_hook in bluesky only",
    "run_engine::test_thread_name[False]": "the adapter's loop thread is not named as bluesky's",
    "run_engine::test_thread_name[True]": "the adapter's loop thread is not named as bluesky's",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor0-det0-msg_seq0]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[False-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor0-det0-msg_seq0]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_unrewindable_det_suspend[True-test_plan-motor1-det1-msg_seq1]": "bluesky inserts its own messages ('_start_suspender', 'rewindable', 'wait_for', '_resume_from_suspender') into the message stream a msg_hook sees; skyscope holds the plan without messages of its own (its msg_hook sees the plan's messages only)",
    "run_engine::test_wait_with_planstub_coroutine[False]": "bluesky's wait_for hands back the tasks and leaves a failed one for the plan to inspect; skyscope's raises the first failure into the plan, so an awaitable that fails (a camera burst) fails the plan rather than passing unnoticed",
    "run_engine::test_wait_with_planstub_coroutine[True]": "bluesky's wait_for hands back the tasks and leaves a failed one for the plan to inspect; skyscope's raises the first failure into the plan, so an awaitable that fails (a camera burst) fails the plan rather than passing unnoticed",
    "run_engine::test_wait_with_planstub_status[False]": "bluesky's wait_for hands back the tasks and leaves a failed one for the plan to inspect; skyscope's raises the first failure into the plan, so an awaitable that fails (a camera burst) fails the plan rather than passing unnoticed",
    "run_engine::test_wait_with_planstub_status[True]": "bluesky's wait_for hands back the tasks and leaves a failed one for the plan to inspect; skyscope's raises the first failure into the plan, so an awaitable that fails (a camera burst) fails the plan rather than passing unnoticed",
    "suspenders::test_pre_suspend_plan[False-<lambda>-<lambda>-expected_list3]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-None-post_plan1-expected_list1]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-pre_plan0-None-expected_list0]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[False-pre_plan2-post_plan2-expected_list2]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-<lambda>-<lambda>-expected_list3]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-None-post_plan1-expected_list1]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-pre_plan0-None-expected_list0]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_pre_suspend_plan[True-pre_plan2-post_plan2-expected_list2]": "bluesky's msg_hook sees its own messages around the hold ('_start_suspender', 'rewindable', '_resume_from_suspender'); skyscope runs the same pre/post plans and shows the hold as the one 'wait_for' it executes, adding none of bluesky's internal commands",
    "suspenders::test_suspender_plans[False]": "a suspender installed by Msg('install_suspender') stays installed after the plan in bluesky; in skyscope it lasts as long as the plan (a plan that fails half-way leaves no suspender holding later plans)",
    "suspenders::test_suspender_plans[True]": "a suspender installed by Msg('install_suspender') stays installed after the plan in bluesky; in skyscope it lasts as long as the plan (a plan that fails half-way leaves no suspender holding later plans)",
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
