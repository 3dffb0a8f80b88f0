//! Servers on a free port of 127.0.0.1.

use std::net::SocketAddr;

/// A listener on a free loopback port, and its `http://` URL.
pub async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let url = url(listener.local_addr().expect("a bound address"));
    (listener, url)
}

/// A blocking listener on a free loopback port, and its `http://` URL, for servers written on
/// threads (raw HTTP a test controls byte by byte).
pub fn bind_std() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let url = url(listener.local_addr().expect("a bound address"));
    (listener, url)
}

/// A loopback port that was free a moment ago and that nothing listens on now, for testing
/// refused connections.
pub fn free_port() -> u16 {
    bind_std().0.local_addr().expect("a bound address").port()
}

/// Serve `app` on a free loopback port, on the current runtime; the URL of its root.
pub async fn serve(app: axum::Router) -> String {
    let (listener, url) = bind().await;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
