//! Why a request failed, in the learner's words: the operating system's reason
//! (`connection refused`, `permission denied`, …) found in an error's source chain, with
//! what to do about it, instead of the client library's layers ("Error in the hyper legacy
//! client: client error (Connect): …"). The reasons are [`words`], so an error's text
//! can tell them in the learner's language.

use lab_i18n::words;
use std::error::Error;
use std::io::ErrorKind;

/// A plain reason for `e`: the first I/O error of its source chain, by kind; else the
/// innermost message, without the client library's own wording.
pub fn in_plain_words(e: &(dyn Error + 'static)) -> String {
    let mut innermost = e;
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return io_reason(io);
        }
        innermost = err;
        next = err.source();
    }
    library_free(&innermost.to_string())
}

fn io_reason(io: &std::io::Error) -> String {
    match io.kind() {
        ErrorKind::ConnectionRefused => words::CAUSE_REFUSED.into(),
        ErrorKind::NotFound => words::CAUSE_NOT_FOUND.into(),
        ErrorKind::PermissionDenied => words::CAUSE_PERMISSION_DENIED.into(),
        ErrorKind::TimedOut => words::CAUSE_TIMED_OUT.into(),
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::UnexpectedEof
        | ErrorKind::BrokenPipe => words::CAUSE_CLOSED.into(),
        ErrorKind::AddrNotAvailable | ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
            words::CAUSE_UNREACHABLE.into()
        }
        _ => library_free(&io.to_string()),
    }
}

/// `text` without the client library's layer names and the `(os error N)` suffix.
fn library_free(text: &str) -> String {
    let mut t = text.trim();
    for layer in [
        "Error in the hyper legacy client:",
        "client error (Connect):",
        "tcp connect error:",
        "error trying to connect:",
    ] {
        t = t.trim_start_matches(layer).trim();
    }
    let t = match t.find(" (os error ") {
        Some(i) => &t[..i],
        None => t,
    };
    if t.contains("invalid HTTP") || t.contains("parsed HTTP") {
        return words::CAUSE_NOT_HTTP.into();
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<std::io::Error>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn the_os_reason_replaces_the_library_layers() {
        let e = Layer("Error in the hyper legacy client", Some(std::io::Error::from(ErrorKind::ConnectionRefused)));
        let said = in_plain_words(&e);
        assert_eq!(said, "connection refused: nothing is listening at that address");
        let e = Layer("x", Some(std::io::Error::from(ErrorKind::PermissionDenied)));
        assert!(in_plain_words(&e).contains("docker group"));
    }

    #[test]
    fn without_an_io_error_the_library_wording_is_dropped() {
        let e = Layer("Error in the hyper legacy client: client error (Connect): tcp connect error: Connection refused (os error 111)", None);
        assert_eq!(in_plain_words(&e), "Connection refused");
        let e = Layer("Error in the hyper legacy client: invalid HTTP version parsed", None);
        assert!(in_plain_words(&e).contains("not HTTP from a Docker engine"));
        for jargon in ["hyper", "legacy client", "os error", "client error"] {
            assert!(!in_plain_words(&e).contains(jargon));
        }
    }
}
