//! Text from a learner's engine is untrusted input on the instructor's machine: a service
//! name, an image, a task error, a log line or a swarm ID can carry terminal escape
//! sequences (which rewrite the screen, set the window title or hide lines), Markdown or
//! HTML (a forged heading, an image, a link in a feedback page), or a spreadsheet formula
//! (`=HYPERLINK(…)`, which a spreadsheet runs when it opens `gradebook.csv`).
//!
//! One rule, one function: every engine value on its way out goes through
//! [`shown`]`(`[`Sink`]`, value)`, which makes it harmless *for that sink* and never drops
//! it (a defused character becomes `�`, so the instructor sees that something was off):
//!
//! | sink | what it does |
//! |---|---|
//! | [`Sink::TerminalLine`] | controls, DEL, C1 and bidi overrides → `�`; tabs and line breaks → space |
//! | [`Sink::TerminalText`] | the same, line breaks kept (multi-line errors, command output) |
//! | [`Sink::Markdown`] | one line of text: controls as for a terminal, Markdown and HTML escaped, safe even at the start of a line |
//! | [`Sink::MarkdownCode`] | the body of a fenced code block made with [`markdown_fence`]: controls defused, lines kept |
//! | [`Sink::Csv`] | one cell: controls defused, a formula prefixed with `'` |
//! | [`Sink::Xml`] | XML text: controls (illegal in XML 1.0) defused; the writer escapes `<>&"` |
//! | [`Sink::MarkdownCodeSpan`] | text between single backticks: controls and backticks defused, one line |
//! | [`Sink::Json`] | the exact text, written by [`json`], which escapes every control, C1 and bidi character as `\uXXXX` |
//! | [`Sink::HtmlText`] | the exact text: a page's script sets it as `textContent`, never as HTML |
//!
//! Text of the lab's own author (titles, hints) is trusted; text the program builds from
//! engine values (a check's message naming a service) is untrusted as a whole.

use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::borrow::Cow;
use std::io::{self, Write};

/// Characters a terminal acts on instead of printing: C0 and C1 controls (ESC starts
/// every escape sequence, CSI is its one-byte form), DEL, and the bidirectional overrides
/// that make a line read differently from what it holds.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Where a value is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// One line of a terminal: a report line, a warning, a progress line.
    TerminalLine,
    /// Several lines on a terminal: an error message, a command's output.
    TerminalText,
    /// Text inside one line of Markdown (a paragraph, a list item, a table cell).
    Markdown,
    /// The lines of a fenced Markdown code block (the fence from [`markdown_fence`]).
    MarkdownCode,
    /// Text between single backticks in Markdown (an inline code span).
    MarkdownCodeSpan,
    /// One CSV cell.
    Csv,
    /// XML character data or an attribute value, before the XML writer escapes it.
    Xml,
    /// A JSON string: the value stays exact (for audits and scripts); [`json`] writes the
    /// document so that no byte of it is a control a terminal acts on.
    Json,
    /// Text a page's script shows with `textContent` (never `innerHTML`).
    HtmlText,
}

/// `text` made harmless for `sink`: the one function every engine value goes through.
pub fn shown(sink: Sink, text: &str) -> Cow<'_, str> {
    match sink {
        Sink::TerminalLine => terminal_line(text),
        Sink::TerminalText | Sink::MarkdownCode | Sink::Xml => terminal_text(text),
        Sink::Markdown => markdown(text),
        Sink::MarkdownCodeSpan => match terminal_line(text) {
            line if line.contains('`') => Cow::Owned(line.replace('`', "\u{FFFD}")),
            line => line,
        },
        Sink::Csv => csv_cell(text),
        Sink::Json | Sink::HtmlText => Cow::Borrowed(text),
    }
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

/// Characters Markdown (CommonMark and GitHub's extensions) or HTML could act on anywhere
/// in a line: a backslash escape makes each one literal.
const MARKDOWN_SPECIAL: &[char] =
    &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '!', '&', '$', '^', '{', '}'];

/// `text` as literal Markdown text on one line: controls defused and line breaks made
/// spaces as on a terminal, every character Markdown or HTML acts on backslash-escaped,
/// and, so that the value forges nothing even where it starts a line, leading whitespace
/// dropped, a leading list, quote or heading marker escaped, and the `.` or `)` after
/// leading digits escaped (an ordered list).
pub fn markdown(text: &str) -> Cow<'_, str> {
    let line = terminal_line(text);
    let line = line.trim_start();
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let needs = |i: usize, c: char| {
        MARKDOWN_SPECIAL.contains(&c)
            || (i == 0 && c.is_ascii_punctuation())
            || (i == digits && digits > 0 && matches!(c, '.' | ')'))
    };
    if line.len() == text.len() && !line.chars().enumerate().any(|(i, c)| needs(i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for (i, c) in line.chars().enumerate() {
        if needs(i, c) {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// A code fence for a block holding `body`: three backticks, or one more than the longest
/// run of backticks in it, so the body cannot close the block.
pub fn markdown_fence(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
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

/// `value` as JSON (indented when `pretty`), every string exact, with the characters a
/// terminal acts on written as `\uXXXX` escapes: serde_json escapes C0 controls, this also
/// escapes DEL, the C1 controls (U+009B is a one-byte CSI) and the bidi overrides, so
/// `cat grades.json` is as harmless as the report.
pub fn json<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let mut out = Vec::with_capacity(256);
    let result = if pretty {
        value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, InertJson(PrettyFormatter::new())))
    } else {
        value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, InertJson(CompactFormatter)))
    };
    match result {
        // serde_json writes UTF-8 only.
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// A serde_json formatter that escapes what [`is_unsafe`] names inside strings.
struct InertJson<F>(F);

impl<F: Formatter> Formatter for InertJson<F> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|(_, c)| is_unsafe(*c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
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
    fn markdown_and_html_become_text() {
        assert!(matches!(markdown("nginx:1.25 on node-1"), Cow::Borrowed(_)));
        assert_eq!(markdown("a\n# Forged\n<img src=x>"), r"a \# Forged \<img src=x\>");
        assert_eq!(markdown("# h"), r"\# h");
        assert_eq!(markdown("  - item"), r"\- item");
        assert_eq!(markdown("> quote"), r"\> quote");
        assert_eq!(markdown("12. x"), r"12\. x");
        assert_eq!(markdown("1.25"), r"1\.25");
        assert_eq!(markdown("[x](http://y) `c` *e* | t &amp;"), r"\[x\](http://y) \`c\` \*e\* \| t \&amp;");
        assert_eq!(markdown("\x1b[2Jx\\"), "\u{FFFD}\\[2Jx\\\\");
    }

    #[test]
    fn a_code_fence_outlasts_the_backticks_inside() {
        assert_eq!(markdown_fence("docker ps"), "```");
        assert_eq!(markdown_fence("a ``` b ```` c"), "`````");
    }

    #[test]
    fn every_sink_defuses_controls_but_json_and_script_text_stay_exact() {
        let evil = "x\x1b]0;t\x07\ny";
        for sink in [Sink::TerminalLine, Sink::TerminalText, Sink::Markdown, Sink::MarkdownCode, Sink::Csv, Sink::Xml] {
            let out = shown(sink, evil);
            assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{sink:?}: {out:?}");
            assert!(out.contains("]0;t"), "{sink:?} dropped text: {out:?}");
        }
        assert_eq!(shown(Sink::Json, evil), evil);
        assert_eq!(shown(Sink::HtmlText, evil), evil);
    }

    #[test]
    fn json_keeps_values_exact_and_its_bytes_inert() {
        let evil = "x\x1b[2J\u{9b}31m\u{7f}\u{202e}y\"";
        let v = serde_json::json!({ "a": [evil, 1], "b": { "c": evil } });
        for pretty in [false, true] {
            let text = json(&v, pretty);
            assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'), "{text:?}");
            assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
        }
        assert_eq!(
            json(&v, true),
            serde_json::to_string_pretty(&v)
                .unwrap()
                .replace("\u{9b}", "\\u009b")
                .replace("\u{7f}", "\\u007f")
                .replace("\u{202e}", "\\u202e")
        );
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
