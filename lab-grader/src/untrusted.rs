//! Text from a learner's engine is untrusted input on the instructor's machine: a service
//! name, a task error or a swarm ID can carry terminal escape sequences (which rewrite the
//! screen, set the window title or hide lines) or a spreadsheet formula (`=HYPERLINK(…)`,
//! which a spreadsheet runs when it opens `gradebook.csv`). Everything such text passes
//! through on its way to a terminal or a CSV file goes through one of these.

use std::borrow::Cow;

/// Characters a terminal acts on instead of printing: C0 and C1 controls (ESC starts
/// every escape sequence, CSI is its one-byte form), DEL, and the bidirectional overrides
/// that make a line read differently from what it holds.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` made safe to print on one terminal line: every control character (newlines and
/// tabs too, so engine text cannot forge a line of the report) becomes `�`, except that a
/// tab or line break becomes a space.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Like [`terminal_line`], but keeps line breaks: for multi-line messages such as errors.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.lines().map(terminal_line).collect::<Vec<_>>().join("\n"))
}

/// A CSV cell a spreadsheet shows as text: a cell that starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return (what spreadsheets read as a formula) gets a leading `'`, as
/// OWASP's CSV-injection guidance recommends; control characters become `�`.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let safe = terminal_line(text);
    let formula = safe.starts_with(['=', '+', '-', '@']) || text.starts_with(['\t', '\r']);
    if formula {
        Cow::Owned(format!("'{safe}"))
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_defused() {
        assert_eq!(terminal_line("web"), "web");
        assert!(matches!(terminal_line("node→1 ✓"), Cow::Borrowed(_)));
        assert_eq!(terminal_line("\x1b[2J\x1b]0;pwned\x07web"), "\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD}web");
        assert_eq!(terminal_line("a\u{9b}31mb\u{7f}"), "a\u{FFFD}31mb\u{FFFD}");
        assert_eq!(terminal_line("ok\nPASS  10/10  fake\r\tx"), "ok PASS  10/10  fake  x");
        assert_eq!(terminal_line("abc\u{202E}fed\u{2066}"), "abc\u{FFFD}fed\u{FFFD}");
    }

    #[test]
    fn multi_line_text_keeps_its_lines_only() {
        assert!(matches!(terminal_text("one\ntwo"), Cow::Borrowed(_)));
        assert_eq!(terminal_text("one\x1b[31m\ntwo\r"), "one\u{FFFD}[31m\ntwo ");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\",\"id\")"), "'=HYPERLINK(\"http://x\",\"id\")");
        for bad in ["+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(csv_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(csv_cell("\t=1"), "' =1");
        assert_eq!(csv_cell("xyz123=1"), "xyz123=1");
        assert_eq!(csv_cell("100"), "100");
        assert_eq!(csv_cell(""), "");
        assert_eq!(csv_cell("a\x1bb"), "a\u{FFFD}b");
    }
}
