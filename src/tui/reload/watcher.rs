//! The watching thread: notices saves of the config file and loads it, off the UI thread.

use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use super::{Load, Loaded};

/// How long saves must stop before the file is read: an editor's save is often several
/// writes (truncate, write, rename, chmod), and reading between them sees half a file.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

enum Poke {
    /// The file (or something of its name in its folder) changed.
    Changed,
    /// `Ctrl-L`: load now.
    Now,
}

/// The watching thread's handle. Dropping it ends the thread.
pub struct Watcher {
    pokes: std_mpsc::Sender<Poke>,
    /// Loaded files and problems, for the event loop.
    pub reports: mpsc::Receiver<Result<Loaded, String>>,
    /// Why saves are not noticed, if they are not.
    pub not_watching: Option<String>,
    _watch: Option<notify::RecommendedWatcher>,
}

impl Watcher {
    /// Watches `path`'s folder (editors save by writing a new file and renaming it over the
    /// old one, which a watch on the file itself would lose) for changes to `path`'s name.
    pub fn start(path: &Path, load: Load) -> Watcher {
        let (pokes, poked) = std_mpsc::channel();
        let (report, reports) = mpsc::channel(4);
        std::thread::Builder::new()
            .name("config-watch".into())
            .spawn(move || watch_thread(&poked, &load, &report))
            .expect("a thread for the config watcher");
        let (watch, not_watching) = match watch_folder(path, pokes.clone()) {
            Ok(w) => (Some(w), None),
            Err(e) => (
                None,
                Some(format!(
                    "saves to {} are not noticed ({e}); Ctrl-L reloads it",
                    crate::config::shown_path(path)
                )),
            ),
        };
        Watcher {
            pokes,
            reports,
            not_watching,
            _watch: watch,
        }
    }

    /// Loads the file now (`Ctrl-L`).
    pub fn reload_now(&self) {
        let _ = self.pokes.send(Poke::Now);
    }
}

fn watch_folder(
    path: &Path,
    pokes: std_mpsc::Sender<Poke>,
) -> notify::Result<notify::RecommendedWatcher> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let name = path.file_name().map(|n| n.to_os_string());
    let folder = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    // A config reached through a symlink (stow, a Kubernetes ConfigMap) is edited where it
    // lives: its target's folder is watched too. The target is resolved again after every
    // event, since a ConfigMap update swaps a `..data` symlink in the path's own folder.
    let resolve = {
        let path = path.clone();
        move || std::fs::canonicalize(&path).ok()
    };
    let mut target = resolve();
    let target_folder = target
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .filter(|t| std::fs::canonicalize(&folder).ok().as_ref() != Some(t));
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        // Reading the file (the watcher itself does) is an access, not a change.
        let change = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        };
        if !change {
            return;
        }
        let now_target = resolve();
        let retargeted = now_target != target;
        let hit = event.paths.iter().any(|p| {
            p.file_name() == name.as_deref()
                || target.as_deref() == Some(p.as_path())
                || now_target.as_deref() == Some(p.as_path())
        });
        target = now_target;
        if hit || retargeted {
            let _ = pokes.send(Poke::Changed);
        }
    })?;
    watcher.watch(&folder, RecursiveMode::NonRecursive)?;
    if let Some(target_folder) = target_folder {
        watcher.watch(&target_folder, RecursiveMode::NonRecursive)?;
    }
    Ok(watcher)
}

/// Loads the file after each burst of changes (once saves stop for [`DEBOUNCE`]) and at
/// once on `Ctrl-L`, until the dashboard goes.
fn watch_thread(
    poked: &std_mpsc::Receiver<Poke>,
    load: &Load,
    report: &mpsc::Sender<Result<Loaded, String>>,
) {
    while let Ok(poke) = poked.recv() {
        if let Poke::Changed = poke {
            let mut quiet_from = Instant::now() + DEBOUNCE;
            loop {
                let left = quiet_from.saturating_duration_since(Instant::now());
                match poked.recv_timeout(left) {
                    Ok(Poke::Changed) => quiet_from = Instant::now() + DEBOUNCE,
                    Ok(Poke::Now) | Err(std_mpsc::RecvTimeoutError::Timeout) => break,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        }
        if report.blocking_send(load()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A watcher on `path` whose loads are counted; each reads the file, as the real one
    /// does, and returns no feeds.
    fn counting(path: &Path) -> (Watcher, Arc<AtomicUsize>) {
        let loads = Arc::new(AtomicUsize::new(0));
        let counter = loads.clone();
        let file = path.to_path_buf();
        let load: Load = Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
            Ok(Loaded {
                feeds: Vec::new(),
                theme: None,
                mouse: None,
            })
        });
        (Watcher::start(path, load), loads)
    }

    /// Waits for `n` reports, then makes sure no more come for a while.
    fn expect_reports(watcher: &mut Watcher, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut got = 0;
        while got < n {
            assert!(Instant::now() < deadline, "{got} of {n} reports");
            match watcher.reports.try_recv() {
                Ok(_) => got += 1,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        std::thread::sleep(DEBOUNCE * 4);
        assert!(watcher.reports.try_recv().is_err(), "more than {n} reports");
    }

    #[test]
    fn a_burst_of_writes_and_a_rename_are_loaded_once_and_loading_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, "a").unwrap();
        let (mut watcher, loads) = counting(&path);
        assert!(watcher.not_watching.is_none());
        for text in ["b", "bc", "bcd"] {
            std::fs::write(&path, text).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        expect_reports(&mut watcher, 1);
        // An editor's save: a new file renamed over the old one.
        let tmp = dir.path().join(".feeds.toml.swp");
        std::fs::write(&tmp, "e").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        expect_reports(&mut watcher, 1);
        // Other files in the folder are none of its business.
        std::fs::write(dir.path().join("other.toml"), "x").unwrap();
        expect_reports(&mut watcher, 0);
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_configs_target_edited_elsewhere_is_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        let config = dir.path().join("config");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::create_dir_all(&config).unwrap();
        let target = dotfiles.join("feeds.toml");
        std::fs::write(&target, "a").unwrap();
        let link = config.join("feeds.toml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (mut watcher, _) = counting(&link);
        assert!(watcher.not_watching.is_none());
        // An editor's save of the target: a new file renamed over it, in its own folder.
        let tmp = dotfiles.join(".feeds.toml.swp");
        std::fs::write(&tmp, "b").unwrap();
        std::fs::rename(&tmp, &target).unwrap();
        expect_reports(&mut watcher, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_configmaps_data_symlink_swapped_to_a_new_folder_is_loaded() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        for (folder, text) in [("..v1", "a"), ("..v2", "b")] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("feeds.toml"), text).unwrap();
        }
        symlink("..v1", dir.path().join("..data")).unwrap();
        let link = dir.path().join("feeds.toml");
        symlink("..data/feeds.toml", &link).unwrap();
        let (mut watcher, _) = counting(&link);
        // What the kubelet does: a new `..data` link renamed over the old one.
        symlink("..v2", dir.path().join("..data_tmp")).unwrap();
        std::fs::rename(dir.path().join("..data_tmp"), dir.path().join("..data")).unwrap();
        expect_reports(&mut watcher, 1);
    }

    #[test]
    fn reload_now_loads_at_once_without_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, "a").unwrap();
        let (mut watcher, _) = counting(&path);
        watcher.reload_now();
        expect_reports(&mut watcher, 1);
    }
}
