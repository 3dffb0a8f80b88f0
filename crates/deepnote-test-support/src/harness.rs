//! A runtime of its own that keeps serving while a test blocks (on a child process, or on a
//! synchronous proptest case), with what was started on it.

use std::future::Future;
use std::ops::Deref;

/// A multi-threaded runtime with `workers` threads and every driver enabled.
pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A multi-threaded runtime and the value its start-up built (a server, its URL, ...).
///
/// Tests that share one across cases keep it in a `static OnceLock<Harness<T>>`.
pub struct Harness<T> {
    /// The runtime: the servers started on it live as long as it does.
    pub rt: tokio::runtime::Runtime,
    value: T,
}

impl<T> Harness<T> {
    /// A runtime with `workers` threads, and what `start` builds on it.
    pub fn start<F: Future<Output = T>>(workers: usize, start: impl FnOnce() -> F) -> Harness<T> {
        let rt = runtime(workers);
        let value = rt.block_on(start());
        Harness { rt, value }
    }

    /// Run `f` to completion on the harness's runtime.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The value, and the runtime, apart (to drop the value on its runtime first).
    pub fn into_parts(self) -> (tokio::runtime::Runtime, T) {
        (self.rt, self.value)
    }
}

impl<T> Deref for Harness<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_while_the_caller_blocks() {
        let h = Harness::start(1, || async { crate::loopback::bind().await });
        let (listener, url) = &*h;
        assert!(url.starts_with("http://127.0.0.1:"));
        let accepted = h.block_on(async {
            let connect = tokio::net::TcpStream::connect(listener.local_addr().unwrap());
            let (a, c) = tokio::join!(listener.accept(), connect);
            a.is_ok() && c.is_ok()
        });
        assert!(accepted);
    }
}
