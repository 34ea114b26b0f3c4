//! Answer chapters, and keeping them out of the learner edition.
//!
//! **The rule:** a chapter is an answer chapter when its source file name ends in
//! `-answer.md` (`voting-app-answer.md`). With `solutions = false` every answer chapter, with
//! anything nested under it, is removed from the book before rendering, so it has no page,
//! no sidebar/SUMMARY entry, no place in `print.html` and no search-index entry. The
//! remaining numbered chapters are renumbered so no gap is left, and each Markdown link
//! from another chapter to a removed one becomes its plain link text followed by
//! "(instructor edition only)", so no link is left dangling.

use crate::directive::markdown_options;
use crate::error::normalize;
use mdbook_preprocessor::book::{Book, BookItem, Chapter, SectionNumber};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What an answer chapter's file name ends with.
pub const ANSWER_SUFFIX: &str = "-answer.md";

/// What replaces a link to a removed answer chapter, after the link's text.
pub const INSTRUCTOR_NOTE: &str = "(instructor edition only)";

/// Whether a chapter source file is an answer chapter (see the module docs).
pub fn is_answer_chapter(source_path: &Path) -> bool {
    source_path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(ANSWER_SUFFIX))
}

fn chapter_is_answer(ch: &Chapter) -> bool {
    [&ch.source_path, &ch.path].into_iter().flatten().any(|p| is_answer_chapter(p))
}

/// Removes every answer chapter (and what is nested under it) and renumbers the rest.
/// Returns the removed chapters' source paths, relative to the book's `src`.
pub fn remove_answer_chapters(book: &mut Book) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    remove_from(&mut book.items, &mut removed);
    if !removed.is_empty() {
        let mut top = 0;
        renumber(&mut book.items, &[], &mut top);
    }
    removed
}

fn remove_from(items: &mut Vec<BookItem>, removed: &mut Vec<PathBuf>) {
    items.retain(|item| match item {
        BookItem::Chapter(ch) if chapter_is_answer(ch) => {
            removed.extend(ch.source_path.clone().or_else(|| ch.path.clone()));
            false
        }
        _ => true,
    });
    for item in items.iter_mut() {
        if let BookItem::Chapter(ch) = item {
            remove_from(&mut ch.sub_items, removed);
        }
    }
}

/// Numbers numbered chapters `1, 2, …` (continuing across part titles, as mdBook does) and
/// their children `n.1, n.2, …`; unnumbered (prefix, suffix, draft) chapters stay so.
fn renumber(items: &mut [BookItem], parent: &[u32], counter: &mut u32) {
    for item in items {
        if let BookItem::Chapter(ch) = item {
            if ch.number.is_some() {
                *counter += 1;
                let mut number = parent.to_vec();
                number.push(*counter);
                ch.number = Some(SectionNumber::new(number.clone()));
                let mut child = 0;
                renumber(&mut ch.sub_items, &number, &mut child);
            }
        }
    }
}

/// Rewrites Markdown links from the chapter at `chapter_path` (relative to `src`) that
/// point at a removed chapter into their text plus [`INSTRUCTOR_NOTE`]. Returns the new
/// content and how many links were rewritten.
pub fn unlink_removed(content: &str, chapter_path: &Path, removed: &[PathBuf]) -> (String, usize) {
    unlink_removed_with_note(content, chapter_path, removed, INSTRUCTOR_NOTE)
}

/// [`unlink_removed`] with another note than [`INSTRUCTOR_NOTE`] (a translated one).
pub fn unlink_removed_with_note(
    content: &str,
    chapter_path: &Path,
    removed: &[PathBuf],
    note: &str,
) -> (String, usize) {
    if removed.is_empty() {
        return (content.to_string(), 0);
    }
    let removed: Vec<PathBuf> = removed.iter().map(|p| normalize(p)).collect();
    let dir = chapter_path.parent().unwrap_or(Path::new(""));
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // The link being rewritten: its whole range, and the range of its text so far.
    let mut open: Option<(Range<usize>, Option<Range<usize>>)> = None;
    for (event, range) in Parser::new_ext(content, markdown_options()).into_offset_iter() {
        open = match (open.take(), event) {
            (None, Event::Start(Tag::Link { dest_url, .. })) if links_to_removed(&dest_url, dir, &removed) => {
                Some((range, None))
            }
            (None, _) => None,
            (Some((link, text)), Event::End(TagEnd::Link)) => {
                let text = text.map_or("the answer", |t| &content[t]);
                edits.push((link, format!("{} {note}", text.trim())));
                None
            }
            (Some((link, text)), _) => {
                let text = match text {
                    Some(t) => t.start.min(range.start)..t.end.max(range.end),
                    None => range,
                };
                Some((link, Some(text)))
            }
        };
    }
    let mut out = content.to_string();
    for (range, replacement) in edits.iter().rev() {
        out.replace_range(range.clone(), replacement);
    }
    (out, edits.len())
}

fn links_to_removed(dest: &str, dir: &Path, removed: &[PathBuf]) -> bool {
    let target = dest.split(['#', '?']).next().unwrap_or_default().replace("%20", " ");
    let scheme = target.split_once(':').is_some_and(|(s, _)| !s.contains('/'));
    if target.is_empty() || scheme || target.starts_with('/') {
        return false;
    }
    let target = match target.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => target,
    };
    let resolved = normalize(&dir.join(target));
    removed.contains(&resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter(name: &str, file: &str, number: Option<Vec<u32>>, sub: Vec<BookItem>) -> BookItem {
        let mut ch = Chapter::new(name, String::new(), file, vec![]);
        ch.number = number.map(SectionNumber::new);
        ch.sub_items = sub;
        BookItem::Chapter(ch)
    }

    #[test]
    fn the_rule_is_the_file_name_suffix() {
        assert!(is_answer_chapter(Path::new("voting-app-answer.md")));
        assert!(is_answer_chapter(Path::new("day6/x-answer.md")));
        assert!(!is_answer_chapter(Path::new("answer.md")));
        assert!(!is_answer_chapter(Path::new("voting-app-answers.md")));
        assert!(!is_answer_chapter(Path::new("voting-app.md")));
    }

    #[test]
    fn answer_chapters_go_and_the_rest_is_renumbered() {
        let mut book = Book::new_with_items(vec![
            chapter("Intro", "introduction.md", None, vec![]),
            BookItem::PartTitle("Day 6".into()),
            chapter("A", "a.md", Some(vec![1]), vec![chapter("A answer", "a-answer.md", Some(vec![1, 1]), vec![])]),
            chapter(
                "B answer",
                "b-answer.md",
                Some(vec![2]),
                vec![chapter("deep", "deep.md", Some(vec![2, 1]), vec![])],
            ),
            chapter("C", "c.md", Some(vec![3]), vec![chapter("C1", "c1.md", Some(vec![3, 1]), vec![])]),
        ]);
        let removed = remove_answer_chapters(&mut book);
        assert_eq!(removed, vec![PathBuf::from("b-answer.md"), PathBuf::from("a-answer.md")]);
        let numbers: Vec<(String, Option<String>)> = book
            .iter()
            .filter_map(|i| match i {
                BookItem::Chapter(c) => Some((c.name.clone(), c.number.as_ref().map(|n| n.to_string()))),
                _ => None,
            })
            .collect();
        assert_eq!(
            numbers,
            vec![
                ("Intro".to_string(), None),
                ("A".to_string(), Some("1.".to_string())),
                ("C".to_string(), Some("2.".to_string())),
                ("C1".to_string(), Some("2.1.".to_string())),
            ]
        );
    }

    #[test]
    fn links_to_removed_chapters_become_text_with_a_note() {
        let removed = vec![PathBuf::from("voting-app-answer.md")];
        let md = "See [the *answer*](voting-app-answer.md#step-2) or [it][r].\n\n\
                  [r]: ./voting-app-answer.html\n\nKeep [this](voting-app.md) and `[code](voting-app-answer.md)`.\n";
        let (out, n) = unlink_removed(md, Path::new("voting-app.md"), &removed);
        assert_eq!(n, 2);
        assert!(
            out.starts_with("See the *answer* (instructor edition only) or it (instructor edition only)."),
            "{out}"
        );
        assert!(out.contains("Keep [this](voting-app.md)"), "{out}");
        assert!(out.contains("`[code](voting-app-answer.md)`"), "{out}");
    }

    #[test]
    fn links_resolve_relative_to_the_chapter() {
        let removed = vec![PathBuf::from("day6/x-answer.md")];
        let (_, n) = unlink_removed("[a](x-answer.md)", Path::new("day6/x.md"), &removed);
        assert_eq!(n, 1);
        let (_, n) = unlink_removed("[a](x-answer.md)", Path::new("intro.md"), &removed);
        assert_eq!(n, 0);
        let (_, n) = unlink_removed(
            "[a](day6/x-answer.md) [b](https://e.org/day6/x-answer.md)",
            Path::new("intro.md"),
            &removed,
        );
        assert_eq!(n, 1);
    }
}
