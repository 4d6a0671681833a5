//! Ctrl-C (and SIGTERM): the first asks the work to stop at the next page
//! boundary, so what was fetched commits and the run is recorded as
//! interrupted; a second exits at once (safe too: everything resumes).

use tokio_util::sync::CancellationToken;

/// The exit code of a command stopped by a signal (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

/// A token cancelled on the first Ctrl-C or SIGTERM.
pub fn on_signal(json: bool) -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        signal().await;
        if !json {
            eprintln!(
                "\nstopping after the page in hand (press Ctrl-C again to quit at once; the next run resumes either way)"
            );
        }
        cancel.cancel();
        signal().await;
        std::process::exit(i32::from(INTERRUPTED));
    });
    token
}

async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
