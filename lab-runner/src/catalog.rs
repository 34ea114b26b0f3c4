//! The labs `lab` knows: those embedded at build time, or the `*.toml` files of
//! `--labs DIR` / `SWARM_LAB_LABS` when given (for lab authors).

use lab_schema::{load_dir, load_str, Lab, LabErrors};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_labs.rs"));

pub struct Catalog {
    pub labs: Vec<Lab>,
    pub origin: String,
}

impl Catalog {
    pub fn load(dir: Option<&Path>) -> Result<Catalog, Vec<LabErrors>> {
        match dir {
            Some(d) => Ok(Catalog { labs: load_dir(d)?, origin: d.display().to_string() }),
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
                    Ok(Catalog { labs, origin: "built in".into() })
                } else {
                    Err(errs)
                }
            }
        }
    }

    pub fn get(&self, id: &str) -> Result<&Lab, String> {
        self.labs.iter().find(|l| l.id == id).ok_or_else(|| {
            let ids: Vec<&str> = self.labs.iter().map(|l| l.id.as_str()).collect();
            let close = ids.iter().find(|k| k.contains(id) || id.contains(**k) || strsim_close(k, id));
            let suggestion = close.map(|c| format!(" Did you mean `{c}`?")).unwrap_or_default();
            format!("unknown lab `{id}` ({} labs: {}).{suggestion} `lab list` shows them all.", self.origin, ids.join(", "))
        })
    }
}

/// Two ids that differ by at most two single-character edits.
fn strsim_close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}
