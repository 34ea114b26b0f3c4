//! Parses the compiled-in catalogs (`book/po/labs.<lang>.po`) at build time into sorted
//! msgid → msgstr tables, so a run in another language looks its words up at once instead
//! of parsing the `.po` text first. The same messages as `Catalog::parse` keeps (the test
//! `compiled_tables_are_the_parsed_catalogs` compares them).
use std::{env, fs, path::Path};

include!("src/kept.rs");

fn main() {
    let po_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/po");
    let mut out = String::from("/// (language tag, sorted (msgid, msgstr) pairs) of each compiled-in catalog.\n");
    out.push_str("pub(crate) const COMPILED: &[(&str, &[(&str, &str)])] = &[\n");
    for tag in ["zh-TW"] {
        let path = po_dir.join(format!("labs.{tag}.po"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let parsed = polib::po_file::parse_from_reader(text.as_bytes())
            .unwrap_or_else(|e| panic!("{} is not a valid catalog ({e}); run scripts/i18n", path.display()));
        let mut pairs: Vec<(String, String)> =
            kept(&parsed).collect::<std::collections::HashMap<_, _>>().into_iter().collect();
        pairs.sort();
        out.push_str(&format!("    ({tag:?}, &[\n"));
        for (id, s) in pairs {
            out.push_str(&format!("        ({id:?}, {s:?}),\n"));
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("compiled_catalogs.rs"), out).unwrap();
}
