//! The reconnect policy of `docs/sse.md`, as exact delays: a clean end waits exactly the
//! reconnection time, failures back off from it with jitter, some endings stop for good.

use std::time::Duration;

use ssedash::feed::reconnect::{
    Decision, Ending, FLOOR, MAX_RETRY_AFTER, MIN_FAILURE_DELAY, Policy, Reconnect, When,
};
use ssedash::sse::{Item, parse_all};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The documented defaults, spelled out so that each test reads on its own.
fn policy() -> Policy {
    Policy {
        when: When::Always,
        initial: ms(3000),
        max: ms(60_000),
        factor: 2.0,
        jitter: 0.5,
        floor: FLOOR,
    }
}

fn reconnect(policy: Policy) -> Reconnect {
    Reconnect::new(policy)
}

fn network_error() -> Ending {
    Ending::NetworkError("connection refused".into())
}

fn status(status: u16) -> Ending {
    Ending::RetryableStatus {
        status,
        retry_after: None,
        detail: None,
    }
}

fn delay_of(decision: &Decision) -> Duration {
    match decision {
        Decision::Retry { delay, .. } => *delay,
        other => panic!("expected a retry, got {other:?}"),
    }
}

/// The delays of `n` network failures in a row.
fn failure_delays(r: &mut Reconnect, n: usize, sample: f64) -> Vec<Duration> {
    (0..n)
        .map(|_| delay_of(&r.decide(network_error(), sample)))
        .collect()
}

#[test]
fn the_defaults_are_the_documented_ones() {
    let default = Policy::default();
    assert_eq!(default.when, When::Always);
    assert_eq!(default.initial, ms(3000));
    assert_eq!(default.max, ms(60_000));
    assert_eq!(default.factor, 2.0);
    assert_eq!(default.jitter, 0.3);
    assert_eq!(default.floor, FLOOR);
    // SSE.md: the floor of a clean reconnect lies between 250 ms and 1 s.
    assert!(FLOOR >= ms(250) && FLOOR <= ms(1000));
    assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(3600));
}

// ---------------------------------------------------------------------------------------------
// Clean end of stream

#[test]
fn a_clean_end_waits_exactly_the_reconnection_time_without_jitter() {
    let mut r = reconnect(policy());
    assert_eq!(r.reconnection_time(), ms(3000));
    assert_eq!(
        r.decide(Ending::CleanEnd, 0.0),
        Decision::Retry {
            delay: ms(3000),
            attempt: 2,
            status: None,
            reason: "end of stream".into(),
        }
    );
    // Whatever the jitter sample, and however many clean ends in a row: no backoff.
    for sample in [0.999, 0.5, 0.0, 0.999] {
        assert_eq!(delay_of(&r.decide(Ending::CleanEnd, sample)), ms(3000));
    }
}

#[test]
fn a_server_retry_replaces_the_reconnection_time() {
    let mut r = reconnect(policy());
    r.set_retry(1234);
    assert_eq!(r.reconnection_time(), ms(1234));
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.7)), ms(1234));
    r.set_retry(45_000);
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.7)), ms(45_000));
    // A retry above the failure cap still holds for a clean end.
    r.set_retry(120_000);
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.0)), ms(120_000));
}

#[test]
fn a_retry_below_the_floor_is_raised_to_it_on_a_clean_end() {
    let mut r = reconnect(policy());
    r.set_retry(0);
    assert_eq!(r.reconnection_time(), ms(0));
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.0)), FLOOR);
    r.set_retry(FLOOR.as_millis() as u64 - 1);
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.0)), FLOOR);
    r.set_retry(FLOOR.as_millis() as u64 + 1);
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.0)), FLOOR + ms(1));
}

#[test]
fn a_small_configured_delay_is_raised_to_the_floor_on_a_clean_end() {
    let mut r = reconnect(Policy {
        initial: ms(100),
        ..policy()
    });
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.0)), FLOOR);
}

// ---------------------------------------------------------------------------------------------
// Failures

#[test]
fn failures_back_off_exponentially_from_the_reconnection_time_up_to_the_cap() {
    let mut r = reconnect(policy());
    assert_eq!(
        failure_delays(&mut r, 8, 0.0),
        [3000, 6000, 12_000, 24_000, 48_000, 60_000, 60_000, 60_000].map(ms)
    );
}

#[test]
fn backoff_starts_from_a_server_retry() {
    let mut r = reconnect(policy());
    r.set_retry(1000);
    assert_eq!(
        failure_delays(&mut r, 4, 0.0),
        [1000, 2000, 4000, 8000].map(ms)
    );
}

#[test]
fn the_factor_and_the_cap_are_the_policys() {
    let mut r = reconnect(Policy {
        initial: ms(1000),
        factor: 3.0,
        max: ms(20_000),
        ..policy()
    });
    assert_eq!(
        failure_delays(&mut r, 5, 0.0),
        [1000, 3000, 9000, 20_000, 20_000].map(ms)
    );
}

#[test]
fn a_retry_above_the_cap_is_kept_for_failures() {
    let mut r = reconnect(policy());
    r.set_retry(90_000);
    assert_eq!(failure_delays(&mut r, 3, 0.0), [90_000; 3].map(ms));
}

#[test]
fn jitter_shortens_a_failure_delay_by_the_sampled_fraction() {
    // jitter 0.5: sample 0 keeps the full delay, sample 0.5 takes off a quarter.
    let mut r = reconnect(policy());
    assert_eq!(delay_of(&r.decide(network_error(), 0.0)), ms(3000));
    let mut r = reconnect(policy());
    assert_eq!(delay_of(&r.decide(network_error(), 0.5)), ms(2250));
    let mut r = reconnect(policy());
    r.decide(network_error(), 0.0);
    assert_eq!(delay_of(&r.decide(network_error(), 0.5)), ms(4500));

    let mut r = reconnect(Policy {
        jitter: 0.25,
        ..policy()
    });
    assert_eq!(delay_of(&r.decide(network_error(), 0.5)), ms(2625));
}

#[test]
fn jitter_never_takes_off_more_than_its_fraction() {
    // Sample 0.999 is almost the largest: 3000 ms * (1 - 0.5 * 0.999) = 1501.5 ms.
    let mut r = reconnect(policy());
    let delay = delay_of(&r.decide(network_error(), 0.999));
    assert!(delay >= ms(1500), "{delay:?}");
    assert!(
        delay.abs_diff(Duration::from_micros(1_501_500)) <= Duration::from_nanos(1),
        "{delay:?}"
    );
    // A sample out of range is clamped: never longer than the full delay, never below 1 - jitter.
    let mut r = reconnect(policy());
    assert_eq!(delay_of(&r.decide(network_error(), -3.0)), ms(3000));
    let mut r = reconnect(policy());
    assert_eq!(delay_of(&r.decide(network_error(), 7.0)), ms(1500));
}

#[test]
fn no_jitter_means_exact_delays() {
    let mut r = reconnect(Policy {
        jitter: 0.0,
        ..policy()
    });
    assert_eq!(
        failure_delays(&mut r, 3, 0.999),
        [3000, 6000, 12_000].map(ms)
    );
}

#[test]
fn opening_resets_the_failure_count() {
    let mut r = reconnect(policy());
    assert_eq!(failure_delays(&mut r, 3, 0.0), [3000, 6000, 12_000].map(ms));
    r.opened();
    assert_eq!(failure_delays(&mut r, 2, 0.0), [3000, 6000].map(ms));
}

#[test]
fn restart_resets_the_failure_count_and_counts_an_attempt() {
    let mut r = reconnect(policy());
    failure_delays(&mut r, 3, 0.0);
    assert_eq!(r.attempt(), 4);
    r.restart();
    assert_eq!(r.attempt(), 5);
    assert_eq!(
        r.decide(network_error(), 0.0),
        Decision::Retry {
            delay: ms(3000),
            attempt: 6,
            status: None,
            reason: "connection refused".into(),
        }
    );
}

#[test]
fn a_retry_of_zero_does_not_push_failures_below_the_floor() {
    let mut r = reconnect(policy());
    r.set_retry(0);
    assert_eq!(
        failure_delays(&mut r, 3, 0.0),
        [FLOOR, FLOOR * 2, FLOOR * 4]
    );
}

#[test]
fn a_configured_delay_of_zero_does_not_turn_failures_into_a_busy_loop() {
    let mut r = reconnect(Policy {
        initial: ms(0),
        ..policy()
    });
    assert_eq!(
        failure_delays(&mut r, 3, 0.0),
        [
            MIN_FAILURE_DELAY,
            MIN_FAILURE_DELAY * 2,
            MIN_FAILURE_DELAY * 4
        ]
    );
}

#[test]
fn jitter_does_not_take_a_failure_below_the_minimum_delay() {
    // MIN_FAILURE_DELAY is "the least any failure waits".
    let mut r = reconnect(Policy {
        initial: ms(0),
        jitter: 0.3,
        ..policy()
    });
    let delay = delay_of(&r.decide(network_error(), 0.999));
    assert!(delay >= MIN_FAILURE_DELAY, "{delay:?}");
}

// ---------------------------------------------------------------------------------------------
// HTTP statuses and Retry-After

#[test]
fn server_errors_timeouts_and_rate_limits_are_retried_with_backoff() {
    for (code, phrase) in [
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        (503, "Service Unavailable"),
        (504, "Gateway Timeout"),
        (408, "Request Timeout"),
        (429, "Too Many Requests"),
    ] {
        let mut r = reconnect(policy());
        assert_eq!(
            r.decide(status(code), 0.0),
            Decision::Retry {
                delay: ms(3000),
                attempt: 2,
                status: Some(code),
                reason: format!("HTTP {code} {phrase}"),
            }
        );
        assert_eq!(delay_of(&r.decide(status(code), 0.0)), ms(6000));
    }
}

fn retry_after(code: u16, after: Duration) -> Ending {
    Ending::RetryableStatus {
        status: code,
        retry_after: Some(after),
        detail: None,
    }
}

#[test]
fn a_status_reason_carries_the_phrase_and_what_the_body_said() {
    let mut r = reconnect(policy());
    let decision = r.decide(
        Ending::RetryableStatus {
            status: 503,
            retry_after: None,
            detail: Some("down for \x1b maintenance".into()),
        },
        0.0,
    );
    match decision {
        Decision::Retry { reason, .. } => {
            assert_eq!(
                reason,
                "HTTP 503 Service Unavailable: down for \x1b maintenance"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_longer_retry_after_lengthens_the_backoff_even_past_the_cap() {
    let mut r = reconnect(policy());
    failure_delays(&mut r, 3, 0.0);
    // The fourth failure backs off 24 s; the server asks for more.
    assert_eq!(
        r.decide(retry_after(503, Duration::from_secs(30)), 0.999),
        Decision::Retry {
            delay: Duration::from_secs(30),
            attempt: 5,
            status: Some(503),
            reason: "HTTP 503 Service Unavailable".into(),
        }
    );
    assert_eq!(
        delay_of(&r.decide(retry_after(429, Duration::from_secs(600)), 0.0)),
        Duration::from_secs(600)
    );
    // It is still a failure: the backoff went on growing meanwhile.
    assert_eq!(delay_of(&r.decide(network_error(), 0.0)), ms(60_000));
}

#[test]
fn a_shorter_retry_after_never_shortens_the_backoff() {
    let mut r = reconnect(policy());
    failure_delays(&mut r, 3, 0.0);
    // The fourth failure backs off 24 s (less with jitter); `Retry-After: 1` changes neither.
    assert_eq!(
        delay_of(&r.decide(retry_after(503, Duration::from_secs(1)), 0.0)),
        ms(24_000)
    );
    let mut r = reconnect(policy());
    failure_delays(&mut r, 3, 0.0);
    assert_eq!(
        delay_of(&r.decide(retry_after(503, Duration::from_secs(1)), 0.5)),
        ms(18_000)
    );
}

#[test]
fn ten_retry_after_zero_or_past_responses_in_a_row_back_off_exponentially() {
    // `Retry-After: 0` and an HTTP date in the past both arrive as a zero delay.
    for code in [503, 429] {
        let mut plain = reconnect(policy());
        let mut zero = reconnect(policy());
        let mut want = Vec::new();
        let mut got = Vec::new();
        for _ in 0..10 {
            want.push(delay_of(&plain.decide(status(code), 0.0)));
            got.push(delay_of(
                &zero.decide(retry_after(code, Duration::ZERO), 0.0),
            ));
        }
        assert_eq!(got, want, "like a plain {code}");
        let secs: Vec<u64> = got.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [3, 6, 12, 24, 48, 60, 60, 60, 60, 60]);
    }
    // With jitter too: the same sample gives the same delay as a plain 503.
    let mut plain = reconnect(policy());
    let mut zero = reconnect(policy());
    for sample in [0.1, 0.9, 0.5, 0.0, 0.99] {
        assert_eq!(
            delay_of(&zero.decide(retry_after(503, Duration::ZERO), sample)),
            delay_of(&plain.decide(status(503), sample))
        );
    }
}

#[test]
fn retry_after_is_capped_at_an_hour() {
    let mut r = reconnect(policy());
    let decision = r.decide(retry_after(429, Duration::from_secs(2 * 3600)), 0.0);
    assert_eq!(delay_of(&decision), MAX_RETRY_AFTER);
    let decision = r.decide(retry_after(429, Duration::MAX), 0.0);
    assert_eq!(delay_of(&decision), MAX_RETRY_AFTER);
}

#[test]
fn a_retry_after_of_zero_still_waits_the_minimum_delay() {
    // MIN_FAILURE_DELAY is "the least any failure waits", even with no initial delay at all.
    let mut r = reconnect(Policy {
        initial: Duration::ZERO,
        ..policy()
    });
    let decision = r.decide(retry_after(503, Duration::ZERO), 0.999);
    assert!(delay_of(&decision) >= MIN_FAILURE_DELAY, "{decision:?}");
}

#[test]
fn no_content_closes_for_good() {
    for when in [When::Always, When::OnError, When::Never] {
        let mut r = reconnect(Policy { when, ..policy() });
        assert_eq!(
            r.decide(Ending::NoContent, 0.0),
            Decision::Close {
                status: Some(204),
                reason: "HTTP 204 No Content: the server asked to stop".into(),
            }
        );
        assert_eq!(r.attempt(), 1);
    }
}

#[test]
fn a_stop_event_closes_for_good() {
    let mut r = reconnect(policy());
    assert_eq!(
        r.decide(Ending::StopEvent("close".into()), 0.0),
        Decision::Close {
            status: None,
            reason: "stop event \"close\"".into(),
        }
    );
}

#[test]
fn a_fatal_ending_fails() {
    for when in [When::Always, When::OnError, When::Never] {
        let mut r = reconnect(Policy { when, ..policy() });
        assert_eq!(
            r.decide(
                Ending::Fatal {
                    status: Some(404),
                    reason: "HTTP 404".into(),
                },
                0.0
            ),
            Decision::Fail {
                status: Some(404),
                reason: "HTTP 404".into(),
            }
        );
        assert_eq!(
            r.decide(
                Ending::Fatal {
                    status: None,
                    reason: "Content-Type text/plain".into(),
                },
                0.0
            ),
            Decision::Fail {
                status: None,
                reason: "Content-Type text/plain".into(),
            }
        );
        assert_eq!(r.attempt(), 1);
    }
}

#[test]
fn a_user_disconnect_closes() {
    let mut r = reconnect(policy());
    assert_eq!(
        r.decide(Ending::UserDisconnect, 0.0),
        Decision::Close {
            status: None,
            reason: "disconnected".into(),
        }
    );
}

// ---------------------------------------------------------------------------------------------
// When to reconnect at all

#[test]
fn on_error_closes_on_a_clean_end_but_retries_errors() {
    let mut r = reconnect(Policy {
        when: When::OnError,
        ..policy()
    });
    assert_eq!(
        r.decide(Ending::CleanEnd, 0.0),
        Decision::Close {
            status: None,
            reason: "end of stream".into(),
        }
    );
    assert_eq!(delay_of(&r.decide(network_error(), 0.0)), ms(3000));
    assert_eq!(
        r.decide(status(503), 0.0),
        Decision::Retry {
            delay: ms(6000),
            attempt: 3,
            status: Some(503),
            reason: "HTTP 503 Service Unavailable".into(),
        }
    );
}

#[test]
fn never_closes_on_a_clean_end_and_fails_on_errors() {
    let mut r = reconnect(Policy {
        when: When::Never,
        ..policy()
    });
    assert_eq!(
        r.decide(Ending::CleanEnd, 0.0),
        Decision::Close {
            status: None,
            reason: "end of stream".into(),
        }
    );
    assert_eq!(
        r.decide(network_error(), 0.0),
        Decision::Fail {
            status: None,
            reason: "connection refused".into(),
        }
    );
    for code in [500, 503, 408, 429] {
        assert_eq!(
            r.decide(retry_after(code, Duration::from_secs(1)), 0.0),
            Decision::Fail {
                status: Some(code),
                reason: ssedash::feed::reconnect::status_reason(code, None),
            }
        );
    }
    assert_eq!(r.attempt(), 1);
}

// ---------------------------------------------------------------------------------------------
// Attempts and extremes

#[test]
fn each_retry_numbers_the_next_attempt() {
    let mut r = reconnect(policy());
    assert_eq!(r.attempt(), 1);
    let attempts: Vec<u32> = [
        Ending::CleanEnd,
        network_error(),
        status(503),
        Ending::CleanEnd,
    ]
    .into_iter()
    .map(|ending| match r.decide(ending, 0.0) {
        Decision::Retry { attempt, .. } => attempt,
        other => panic!("{other:?}"),
    })
    .collect();
    assert_eq!(attempts, [2, 3, 4, 5]);
    assert_eq!(r.attempt(), 5);
    // Stopping does not count an attempt.
    r.decide(Ending::NoContent, 0.0);
    assert_eq!(r.attempt(), 5);
}

#[test]
fn a_twenty_digit_retry_saturates_without_panic() {
    // What the parser makes of `retry: 99999999999999999999`, fed to the state machine.
    let items = parse_all(b"retry: 99999999999999999999\n\n", 1024);
    assert_eq!(items, [Item::Retry(u64::MAX)]);
    let mut r = reconnect(policy());
    r.set_retry(u64::MAX);
    assert_eq!(r.reconnection_time(), ms(u64::MAX));
    assert_eq!(delay_of(&r.decide(Ending::CleanEnd, 0.5)), ms(u64::MAX));
    // Failures back off from it: capped at the reconnection time itself (the server's retry may
    // exceed the policy's cap), exact to the precision of an f64.
    for delay in failure_delays(&mut r, 100, 0.0) {
        assert!(
            delay.abs_diff(ms(u64::MAX)) < Duration::from_secs(1),
            "{delay:?}"
        );
    }
    let delay = delay_of(&r.decide(network_error(), 0.999));
    assert!(
        delay < ms(u64::MAX) && delay >= ms(u64::MAX / 2 - 1000),
        "{delay:?}"
    );
}

#[test]
fn many_failures_stay_at_the_cap_without_panic() {
    let mut r = reconnect(policy());
    let delays = failure_delays(&mut r, 10_000, 0.0);
    assert_eq!(delays[9_999], ms(60_000));
    assert_eq!(r.attempt(), 10_001);
    // A huge factor overflows f64 to infinity; the cap still holds.
    let mut r = reconnect(Policy {
        factor: 1e300,
        ..policy()
    });
    assert_eq!(
        failure_delays(&mut r, 4, 0.0),
        [3000, 60_000, 60_000, 60_000].map(ms)
    );
}

#[test]
fn a_factor_below_one_does_not_shrink_the_delay() {
    let mut r = reconnect(Policy {
        factor: 0.5,
        ..policy()
    });
    assert_eq!(failure_delays(&mut r, 3, 0.0), [3000; 3].map(ms));
}
