//! Engines behind `ssh://user@host[:port]`, reached as the docker CLI reaches them: run
//! `docker system dial-stdio` on the far side over the system `ssh` client and speak HTTP
//! over its stdin and stdout. (bollard's own ssh transport drops the port of the address.)
//!
//! One `ssh` process per engine, not per request: its HTTP/1.1 connection is kept alive and
//! every request of a snapshot, and of every snapshot of a `--wait` loop, goes over it in
//! turn; it is started again only when it has closed. `ssh` runs non-interactive
//! (`BatchMode=yes`): keys come from the user's agent or `~/.ssh`, host keys are checked as
//! `ssh` always checks them.

use bollard::BollardRequest;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::io;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::{ChildStderr, Command};

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

/// One `ssh … docker system dial-stdio` and the HTTP/1.1 connection over its stdin and stdout.
struct Link {
    sender: SendRequest<Body>,
    stderr: ChildStderr,
}

/// The ssh connection to one engine: opened on the first request, kept alive for every
/// request after it (a whole snapshot, every snapshot of a `--wait` loop), opened again
/// when it has closed. HTTP/1.1 carries one request at a time, so requests take turns.
pub(crate) struct Session {
    target: SshTarget,
    link: tokio::sync::Mutex<Option<Link>>,
}

impl Session {
    pub fn new(target: SshTarget) -> Session {
        Session { target, link: tokio::sync::Mutex::new(None) }
    }

    async fn open(&self) -> Result<Link, bollard::errors::Error> {
        let mut child = self
            .target
            .command()
            .spawn()
            .map_err(|e| io_err(format!("cannot run ssh: {e} (install an OpenSSH client)")))?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(io_err("ssh started without pipes".into()));
        };
        let io = TokioIo::new(tokio::io::join(stdout, stdin));
        let (sender, conn) = match hyper::client::conn::http1::handshake(io).await {
            Ok(x) => x,
            Err(e) => return Err(self.why(e, read_stderr(&mut stderr).await)),
        };
        tokio::spawn(async move {
            let _ = conn.await;
            drop(child); // the ssh process ends with the connection (kill_on_drop)
        });
        Ok(Link { sender, stderr })
    }

    /// Sends one request over the engine's ssh connection, opening it if it is not open.
    /// A connection that closed since the last answer (ssh or the engine went away) is
    /// opened again once, and the request sent over the new one.
    pub async fn send(
        &self,
        req: BollardRequest,
    ) -> Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error> {
        // Held until the answer's head is in: the next request then waits (`ready`) for
        // this answer's body to be read before it goes out.
        let mut guard = self.link.lock().await;
        let mut req = req;
        for attempt in 0..2 {
            if let Some(link) = guard.as_mut() {
                if link.sender.ready().await.is_err() {
                    *guard = None;
                }
            }
            let fresh = guard.is_none();
            if fresh {
                let mut link = self.open().await?;
                if let Err(e) = link.sender.ready().await {
                    return Err(self.why(e, read_stderr(&mut link.stderr).await));
                }
                *guard = Some(link);
            }
            let Some(link) = guard.as_mut() else { continue };
            match link.sender.try_send_request(req).await {
                Ok(r) => return Ok(r),
                Err(mut e) => {
                    let mut link = guard.take().expect("held since the request went out");
                    match e.take_message() {
                        // Never written: the kept-alive connection had closed; try a new one.
                        Some(unsent) if !fresh && attempt == 0 => req = unsent,
                        _ => return Err(self.why(e.into_error(), read_stderr(&mut link.stderr).await)),
                    }
                }
            }
        }
        Err(io_err(format!("ssh to {}: the connection closed twice", self.target.destination)))
    }

    fn why(&self, e: hyper::Error, stderr: String) -> bollard::errors::Error {
        let stderr = stderr.trim();
        io_err(if stderr.is_empty() {
            format!("ssh to {}: {e}", self.target.destination)
        } else {
            format!("ssh to {}: {stderr}", self.target.destination)
        })
    }
}

/// The body type of bollard's requests.
trait BodyOf {
    type Body;
}
impl<B> BodyOf for hyper::Request<B> {
    type Body = B;
}
type Body = <BollardRequest as BodyOf>::Body;

/// What ssh said on stderr, if it says it within a second.
async fn read_stderr(stderr: &mut ChildStderr) -> String {
    let mut text = String::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), stderr.read_to_string(&mut text)).await;
    text
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
