//! Noticing that the reader of stdout went away while nothing is being written: on a quiet
//! feed, `ssedash tail URL | head -1` would otherwise run until the next event's write fails.

use std::future::Future;

/// Resolves when stdout is a pipe or socket whose reading end was closed; never otherwise.
///
/// A thread sleeps in `poll(2)` on stdout asking for no events: the kernel still reports
/// `POLLERR` (a pipe with no reader left) and `POLLHUP` (a socket whose peer left), so nothing
/// wakes up until the reader is gone.
#[cfg(unix)]
pub fn stdout_hangup() -> impl Future<Output = ()> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // A terminal hangs up with SIGHUP, and a file never does: watch pipes and sockets only.
    let watched = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_socket());
    if watched {
        let _ = std::thread::Builder::new()
            .name("stdout-hangup".into())
            .spawn(move || {
                let mut fd = libc::pollfd {
                    fd: libc::STDOUT_FILENO,
                    events: 0,
                    revents: 0,
                };
                loop {
                    // SAFETY: `fd` is one valid pollfd, and the count passed is 1.
                    let n = unsafe { libc::poll(&mut fd, 1, -1) };
                    if n > 0 && fd.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
                        let _ = tx.send(());
                        return;
                    }
                    let interrupted = n < 0
                        && std::io::Error::last_os_error().kind()
                            == std::io::ErrorKind::Interrupted;
                    if !interrupted {
                        // POLLNVAL or a poll error: nothing more to learn; stop watching.
                        return;
                    }
                }
            });
    }
    async move {
        if rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(not(unix))]
pub fn stdout_hangup() -> impl Future<Output = ()> {
    std::future::pending()
}
