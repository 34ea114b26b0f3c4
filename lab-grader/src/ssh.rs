//! Engines behind `ssh://user@host[:port]`, reached as the docker CLI reaches them: run
//! `docker system dial-stdio` on the far side over the system `ssh` client and speak HTTP
//! over its stdin and stdout. (bollard's own ssh transport drops the port of the address.)
//!
//! One `ssh` process per request, non-interactive (`BatchMode=yes`): keys come from the
//! user's agent or `~/.ssh`, host keys are checked as `ssh` always checks them.

use bollard::BollardRequest;
use hyper_util::rt::TokioIo;
use std::io;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// Where to connect: `user@host` and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub destination: String,
    pub port: Option<u16>,
}

impl SshTarget {
    /// Parses `ssh://[user@]host[:port][/]`.
    pub fn parse(url: &str) -> Result<SshTarget, String> {
        let rest = url.strip_prefix("ssh://").ok_or_else(|| format!("`{url}` is not an ssh:// address"))?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err(format!("`{url}`: an ssh address has no path (write ssh://user@host[:port])"));
        }
        let (user_host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.contains('[') => match p.parse::<u16>() {
                Ok(p) => (h, Some(p)),
                Err(_) => return Err(format!("`{url}`: `{p}` is not a port")),
            },
            _ => (rest, None),
        };
        let host = user_host.rsplit('@').next().unwrap_or("");
        if host.is_empty() {
            return Err(format!("`{url}` names no host"));
        }
        Ok(SshTarget { destination: user_host.to_string(), port })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-T"]);
        if let Some(p) = self.port {
            cmd.arg("-p").arg(p.to_string());
        }
        cmd.arg("--").arg(&self.destination).args(["docker", "system", "dial-stdio"]);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        cmd
    }
}

fn io_err(msg: String) -> bollard::errors::Error {
    bollard::errors::Error::IOError { err: io::Error::other(msg) }
}

/// Sends one request through a fresh `ssh … docker system dial-stdio`.
pub(crate) async fn send(
    target: SshTarget,
    req: BollardRequest,
) -> Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error> {
    let mut child =
        target.command().spawn().map_err(|e| io_err(format!("cannot run ssh: {e} (install an OpenSSH client)")))?;
    let (Some(stdin), Some(stdout), Some(mut stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(io_err("ssh started without pipes".into()));
    };
    let io = TokioIo::new(tokio::io::join(stdout, stdin));
    let why = |e: hyper::Error, stderr: String| {
        let stderr = stderr.trim().to_string();
        io_err(if stderr.is_empty() {
            format!("ssh to {}: {e}", target.destination)
        } else {
            format!("ssh to {}: {stderr}", target.destination)
        })
    };
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(io).await {
        Ok(x) => x,
        Err(e) => return Err(why(e, String::new())),
    };
    let driver = tokio::spawn(async move {
        let _ = conn.await;
        drop(child); // the ssh process ends with the connection
    });
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    parts.uri = path.parse().map_err(|e| io_err(format!("bad request path {path}: {e}")))?;
    parts.headers.insert(hyper::header::HOST, hyper::header::HeaderValue::from_static("docker"));
    match sender.send_request(BollardRequest::from_parts(parts, body)).await {
        Ok(r) => Ok(r),
        Err(e) => {
            let mut text = String::new();
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), stderr.read_to_string(&mut text)).await;
            driver.abort();
            Err(why(e, text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SshTarget;

    #[test]
    fn addresses_keep_their_user_and_port() {
        let t = SshTarget::parse("ssh://ana@lab.example:2222").unwrap();
        assert_eq!((t.destination.as_str(), t.port), ("ana@lab.example", Some(2222)));
        let t = SshTarget::parse("ssh://lab.example/").unwrap();
        assert_eq!((t.destination.as_str(), t.port), ("lab.example", None));
        assert!(SshTarget::parse("ssh://ana@lab.example:port").is_err());
        assert!(SshTarget::parse("ssh://ana@").is_err());
        assert!(SshTarget::parse("ssh://host/path").is_err());
    }
}
