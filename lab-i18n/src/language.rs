//! [`Language`]: English, or one of the compiled-in catalogs, chosen by a tag (`--lang
//! zh-TW`) or by the locale environment (`LC_ALL`, then `LC_MESSAGES`, then `LANG`).

use crate::catalog::{Catalog, EMBEDDED, EMBEDDED_BOOK};
use lab_schema::Lab;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// The languages `lab` and the book speak: English (the source) and the translations.
pub const LANGUAGES: &[&str] = &["en", "zh-TW"];

/// A language the workbook does not speak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLanguage(pub String);

impl std::fmt::Display for UnknownLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown language `{}`; the workbook speaks {} (e.g. --lang zh-TW)", self.0, LANGUAGES.join(", "))
    }
}

impl std::error::Error for UnknownLanguage {}

/// A language to show text in. English needs no catalog: every lookup returns its input.
#[derive(Debug, Clone, Copy)]
pub struct Language {
    tag: &'static str,
    catalog: Option<&'static Catalog>,
}

impl Default for Language {
    fn default() -> Language {
        Language::english()
    }
}

fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        // Parsed at build time (see build.rs): looking a language up costs nothing here.
        EMBEDDED
            .iter()
            .map(|(tag, po)| {
                let catalog = match Catalog::compiled(tag) {
                    Some(compiled) => compiled,
                    None => Catalog::parse(po).unwrap_or_else(|e| {
                        panic!("{} is not a valid catalog ({e}); run scripts/i18n", crate::catalog::po_path(tag))
                    }),
                };
                (*tag, catalog)
            })
            .collect()
    })
}

/// The book's catalogs, parsed the first time a book text is asked for.
fn book_catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        EMBEDDED_BOOK
            .iter()
            .map(|(tag, po)| {
                let catalog = Catalog::parse(po)
                    .unwrap_or_else(|e| panic!("book/po/{tag}.po is not a valid catalog ({e}); run scripts/i18n"));
                (*tag, catalog)
            })
            .collect()
    })
}

impl Language {
    pub fn english() -> Language {
        Language { tag: "en", catalog: None }
    }

    /// A BCP 47 tag (`zh-TW`) or a POSIX locale (`zh_TW.UTF-8`, `en_US`, `C`). Traditional
    /// Chinese locales (`zh_TW`, `zh_HK`, `zh_MO`, `zh-Hant…`) select `zh-TW`.
    pub fn parse(tag: &str) -> Result<Language, UnknownLanguage> {
        let base = tag.split(['.', '@']).next().unwrap_or_default().replace('_', "-").to_ascii_lowercase();
        let parts: Vec<&str> = base.split('-').collect();
        let chosen = match parts.as_slice() {
            ["en", ..] | ["c"] | ["posix"] => "en",
            ["zh", rest @ ..] if rest.iter().any(|p| matches!(*p, "tw" | "hk" | "mo" | "hant")) => "zh-TW",
            _ => return Err(UnknownLanguage(tag.to_string())),
        };
        Ok(Language::from_known(chosen))
    }

    /// English reads no catalog: every run chooses a language first, and the catalogs are
    /// parsed only when it is another one (`lab check` in English paid for parsing them).
    fn from_known(tag: &'static str) -> Language {
        if tag == "en" {
            return Language::english();
        }
        Language { tag, catalog: catalogs().get(tag) }
    }

    /// The language the locale environment selects, as gettext reads it: the first
    /// non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`; English when it names a language the
    /// workbook does not speak.
    pub fn from_env() -> Language {
        Language::from_locale(|name| std::env::var(name).ok())
    }

    /// [`Language::from_env`] over any source of variables (for tests).
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Language {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| var(name).filter(|v| !v.trim().is_empty()))
            .and_then(|v| Language::parse(&v).ok())
            .unwrap_or_default()
    }

    /// `en` or `zh-TW`.
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    pub fn is_english(&self) -> bool {
        self.catalog.is_none()
    }

    /// The translation of `en`, or `en` itself when there is none.
    pub fn tr<'a>(&self, en: &'a str) -> Cow<'a, str> {
        match self.catalog.and_then(|c| c.get(en)) {
            Some(t) => Cow::Owned(t.to_string()),
            None => Cow::Borrowed(en),
        }
    }

    /// Translates a template and fills its `{name}` placeholders.
    pub fn fill(&self, en: &str, values: &[(&str, &dyn Display)]) -> String {
        substitute(&self.tr(en), values)
    }

    /// A lab file's text field (multi-line fields are looked up trimmed, as extracted).
    pub fn text(&self, en: &str) -> String {
        match self.catalog.and_then(|c| c.get(en.trim())) {
            Some(t) => t.to_string(),
            None => en.to_string(),
        }
    }

    /// A text of the book (a chapter title of `SUMMARY.md`), as the book's own catalog
    /// translates it; itself when it has no translation.
    pub fn book(&self, en: &str) -> String {
        if self.is_english() {
            return en.to_string();
        }
        book_catalogs().get(self.tag).and_then(|c| c.get(en)).unwrap_or(en).to_string()
    }

    /// A copy of `lab` with its human text (title, goal, check titles and hints) in this
    /// language; ids, points, assertions, fixes and the answer are unchanged.
    pub fn lab(&self, lab: &Lab) -> Lab {
        let mut out = lab.clone();
        if self.is_english() {
            return out;
        }
        out.title = self.text(&lab.title);
        out.goal = self.text(&lab.goal);
        for c in &mut out.checks {
            c.title = self.text(&c.title);
            c.hint = self.text(&c.hint);
        }
        for d in &mut out.drills {
            d.title = self.text(&d.title);
            d.hint = self.text(&d.hint);
        }
        out
    }

    /// `{n} point` / `{n} points` and the like: the singular template for 1.
    pub fn count(&self, n: impl Into<u64>, one: &str, many: &str) -> String {
        let n = n.into();
        self.fill(if n == 1 { one } else { many }, &[("n", &n)])
    }

    /// [`Language::count`] for a template with more placeholders than `{n}`.
    pub fn count_fill(&self, n: impl Into<u64>, one: &str, many: &str, values: &[(&str, &dyn Display)]) -> String {
        let n = n.into();
        let mut all: Vec<(&str, &dyn Display)> = vec![("n", &n)];
        all.extend_from_slice(values);
        self.fill(if n == 1 { one } else { many }, &all)
    }

    /// `items` joined by a `{list}…{item}` template ([`words::LIST`](crate::words::LIST),
    /// [`words::LIST_AND`](crate::words::LIST_AND), …), left to right: `a, b, c`; `a、b、c`.
    pub fn list<T: Display>(&self, template: &str, items: &[T]) -> String {
        let template = self.tr(template);
        let mut it = items.iter();
        let Some(first) = it.next() else { return String::new() };
        it.fold(first.to_string(), |list, item| substitute(&template, &[("list", &list), ("item", item)]))
    }
}

/// `template` with each `{name}` of `values` replaced, in one pass: a value that contains
/// `{…}` (an engine's error message, a service name) is never filled in itself.
fn substitute(template: &str, values: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| values.iter().find(|(name, _)| *name == &after[..close]).map(|(_, v)| (close, v)));
        match value {
            Some((close, v)) => {
                let v = v.to_string();
                out.push_str(&v);
                rest = &after[close + 1..];
                // A value that ends its own sentence ("… CA?") takes the template's full
                // stop after it: no "CA?." nor "嗎？。".
                if v.ends_with(['.', '?', '!', '。', '？', '！']) {
                    rest = rest.strip_prefix(['.', '。']).unwrap_or(rest);
                }
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_ends_a_sentence_takes_the_full_stop_after_it() {
        let why = "are cert.pem and key.pem signed by the engine's CA?";
        assert_eq!(substitute("failed: {why}. Check the CA", &[("why", &why)]), format!("failed: {why} Check the CA"));
        let why = "那是 Docker engine 嗎？";
        assert_eq!(substitute("失敗：{why}。請檢查", &[("why", &why)]), format!("失敗：{why}請檢查"));
        assert_eq!(substitute("{a}. {b}.", &[("a", &"v1.2"), ("b", &"refused.")]), "v1.2. refused.");
        assert_eq!(substitute("port {p}.", &[("p", &80)]), "port 80.");
    }

    #[test]
    fn locales_select_traditional_chinese() {
        for tag in ["zh-TW", "zh_TW.UTF-8", "zh_TW", "zh_HK.UTF-8", "zh-Hant-TW", "ZH-tw"] {
            assert_eq!(Language::parse(tag).unwrap().tag(), "zh-TW", "{tag}");
        }
        for tag in ["en", "en_US.UTF-8", "C", "POSIX", "C.UTF-8"] {
            assert_eq!(Language::parse(tag).unwrap().tag(), "en", "{tag}");
        }
        assert!(Language::parse("zh_CN.UTF-8").is_err());
        assert!(Language::parse("fr").unwrap_err().to_string().contains("en, zh-TW"));
    }

    #[test]
    fn lc_all_wins_over_lang_as_in_gettext() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
        };
        assert_eq!(Language::from_locale(env(&[("LANG", "zh_TW.UTF-8")])).tag(), "zh-TW");
        assert_eq!(Language::from_locale(env(&[("LC_ALL", "C"), ("LANG", "zh_TW.UTF-8")])).tag(), "en");
        assert_eq!(Language::from_locale(env(&[("LC_ALL", ""), ("LC_MESSAGES", "zh_TW")])).tag(), "zh-TW");
        assert_eq!(Language::from_locale(env(&[("LANG", "fr_FR.UTF-8")])).tag(), "en");
        assert_eq!(Language::from_locale(env(&[])).tag(), "en");
    }

    #[test]
    fn english_is_the_identity_and_placeholders_are_filled() {
        let en = Language::english();
        assert_eq!(en.tr(crate::words::CHECKS), "Checks");
        assert_eq!(en.count(1u32, crate::words::ONE_POINT, crate::words::MANY_POINTS), "1 point");
        assert_eq!(en.count(40u32, crate::words::ONE_POINT, crate::words::MANY_POINTS), "40 points");
        assert_eq!(en.list(crate::words::LIST, &["a", "b", "c"]), "a, b, c");
        assert_eq!(en.list(crate::words::LIST_AND, &["a"]), "a");
        assert_eq!(en.list(crate::words::LIST, &[] as &[&str]), "");
    }

    #[test]
    fn lists_join_in_the_language_and_keep_braces_in_their_items() {
        let zh = Language::parse("zh-TW").unwrap();
        assert_eq!(zh.list(crate::words::LIST, &["a", "b", "c"]), "a、b、c");
        assert_eq!(zh.list(crate::words::LIST_AND, &["frontend", "backend"]), "frontend 和 backend");
        // An item that looks like a placeholder is a value, never filled in.
        assert_eq!(Language::english().list(crate::words::LIST, &["{item}", "{list}"]), "{item}, {list}");
    }

    #[test]
    fn chapter_titles_come_from_the_book_catalog() {
        let zh = Language::parse("zh-TW").unwrap();
        assert_eq!(zh.book("Your first service"), "你的第一個服務");
        assert_eq!(zh.book("not a title of the book"), "not a title of the book");
        assert_eq!(Language::english().book("Your first service"), "Your first service");
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_filled_in() {
        let en = Language::english();
        let s = en.fill("{a} and {b}, {c} {unknown}", &[("a", &"{b}"), ("b", &"x"), ("c", &"{")]);
        assert_eq!(s, "{b} and x, { {unknown}");
    }
}
