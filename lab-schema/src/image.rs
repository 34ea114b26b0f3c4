//! Image references the way the engine normalises them, and the patterns labs write.
//!
//! `redis:3.2`, `docker.io/library/redis:3.2` and `redis:3.2@sha256:…` are one image;
//! a reference without a tag means `latest`. A lab pattern may end in `:*` to accept any
//! tag of a repository (`bretfisher/examplevotingapp_vote:*`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A parsed, normalised image reference: `docker.io/library/redis` + `3.2` (+ digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Full repository with registry: `docker.io/library/redis`.
    pub repository: String,
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference as the engine accepts it. Never fails on what an engine reports;
    /// rejects only text that no engine would (empty, spaces, upper-case repository).
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an image reference cannot be empty".into());
        }
        if text.contains(char::is_whitespace) {
            return Err(format!("`{text}` is not an image reference: it contains a space"));
        }
        let (name_tag, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (text, None),
        };
        let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (&name_tag[..last_slash + i], name_tag[last_slash + i + 1..].to_string()),
            None => (name_tag, "latest".to_string()),
        };
        if name.is_empty() || tag.is_empty() {
            return Err(format!("`{text}` is not an image reference: empty name or tag"));
        }
        let mut parts: Vec<&str> = name.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(format!("`{text}` is not an image reference: empty path component"));
        }
        let has_domain =
            parts.len() > 1 && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost");
        let domain = if has_domain { parts.remove(0).to_string() } else { "docker.io".into() };
        let domain = if domain == "index.docker.io" { "docker.io".to_string() } else { domain };
        let path = parts.join("/");
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!("`{text}` is not an image reference: repository names are lower-case"));
        }
        let path = if domain == "docker.io" && parts.len() == 1 { format!("library/{path}") } else { path };
        Ok(ImageRef { repository: format!("{domain}/{path}"), tag, digest })
    }

    /// The short, familiar form: `redis:3.2`, `bretfisher/examplevotingapp_vote:latest`.
    pub fn familiar(&self) -> String {
        format!("{}:{}", familiar_repository(&self.repository), self.tag)
    }
}

fn familiar_repository(repo: &str) -> &str {
    let r = repo.strip_prefix("docker.io/").unwrap_or(repo);
    r.strip_prefix("library/").unwrap_or(r)
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.familiar())
    }
}

/// One accepted image in a lab: a repository and a tag, or any tag (`repo:*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern {
    pub text: String,
    pub repository: String,
    /// `None` accepts every tag.
    pub tag: Option<String>,
}

impl ImagePattern {
    pub fn parse(text: &str) -> Result<ImagePattern, String> {
        if text.contains('@') {
            return Err(format!(
                "`{text}` is pinned by digest; a lab names images by repository and tag, without `@…`"
            ));
        }
        let (base, any_tag) = match text.strip_suffix(":*") {
            Some(b) => (b, true),
            None => (text, false),
        };
        let r = ImageRef::parse(base)?;
        Ok(ImagePattern {
            text: text.to_string(),
            repository: r.repository,
            tag: if any_tag { None } else { Some(r.tag) },
        })
    }

    pub fn matches(&self, image: &ImageRef) -> bool {
        self.repository == image.repository && self.tag.as_ref().is_none_or(|t| *t == image.tag)
    }

    /// The repository as `docker` shows it (`redis`, not `docker.io/library/redis`).
    pub fn familiar_repository(&self) -> &str {
        familiar_repository(&self.repository)
    }
}

impl fmt::Display for ImagePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repo = familiar_repository(&self.repository);
        match &self.tag {
            Some(t) => write!(f, "{repo}:{t}"),
            None => write!(f, "{repo} (any tag)"),
        }
    }
}

/// The images a check accepts: one pattern or a list of alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMatch(pub Vec<ImagePattern>);

impl ImageMatch {
    pub fn matches(&self, image: &ImageRef) -> bool {
        self.0.iter().any(|p| p.matches(image))
    }
}

impl fmt::Display for ImageMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        f.write_str(&parts.join(" or "))
    }
}

impl Serialize for ImageMatch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<&str> = self.0.iter().map(|p| p.text.as_str()).collect();
        texts.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ImageMatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ImageMatch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an image (\"redis:3.2\", \"repo:*\" for any tag) or a list of them")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<ImageMatch, E> {
                Ok(ImageMatch(vec![ImagePattern::parse(v).map_err(E::custom)?]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ImageMatch, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(ImagePattern::parse(&s).map_err(A::Error::custom)?);
                }
                if v.is_empty() {
                    return Err(A::Error::custom("the list of accepted images is empty"));
                }
                Ok(ImageMatch(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn official_images_normalise_to_library() {
        assert_eq!(r("redis:3.2"), r("docker.io/library/redis:3.2"));
        assert_eq!(r("redis:3.2").repository, "docker.io/library/redis");
        assert_eq!(r("index.docker.io/library/redis:3.2").repository, "docker.io/library/redis");
    }

    #[test]
    fn no_tag_means_latest_and_digests_are_kept_apart() {
        assert_eq!(r("alpine").tag, "latest");
        let pinned = r("redis:3.2@sha256:abc");
        assert_eq!(pinned.tag, "3.2");
        assert_eq!(pinned.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(r("alpine@sha256:abc").tag, "latest");
    }

    #[test]
    fn registries_with_ports_are_not_tags() {
        let x = r("localhost:5000/team/app");
        assert_eq!(x.repository, "localhost:5000/team/app");
        assert_eq!(x.tag, "latest");
        assert_eq!(r("registry.example:5000/app:1").tag, "1");
    }

    #[test]
    fn patterns_match_tags_or_any_tag() {
        let exact = ImagePattern::parse("redis:3.2").unwrap();
        assert!(exact.matches(&r("docker.io/library/redis:3.2@sha256:1")));
        assert!(!exact.matches(&r("redis:alpine")));
        let any = ImagePattern::parse("bretfisher/examplevotingapp_vote:*").unwrap();
        assert!(any.matches(&r("bretfisher/examplevotingapp_vote")));
        assert!(any.matches(&r("docker.io/bretfisher/examplevotingapp_vote:before")));
        assert!(!any.matches(&r("dockersamples/examplevotingapp_vote:before")));
        let latest = ImagePattern::parse("alpine").unwrap();
        assert!(latest.matches(&r("alpine:latest")));
        assert!(!latest.matches(&r("alpine:3.19")));
    }

    #[test]
    fn bad_references_are_rejected_with_a_reason() {
        assert!(ImageRef::parse("").is_err());
        assert!(ImageRef::parse("Redis").is_err());
        assert!(ImageRef::parse("re dis").is_err());
        assert!(ImagePattern::parse("redis@sha256:x").is_err());
    }

    #[test]
    fn each_bad_reference_says_why() {
        let why = |s: &str| ImageRef::parse(s).unwrap_err();
        assert_eq!(why("  "), "an image reference cannot be empty");
        assert!(why("re dis").contains("it contains a space"));
        assert!(why("redis:").contains("empty name or tag"));
        assert!(why(":3").contains("empty name or tag"));
        assert!(why("team//app").contains("empty path component"));
        assert!(why("/app").contains("empty path component"));
        assert!(why("team/App").contains("repository names are lower-case"));
        assert!(ImagePattern::parse("redis@sha256:x").unwrap_err().contains("pinned by digest"));
        assert!(ImagePattern::parse("").is_err());
    }

    #[test]
    fn domains_are_told_from_paths() {
        assert_eq!(r("docker.io/redis").repository, "docker.io/library/redis");
        assert_eq!(r("index.docker.io/team/app").repository, "docker.io/team/app");
        assert_eq!(r("localhost/app").repository, "localhost/app");
        assert_eq!(r("ghcr.io/team/app:v1").repository, "ghcr.io/team/app");
        assert_eq!(r("team/app").repository, "docker.io/team/app");
        assert_eq!(r("a/b/c").repository, "docker.io/a/b/c");
        assert_eq!(r("Registry.Example:5000/app").repository, "Registry.Example:5000/app");
        assert_eq!(r("  redis:3.2 ").tag, "3.2");
    }

    /// A one-part name is a repository even when it looks like a host (`my.app`, `localhost`):
    /// only a first part followed by more parts can be a registry.
    #[test]
    fn a_single_part_name_with_a_dot_is_an_official_image_not_a_registry() {
        assert_eq!(r("my.app").repository, "docker.io/library/my.app");
        assert_eq!(r("my.app:1.0").tag, "1.0");
        assert_eq!(r("localhost").repository, "docker.io/library/localhost");
    }

    #[test]
    fn familiar_forms_drop_the_default_registry() {
        assert_eq!(r("docker.io/library/redis:3.2").familiar(), "redis:3.2");
        assert_eq!(r("team/app").familiar(), "team/app:latest");
        assert_eq!(r("ghcr.io/library/app:1").to_string(), "ghcr.io/library/app:1");
        assert_eq!(ImagePattern::parse("redis:3.2").unwrap().to_string(), "redis:3.2");
        assert_eq!(ImagePattern::parse("docker.io/team/app:*").unwrap().to_string(), "team/app (any tag)");
    }

    #[test]
    fn a_match_list_accepts_any_of_its_patterns() {
        let m: ImageMatch = serde_json::from_str(r#"["redis:3.2", "redis:alpine"]"#).unwrap();
        assert!(m.matches(&r("redis:alpine")) && m.matches(&r("redis:3.2")));
        assert!(!m.matches(&r("redis:7")));
        assert_eq!(m.to_string(), "redis:3.2 or redis:alpine");
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"["redis:3.2","redis:alpine"]"#);
        let one: ImageMatch = serde_json::from_str(r#""nginx""#).unwrap();
        assert_eq!(one.0.len(), 1);
        let empty = serde_json::from_str::<ImageMatch>("[]").unwrap_err().to_string();
        assert!(empty.contains("the list of accepted images is empty"), "{empty}");
        let bad = serde_json::from_str::<ImageMatch>(r#"["Redis"]"#).unwrap_err().to_string();
        assert!(bad.contains("lower-case"), "{bad}");
        let bad = serde_json::from_str::<ImageMatch>(r#""x@sha256:1""#).unwrap_err().to_string();
        assert!(bad.contains("pinned by digest"), "{bad}");
        let wrong = serde_json::from_str::<ImageMatch>("3").unwrap_err().to_string();
        assert!(wrong.contains("an image (\"redis:3.2\""), "{wrong}");
    }
}
