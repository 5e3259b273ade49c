//! Writing the output folder: one run at a time, all or nothing, even when
//! the process is killed.
//!
//! In: the output folder (`--out`) and the rendered files (relative path +
//! bytes, or streamed). Out: a complete, versioned run folder and the
//! `current` link switched to it:
//!
//! ```text
//! out/
//!   .hyte-output           marks the folder as hyte's
//!   current -> runs/20261123T101500Z-4711
//!   runs/
//!     20261123T101500Z-4711/   this run: report.html, tables/, manifest.json, …
//!     20260822T060000Z-4032/   the run before (kept to go back to)
//! ```
//!
//! Guarantees:
//! - **Crash-proof**: a run writes into `runs/.partial-<id>`, syncs every
//!   file, renames the folder to `runs/<id>` and then replaces the
//!   `current` link with one atomic `rename`. Killed at any moment, `current`
//!   names either the previous complete run or the new complete one, every
//!   file matching that run's `manifest.json`. The next run removes what a
//!   killed run left (`runs/.partial-*`, `current.new-*`).
//! - **One run at a time**: the lock is an OS advisory lock (`flock`) on
//!   the output folder itself, held until the process ends, so there is no
//!   lock file to delete or to plant as a symlink. A second run gets
//!   [`OutputError::Locked`] at once instead of waiting (what cron needs).
//! - **Nobody else's files**: hyte writes only into a folder that is empty
//!   or that it made (it has `.hyte-output`), and there only `runs/`,
//!   `current`, `failed/` (the reasons of a run that found no usable
//!   data) and the marker; other entries are never touched. Symbolic
//!   links are never followed: an `--out` that is a link, a `runs` that is a
//!   link or a `current` that points outside `runs/` is refused.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The file that marks a folder as hyte's output folder.
pub const MARKER: &str = ".hyte-output";
/// The folder of complete runs.
pub const RUNS: &str = "runs";
/// The link to the run readers should use.
pub const CURRENT: &str = "current";
/// The manifest and rejections of the last run that found no usable data
/// (removed by the next run that publishes).
pub const FAILED: &str = "failed";
/// What the marker says to a person who finds it.
const MARKER_TEXT: &str = "This folder is written by hyte (https://github.com/lohja/hyte).\n\
The latest complete run is in current/; runs/ keeps it and the run before.\n\
hyte only touches runs/, current, failed/ and this file: keep your own files elsewhere.\n";
/// A run folder being written.
const PARTIAL: &str = ".partial-";
/// A new `current` link before it is renamed into place.
const NEW_LINK: &str = "current.new-";

/// A rendered output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated (`tables/trends.csv`).
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{dir}: another hyte run is writing this output folder (it holds the folder's lock); wait for it to finish. The lock ends with that process, so there is nothing to remove")]
    Locked { dir: String },
    #[error("{dir}: is a symbolic link; hyte never follows links for its outputs: give --out the folder itself{target}")]
    Symlink { dir: String, target: String },
    #[error("{dir}: is not a folder; give --out a new or empty folder")]
    NotAFolder { dir: String },
    #[error("{dir}: holds files hyte did not make ({found}); hyte writes only into an empty folder or one it made (with {MARKER}). Give --out a new or empty folder")]
    NotOurs { dir: String, found: String },
    #[error("{dir}: was written by an earlier hyte (manifest.json at the top, no {MARKER}); the outputs now live in {CURRENT}/ → {RUNS}/…: move that folder away or give --out a new one")]
    OldLayout { dir: String },
    #[error("{path}: is not what hyte made there ({detail}); move it away and run again")]
    Foreign { path: String, detail: String },
    #[error("{path}: cannot write ({source}); check that the output folder (--out) is writable and the disk has room")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Holds the output folder's lock until dropped.
pub struct OutputLock {
    /// The folder itself, opened without following links and locked.
    _handle: File,
    dir: PathBuf,
}

/// Whether a name is one a run folder gets (`20261123T101500Z-4711`, maybe
/// with a `-2` suffix): only such entries of `runs/` are ever removed.
fn is_run_name(name: &str) -> bool {
    let mut parts = name.splitn(2, '-');
    let stamp = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    stamp.len() == 16
        && stamp.as_bytes()[8] == b'T'
        && stamp.ends_with('Z')
        && stamp
            .bytes()
            .enumerate()
            .all(|(i, b)| matches!(i, 8 | 15) || b.is_ascii_digit())
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// The name of the run `current` points at, read without following it.
/// `None` when there is no `current` yet.
fn current_run(dir: &Path) -> Result<Option<String>, OutputError> {
    let link = dir.join(CURRENT);
    let meta = match fs::symlink_metadata(&link) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&link)(e)),
    };
    let foreign = |detail: String| OutputError::Foreign {
        path: link.display().to_string(),
        detail,
    };
    if !meta.file_type().is_symlink() {
        return Err(foreign("not a link".into()));
    }
    let target = fs::read_link(&link).map_err(io(&link))?;
    let mut parts = target.components();
    match (parts.next(), parts.next(), parts.next()) {
        (
            Some(std::path::Component::Normal(runs)),
            Some(std::path::Component::Normal(name)),
            None,
        ) if runs == RUNS && is_run_name(&name.to_string_lossy()) => {
            Ok(Some(name.to_string_lossy().into_owned()))
        }
        _ => Err(foreign(format!(
            "a link to {}, not to {RUNS}/<run>",
            target.display()
        ))),
    }
}

/// Opens a folder for locking without following a link in its last part.
fn open_folder(dir: &Path) -> Result<File, OutputError> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rustix::fs::open(dir, flags, Mode::empty()) {
        Ok(fd) => Ok(File::from(fd)),
        Err(e) => Err(io(dir)(e.into())),
    }
}

/// Locks a folder (flock on the folder itself, not following a link) for
/// as long as the returned handle lives: the download cache's lock.
pub fn lock_folder(dir: &Path) -> Result<File, OutputError> {
    let handle = open_folder(dir)?;
    match handle.try_lock() {
        Ok(()) => Ok(handle),
        Err(TryLockError::WouldBlock) => Err(OutputError::Locked {
            dir: dir.display().to_string(),
        }),
        Err(TryLockError::Error(e)) => Err(io(dir)(e)),
    }
}

impl OutputLock {
    /// Takes the output folder (creating it when missing): refuses a link,
    /// a file, a folder with files hyte did not make and a folder another
    /// run holds; then removes what killed runs left behind.
    pub fn acquire(dir: &Path) -> Result<OutputLock, OutputError> {
        let shown = dir.display().to_string();
        match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(dir)
                    .map(|t| format!(" ({})", t.display()))
                    .unwrap_or_default();
                return Err(OutputError::Symlink { dir: shown, target });
            }
            Ok(meta) if !meta.is_dir() => return Err(OutputError::NotAFolder { dir: shown }),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            Err(e) => return Err(io(dir)(e)),
        }
        let handle = lock_folder(dir)?;
        let lock = OutputLock {
            _handle: handle,
            dir: dir.to_path_buf(),
        };
        lock.claim()?;
        lock.remove_leftovers()?;
        // A `current` that is not hyte's (e.g. an absolute link left by a
        // rollback by hand) is refused now, not after the whole pipeline.
        current_run(dir)?;
        Ok(lock)
    }

    /// Makes sure the folder is hyte's: it has the marker, or it is empty
    /// and gets one.
    fn claim(&self) -> Result<(), OutputError> {
        let marker = self.dir.join(MARKER);
        match fs::symlink_metadata(&marker) {
            Ok(meta) if meta.is_file() => return Ok(()),
            Ok(_) => {
                return Err(OutputError::Foreign {
                    path: marker.display().to_string(),
                    detail: "not a plain file".into(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&marker)(e)),
        }
        let mut found: Vec<String> = fs::read_dir(&self.dir)
            .map_err(io(&self.dir))?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        if !found.is_empty() {
            if found.iter().any(|name| name == "manifest.json") {
                return Err(OutputError::OldLayout {
                    dir: self.dir.display().to_string(),
                });
            }
            found.sort();
            let total = found.len();
            found.truncate(3);
            let mut found = found.join(", ");
            if total > 3 {
                found.push_str(&format!(" and {} more", total - 3));
            }
            return Err(OutputError::NotOurs {
                dir: self.dir.display().to_string(),
                found,
            });
        }
        // Written whole before it counts: a kill here leaves an empty or
        // a complete marker, and an empty folder is claimed again.
        let partial = self.dir.join(format!("{MARKER}.partial"));
        fs::write(&partial, MARKER_TEXT)
            .and_then(|()| fs::rename(&partial, &marker))
            .map_err(io(&marker))
    }

    /// Removes what killed runs left: partial run folders and new links
    /// that were never renamed into place.
    fn remove_leftovers(&self) -> Result<(), OutputError> {
        for entry in fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let entry = entry.map_err(io(&self.dir))?;
            if entry.file_name().to_string_lossy().starts_with(NEW_LINK) {
                fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            }
        }
        let runs = self.runs_dir()?;
        if !runs.exists() {
            return Ok(());
        }
        for entry in fs::read_dir(&runs).map_err(io(&runs))? {
            let entry = entry.map_err(io(&runs))?;
            if entry.file_name().to_string_lossy().starts_with(PARTIAL) {
                remove_entry(&entry.path())?;
            }
        }
        Ok(())
    }

    /// `runs/`, refused when it is a link or a file.
    fn runs_dir(&self) -> Result<PathBuf, OutputError> {
        let runs = self.dir.join(RUNS);
        match fs::symlink_metadata(&runs) {
            Ok(meta) if meta.is_dir() => Ok(runs),
            Ok(_) => Err(OutputError::Foreign {
                path: runs.display().to_string(),
                detail: "not a folder (a link or a file)".into(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(runs),
            Err(e) => Err(io(&runs)(e)),
        }
    }

    /// A fresh run folder (`runs/.partial-<id>`) to write this run's files
    /// into (streamed, see [`Staging::create`]).
    pub fn staging(&self) -> Result<Staging<'_>, OutputError> {
        let runs = self.runs_dir()?;
        fs::create_dir_all(&runs).map_err(io(&runs))?;
        let stamp: String = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .chars()
            .filter(|c| !matches!(c, '-' | ':'))
            .collect();
        let base = format!("{stamp}-{}", std::process::id());
        let mut id = base.clone();
        let mut n = 1;
        while runs.join(&id).exists() || runs.join(format!("{PARTIAL}{id}")).exists() {
            n += 1;
            id = format!("{base}-{n}");
        }
        let dir = runs.join(format!("{PARTIAL}{id}"));
        fs::create_dir(&dir).map_err(io(&dir))?;
        Ok(Staging {
            lock: self,
            id,
            dir,
            written: Vec::new(),
            published: false,
        })
    }

    /// Writes all files to a new run folder and publishes it.
    pub fn publish(&self, files: &[OutputFile]) -> Result<Published, OutputError> {
        let mut staging = self.staging()?;
        for file in files {
            staging.write(&file.path, &file.bytes)?;
        }
        staging.publish()
    }
}

/// Removes a file, a link (never what it points to) or a folder.
fn remove_entry(path: &Path) -> Result<(), OutputError> {
    let meta = fs::symlink_metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        fs::remove_dir_all(path).map_err(io(path))
    } else {
        fs::remove_file(path).map_err(io(path))
    }
}

/// Syncs a folder, so that the renames in it survive a power cut.
fn sync_folder(dir: &Path) -> Result<(), OutputError> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

/// A file written to the run folder: its path, size and sha256 (taken
/// while it was written, so the manifest never reads an output back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A published run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The run folder, `<out>/runs/<id>`.
    pub run_dir: PathBuf,
    /// The link readers use, `<out>/current`.
    pub current: PathBuf,
    pub written: Vec<Written>,
}

/// This run's files, being written. Nothing is visible through `current`
/// until [`Staging::publish`]; dropped unpublished (an error on the way),
/// the partial folder is removed and the previous run stays current.
pub struct Staging<'l> {
    lock: &'l OutputLock,
    id: String,
    dir: PathBuf,
    written: Vec<Written>,
    published: bool,
}
/// A file being written in the staging folder: what goes through it is
/// counted and hashed on the way.
pub struct StagedFile {
    relative: String,
    path: PathBuf,
    inner: std::io::BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    synced: bool,
}

impl StagedFile {
    /// Where the file is being written, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the complete file to disk now (a writer thread
    /// does this itself, so that the syncs of several files overlap);
    /// [`Staging::close`] then only records it.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.inner.flush()?;
        self.inner.get_ref().sync_all()?;
        self.synced = true;
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Staging<'_> {
    /// Writes one file whole.
    pub fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let mut file = self.create(path)?;
        file.write_all(bytes).map_err(io(&file.path))?;
        self.close(file)
    }

    /// Opens a file in the staging folder for writing (buffered, counted and
    /// hashed); hand it back to [`Staging::close`] when it is complete.
    /// Several may be open at once: a table streams into its CSV, Parquet
    /// and Arrow files batch by batch.
    pub fn create(&self, path: &str) -> Result<StagedFile, OutputError> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // A new folder of our own: nothing can be there unless a path is
        // written twice, which is a bug worth an error.
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(io(&target))?;
        Ok(StagedFile {
            relative: path.to_string(),
            path: target,
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
            synced: false,
        })
    }

    /// Flushes and syncs a complete file and records it.
    pub fn close(&mut self, file: StagedFile) -> Result<(), OutputError> {
        let StagedFile {
            relative,
            path,
            inner,
            hasher,
            bytes,
            synced,
        } = file;
        let file = inner.into_inner().map_err(|e| io(&path)(e.into_error()))?;
        if !synced {
            file.sync_all().map_err(io(&path))?;
        }
        self.written.push(Written {
            path: relative,
            bytes,
            sha256: format!("{:x}", hasher.finalize()),
        });
        Ok(())
    }

    /// The files written so far, in order.
    pub fn written(&self) -> &[Written] {
        &self.written
    }

    /// Makes this run the current one: renames the partial folder to
    /// `runs/<id>`, switches `current` to it with one atomic rename, then
    /// removes every run but this one and the one before.
    pub fn publish(mut self) -> Result<Published, OutputError> {
        let out = self.lock.dir.clone();
        let runs = out.join(RUNS);
        let run_dir = runs.join(&self.id);
        let previous = current_run(&out)?;
        sync_folder(&self.dir)?;
        fs::rename(&self.dir, &run_dir).map_err(io(&run_dir))?;
        self.published = true;
        sync_folder(&runs)?;
        let new_link = out.join(format!("{NEW_LINK}{}", std::process::id()));
        if fs::symlink_metadata(&new_link).is_ok() {
            fs::remove_file(&new_link).map_err(io(&new_link))?;
        }
        std::os::unix::fs::symlink(Path::new(RUNS).join(&self.id), &new_link)
            .map_err(io(&new_link))?;
        let current = out.join(CURRENT);
        fs::rename(&new_link, &current).map_err(io(&current))?;
        sync_folder(&out)?;
        // An earlier run's failure report no longer describes the outputs.
        let failed = out.join(FAILED);
        if fs::symlink_metadata(&failed).is_ok() {
            remove_entry(&failed)?;
        }
        // Older runs go; the one before stays, to go back to by hand
        // (docs/OPERATIONS.md). Only names hyte gives are removed.
        for entry in fs::read_dir(&runs).map_err(io(&runs))? {
            let entry = entry.map_err(io(&runs))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let keep = name == self.id || previous.as_deref() == Some(name.as_str());
            if !keep && is_run_name(&name) {
                remove_entry(&entry.path())?;
            }
        }
        Ok(Published {
            run_dir,
            current,
            written: std::mem::take(&mut self.written),
        })
    }
}

impl Staging<'_> {
    /// Publishes this folder as `failed/` (the report of a run that could
    /// not make outputs), leaving `current` as it was.
    pub fn publish_failed(mut self) -> Result<PathBuf, OutputError> {
        let out = self.lock.dir.clone();
        let failed = out.join(FAILED);
        sync_folder(&self.dir)?;
        if fs::symlink_metadata(&failed).is_ok() {
            // Aside first (a partial name, so a kill leaves a leftover the
            // next run removes), then the new one in.
            let aside = out
                .join(RUNS)
                .join(format!("{PARTIAL}{}-old-failed", self.id));
            fs::rename(&failed, &aside).map_err(io(&failed))?;
            remove_entry(&aside)?;
        }
        fs::rename(&self.dir, &failed).map_err(io(&failed))?;
        self.published = true;
        sync_folder(&out)?;
        Ok(failed)
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.published {
            // Best effort: what a failed removal leaves is removed by the
            // next run (`remove_leftovers`).
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn runs(out: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(out.join(RUNS))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn second_lock_is_refused_and_runs_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = OutputLock::acquire(&out).unwrap();
        assert!(matches!(
            OutputLock::acquire(&out),
            Err(OutputError::Locked { .. })
        ));
        let first = lock
            .publish(&[file("report.md", "one"), file("tables/a.csv", "a")])
            .unwrap();
        let second = lock
            .publish(&[file("report.md", "two"), file("tables/b.csv", "b")])
            .unwrap();
        let current = out.join(CURRENT);
        assert_eq!(
            fs::read_to_string(current.join("report.md")).unwrap(),
            "two"
        );
        assert!(
            !current.join("tables/a.csv").exists(),
            "a run is complete on its own"
        );
        assert_eq!(
            fs::read_link(&current).unwrap(),
            Path::new(RUNS).join(second.run_dir.file_name().unwrap())
        );
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let third = lock.publish(&[file("report.md", "three")]).unwrap();
        assert!(!first.run_dir.exists(), "only the run before is kept");
        assert!(second.run_dir.exists() && third.run_dir.exists());
        assert_eq!(runs(&out).len(), 2);
        assert!(
            out.join("notes.txt").exists(),
            "files hyte does not own stay"
        );
        drop(lock);
        assert!(OutputLock::acquire(&out).is_ok());
    }

    #[test]
    fn a_folder_hyte_did_not_make_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("tables")).unwrap();
        fs::write(dir.path().join("tables/budget_2025.xlsx"), "mine").unwrap();
        let err = OutputLock::acquire(dir.path()).err().unwrap();
        assert!(matches!(err, OutputError::NotOurs { .. }), "{err}");
        assert!(err.to_string().contains("tables"), "{err}");
        assert!(dir.path().join("tables/budget_2025.xlsx").exists());
        assert!(!dir.path().join(MARKER).exists());

        let old = tempfile::tempdir().unwrap();
        fs::write(old.path().join("manifest.json"), "{}").unwrap();
        let err = OutputLock::acquire(old.path()).err().unwrap();
        assert!(matches!(err, OutputError::OldLayout { .. }), "{err}");
    }

    #[test]
    fn links_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = dir.path().join("out");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            OutputLock::acquire(&link),
            Err(OutputError::Symlink { .. })
        ));

        // A planted `runs` link and a `current` pointing elsewhere.
        let out = dir.path().join("out2");
        drop(OutputLock::acquire(&out).unwrap());
        std::os::unix::fs::symlink(&real, out.join(RUNS)).unwrap();
        assert!(matches!(
            OutputLock::acquire(&out),
            Err(OutputError::Foreign { .. })
        ));
        fs::remove_file(out.join(RUNS)).unwrap();
        let lock = OutputLock::acquire(&out).unwrap();
        std::os::unix::fs::symlink("/etc", out.join(CURRENT)).unwrap();
        let err = lock.publish(&[file("report.md", "x")]).err().unwrap();
        assert!(matches!(err, OutputError::Foreign { .. }), "{err}");
        assert_eq!(fs::read_link(out.join(CURRENT)).unwrap(), Path::new("/etc"));
        assert_eq!(fs::read_dir(&real).unwrap().count(), 0);
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = OutputLock::acquire(&out).unwrap();
        lock.publish(&[file("report.md", "one")]).unwrap();
        drop(lock);
        fs::create_dir_all(out.join(RUNS).join(".partial-20260101T000000Z-1/tables")).unwrap();
        std::os::unix::fs::symlink("runs/x", out.join("current.new-99")).unwrap();
        fs::write(out.join(RUNS).join("README-mine"), "kept").unwrap();
        let _lock = OutputLock::acquire(&out).unwrap();
        assert_eq!(runs(&out).len(), 2, "{:?}", runs(&out));
        assert!(!out.join("current.new-99").exists());
        assert!(out.join(RUNS).join("README-mine").exists());
    }

    #[test]
    fn run_names_are_recognised() {
        assert!(is_run_name("20261123T101500Z-4711"));
        assert!(is_run_name("20261123T101500Z-4711-2"));
        assert!(!is_run_name("README-mine"));
        assert!(!is_run_name(".partial-20261123T101500Z-4711"));
        assert!(!is_run_name("20261123T101500Z-"));
    }
}
