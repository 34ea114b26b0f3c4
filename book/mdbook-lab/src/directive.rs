//! Finding `{{#lab <lab-id>}}` directives in a chapter's Markdown.
//!
//! pulldown-cmark parses the chapter (with byte offsets) only to learn where code lives:
//! fenced and indented code blocks, inline code and HTML comments. A directive there is
//! text about directives, not a directive, and is left alone; so is one escaped as
//! `\{{#lab …}}` (mdBook's convention). Every other `{{#lab` must stand on a line of its
//! own (optionally inside a block quote) and name exactly one lab.

use pulldown_cmark::{Event, Options, Parser, Tag};
use std::ops::Range;

/// One well-formed directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub lab_id: String,
    /// 1-based line of the chapter.
    pub line: usize,
    /// The whole line holding the directive, without its line ending: what gets replaced.
    pub line_range: Range<usize>,
    /// What precedes the directive on its line (indentation, `> ` of a block quote); every
    /// line of the replacement starts with it so the card stays in the same container.
    pub prefix: String,
}

/// A malformed directive: the line and what is wrong, phrased as what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveProblem {
    pub line: usize,
    pub message: String,
}

/// The directives of a chapter, and the malformed ones, in source order.
pub fn find_directives(markdown: &str) -> (Vec<Directive>, Vec<DirectiveProblem>) {
    let code = code_ranges(markdown);
    let in_code = |pos: usize| code.iter().any(|r| r.contains(&pos));
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    let mut from = 0;
    while let Some(rel) = markdown[from..].find("{{") {
        let start = from + rel;
        from = start + 2;
        let Some(args_start) = directive_name_end(markdown, start) else {
            continue;
        };
        if in_code(start) || markdown[..start].ends_with('\\') {
            continue;
        }
        let line_start = markdown[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = markdown[start..].find('\n').map_or(markdown.len(), |i| start + i);
        let line_end = if markdown[..line_end].ends_with('\r') { line_end - 1 } else { line_end };
        let line = markdown[..start].matches('\n').count() + 1;
        let problem = |message: String| DirectiveProblem { line, message };

        let rest = &markdown[args_start..line_end];
        let Some(close) = rest.find("}}") else {
            problems.push(problem("`{{#lab` is missing its closing `}}`: write {{#lab <lab-id>}} on one line".into()));
            continue;
        };
        from = args_start + close + 2;
        let ids: Vec<&str> = rest[..close].split_whitespace().collect();
        let prefix = &markdown[line_start..start];
        let after = &markdown[args_start + close + 2..line_end];
        match ids.as_slice() {
            [] => problems.push(problem(
                "`{{#lab}}` names no lab: write {{#lab <lab-id>}} with the id of a file in labs/".into(),
            )),
            [_, _, ..] => problems.push(problem(format!(
                "`{{{{#lab {}}}}}` names {} labs; a directive takes exactly one lab id \
                 (write one {{{{#lab <lab-id>}}}} line per card)",
                ids.join(" "),
                ids.len()
            ))),
            [id] if !is_container_prefix(prefix) || !after.trim().is_empty() => problems.push(problem(format!(
                "`{{{{#lab {id}}}}}` must stand on a line of its own (to mention it in prose, \
                     put it in `backticks` or escape it as \\{{{{#lab {id}}}}})"
            ))),
            [id] => found.push(Directive {
                lab_id: (*id).to_string(),
                line,
                line_range: line_start..line_end,
                prefix: prefix.to_string(),
            }),
        }
    }
    (found, problems)
}

/// If a `{{` at `start` opens a `lab` directive (`{{#lab`, `{{ #lab`), where its
/// arguments start; `{{#labels}}` and other directives are not ours.
fn directive_name_end(text: &str, start: usize) -> Option<usize> {
    let after_braces = &text[start + 2..];
    let trimmed = after_braces.trim_start_matches([' ', '\t']);
    let name_end = start + 2 + (after_braces.len() - trimmed.len()) + "#lab".len();
    let next = trimmed.strip_prefix("#lab")?.chars().next();
    match next {
        None => Some(name_end),
        Some(c) if c.is_whitespace() || c == '}' => Some(name_end),
        Some(_) => None,
    }
}

/// Indentation and block-quote markers only.
fn is_container_prefix(prefix: &str) -> bool {
    prefix.chars().all(|c| c == ' ' || c == '\t' || c == '>')
}

/// The parser options mdBook renders chapters with, so code is found where mdBook sees it.
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// Byte ranges of code blocks, inline code and HTML comments.
fn code_ranges(markdown: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => ranges.push(range),
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => comment_ranges(markdown, range, &mut ranges),
            _ => {}
        }
    }
    ranges
}

/// `<!-- … -->` comments inside a range of HTML (an unclosed one runs to the range's end).
fn comment_ranges(markdown: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut pos = range.start;
    while let Some(open) = markdown[pos..range.end].find("<!--") {
        let start = pos + open;
        let end = markdown[start + 4..range.end].find("-->").map_or(range.end, |c| start + 4 + c + 3);
        out.push(start..end);
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(md: &str) -> Vec<(String, usize)> {
        let (found, problems) = find_directives(md);
        assert!(problems.is_empty(), "{problems:?}");
        found.into_iter().map(|d| (d.lab_id, d.line)).collect()
    }

    fn problems(md: &str) -> Vec<(usize, String)> {
        find_directives(md).1.into_iter().map(|p| (p.line, p.message)).collect()
    }

    #[test]
    fn a_directive_on_its_own_line_is_found_with_its_line() {
        assert_eq!(ids("# T\n\ntext\n\n{{#lab day6-x}}\n"), vec![("day6-x".to_string(), 5)]);
        assert_eq!(ids("{{ #lab  a }}"), vec![("a".to_string(), 1)]);
    }

    #[test]
    fn code_blocks_inline_code_comments_and_escapes_are_left_alone() {
        let md = "```md\n{{#lab a}}\n```\n\n    {{#lab b}}\n\nUse `{{#lab c}}` here.\n\n\
                  <!-- {{#lab d}} -->\n\n~~~\n{{#lab e\n~~~\n\n\\{{#lab f}}\n\n<!--\n{{#lab g}}\n-->\n";
        assert_eq!(ids(md), vec![]);
    }

    #[test]
    fn other_directives_are_not_ours() {
        assert_eq!(ids("{{#include x.md}}\n{{#labels}}\n{{#title T}}\n"), vec![]);
    }

    #[test]
    fn malformed_directives_say_what_to_write() {
        let p = problems("a\n{{#lab}}\n");
        assert_eq!(p[0].0, 2);
        assert!(p[0].1.contains("names no lab"), "{p:?}");
        let p = problems("{{#lab a b}}\n");
        assert!(p[0].1.contains("exactly one lab id"), "{p:?}");
        let p = problems("x\n\n{{#lab a\n");
        assert_eq!(p[0].0, 3);
        assert!(p[0].1.contains("missing its closing `}}`"), "{p:?}");
        let p = problems("See {{#lab a}} for more.\n");
        assert!(p[0].1.contains("line of its own"), "{p:?}");
    }

    #[test]
    fn a_directive_in_a_block_quote_keeps_the_quote_prefix() {
        let (found, _) = find_directives("> Lab:\n>\n> {{#lab a}}\n");
        assert_eq!(found[0].prefix, "> ");
        assert_eq!(found[0].line, 3);
    }

    #[test]
    fn crlf_line_endings_are_not_part_of_the_replaced_line() {
        let md = "a\r\n\r\n{{#lab x}}\r\nb\r\n";
        let (found, _) = find_directives(md);
        assert_eq!(&md[found[0].line_range.clone()], "{{#lab x}}");
    }

    #[test]
    fn unicode_around_a_directive_does_not_panic() {
        let md = "é {{\u{1F600}}} {{#lab\u{00A0}x}} {{";
        let _ = find_directives(md);
        let _ = find_directives("{{");
        let _ = find_directives("{{ ");
        let _ = find_directives("{{#lab");
    }
}
