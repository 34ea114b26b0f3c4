//! A compiled-in gettext catalog turned into a msgid → msgstr table. Untranslated and fuzzy
//! entries are left out, so they fall back to English.

use std::collections::HashMap;

/// The `.po` files compiled into the binaries: language tag and catalog text.
pub const EMBEDDED: &[(&str, &str)] = &[("zh-TW", include_str!("../../book/po/labs.zh-TW.po"))];

/// The book's own catalogs (`book/po/<lang>.po`), for the few book texts `lab` shows
/// outside the book: the chapter titles of `lab list`.
pub const EMBEDDED_BOOK: &[(&str, &str)] = &[("zh-TW", include_str!("../../book/po/zh-TW.po"))];

/// Where the catalog of `lang` lives in the repository (for messages and tools).
pub fn po_path(lang: &str) -> String {
    format!("book/po/labs.{lang}.po")
}

include!("kept.rs");
include!(concat!(env!("OUT_DIR"), "/compiled_catalogs.rs"));

/// A parsed catalog: only translated, non-fuzzy messages.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    messages: HashMap<String, String>,
    /// The same, parsed at build time and sorted by msgid (an embedded catalog).
    compiled: &'static [(&'static str, &'static str)],
}

impl Catalog {
    /// Parses `.po` text. A broken catalog is a bug of this repository (the tests parse
    /// every embedded one), so the error names the file to fix.
    pub fn parse(po: &str) -> Result<Catalog, String> {
        let parsed = polib::po_file::parse_from_reader(po.as_bytes()).map_err(|e| e.to_string())?;
        Ok(Catalog { messages: kept(&parsed).collect(), compiled: &[] })
    }

    /// The catalog of `tag` compiled into the binary (the build script parsed
    /// [`EMBEDDED`]'s text): nothing to parse at run time.
    pub fn compiled(tag: &str) -> Option<Catalog> {
        let (_, table) = COMPILED.iter().find(|(t, _)| *t == tag)?;
        Some(Catalog { messages: HashMap::new(), compiled: table })
    }

    pub fn get(&self, msgid: &str) -> Option<&str> {
        if let Ok(i) = self.compiled.binary_search_by(|(id, _)| (*id).cmp(msgid)) {
            return Some(self.compiled[i].1);
        }
        self.messages.get(msgid).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.messages.len() + self.compiled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_and_empty_entries_fall_back() {
        let po = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
                  msgid \"a\"\nmsgstr \"甲\"\n\n#, fuzzy\nmsgid \"b\"\nmsgstr \"乙\"\n\nmsgid \"c\"\nmsgstr \"\"\n\n\
                  msgid \"multi\\n\"\n\"line\"\nmsgstr \"多\\n\"\n\"行\"\n";
        let c = Catalog::parse(po).unwrap();
        assert_eq!(c.get("a"), Some("甲"));
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("c"), None);
        assert_eq!(c.get("multi\nline"), Some("多\n行"));
    }

    #[test]
    fn compiled_tables_are_the_parsed_catalogs() {
        for (tag, po) in EMBEDDED {
            let parsed = Catalog::parse(po).unwrap();
            let compiled = Catalog::compiled(tag).expect("every embedded catalog is compiled");
            assert_eq!(compiled.len(), parsed.len(), "{tag}");
            for (id, s) in &parsed.messages {
                assert_eq!(compiled.get(id), Some(s.as_str()), "{tag}: {id}");
            }
        }
    }
}
