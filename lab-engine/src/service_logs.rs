//! The last lines of a service's logs, for the report of a service whose tasks fail: the
//! reason a container gives before it exits (postgres: *superuser password is not
//! specified*) is in its logs, not in the task's error (`task: non-zero exit (1)`).
//!
//! One `GET /services/{id}/logs?stdout=1&stderr=1&tail=N` per failing service, bounded in
//! time ([`TIME_LIMIT`]) and in bytes ([`BYTE_LIMIT`]: reading stops there, whatever the
//! engine's frames claim), demultiplexed from the engine's stream format here rather than
//! by bollard, whose decoder buffers a frame of any announced length. The lines are engine
//! text: made safe for a terminal line, cut to [`LINE_LIMIT`] characters. An engine that
//! keeps no logs (logging driver `none`, or one it cannot read back) gives no lines and no
//! error: the cause is then the task's error alone.

use crate::connection::Connection;
use crate::untrusted::terminal_line;
use futures_util::StreamExt;
use std::time::Duration;

/// Log lines asked of each task (`tail`): the swarm answers up to this many per task.
const TAIL: usize = 20;
/// Lines kept for the report: the last distinct ones (postgres explains itself in seven).
pub const KEPT_LINES: usize = 8;
/// Bytes read from one answer at most.
pub const BYTE_LIMIT: usize = 64 * 1024;
/// Characters kept of one line.
pub const LINE_LIMIT: usize = 240;
/// How long one service's logs may take (a node that is down can hold the answer open).
pub const TIME_LIMIT: Duration = Duration::from_secs(3);

/// The last lines of the logs of service `service_id`, oldest first; empty when the engine
/// keeps none, refuses, or does not answer in [`TIME_LIMIT`].
pub async fn last_lines(conn: &Connection, service_id: &str) -> Vec<String> {
    let path = format!("/services/{service_id}/logs?stdout=1&stderr=1&tail={TAIL}");
    let mut body = Box::pin(raw_get(conn, path));
    let mut bytes: Vec<u8> = Vec::new();
    let read = async {
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else { break };
            let room = BYTE_LIMIT - bytes.len();
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() >= BYTE_LIMIT {
                break;
            }
        }
    };
    // What arrived before the time ran out is kept.
    let _ = tokio::time::timeout(TIME_LIMIT, read).await;
    last_distinct(demultiplex(&bytes), KEPT_LINES)
}

/// The raw body of a GET of `path_and_query`. bollard has no raw GET of its own; its
/// container export is one whose body it streams untouched, so that request is sent with
/// its path swapped for ours (the `/vX.Y` version prefix kept).
fn raw_get(
    conn: &Connection,
    path_and_query: String,
) -> impl futures_util::Stream<Item = Result<hyper::body::Bytes, bollard::errors::Error>> {
    let docker = conn.docker.clone().with_request_modifier(move |mut req| {
        let uri = req.uri().clone();
        let path = uri.path();
        let version = path.find("/containers/").map(|i| &path[..i]).unwrap_or("");
        let mut parts = uri.clone().into_parts();
        if let Ok(pq) = format!("{version}{path_and_query}").parse() {
            parts.path_and_query = Some(pq);
            if let Ok(swapped) = hyper::Uri::from_parts(parts) {
                *req.uri_mut() = swapped;
            }
        }
        req
    });
    docker.export_container("swarm-lab-logs")
}

/// The text of a log answer, by lines. Without a TTY the engine frames each write as
/// `[stream, 0, 0, 0, size (4 bytes, big-endian)]` + payload (stream 0 stdin, 1 stdout, 2
/// stderr); a service with a TTY sends the raw text. A frame cut short (by the byte limit)
/// keeps what arrived.
pub fn demultiplex(bytes: &[u8]) -> Vec<String> {
    let framed = bytes.len() >= 8 && bytes[0] <= 2 && bytes[1..4] == [0, 0, 0];
    let mut text: Vec<u8> = Vec::with_capacity(bytes.len());
    if framed {
        let mut rest = bytes;
        while rest.len() >= 8 && rest[0] <= 2 && rest[1..4] == [0, 0, 0] {
            let size = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
            let payload = &rest[8..];
            let take = size.min(payload.len());
            text.extend_from_slice(&payload[..take]);
            // A frame's end is a line's end even when the writer left out the newline.
            if !text.ends_with(b"\n") {
                text.push(b'\n');
            }
            rest = &payload[take..];
        }
    } else {
        text.extend_from_slice(bytes);
    }
    String::from_utf8_lossy(&text).lines().map(clean).filter(|l| !l.trim().is_empty()).collect()
}

/// One engine line, safe for a terminal line, without trailing blanks, at most
/// [`LINE_LIMIT`] characters (`…` marks a cut).
fn clean(line: &str) -> String {
    let safe = terminal_line(line.trim_end());
    if safe.chars().count() <= LINE_LIMIT {
        return safe.into_owned();
    }
    let mut cut: String = safe.chars().take(LINE_LIMIT - 1).collect();
    cut.push('…');
    cut
}

/// The last `n` lines, each line once (at its last place): every task of a crash loop
/// writes the same message, and the swarm answers with each task's lines in turn.
pub fn last_distinct(lines: Vec<String>, n: usize) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for line in lines.into_iter().rev() {
        if !kept.contains(&line) {
            kept.push(line);
        }
    }
    // `kept` runs newest first; a message is several lines, so keep its lines together by
    // taking the newest block of `n` and restoring the order.
    kept.truncate(n);
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(stream: u8, text: &str) -> Vec<u8> {
        let mut f = vec![stream, 0, 0, 0];
        f.extend_from_slice(&(text.len() as u32).to_be_bytes());
        f.extend_from_slice(text.as_bytes());
        f
    }

    #[test]
    fn frames_of_stdout_and_stderr_become_lines_in_order() {
        let mut body = frame(2, "Error: Database is uninitialized and superuser password is not specified.\n");
        body.extend(frame(2, "       You must specify POSTGRES_PASSWORD to a non-empty value for the\n"));
        body.extend(frame(1, "no newline"));
        body.extend(frame(1, "\n\n"));
        assert_eq!(
            demultiplex(&body),
            [
                "Error: Database is uninitialized and superuser password is not specified.",
                "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
                "no newline",
            ]
        );
    }

    #[test]
    fn a_tty_service_sends_raw_text() {
        assert_eq!(demultiplex(b"ready\r\nlistening on 80\r\n"), ["ready", "listening on 80"]);
        assert!(demultiplex(b"").is_empty());
    }

    #[test]
    fn a_frame_that_claims_more_than_arrived_keeps_what_arrived() {
        // A hostile engine announces 4 GiB: nothing waits for it, nothing is allocated for it.
        let mut body = vec![1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        body.extend_from_slice(b"partial line");
        assert_eq!(demultiplex(&body), ["partial line"]);
    }

    #[test]
    fn engine_text_cannot_forge_the_terminal_and_long_lines_are_cut() {
        let body = frame(1, "\x1b[2J\x1b]0;pwned\x07ok\n");
        assert_eq!(demultiplex(&body), ["\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD}ok"]);
        let long = "x".repeat(5000);
        let lines = demultiplex(&frame(1, &long));
        assert_eq!(lines[0].chars().count(), LINE_LIMIT);
        assert!(lines[0].ends_with('…'));
    }

    #[test]
    fn repeated_messages_of_a_crash_loop_are_told_once() {
        let each_task = ["Error: superuser password is not specified.", "       You must specify POSTGRES_PASSWORD"];
        let lines: Vec<String> = (0..5).flat_map(|_| each_task.iter().map(|l| l.to_string())).collect();
        assert_eq!(last_distinct(lines, 6), each_task);
        let many: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
        assert_eq!(last_distinct(many, 3), ["line 7", "line 8", "line 9"]);
    }
}
