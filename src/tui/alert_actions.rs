//! The edge where the dashboard's alerts act: the bell goes through the terminal backend,
//! notifications and commands run in tasks of their own, and what they report comes back as
//! messages for [`App::update`](super::app::App::update). Nothing here waits.

use std::io::Write;
use std::time::Duration;

use tokio::sync::mpsc;

use super::alert_log::AlertJob;
use super::app::Msg;
use crate::alert::command::{CommandDone, Commands, MAX_RUNNING};
use crate::text;

/// How long a notification service gets to answer.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Edge {
    commands: Commands,
    done: mpsc::Receiver<CommandDone>,
    notes_tx: mpsc::Sender<String>,
    notes: mpsc::Receiver<String>,
}

impl Edge {
    pub(super) fn new() -> Edge {
        let (tx, done) = mpsc::channel(MAX_RUNNING * 4);
        let (notes_tx, notes) = mpsc::channel(8);
        Edge {
            commands: Commands::new(tx),
            done,
            notes_tx,
            notes,
        }
    }

    pub(super) fn run(&mut self, jobs: Vec<AlertJob>, terminal: &mut super::Term) {
        for job in jobs {
            match job {
                AlertJob::Bell => {
                    // BEL between frames: the backend owns the terminal, so it goes there.
                    let backend = terminal.backend_mut();
                    let _ = backend.write_all(b"\x07").and_then(|()| backend.flush());
                }
                AlertJob::Notify { summary, body } => {
                    let tx = self.notes_tx.clone();
                    tokio::spawn(async move {
                        let mut note = notify_rust::Notification::new();
                        note.appname("ssedash")
                            .summary(&text::escape(&summary))
                            .body(&text::escape(&body));
                        let why =
                            match tokio::time::timeout(NOTIFY_TIMEOUT, note.show_async()).await {
                                Ok(Ok(_)) => return,
                                Ok(Err(e)) => e.to_string(),
                                Err(_) => format!(
                                    "no answer from a notification service in {} s",
                                    NOTIFY_TIMEOUT.as_secs()
                                ),
                            };
                        let _ = tx.try_send(why);
                    });
                }
                AlertJob::Command(job) => self.commands.run(job),
            }
        }
    }

    /// The next result of a command or a notification, as a message for the app.
    pub(super) async fn recv(&mut self) -> Msg {
        tokio::select! {
            Some(done) = self.done.recv() => Msg::AlertCommand(done),
            Some(why) = self.notes.recv() => Msg::NotifyFailed(why),
        }
    }
}
