//! The labs `lab` knows: those embedded at build time, or the `*.toml` files of
//! `--labs DIR` / `SWARM_LAB_LABS` when given (for lab authors).

use lab_i18n::{words, Language};
use lab_schema::{load_dir, load_str, Lab, LabErrors};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_labs.rs"));

pub struct Catalog {
    pub labs: Vec<Lab>,
    pub origin: String,
    /// The language its messages are in.
    lang: Language,
}

impl Catalog {
    pub fn load(dir: Option<&Path>, lang: Language) -> Result<Catalog, Vec<LabErrors>> {
        match dir {
            Some(d) => Ok(Catalog { labs: load_dir(d)?, origin: d.display().to_string(), lang }),
            None => {
                let mut labs = Vec::new();
                let mut errs = Vec::new();
                for (name, text) in EMBEDDED_LABS {
                    match load_str(&PathBuf::from("labs").join(name), text) {
                        Ok(l) => labs.push(l),
                        Err(e) => errs.push(e),
                    }
                }
                if errs.is_empty() {
                    Ok(Catalog { labs, origin: lang.tr(words::BUILT_IN).into_owned(), lang })
                } else {
                    Err(errs)
                }
            }
        }
    }

    /// The built-in lab `id` alone, when its file (`<id>.toml`) parses and holds that lab:
    /// `lab check` reads one lab, not every one shipped. `None` sends the caller to
    /// [`Catalog::load`], which reports a missing lab or a broken file as before.
    pub fn embedded(id: &str) -> Option<Lab> {
        let (name, text) = EMBEDDED_LABS.iter().find(|(name, _)| name.strip_suffix(".toml") == Some(id))?;
        load_str(&PathBuf::from("labs").join(name), text).ok().filter(|l| l.id == id)
    }

    pub fn get(&self, id: &str) -> Result<&Lab, String> {
        self.labs.iter().find(|l| l.id == id).ok_or_else(|| {
            let ids: Vec<&str> = self.labs.iter().map(|l| l.id.as_str()).collect();
            let suggestion = did_you_mean(id, &ids, self.lang);
            self.lang.fill(
                words::UNKNOWN_LAB,
                &[("id", &id), ("origin", &self.origin), ("ids", &ids.join(", ")), ("suggestion", &suggestion)],
            )
        })
    }
}

/// "Did you mean `x`? " (with its space) in `lang`, or nothing.
pub fn did_you_mean(id: &str, ids: &[&str], lang: Language) -> String {
    match lab_schema::spelling::suggestion(id, ids.iter().copied()) {
        Some(close) => format!("{} ", lang.fill(words::DID_YOU_MEAN, &[("id", &close)])),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::Catalog;

    #[test]
    fn each_built_in_lab_read_alone_is_the_one_the_catalog_holds() {
        let all = Catalog::load(None, lab_i18n::Language::english()).unwrap();
        for lab in &all.labs {
            assert_eq!(Catalog::embedded(&lab.id).as_ref(), Some(lab), "{}", lab.id);
        }
        assert_eq!(Catalog::embedded("no-such-lab"), None);
    }
}
