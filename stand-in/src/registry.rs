//! The practice swarm's offline Docker Hub: a read-only registry (Registry HTTP API V2)
//! that answers for the course's images and common official images at any tag with the
//! matching stand-in image, so `docker service create redis` converges offline, and an
//! unknown name fails at once as it would online.
//!
//! Every node's engine uses it as its `registry-mirrors` entry (docker.io images go to a
//! mirror first; on a 404 or any mirror error dockerd falls back to the Hub, which an
//! offline node cannot reach, so a misspelt name fails within seconds with the usual
//! "No such image"). The CLI's digest lookup (`GET /distribution/{name}/json`) takes the
//! first endpoint that answers `/v2/` as a V2 registry, the mirror, so `service create`
//! and `service update --image` record a digest without the ~20 s registry timeout.
//!
//! What is served is computed here, once per cluster, from the same busybox the stand-in
//! images are made of: one schema2 manifest per behaviour, whose config blob is byte for
//! byte the config of the preloaded image (so the image id matches and a pull of a
//! preloaded image downloads nothing) and whose one layer is the stand-in rootfs,
//! gzip-compressed. The server itself is a busybox shell script run per connection by
//! `nc -ll -e` (Alpine's busybox, as in docker:dind, has no httpd), with every answer's
//! headers prepared here; it reads at most one bounded request line, accepts only plain
//! path characters and looks names up in a fixed table, so nothing a learner types reaches
//! a file name unchecked.

use std::io::Write;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Result, StandInProblem};
use crate::image::{BusyboxSource, StandIn, STAND_INS};

/// The port the registry listens on.
pub const PORT: u16 = 5000;

/// Media types of what is served.
pub const MANIFEST_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const CONFIG_TYPE: &str = "application/vnd.docker.container.image.v1+json";
pub const LAYER_TYPE: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// Repositories the registry knows, with the stand-in behaviour ([`StandIn::kind`]) each
/// resolves to at any tag. Official images are also asked for as `library/NAME`.
pub const REPOSITORIES: &[(&str, &str)] = &[
    ("alpine", "shell"),
    ("busybox", "shell"),
    ("ubuntu", "shell"),
    ("debian", "shell"),
    ("nginx", "web"),
    ("httpd", "web"),
    ("drupal", "web"),
    ("wordpress", "web"),
    ("redis", "redis"),
    ("postgres", "postgres"),
    ("elasticsearch", "elasticsearch"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("dockersamples/examplevotingapp_vote", "vote"),
    ("bretfisher/examplevotingapp_vote", "vote"),
    ("dockersamples/examplevotingapp_result", "result"),
    ("bretfisher/examplevotingapp_result", "result"),
    ("dockersamples/examplevotingapp_worker", "worker"),
    ("bretfisher/examplevotingapp_worker", "worker"),
];

/// The stand-in a repository name (as the mirror is asked: `library/redis`,
/// `bretfisher/examplevotingapp_vote`) resolves to, if the registry knows it.
pub fn stand_in_for_repository(name: &str) -> Option<&'static StandIn> {
    let plain = name.strip_prefix("library/").filter(|n| !n.contains('/')).unwrap_or(name);
    let (_, kind) = REPOSITORIES.iter().find(|(repo, _)| *repo == plain)?;
    STAND_INS.iter().find(|s| s.kind == *kind)
}

/// `http://ADDR:PORT`, the value of the engines' `registry-mirrors`.
pub fn mirror_url(addr: &str) -> String {
    format!("http://{addr}:{PORT}")
}

/// `ADDR:PORT`, the value of the engines' `insecure-registries` (the mirror is plain HTTP).
pub fn insecure_entry(addr: &str) -> String {
    format!("{addr}:{PORT}")
}

/// The registry's error codes, with the messages the distribution registry gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ManifestUnknown,
    NameUnknown,
    NameInvalid,
    TagInvalid,
    BlobUnknown,
    DigestInvalid,
    Unsupported,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::ManifestUnknown,
        ErrorCode::NameUnknown,
        ErrorCode::NameInvalid,
        ErrorCode::TagInvalid,
        ErrorCode::BlobUnknown,
        ErrorCode::DigestInvalid,
        ErrorCode::Unsupported,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::ManifestUnknown => "MANIFEST_UNKNOWN",
            ErrorCode::NameUnknown => "NAME_UNKNOWN",
            ErrorCode::NameInvalid => "NAME_INVALID",
            ErrorCode::TagInvalid => "TAG_INVALID",
            ErrorCode::BlobUnknown => "BLOB_UNKNOWN",
            ErrorCode::DigestInvalid => "DIGEST_INVALID",
            ErrorCode::Unsupported => "UNSUPPORTED",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::ManifestUnknown => "manifest unknown",
            ErrorCode::NameUnknown => "repository name not known to registry",
            ErrorCode::NameInvalid => "invalid repository name",
            ErrorCode::TagInvalid => "manifest tag did not match URI",
            ErrorCode::BlobUnknown => "blob unknown to registry",
            ErrorCode::DigestInvalid => "provided digest did not match uploaded content",
            ErrorCode::Unsupported => {
                "The operation is unsupported: this is the practice swarm read-only registry of stand-in images"
            }
        }
    }

    /// The HTTP status line the registry answers with.
    pub fn status(self) -> &'static str {
        match self {
            ErrorCode::NameInvalid | ErrorCode::TagInvalid | ErrorCode::DigestInvalid => "400 Bad Request",
            ErrorCode::Unsupported => "405 Method Not Allowed",
            _ => "404 Not Found",
        }
    }

    /// The JSON body: `{"errors":[{"code":…,"message":…,"detail":null}]}`.
    pub fn body(self) -> String {
        json!({"errors": [{"code": self.code(), "message": self.message(), "detail": null}]}).to_string()
    }

    fn shell_name(self) -> String {
        self.code().to_ascii_lowercase()
    }
}

/// One file of the registry's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFile {
    /// Relative: `serve`, `blobs/<hex>`, `manifests/<kind>.head`.
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

/// Everything the registry serves, and the script that serves it.
#[derive(Debug, Clone)]
pub struct RegistryContent {
    pub files: Vec<RegistryFile>,
    /// `kind` → manifest digest (`sha256:…`), in [`STAND_INS`] order.
    pub manifests: Vec<(&'static str, String)>,
    /// Digest of the gzip-compressed layer.
    pub layer_digest: String,
}

/// The script's file name in the registry's directory.
pub const SCRIPT: &str = "serve";

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The full header block of a 200 answer (status line to the blank line).
fn ok_head(content_type: &str, len: usize, digest: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n\
         Docker-Content-Digest: {digest}\r\nDocker-Distribution-API-Version: registry/2.0\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A served object: its body and its header block.
fn served(dir: &str, name: &str, content_type: &str, body: Vec<u8>, files: &mut Vec<RegistryFile>) -> String {
    let digest = format!("sha256:{}", sha256_hex(&body));
    files.push(RegistryFile {
        path: format!("{dir}/{name}.head"),
        data: ok_head(content_type, body.len(), &digest),
        mode: 0o644,
    });
    files.push(RegistryFile { path: format!("{dir}/{name}"), data: body, mode: 0o644 });
    digest
}

/// The registry for the stand-in images made of `source`, whose rootfs layer (from
/// [`crate::image::rootfs_tar`]) is `layer`.
pub fn content(source: &BusyboxSource, layer: &[u8]) -> Result<RegistryContent> {
    let diff_id = sha256_hex(layer);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(layer).and_then(|()| gz.finish()).map_or_else(
        |e| Err(StandInProblem::Pack(e)),
        |compressed| {
            let mut files = Vec::new();
            let layer_size = compressed.len();
            let layer_hex = sha256_hex(&compressed);
            let layer_digest = served("blobs", &layer_hex, "application/octet-stream", compressed, &mut files);
            let mut manifests = Vec::new();
            for stand_in in STAND_INS {
                let config = stand_in.config_json(&diff_id, source);
                let config_size = config.len();
                let config_digest =
                    served("blobs", &sha256_hex(&config), "application/octet-stream", config, &mut files);
                let manifest = json!({
                    "schemaVersion": 2,
                    "mediaType": MANIFEST_TYPE,
                    "config": {"mediaType": CONFIG_TYPE, "size": config_size, "digest": config_digest},
                    "layers": [{"mediaType": LAYER_TYPE, "size": layer_size, "digest": layer_digest}],
                });
                let manifest = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
                let digest = served("manifests", stand_in.kind, MANIFEST_TYPE, manifest, &mut files);
                manifests.push((stand_in.kind, digest));
            }
            files.push(RegistryFile { path: SCRIPT.into(), data: script(&manifests).into_bytes(), mode: 0o755 });
            Ok(RegistryContent { files, manifests, layer_digest })
        },
    )
}

impl RegistryContent {
    /// The files as a tar archive (for the Engine API's archive upload), under `dir/`.
    pub fn tar(&self, dir: &str) -> std::io::Result<Vec<u8>> {
        let mut b = tar::Builder::new(Vec::new());
        let mut dirs = std::collections::BTreeSet::new();
        for f in &self.files {
            if let Some((parent, _)) = f.path.rsplit_once('/') {
                dirs.insert(parent.to_string());
            }
        }
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        h.set_mtime(0);
        b.append_data(&mut h.clone(), format!("{dir}/"), std::io::empty())?;
        for d in &dirs {
            b.append_data(&mut h.clone(), format!("{dir}/{d}/"), std::io::empty())?;
        }
        for f in &self.files {
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(f.data.len() as u64);
            h.set_mode(f.mode);
            h.set_mtime(0);
            b.append_data(&mut h, format!("{dir}/{}", f.path), f.data.as_slice())?;
        }
        b.into_inner()
    }

    /// Writes the files under `dir` (created if missing).
    #[cfg(unix)]
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        for f in &self.files {
            let path = dir.join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &f.data)?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(f.mode))?;
        }
        Ok(())
    }
}

/// The longest request line and header line read; a longer one is refused.
pub const MAX_LINE: usize = 2048;
/// The most header lines read.
pub const MAX_HEADERS: usize = 64;
/// The longest path accepted (names are at most 255 characters, tags 128).
pub const MAX_PATH: usize = 512;

/// The server: a busybox `sh` script answering one request on stdin/stdout, run by
/// `nc -ll -p PORT -e sh DIR/serve` with the registry's directory as its own.
pub fn script(manifests: &[(&str, String)]) -> String {
    let mut s = String::from(SCRIPT_HEAD);
    s.push_str("\n# What each error answers: status line, body length, body.\n");
    for code in ErrorCode::ALL {
        let body = code.body();
        s.push_str(&format!("{}() {{ fail '{}' {} '{}'; }}\n", code.shell_name(), code.status(), body.len(), body));
    }
    s.push_str(
        "\n# The repositories this registry knows, and the stand-in each resolves to.\nrepository() {\n  case $1 in\n",
    );
    for (repo, _) in REPOSITORIES {
        if let Some(stand_in) = stand_in_for_repository(repo) {
            let names = if repo.contains('/') { repo.to_string() } else { format!("{repo}|library/{repo}") };
            s.push_str(&format!("    {names}) kind={} ;;\n", stand_in.kind));
        }
    }
    s.push_str("    *) return 1 ;;\n  esac\n  case $kind in\n");
    for (kind, digest) in manifests {
        s.push_str(&format!("    {kind}) digest={digest} ;;\n"));
    }
    s.push_str("  esac\n}\n");
    s.push_str(SCRIPT_ROUTES);
    s.replace("@MAX_LINE@", &MAX_LINE.to_string())
        .replace("@MAX_HEADERS@", &MAX_HEADERS.to_string())
        .replace("@MAX_PATH@", &MAX_PATH.to_string())
}

const SCRIPT_HEAD: &str = r#"#!/bin/sh
# Swarm Lab's offline Docker Hub (Registry HTTP API V2, read-only): answers one request
# on stdin/stdout. Written by `lab cluster up`; every answer's headers are prepared files.
cd "${0%/*}" || exit 1
cr=$(printf '\r')
method=GET

log() { echo "registry: $*" >&2; }

# fail STATUS LENGTH BODY: an error answer in the registry's JSON format.
fail() {
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %s\r\nDocker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n' "$1" "$2"
  [ "$method" = HEAD ] || printf '%s' "$3"
  log "$method ${path:-?} $1"
  exit 0
}

# send FILE: FILE.head (status line and headers), then FILE unless asked with HEAD.
send() {
  if [ "$method" = HEAD ]; then cat "$1.head"; else cat "$1.head" "$1"; fi
  log "$method $path 200"
  exit 0
}
"#;

const SCRIPT_ROUTES: &str = r#"
# The request line, bounded; then the headers, read and dropped (so the connection is
# not reset under an answer the client has not read yet).
IFS= read -r -t 10 -n @MAX_LINE@ line || exit 0
line=${line%"$cr"}
n=0
while [ $n -lt @MAX_HEADERS@ ] && IFS= read -r -t 10 -n @MAX_LINE@ header; do
  header=${header%"$cr"}
  [ -n "$header" ] || break
  n=$((n + 1))
done
if [ ${#line} -ge $((@MAX_LINE@ - 1)) ]; then path=; unsupported; fi
set -f
set -- $line
[ $# -eq 3 ] || { path=; unsupported; }
method=$1
path=${2%%\?*}
case $method in
  GET|HEAD) ;;
  *) path=; method=GET; unsupported ;;
esac
if [ ${#path} -gt @MAX_PATH@ ]; then path=; name_invalid; fi
case $path in
  *[!A-Za-z0-9._/:-]*|*..*|*//*) path=; name_invalid ;;
esac

case $path in
  /v2|/v2/)
    printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nDocker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n'
    [ "$method" = HEAD ] || printf '{}'
    log "$method $path 200"
    exit 0
    ;;
  /v2/*/manifests/*)
    name=${path#/v2/}
    name=${name%/manifests/*}
    ref=${path##*/manifests/}
    repository "$name" || name_unknown
    case $ref in
      sha256:*)
        [ "$ref" = "$digest" ] || manifest_unknown
        ;;
      ''|[.-]*|*[!A-Za-z0-9_.-]*) tag_invalid ;;
      *)
        [ ${#ref} -le 128 ] || tag_invalid
        ;;
    esac
    send "manifests/$kind"
    ;;
  /v2/*/blobs/*)
    name=${path#/v2/}
    name=${name%/blobs/*}
    ref=${path##*/blobs/}
    repository "$name" || name_unknown
    hex=${ref#sha256:}
    [ "sha256:$hex" = "$ref" ] && [ ${#hex} -eq 64 ] || digest_invalid
    case $hex in *[!0-9a-f]*) digest_invalid ;; esac
    [ -f "blobs/$hex" ] || blob_unknown
    send "blobs/$hex"
    ;;
  *) unsupported ;;
esac
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_images_resolve_with_and_without_library() {
        for (name, kind) in [
            ("redis", "redis"),
            ("library/redis", "redis"),
            ("library/alpine", "shell"),
            ("busybox", "shell"),
            ("library/nginx", "web"),
            ("httpd", "web"),
            ("drupal", "web"),
            ("library/postgres", "postgres"),
            ("elasticsearch", "elasticsearch"),
            ("bretfisher/examplevotingapp_worker", "worker"),
            ("dockersamples/examplevotingapp_worker", "worker"),
        ] {
            assert_eq!(stand_in_for_repository(name).map(|s| s.kind), Some(kind), "{name}");
        }
        for unknown in ["redsi", "library/redsi", "library/bretfisher/examplevotingapp_vote", "someone/redis", ""] {
            assert!(stand_in_for_repository(unknown).is_none(), "{unknown}");
        }
    }

    #[test]
    fn every_repository_names_a_stand_in_this_build_has() {
        for (repo, kind) in REPOSITORIES {
            assert_eq!(stand_in_for_repository(repo).map(|s| s.kind), Some(*kind), "{repo}");
        }
        assert_eq!(stand_in_for_repository("bretfisher/examplevotingapp_vote").unwrap().kind, "vote");
        assert_eq!(stand_in_for_repository("library/mariadb").unwrap().kind, "mysql");
    }

    #[test]
    fn every_course_image_name_is_served() {
        for image in crate::image::STAND_IN_IMAGES {
            let repo = image.rsplit_once(':').map_or(*image, |(r, _)| r);
            assert!(stand_in_for_repository(repo).is_some(), "{image}");
        }
    }

    #[test]
    fn error_bodies_are_the_registry_json_format() {
        let body: serde_json::Value = serde_json::from_str(&ErrorCode::ManifestUnknown.body()).unwrap();
        assert_eq!(
            body,
            json!({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": null}]})
        );
        for code in ErrorCode::ALL {
            assert!(!code.body().contains('\''), "bodies are single-quoted in the script");
        }
        assert_eq!(ErrorCode::Unsupported.status(), "405 Method Not Allowed");
        assert_eq!(ErrorCode::NameUnknown.status(), "404 Not Found");
    }

    fn source() -> BusyboxSource {
        BusyboxSource {
            binary: b"\x7fELF busybox".to_vec(),
            applets: "bin/sh\n".into(),
            arch: "amd64".into(),
            ..Default::default()
        }
    }

    #[test]
    fn manifests_name_the_preloaded_config_and_the_compressed_layer_by_their_digests() {
        let source = source();
        let layer = crate::image::rootfs_tar(&source).unwrap();
        let content = content(&source, &layer).unwrap();
        let file = |p: &str| &content.files.iter().find(|f| f.path == p).unwrap_or_else(|| panic!("{p}")).data;
        assert_eq!(content.manifests.len(), STAND_INS.len());
        for (kind, digest) in &content.manifests {
            let body = file(&format!("manifests/{kind}"));
            assert_eq!(digest, &format!("sha256:{}", sha256_hex(body)));
            let head = String::from_utf8(file(&format!("manifests/{kind}.head")).clone()).unwrap();
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert!(head.contains(&format!("Content-Type: {MANIFEST_TYPE}\r\n")), "{head}");
            assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())), "{head}");
            assert!(head.contains(&format!("Docker-Content-Digest: {digest}\r\n")), "{head}");
            assert!(head.ends_with("\r\n\r\n"));

            let manifest: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(manifest["schemaVersion"], 2);
            let config_digest = manifest["config"]["digest"].as_str().unwrap();
            let config = file(&format!("blobs/{}", config_digest.trim_start_matches("sha256:")));
            let stand_in = STAND_INS.iter().find(|s| s.kind == *kind).unwrap();
            assert_eq!(config, &stand_in.config_json(&sha256_hex(&layer), &source), "the preloaded image's config");
            assert_eq!(manifest["config"]["size"], config.len());

            let layer_ref = &manifest["layers"][0];
            assert_eq!(layer_ref["mediaType"], LAYER_TYPE);
            assert_eq!(layer_ref["digest"], content.layer_digest.as_str());
            let gz = file(&format!("blobs/{}", content.layer_digest.trim_start_matches("sha256:")));
            assert_eq!(layer_ref["size"], gz.len());
            let mut unpacked = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut unpacked).unwrap();
            assert_eq!(unpacked, layer, "the layer's diff id is the preloaded layer's");
        }
    }

    #[test]
    fn the_archive_holds_every_file_under_its_directory() {
        let source = source();
        let content = content(&source, &crate::image::rootfs_tar(&source).unwrap()).unwrap();
        let tar = content.tar("registry").unwrap();
        let mut names = Vec::new();
        for e in tar::Archive::new(tar.as_slice()).entries().unwrap() {
            names.push(e.unwrap().path().unwrap().to_string_lossy().into_owned());
        }
        assert!(names.contains(&"registry/serve".to_string()));
        assert!(names.contains(&"registry/manifests/".to_string()));
        assert!(names.contains(&"registry/manifests/redis.head".to_string()));
        assert_eq!(names.len(), content.files.len() + 3, "the files, the directory and its two subdirectories");
    }

    /// The busybox at the usual places, when this machine has one.
    #[cfg(target_os = "linux")]
    fn host_busybox() -> Option<&'static str> {
        ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| std::path::Path::new(p).exists())
    }

    /// The served directory and a way to send it one request: (status line, headers, body).
    #[cfg(target_os = "linux")]
    struct Served {
        dir: tempfile::TempDir,
        busybox: &'static str,
        content: RegistryContent,
    }

    #[cfg(target_os = "linux")]
    impl Served {
        fn new() -> Option<Served> {
            let busybox = host_busybox()?;
            let source = source();
            let content = content(&source, &crate::image::rootfs_tar(&source).unwrap()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            content.write_to(dir.path()).unwrap();
            Some(Served { dir, busybox, content })
        }

        fn ask(&self, request: &[u8]) -> (String, String, Vec<u8>) {
            let mut child = std::process::Command::new(self.busybox)
                .arg("sh")
                .arg(self.dir.path().join(SCRIPT))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            // The answer may come before the whole request is read: ignore a broken pipe.
            let _ = std::io::Write::write_all(child.stdin.as_mut().unwrap(), request);
            drop(child.stdin.take());
            let out = child.wait_with_output().unwrap();
            let split = out.stdout.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or_else(|| {
                panic!(
                    "no header block: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )
            });
            let head = String::from_utf8(out.stdout[..split].to_vec()).unwrap();
            let (status, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
            (status.to_string(), headers.to_string(), out.stdout[split + 4..].to_vec())
        }

        fn get(&self, method: &str, path: &str) -> (String, String, Vec<u8>) {
            self.ask(format!("{method} {path} HTTP/1.1\r\nHost: r\r\nAccept: {MANIFEST_TYPE}\r\n\r\n").as_bytes())
        }
    }

    fn code_of(body: &[u8]) -> String {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("{body:?}"));
        v["errors"][0]["code"].as_str().unwrap().to_string()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_server_says_it_is_a_v2_registry() {
        let Some(r) = Served::new() else { return eprintln!("no busybox here; skipped") };
        let (status, headers, body) = r.get("GET", "/v2/");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.contains("Docker-Distribution-API-Version: registry/2.0"), "{headers}");
        assert_eq!(body, b"{}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn any_tag_of_a_known_name_is_its_stand_in_and_its_digest_too() {
        let Some(r) = Served::new() else { return eprintln!("no busybox here; skipped") };
        let digest = &r.content.manifests.iter().find(|(k, _)| *k == "redis").unwrap().1;
        for path in
            ["/v2/library/redis/manifests/latest", "/v2/library/redis/manifests/7.2-alpine", "/v2/redis/manifests/3.2"]
        {
            let (status, headers, body) = r.get("GET", path);
            assert_eq!(status, "HTTP/1.1 200 OK", "{path}");
            assert!(headers.contains(&format!("Docker-Content-Digest: {digest}\r\n")), "{headers}");
            assert!(headers.contains(&format!("Content-Length: {}\r\n", body.len())), "{headers}");
            assert_eq!(format!("sha256:{}", sha256_hex(&body)), *digest);
        }
        let (status, headers, body) = r.get("HEAD", &format!("/v2/library/redis/manifests/{digest}"));
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.contains(&format!("Content-Type: {MANIFEST_TYPE}")), "{headers}");
        assert!(body.is_empty(), "HEAD has no body");
        // Another stand-in's digest is not this repository's.
        let other = &r.content.manifests.iter().find(|(k, _)| *k == "postgres").unwrap().1;
        let (status, _, body) = r.get("GET", &format!("/v2/library/redis/manifests/{other}"));
        assert_eq!((status.as_str(), code_of(&body).as_str()), ("HTTP/1.1 404 Not Found", "MANIFEST_UNKNOWN"));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn blobs_are_served_whole_with_their_length() {
        let Some(r) = Served::new() else { return eprintln!("no busybox here; skipped") };
        let (status, headers, body) = r.get("GET", &format!("/v2/library/alpine/blobs/{}", r.content.layer_digest));
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.contains(&format!("Content-Length: {}\r\n", body.len())), "{headers}");
        assert_eq!(format!("sha256:{}", sha256_hex(&body)), r.content.layer_digest);
        let missing = format!("sha256:{}", "0".repeat(64));
        let (status, _, body) = r.get("GET", &format!("/v2/library/alpine/blobs/{missing}"));
        assert_eq!((status.as_str(), code_of(&body).as_str()), ("HTTP/1.1 404 Not Found", "BLOB_UNKNOWN"));
        let (status, _, body) = r.get("GET", "/v2/library/alpine/blobs/sha256:../../serve");
        assert_eq!((status.as_str(), code_of(&body).as_str()), ("HTTP/1.1 400 Bad Request", "NAME_INVALID"));
        let (_, _, body) = r.get("GET", "/v2/library/alpine/blobs/sha256:abc");
        assert_eq!(code_of(&body), "DIGEST_INVALID");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn unknown_names_bad_input_and_writes_are_refused_in_the_registry_format() {
        let Some(r) = Served::new() else { return eprintln!("no busybox here; skipped") };
        let code = |method: &str, path: &str| {
            let (status, headers, body) = r.get(method, path);
            assert!(headers.contains("Content-Type: application/json"), "{headers}");
            assert!(headers.contains(&format!("Content-Length: {}\r\n", body.len())), "{headers}");
            (status, code_of(&body))
        };
        let is = |got: (String, String), status: &str, want: &str| {
            assert_eq!((got.0.as_str(), got.1.as_str()), (status, want));
        };
        is(code("GET", "/v2/library/redsi/manifests/latest"), "HTTP/1.1 404 Not Found", "NAME_UNKNOWN");
        is(code("GET", "/v2/someone/redis/manifests/latest"), "HTTP/1.1 404 Not Found", "NAME_UNKNOWN");
        is(code("GET", "/v2/library/redis/manifests/-bad"), "HTTP/1.1 400 Bad Request", "TAG_INVALID");
        is(
            code("GET", &format!("/v2/library/redis/manifests/{}", "a".repeat(129))),
            "HTTP/1.1 400 Bad Request",
            "TAG_INVALID",
        );
        is(code("GET", "/v2/library/redis/manifests/$(reboot)"), "HTTP/1.1 400 Bad Request", "NAME_INVALID");
        is(code("GET", "/v2/library/re*s/manifests/latest"), "HTTP/1.1 400 Bad Request", "NAME_INVALID");
        is(
            code("GET", &format!("/v2/{}/manifests/latest", "a/".repeat(300))),
            "HTTP/1.1 400 Bad Request",
            "NAME_INVALID",
        );
        is(code("PUT", "/v2/library/redis/manifests/latest"), "HTTP/1.1 405 Method Not Allowed", "UNSUPPORTED");
        is(code("DELETE", "/v2/library/redis/blobs/sha256:00"), "HTTP/1.1 405 Method Not Allowed", "UNSUPPORTED");
        is(code("GET", "/v2/_catalog"), "HTTP/1.1 405 Method Not Allowed", "UNSUPPORTED");
        is(code("GET", "/etc/passwd"), "HTTP/1.1 405 Method Not Allowed", "UNSUPPORTED");
        // A request line longer than the limit, and one that is not three words.
        let long = format!("GET /v2/{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE + 10));
        let (status, _, body) = r.ask(long.as_bytes());
        assert_eq!((status.as_str(), code_of(&body).as_str()), ("HTTP/1.1 405 Method Not Allowed", "UNSUPPORTED"));
        let (status, _, _) = r.ask(b"GET /v2/ HTTP/1.1 extra\r\n\r\n");
        assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    }
}
