//! A TCP proxy in front of the PostgreSQL server that a test can take down (every
//! connection through it dropped, new ones closed at once) and bring back: the server as a
//! sync sees it when it restarts or fails over.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A running proxy; stops when dropped.
pub struct Proxy {
    /// Its `host:port`.
    address: String,
    up: Arc<AtomicBool>,
    /// Bumped to drop every connection.
    cut: Arc<watch::Sender<u64>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy on 127.0.0.1 to the server of `url` (`postgres://…@host:port/…`).
    pub async fn start(url: &str) -> Proxy {
        let upstream = authority(url).to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("an address").to_string();
        let up = Arc::new(AtomicBool::new(true));
        let cut = Arc::new(watch::channel(0_u64).0);
        let task = {
            let (up, cut) = (Arc::clone(&up), Arc::clone(&cut));
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue;
                    }
                    let mut cut = cut.subscribe();
                    let upstream = upstream.clone();
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut.changed() => {}
                        }
                    });
                }
            })
        };
        Proxy {
            address,
            up,
            cut,
            task,
        }
    }

    /// `url` with its server replaced by this proxy.
    pub fn url(&self, url: &str) -> String {
        url.replacen(authority(url), &self.address, 1)
    }

    /// Drops every connection and refuses new ones until [`Proxy::bring_up`].
    pub fn take_down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    /// Lets connections through again.
    pub fn bring_up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The `host:port` of a `postgres://user:password@host:port/database` address.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}
