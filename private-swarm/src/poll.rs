//! Polling with a deadline, for tests and benches that wait on engines: the one helper the
//! test binaries of this workspace share.

use std::time::{Duration, Instant};

/// Calls `probe` every 200 ms until it returns `Ok`, and returns that value. After
/// `timeout` it panics with `what` and the last observation `probe` returned, so a failing
/// test says what it waited for and what it saw instead.
pub fn eventually<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if Instant::now() >= deadline => panic!("{what}: still not true after {timeout:?}; last: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::eventually;
    use std::time::Duration;

    #[test]
    fn returns_the_first_ok_after_the_failures_before_it() {
        let mut calls = 0;
        let v = eventually("the third call", Duration::from_secs(5), || {
            calls += 1;
            if calls < 3 {
                Err(format!("call {calls}"))
            } else {
                Ok(calls * 10)
            }
        });
        assert_eq!((v, calls), (30, 3));
    }

    #[test]
    fn names_what_it_waited_for_and_the_last_observation() {
        let mut calls = 0;
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            eventually::<()>("node2 Ready", Duration::ZERO, || {
                calls += 1;
                Err(format!("node2 Down ({calls})"))
            })
        }))
        .unwrap_err();
        let said = panic.downcast_ref::<String>().unwrap();
        assert_eq!(said, "node2 Ready: still not true after 0ns; last: node2 Down (1)");
    }
}
