//! The real `ssedash` binary in a pseudo-terminal, with its screen kept by a terminal emulator
//! (`vt100`), so tests can type keys and read what a user would see.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    reader: std::thread::JoinHandle<()>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    pub fn start(args: &[&str], rows: u16, cols: u16) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(super::bin());
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("SSEDASH_CONFIG");
        cmd.env_remove("NO_COLOR");
        cmd.cwd(std::env::temp_dir());
        let child = pty.slave.spawn_command(cmd).expect("ssedash starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Tui {
            screen,
            raw,
            writer,
            child,
            reader,
            _master: pty.master,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// The foreground colour of the first cell of the first `needle` on the screen.
    pub fn cell_fg_of(&self, needle: &str) -> vt100::Color {
        let parser = self.screen.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        for row in 0..rows {
            let line: String = (0..cols)
                .map(|c| {
                    screen
                        .cell(row, c)
                        .map_or(" ".into(), |x| x.contents().to_string())
                })
                .map(|s| if s.is_empty() { " ".to_string() } else { s })
                .collect();
            if let Some(i) = line.find(needle) {
                let col = line[..i].chars().count() as u16;
                return screen
                    .cell(row, col)
                    .map(|c| c.fgcolor())
                    .unwrap_or_default();
            }
        }
        panic!(
            "{needle:?} is not on the screen:
{}",
            screen.contents()
        );
    }

    /// Everything the program wrote to the terminal so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `cond`; panics with the screen after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let text = self.contents();
            if cond(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_text(&self, needle: &str, limit: Duration) -> String {
        self.wait_for(&format!("{needle:?}"), limit, |s| s.contains(needle))
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("a running child")
    }

    /// Waits for the process to end; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> u32 {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // What it wrote last (leaving the alternate screen) may still be in the pty:
                // wait for the reader to reach the end, so `raw` has everything.
                while !self.reader.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ssedash did not exit; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
