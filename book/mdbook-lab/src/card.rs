//! The lab card: one lab rendered as an HTML block for a chapter's Markdown.
//!
//! A card shows the lab's title and id, its lesson, the goal (Markdown rendered with
//! pulldown-cmark), every check with its points and total, a collapsible hint per check
//! and the command that grades the lab. With solutions on (the instructor edition) it also
//! shows each check's fix command and the reference answer; with solutions off those
//! strings are never written, so no CSS or "view source" can reveal them.
//!
//! Everything taken from a lab file is escaped: plain fields with [`escape_html`], Markdown
//! fields are rendered with raw HTML turned into text. The block holds no blank line (a
//! blank line would end a CommonMark HTML block and let mdBook re-read the rest as
//! Markdown), so blank lines inside code are kept as `&#10;`.

use crate::directive::markdown_options;
use lab_i18n::{words, Language};
use lab_schema::{Check, Lab};
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::fmt::Write as _;

/// The card stylesheet, embedded in the binary and written into each chapter that shows a
/// card (see [`style_block`]). It uses mdBook's theme variables, so it follows the
/// reader's light or dark theme.
pub const CARD_CSS: &str = include_str!("../assets/lab-card.css");

/// The live-card script, embedded like the stylesheet: under `lab serve` it fills each
/// card with the learner's current report and follows changes; on `file://` or any other
/// server it does nothing.
pub const LIVE_JS: &str = include_str!("../assets/lab-live.js");

/// How a card is rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardOptions {
    /// Instructor edition: render fix commands and the reference answer.
    pub solutions: bool,
    /// Follow `output.html.smart-punctuation` for the lab's Markdown.
    pub smart_punctuation: bool,
}

/// Where the lab's lesson lives in the book, to link it from the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonLink {
    pub title: String,
    /// Relative to the chapter that shows the card (`voting-app.md`, `../day6/x.md`);
    /// mdBook turns `.md` into `.html`.
    pub href: String,
}

/// The command a learner runs to grade a lab.
pub fn check_command(lab: &Lab) -> String {
    format!("lab check {}", lab.id)
}

/// The `<style>` block that precedes the first card of a chapter (an HTML block of its
/// own: CommonMark ends a `<style>` block at `</style>`).
pub fn style_block() -> String {
    format!("<style class=\"mdbook-lab\">\n{}\n</style>", CARD_CSS.trim())
}

/// The `<script>` block that follows the stylesheet (an HTML block of its own, ended by
/// `</script>`).
pub fn script_block() -> String {
    format!("<script class=\"mdbook-lab\">\n{}\n</script>", LIVE_JS.trim())
}

/// The progress list of the book's first chapter: hidden, and filled in by the script
/// only when `lab serve` serves the book.
pub fn progress_block() -> String {
    format!("{}\n{}\n<div class=\"lab-progress\" hidden></div>", style_block(), script_block())
}

/// One lab as an HTML block (no trailing newline, no blank line inside), in English.
pub fn render_card(lab: &Lab, lesson: Option<&LessonLink>, options: CardOptions) -> String {
    render_card_in(lab, lesson, options, Language::english())
}

/// [`render_card`] in `lang`: the card's words and the lab's text (through
/// [`Language::lab`]) translated; ids, points and commands unchanged.
pub fn render_card_in(lab: &Lab, lesson: Option<&LessonLink>, options: CardOptions, lang: Language) -> String {
    let lab = &lang.lab(lab);
    let id = escape_html(&lab.id);
    let total = lab.max_score();
    let mut h = String::new();
    let _ = writeln!(h, r#"<div class="lab-card" id="lab-{id}" data-lab="{id}">"#);
    let _ = writeln!(h, r#"<div class="lab-card-head">"#);
    let _ = writeln!(h, r#"<span class="lab-card-badge">{}</span>"#, escape_html(&lang.tr(words::LAB)));
    let _ = writeln!(h, r#"<span class="lab-card-title">{}</span>"#, inline_markdown(&lab.title, options));
    let _ = writeln!(h, r#"<span class="lab-card-total">{}</span>"#, points(total, lang));
    let _ = writeln!(h, "</div>");
    let lesson_html = match lesson {
        Some(l) => format!(r#"<a href="{}">{}</a>"#, escape_html(&l.href), escape_html(&l.title)),
        None => format!("<code>{}</code>", escape_html(&lab.lesson)),
    };
    let checks = lang.count(lab.checks.len() as u64, words::ONE_CHECK, words::MANY_CHECKS);
    let meta = escape_html(&lang.tr(words::CARD_META))
        .replace("{id}", &format!("<code>{id}</code>"))
        .replace("{lesson}", &lesson_html)
        .replace("{checks}", &escape_html(&checks));
    let _ = writeln!(h, r#"<p class="lab-card-meta">{meta}</p>"#);
    let _ = writeln!(h, r#"<div class="lab-card-goal">"#);
    h.push_str(&block_markdown(&lab.goal, options));
    let _ = writeln!(h, "</div>");
    let _ = writeln!(h, r#"<div class="lab-card-section">{}</div>"#, escape_html(&lang.tr(words::CHECKS)));
    let _ = writeln!(h, r#"<ol class="lab-checks">"#);
    for check in &lab.checks {
        render_check(&mut h, &id, check, options, lang);
    }
    let _ = writeln!(
        h,
        r#"<li class="lab-checks-total"><span>{}</span><span class="lab-check-points">{}</span></li>"#,
        escape_html(&lang.tr(words::TOTAL)),
        points(total, lang)
    );
    let _ = writeln!(h, "</ol>");
    if !lab.drills.is_empty() {
        render_drills(&mut h, lab, options, lang);
    }
    let _ = writeln!(h, r#"<div class="lab-card-run">"#);
    let _ = writeln!(h, r#"<div class="lab-card-section">{}</div>"#, escape_html(&lang.tr(words::GRADE_YOUR_WORK)));
    let _ = writeln!(h, r#"<pre><code class="language-bash">{}</code></pre>"#, escape_html(&check_command(lab)));
    let _ = writeln!(h, "</div>");
    if options.solutions {
        let _ = writeln!(h, r#"<div class="lab-answer">"#);
        let _ = writeln!(
            h,
            r#"<div class="lab-card-section">{} <span class="lab-instructor">{}</span></div>"#,
            escape_html(&lang.tr(words::REFERENCE_ANSWER)),
            escape_html(&lang.tr(words::INSTRUCTOR_EDITION))
        );
        let _ = writeln!(h, r#"<pre><code class="language-bash">{}</code></pre>"#, escape_html(&lab.answer.to_shell()));
        let _ = writeln!(h, "</div>");
    }
    h.push_str("</div>");
    keep_blank_lines_in_block(&h)
}

fn render_check(h: &mut String, lab_id: &str, check: &Check, options: CardOptions, lang: Language) {
    let cid = escape_html(&check.id);
    let _ = writeln!(h, r#"<li class="lab-check" id="lab-{lab_id}-{cid}" data-check="{cid}">"#);
    let _ = writeln!(
        h,
        r#"<div class="lab-check-head"><span class="lab-check-title">{}</span><span class="lab-check-points">{}</span></div>"#,
        inline_markdown(&check.title, options),
        points(check.points, lang)
    );
    let _ = writeln!(h, r#"<details class="lab-hint"><summary>{}</summary>"#, escape_html(&lang.tr(words::HINT)));
    let _ = writeln!(h, r#"<div class="lab-hint-body">"#);
    h.push_str(&block_markdown(&check.hint, options));
    let _ = writeln!(h, "</div>");
    let _ = writeln!(h, "</details>");
    if options.solutions {
        let _ = writeln!(
            h,
            r#"<div class="lab-fix"><span class="lab-fix-label">{}</span><pre><code class="language-bash">{}</code></pre></div>"#,
            escape_html(&lang.tr(words::FIX)),
            escape_html(check.fix.trim())
        );
    }
    let _ = writeln!(h, "</li>");
}

/// The command a learner runs to try a lab's drills.
pub fn drill_command(lab: &Lab) -> String {
    format!("lab drill {}", lab.id)
}

/// The drills under their own heading: each drill's title, fault, expectations and hint,
/// then the command that runs them.
fn render_drills(h: &mut String, lab: &Lab, options: CardOptions, lang: Language) {
    let id = escape_html(&lab.id);
    let _ = writeln!(h, r#"<div class="lab-drills">"#);
    let _ = writeln!(h, r#"<div class="lab-card-section">{}</div>"#, escape_html(&lang.tr(words::DRILLS)));
    let _ =
        writeln!(h, r#"<p class="lab-drills-intro">{}</p>"#, inline_markdown(&lang.tr(words::DRILLS_INTRO), options));
    let _ = writeln!(h, r#"<ol class="lab-drill-list">"#);
    for d in &lab.drills {
        let did = escape_html(&d.id);
        let _ = writeln!(h, r#"<li class="lab-drill" id="lab-{id}-drill-{did}" data-drill="{did}">"#);
        let tag = if d.informational {
            format!(r#"<span class="lab-drill-tag">{}</span>"#, escape_html(&lang.tr(words::DRILL_INFORMATIONAL)))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            r#"<div class="lab-check-head"><span class="lab-check-title">{}</span><code class="lab-drill-id">{did}</code>{tag}</div>"#,
            inline_markdown(&d.title, options)
        );
        let _ = writeln!(h, r#"<p class="lab-drill-fault">{}</p>"#, escape_html(&lab_i18n::drill_text::fault(d, lang)));
        let expected = lab_i18n::drill_text::expected(d, lang);
        let _ = writeln!(
            h,
            r#"<p class="lab-drill-expect"><span class="lab-fix-label">{}</span> {}</p>"#,
            escape_html(&lang.tr(words::DRILL_EXPECTED)),
            escape_html(&lang.list(words::LIST, &expected))
        );
        let _ = writeln!(h, r#"<details class="lab-hint"><summary>{}</summary>"#, escape_html(&lang.tr(words::HINT)));
        let _ = writeln!(h, r#"<div class="lab-hint-body">"#);
        h.push_str(&block_markdown(&d.hint, options));
        let _ = writeln!(h, "</div>");
        let _ = writeln!(h, "</details>");
        let _ = writeln!(h, "</li>");
    }
    let _ = writeln!(h, "</ol>");
    let _ = writeln!(h, r#"<div class="lab-card-section">{}</div>"#, escape_html(&lang.tr(words::RUN_THE_DRILLS)));
    let _ = writeln!(h, r#"<pre><code class="language-bash">{}</code></pre>"#, escape_html(&drill_command(lab)));
    let _ = writeln!(h, "</div>");
}

fn points(n: u32, lang: Language) -> String {
    lang.count(n, words::ONE_POINT, words::MANY_POINTS)
}

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn parser_options(options: CardOptions) -> Options {
    let mut o = markdown_options();
    if options.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    o
}

/// Raw HTML in a lab's Markdown is shown as text, never passed through.
fn html_as_text(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        e => e,
    }
}

/// Markdown with block structure (goal, hints).
fn block_markdown(md: &str, options: CardOptions) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, parser_options(options)).map(html_as_text));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A one-line Markdown field (titles): inline markup only. A leading `#`, `-`, `1.`… is
/// escaped first, so a title is never read as a heading or a list.
fn inline_markdown(md: &str, options: CardOptions) -> String {
    let md = escape_block_start(&md.split_whitespace().collect::<Vec<_>>().join(" "));
    let events = Parser::new_ext(&md, parser_options(options)).map(html_as_text).filter_map(|e| match e {
        Event::Start(t) if !is_inline_tag(&t) => None,
        Event::End(t) if !is_inline_tag_end(&t) => None,
        Event::SoftBreak | Event::HardBreak => Some(Event::Text(CowStr::Borrowed(" "))),
        e => Some(e),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out.trim().to_string()
}

fn is_inline_tag(t: &Tag<'_>) -> bool {
    matches!(t, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
}

fn is_inline_tag_end(t: &TagEnd) -> bool {
    matches!(t, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link)
}

fn escape_block_start(line: &str) -> String {
    let mut chars = line.chars();
    let first = chars.next();
    let second = chars.next();
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let marker_then_space = |rest: &str| rest.is_empty() || rest.starts_with(char::is_whitespace);
    let escape = match first {
        Some('#' | '>') => true,
        Some(c @ ('-' | '+' | '*' | '_')) => {
            second.is_none_or(char::is_whitespace) || line.chars().all(|x| x == c || x == ' ')
        }
        Some(_) if digits > 0 => {
            matches!(line[digits..].chars().next(), Some('.' | ')')) && marker_then_space(&line[digits + 1..])
        }
        _ => false,
    };
    match (escape, digits) {
        (false, _) => line.to_string(),
        (true, 0) => format!("\\{line}"),
        (true, d) => format!("{}\\{}", &line[..d], &line[d..]),
    }
}

/// Replaces each line break that is followed by a blank line with `&#10;`, so the HTML
/// block never holds a blank line; inside `<pre>` the character reference is the same
/// line break, elsewhere it is white space.
fn keep_blank_lines_in_block(html: &str) -> String {
    let lines: Vec<&str> = html.split('\n').collect();
    let mut out = String::with_capacity(html.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i + 1 < lines.len() {
            let next_is_blank = lines[i + 1].trim_matches([' ', '\t']).is_empty();
            out.push_str(if next_is_blank { "&#10;" } else { "\n" });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const LAB: &str = r#"
id = "x-lab"
title = "A <b>bold</b> & `coded` title"
lesson = "x.md"
goal = """
Do <script>alert(1)</script> this.

```
line one

line three
```
"""
answer = """
docker network create -d overlay secret-answer-net
node2$ docker swarm join --token T
"""

[[check]]
id = "net"
title = "Network exists"
points = 100
hint = "Use an <em>overlay</em> network."
fix = "docker network create --driver overlay \"secret-fix-net\""
[check.network]
name = "secret-fix-net"
"#;

    fn lab() -> Lab {
        lab_schema::load_str(Path::new("x-lab.toml"), LAB).unwrap_or_else(|e| panic!("{}", e.one_line_each()))
    }

    #[test]
    fn lab_text_is_escaped() {
        let html = render_card(&lab(), None, CardOptions::default());
        assert!(html.contains("A &lt;b&gt;bold&lt;/b&gt; &amp; <code>coded</code> title"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<em>overlay</em>"), "{html}");
    }

    #[test]
    fn solutions_off_writes_no_fix_and_no_answer() {
        let html = render_card(&lab(), None, CardOptions::default());
        assert!(!html.contains("secret-fix-net"), "{html}");
        assert!(!html.contains("secret-answer-net"), "{html}");
        assert!(!html.contains("node2$"), "{html}");
        assert!(!html.contains("lab-fix"), "{html}");
        assert!(html.contains("lab check x-lab"));
    }

    #[test]
    fn solutions_on_writes_fix_and_answer_with_node_prefixes() {
        let html = render_card(&lab(), None, CardOptions { solutions: true, ..Default::default() });
        assert!(html.contains("docker network create --driver overlay &quot;secret-fix-net&quot;"), "{html}");
        assert!(
            html.contains("docker network create -d overlay secret-answer-net\nnode2$ docker swarm join --token T"),
            "{html}"
        );
    }

    #[test]
    fn the_card_holds_no_blank_line() {
        let html = render_card(&lab(), None, CardOptions { solutions: true, ..Default::default() });
        assert!(html.lines().all(|l| !l.trim().is_empty()), "{html}");
        assert!(
            html.contains("line one&#10;\nline three")
                || html.contains("line one\n&#10;line three")
                || html.contains("line one&#10;"),
            "{html}"
        );
    }

    #[test]
    fn a_title_is_never_a_heading_or_a_list() {
        let o = CardOptions::default();
        assert_eq!(inline_markdown("# one", o), "# one");
        assert_eq!(inline_markdown("1. two", o), "1. two");
        assert_eq!(inline_markdown("- three *x*", o), "- three <em>x</em>");
        assert_eq!(inline_markdown("`code` first", o), "<code>code</code> first");
    }

    #[test]
    fn keep_blank_lines_in_block_keeps_line_count_inside_pre() {
        assert_eq!(keep_blank_lines_in_block("a\n\nb"), "a&#10;\nb");
        assert_eq!(keep_blank_lines_in_block("a\n \n\nb"), "a&#10; &#10;\nb");
    }
}
