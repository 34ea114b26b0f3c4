// The messages a catalog keeps: translated, singular, not fuzzy, not empty. Shared by
// `Catalog::parse` and the build script that compiles the embedded catalogs.

/// The (msgid, msgstr) pairs of `po` a lookup may answer with.
fn kept(po: &polib::catalog::Catalog) -> impl Iterator<Item = (String, String)> + '_ {
    po.messages()
        .filter(|m| m.is_singular() && m.is_translated() && !m.is_fuzzy())
        .filter_map(|m| Some((m.msgid().to_string(), m.msgstr().ok()?.to_string())))
        .filter(|(_, s)| !s.is_empty())
}
