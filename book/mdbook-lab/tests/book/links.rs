//! After a build, every relative `href` and `src` of every page points at a file of the
//! output, and every `#anchor` at an element with that id in the target page: no link is
//! left dangling by cards or by dropping answer chapters.

use crate::harness::{BookTest, Built};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `(attribute, value)` of every `href="…"` and `src="…"` in a page.
fn references(html: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for attr in ["href", "src"] {
        let needle = format!(" {attr}=\"");
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            rest = &rest[i + needle.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push((attr, rest[..end].replace("&amp;", "&")));
            rest = &rest[end..];
        }
    }
    out
}

fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url.split_once(':').is_some_and(|(scheme, _)| !scheme.contains('/') && !scheme.contains('#'))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ids(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    out
}

fn broken_links(built: &Built) -> (usize, Vec<String>) {
    let mut pages: HashMap<PathBuf, String> = HashMap::new();
    let mut read = |p: &Path| {
        pages.entry(p.to_path_buf()).or_insert_with(|| std::fs::read_to_string(p).unwrap_or_default()).clone()
    };
    let mut broken = Vec::new();
    let mut checked = 0;
    // 404.html is served at any depth and uses `<base href>` to the site root: skip it.
    for page in built.html_pages().into_iter().filter(|p| !p.ends_with("404.html")) {
        let page_path = built.out.join(&page);
        let html = read(&page_path);
        for (attr, url) in references(&html) {
            if url.is_empty() || is_external(&url) {
                continue;
            }
            checked += 1;
            let (path, anchor) = url.split_once('#').map_or((url.as_str(), None), |(p, a)| (p, Some(a)));
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                page_path.clone()
            } else {
                let t = page_path.parent().unwrap().join(percent_decode(path));
                if path.ends_with('/') {
                    t.join("index.html")
                } else {
                    t
                }
            };
            if !target.is_file() {
                broken.push(format!("{page}: {attr}=\"{url}\": no file {}", target.display()));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                if target.extension().is_some_and(|e| e == "html") {
                    let anchor = percent_decode(anchor);
                    if !ids(&read(&target)).contains(&anchor) {
                        broken.push(format!("{page}: {attr}=\"{url}\": no id=\"{anchor}\" in {}", target.display()));
                    }
                }
            }
        }
    }
    (checked, broken)
}

/// Both editions in every language: the links between languages resolve too.
#[test]
fn every_relative_link_and_anchor_resolves_in_both_editions() {
    for solutions in [false, true] {
        let built = BookTest::workbook().solutions(solutions).all_editions().build();
        let (checked, broken) = broken_links(&built);
        assert!(checked > 100, "only {checked} links checked: is the scanner finding links?");
        assert!(broken.is_empty(), "solutions = {solutions}: {} broken link(s):\n{}", broken.len(), broken.join("\n"));
    }
}

#[test]
fn the_link_checker_finds_a_broken_link_and_anchor() {
    let built = BookTest::workbook()
        .edit("src/routing-mesh.md", |s| {
            format!("{s}\n\n[gone](no-such-page.md) and [bad anchor](voting-app.md#no-such-id)\n")
        })
        .build();
    let (_, broken) = broken_links(&built);
    assert!(broken.iter().any(|b| b.contains("no-such-page.html")), "{broken:?}");
    assert!(broken.iter().any(|b| b.contains("no id=\"no-such-id\"")), "{broken:?}");
}

#[test]
fn references_and_ids_are_read_from_html() {
    let html = r#"<a href="a.html#x">a</a><img src="images/b%20c.svg"><h2 id="x">"#;
    assert_eq!(references(html), [("href", "a.html#x".to_string()), ("src", "images/b%20c.svg".to_string())]);
    assert_eq!(ids(html), ["x"]);
    assert_eq!(percent_decode("b%20c"), "b c");
    assert!(is_external("https://x") && is_external("mailto:a@b") && !is_external("a.html#x:y"));
}
