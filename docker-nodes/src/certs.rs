//! The cluster's mutual-TLS material, made by `lab` with rcgen at every `up`: a CA, one
//! server certificate every node's dockerd presents (for 127.0.0.1 and localhost, where its
//! port is published), and one client certificate for the learner's `docker` and `lab`.
//! The CA key is never written anywhere: no other certificate can be signed later. The
//! client files go to [`cert_dir`] under the docker CLI's names (ca.pem, cert.pem, key.pem),
//! so `DOCKER_CERT_PATH` can point there; the server files go into the node containers only.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

use crate::error::{IoAction, NodesError, Result};

/// Where the dockerd inside a node finds its TLS files.
pub const NODE_TLS_DIR: &str = "/etc/swarm-lab/tls";

/// PEM texts of one cluster's certificates.
pub struct Certificates {
    pub ca: String,
    pub server_cert: String,
    pub server_key: String,
    pub client_cert: String,
    pub client_key: String,
}

impl Certificates {
    /// A new CA, and a server and a client certificate signed by it.
    pub fn generate(cluster: &str) -> Result<Certificates> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.distinguished_name.push(DnType::CommonName, format!("swarm-lab {cluster} CA"));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate()?;
        let ca = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
        server.distinguished_name.push(DnType::CommonName, format!("swarm-lab {cluster} node"));
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate()?;
        let server_cert = server.signed_by(&server_key, &issuer)?;

        let mut client = CertificateParams::new(Vec::<String>::new())?;
        client.distinguished_name.push(DnType::CommonName, format!("swarm-lab {cluster} learner"));
        client.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate()?;
        let client_cert = client.signed_by(&client_key, &issuer)?;

        Ok(Certificates {
            ca: ca.pem(),
            server_cert: server_cert.pem(),
            server_key: server_key.serialize_pem(),
            client_cert: client_cert.pem(),
            client_key: client_key.serialize_pem(),
        })
    }

    /// Writes ca.pem, cert.pem and key.pem (the client's) into `dir`, readable by the user only.
    pub fn write_client(&self, dir: &Path) -> Result<()> {
        create_private_dir(dir)?;
        for (file, text) in [("ca.pem", &self.ca), ("cert.pem", &self.client_cert), ("key.pem", &self.client_key)] {
            let path = dir.join(file);
            write_private(&path, text.as_bytes()).map_err(|e| NodesError::io(IoAction::WriteCertificate, &path, e))?;
        }
        Ok(())
    }

    /// A tar of `etc/swarm-lab/tls/{ca,cert,key}.pem` (the server's), to upload into a
    /// node container at `/`.
    pub fn server_tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let dir = NODE_TLS_DIR.trim_start_matches('/');
        let mut parts = String::new();
        for part in dir.split('/') {
            parts.push_str(part);
            parts.push('/');
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
            h.set_mode(0o755);
            h.set_mtime(0);
            b.append_data(&mut h, &parts, std::io::empty()).expect("writing to a Vec cannot fail");
        }
        for (file, text, mode) in
            [("ca.pem", &self.ca, 0o644), ("cert.pem", &self.server_cert, 0o644), ("key.pem", &self.server_key, 0o600)]
        {
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(text.len() as u64);
            h.set_mode(mode);
            h.set_mtime(0);
            b.append_data(&mut h, format!("{dir}/{file}"), text.as_bytes()).expect("writing to a Vec cannot fail");
        }
        b.into_inner().expect("writing to a Vec cannot fail")
    }
}

/// The folder of cluster `name`'s client certificate: `clusters/NAME` in swarm-lab's state
/// folder ([`lab_engine::dirs::state`]: `$XDG_STATE_HOME/swarm-lab`, default
/// `~/.local/state/swarm-lab`, `%LOCALAPPDATA%\swarm-lab` on Windows), under the current
/// folder when the environment names none.
pub fn cert_dir(name: &str, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let state = lab_engine::dirs::state(env).unwrap_or_else(|| PathBuf::from(".local/state/swarm-lab"));
    state.join("clusters").join(name)
}

/// Creates `dir`, readable by the user only. On Windows nothing is set: the folder is under
/// %LOCALAPPDATA%, whose ACL already keeps other users out, and inherits it.
fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| NodesError::io(IoAction::CreateCertDir, dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| NodesError::io(IoAction::MakeCertDirPrivate, dir, e))?;
    }
    Ok(())
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Mode 0600 on unix; on Windows the file inherits the private folder's ACL.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path)?, data)
}

/// Removes the certificate folder of a cluster, and the empty folders above it that
/// `write_client` created.
pub fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(NodesError::io(IoAction::RemoveCertDir, dir, e)),
    }
    // `clusters/` and `swarm-lab/` go when empty; the state dir itself stays.
    let mut up = dir.parent();
    for _ in 0..2 {
        let Some(d) = up else { break };
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        up = d.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[cfg(unix)]
    #[test]
    fn cert_dir_follows_xdg_then_home() {
        assert_eq!(
            cert_dir("practice", &env_of(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")])),
            Path::new("/s/swarm-lab/clusters/practice")
        );
        assert_eq!(
            cert_dir("practice", &env_of(&[("XDG_STATE_HOME", "relative"), ("HOME", "/h")])),
            Path::new("/h/.local/state/swarm-lab/clusters/practice")
        );
    }

    #[test]
    fn client_files_are_private_and_the_server_tar_holds_the_server_pair() {
        let certs = Certificates::generate("t").unwrap();
        assert!(certs.ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(certs.server_cert, certs.client_cert);
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("state/swarm-lab/clusters/t");
        certs.write_client(&dir).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("key.pem")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "key.pem is readable by others: {mode:o}");
        }
        assert_eq!(std::fs::read_to_string(dir.join("cert.pem")).unwrap(), certs.client_cert);

        let tar = certs.server_tar();
        let mut names = Vec::new();
        for e in tar::Archive::new(&tar[..]).entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            if name.ends_with("key.pem") {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut e, &mut text).unwrap();
                assert_eq!(text, certs.server_key);
            }
            names.push(name);
        }
        assert!(names.contains(&"etc/swarm-lab/tls/cert.pem".to_string()), "{names:?}");

        remove_dir(&dir).unwrap();
        assert!(!d.path().join("state/swarm-lab").exists());
        assert!(d.path().join("state").exists());
    }
}
