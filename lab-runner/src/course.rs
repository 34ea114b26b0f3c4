//! The course's order: the book's chapters as `book/src/SUMMARY.md` lists them (embedded at
//! build time), so `lab list` shows the labs in the order a learner meets them, each with
//! its chapter. A lab's `lesson` field names its chapter's file.

/// `book/src/SUMMARY.md`, as built into `lab`.
const SUMMARY: &str = include_str!("../../book/src/SUMMARY.md");

/// One chapter of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// 1 for the first chapter of the book (the introduction counts).
    pub number: usize,
    pub title: String,
    /// The Markdown file, relative to `book/src` (`first-service.md`).
    pub file: String,
    /// The part heading above it (`Day 6: Swarm mode`), if any.
    pub part: Option<String>,
}

/// The chapters of a SUMMARY.md, in order: every `[Title](file.md)` link, nested or not;
/// `# Heading` lines name the part of the chapters below them.
pub fn chapters(summary: &str) -> Vec<Chapter> {
    let mut out = Vec::new();
    let mut part = None;
    for line in summary.lines().map(str::trim) {
        if let Some(h) = line.strip_prefix("# ") {
            if h.trim() != "Summary" {
                part = Some(h.trim().to_string());
            }
            continue;
        }
        let link = line.trim_start_matches(['-', '*', ' ']);
        let Some((title, rest)) = link.strip_prefix('[').and_then(|l| l.split_once("](")) else { continue };
        let Some((file, _)) = rest.split_once(')') else { continue };
        if file.is_empty() {
            continue;
        }
        out.push(Chapter {
            number: out.len() + 1,
            title: title.to_string(),
            file: file.trim_start_matches("./").to_string(),
            part: part.clone(),
        });
    }
    out
}

/// The built-in book's chapters.
pub fn book() -> Vec<Chapter> {
    chapters(SUMMARY)
}

/// The chapter whose file is `lesson`.
pub fn chapter_of<'a>(chapters: &'a [Chapter], lesson: &str) -> Option<&'a Chapter> {
    let lesson = lesson.trim_start_matches("./");
    chapters.iter().find(|c| c.file == lesson)
}

/// `items` sorted in course order by their lesson file: chapters in book order, then
/// lessons the book does not list, by name (a stable sort keeps ties in their order).
pub fn sort_by_lesson<T>(items: &mut [T], chapters: &[Chapter], lesson: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| {
        let l = lesson(t);
        (chapter_of(chapters, l).map_or(usize::MAX, |c| c.number), l.to_string())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_follow_the_summary_with_their_part() {
        let s = "# Summary\n\n[Introduction](introduction.md)\n\n# Day 6\n\n- [One](one.md)\n  - [Nested](./two.md)\n- [Draft]()\n";
        let c = chapters(s);
        let names: Vec<(usize, &str, &str)> = c.iter().map(|c| (c.number, c.title.as_str(), c.file.as_str())).collect();
        assert_eq!(names, [(1, "Introduction", "introduction.md"), (2, "One", "one.md"), (3, "Nested", "two.md")]);
        assert_eq!(c[0].part, None);
        assert_eq!(c[2].part.as_deref(), Some("Day 6"));
    }

    #[test]
    fn every_built_in_lab_has_a_chapter_of_the_book() {
        let book = book();
        let cat = crate::catalog::Catalog::load(None, lab_i18n::Language::english()).unwrap();
        let zh = lab_i18n::Language::parse("zh-TW").unwrap();
        for lab in &cat.labs {
            let chapter = chapter_of(&book, &lab.lesson);
            assert!(chapter.is_some(), "{}: lesson {} is not in SUMMARY.md", lab.id, lab.lesson);
            // `lab list` shows the chapter's title from the book's own catalog.
            let title = &chapter.unwrap().title;
            assert_ne!(&zh.book(title), title, "book/po/zh-TW.po does not translate the chapter title {title:?}");
        }
    }

    #[test]
    fn labs_sort_in_book_order_then_unknown_lessons_by_name() {
        let book = chapters("- [A](a.md)\n- [B](b.md)\n");
        let mut items = vec!["zz.md", "b.md", "aa.md", "a.md"];
        sort_by_lesson(&mut items, &book, |s| s);
        assert_eq!(items, ["a.md", "b.md", "aa.md", "zz.md"]);
    }
}
