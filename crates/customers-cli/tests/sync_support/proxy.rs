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
    /// Bumped to drop every connection's client side.
    cut: Arc<watch::Sender<u64>>,
    /// Whether a cut leaves the server's side open (a connection lost without a word: the
    /// server keeps the session until it finds it gone).
    leave_server: Arc<AtomicBool>,
    /// Bumped to close the server sides left open.
    end_server: Arc<watch::Sender<u64>>,
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
        let leave_server = Arc::new(AtomicBool::new(false));
        let end_server = Arc::new(watch::channel(0_u64).0);
        let task = {
            let (up, cut) = (Arc::clone(&up), Arc::clone(&cut));
            let (leave_server, end_server) = (Arc::clone(&leave_server), Arc::clone(&end_server));
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue;
                    }
                    let mut cut = cut.subscribe();
                    let mut end_server = end_server.subscribe();
                    let leave_server = Arc::clone(&leave_server);
                    let upstream = upstream.clone();
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut.changed() => {}
                        }
                        drop(client);
                        if leave_server.load(Ordering::SeqCst) {
                            let _ = end_server.changed().await;
                        }
                    });
                }
            })
        };
        Proxy {
            address,
            up,
            cut,
            leave_server,
            end_server,
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

    /// [`Proxy::take_down`], leaving the server's side of each connection open until
    /// [`Proxy::end_server_sessions`]: the server keeps those sessions (and their locks), as
    /// it does with a connection lost without a word until it finds it gone.
    pub fn take_down_leaving_server_sessions(&self) {
        self.leave_server.store(true, Ordering::SeqCst);
        self.take_down();
    }

    /// Closes the server's side of the connections a cut left open.
    pub fn end_server_sessions(&self) {
        self.end_server.send_modify(|generation| *generation += 1);
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
