//! Ctrl-C and SIGTERM, as one event: CI runners stop a job with SIGTERM, people with Ctrl-C,
//! and both mean "stop now, say where things stand".

use crate::exit::Exit;

/// Which signal stopped us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (what CI runners and `kill` send).
    Terminate,
}

impl Signal {
    /// The exit code a shell gives a process this signal killed: 128 + its number.
    pub fn exit(self) -> Exit {
        match self {
            Signal::Interrupt => Exit::Interrupted,
            Signal::Terminate => Exit::Terminated,
        }
    }

    /// How a person names it.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "Ctrl-C",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// Resolves at the first Ctrl-C or SIGTERM. Call it once, before the wait it guards starts, so
/// the handlers are installed while the work runs.
pub async fn stopped() -> Signal {
    listen().await
}

/// [`stopped`], with the handlers installed when this is called rather than at the first poll:
/// for a server that announces its address, which a script may stop the moment it reads it.
/// Must be called within a tokio runtime.
pub fn listen() -> impl std::future::Future<Output = Signal> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => tokio::select! {
                    _ = int.recv() => Signal::Interrupt,
                    _ = term.recv() => Signal::Terminate,
                },
                // Without handlers the default action (exit) stands; wait forever here.
                _ => std::future::pending().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => std::future::pending().await,
            }
        }
    }
}
