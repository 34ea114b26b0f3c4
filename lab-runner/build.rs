//! Embeds every `labs/*.toml` into the binary, so `lab` works from any directory.
use std::{env, fs, path::Path};

fn main() {
    let labs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs");
    println!("cargo:rerun-if-changed={}", labs.display());
    let mut files: Vec<_> = fs::read_dir(&labs)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// (file name, contents) of every lab shipped with `lab`.\npub const EMBEDDED_LABS: &[(&str, &str)] = &[\n",
    );
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.canonicalize().unwrap().display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_labs.rs"), out).unwrap();
}
