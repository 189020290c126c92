//! Recording access logs for the whole test suite: when the last clone of a world that served
//! requests drops, its access log is written as JSON lines (the format `iamsim serve --log`
//! writes) to `DIR/BINARY/TEST.jsonl`, so one `iamsim least-privilege` call can read what every
//! test binary and CI shard recorded.
//!
//! - `DIR` is `$IAMSIM_RECORD_DIR`, else `$CARGO_TARGET_DIR/iamsim`, else `iamsim/` in the
//!   target directory of the running test executable (`target/debug/deps/it-…` →
//!   `target/iamsim`). An executable outside a `deps` directory (an installed binary, an
//!   example) records only when one of the variables says where; a doctest only into a
//!   directory given with `World::record_into` (rustdoc names them all `rust_out`).
//! - `BINARY` is the executable's name without cargo's hash (`it`); `TEST` is the name of the
//!   thread that built the world — libtest names it after the test (`sts::assume_role`,
//!   written `sts.assume_role`). The second world of one test that served requests writes
//!   `TEST.2.jsonl`, and so on.
//! - `IAMSIM_RECORD=0` (or `off`, `false`, `no`) switches recording off;
//!   [`World::without_recording`](crate::World::without_recording) does for one world.
//! - [`World::record_into`](crate::World::record_into) names `DIR` for one world, whatever the
//!   variables say (`IAMSIM_RECORD=0` included): code that asks for a record gets it.
//!
//! Building a world does no I/O, and a world that served no request writes nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::live::Live;

/// Whether, and for which test, a world records its log.
#[derive(Debug)]
pub(crate) struct Recording {
    enabled: AtomicBool,
    thread: std::thread::Thread,
    /// The directory [`World::record_into`](crate::World::record_into) named, if any.
    dir: Mutex<Option<PathBuf>>,
}

impl Recording {
    pub(crate) fn new() -> Recording {
        Recording { enabled: AtomicBool::new(true), thread: std::thread::current(), dir: Mutex::new(None) }
    }

    /// Records into `dir`, whatever the environment says.
    pub(crate) fn set_dir(&self, dir: PathBuf) {
        *self.dir.lock().unwrap_or_else(PoisonError::into_inner) = Some(dir);
        self.enabled.store(true, Ordering::Relaxed);
    }

    fn dir(&self) -> Option<PathBuf> {
        self.dir.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn disable(&self) {
        self.enabled.store(false, Ordering::Relaxed);
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }
}

/// Worlds already written per `BINARY/TEST`, so that the files of one process never collide.
static WRITTEN: Mutex<Option<HashMap<String, u32>>> = Mutex::new(None);

fn switched_off() -> bool {
    std::env::var("IAMSIM_RECORD")
        .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "off" | "false" | "no"))
}

/// Where records go, if anywhere.
pub(crate) fn record_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("IAMSIM_RECORD_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("iamsim"));
    }
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent().filter(|p| p.file_name().is_some_and(|n| n == "deps"))?;
    Some(deps.parent()?.parent()?.join("iamsim"))
}

/// `it-0123456789abcdef` → `it`.
fn binary_name() -> String {
    let exe = std::env::current_exe().ok();
    let stem = exe.as_deref().and_then(|e| e.file_stem()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => name.to_owned(),
        _ if stem.is_empty() => "iamsim".to_owned(),
        _ => stem,
    }
}

/// A test name as a file name: `a::b` → `a.b`, anything unusual → `_`.
pub(crate) fn file_stem(test: &str) -> String {
    let text = test.replace("::", ".");
    let stem: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' }).collect();
    if stem.is_empty() || stem.starts_with('.') { format!("_{stem}") } else { stem }
}

/// Whether the executable is a doctest: rustdoc names every doctest executable `rust_out` and
/// runs each on its main thread in a process of its own, so their records would all be
/// `rust_out/main.jsonl`, overwriting one another in whatever order the doctests finished.
/// They record only into a directory given with `World::record_into`.
fn is_doctest(binary: &str) -> bool {
    binary == "rust_out"
}

/// Writes the world's log, when it has one and recording is on. Errors are reported on stderr:
/// a drop must not fail a test.
pub(crate) fn flush(live: &Live, recording: &Recording) {
    if !recording.is_enabled() {
        return;
    }
    let log = live.access_log();
    if log.is_empty() {
        return;
    }
    let binary = file_stem(&binary_name());
    let from_environment = || if switched_off() || is_doctest(&binary) { None } else { record_dir() };
    let Some(dir) = recording.dir().or_else(from_environment) else { return };
    let test = file_stem(recording.thread.name().unwrap_or("main"));
    let n = {
        let mut written = WRITTEN.lock().unwrap_or_else(PoisonError::into_inner);
        let count = written.get_or_insert_with(HashMap::new).entry(format!("{binary}/{test}")).or_insert(0);
        *count += 1;
        *count
    };
    let name = if n == 1 { format!("{test}.jsonl") } else { format!("{test}.{n}.jsonl") };
    let dir = dir.join(binary);
    let path = dir.join(name);
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        log.write_json_lines(&mut out)?;
        out.flush()
    });
    if let Err(e) = written {
        eprintln!("iamsim: could not record the access log to {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctests_do_not_record_from_the_environment() {
        assert!(is_doctest("rust_out"));
        assert!(!is_doctest("it"));
        assert!(!is_doctest("rust_out_of_time"));
    }

    #[test]
    fn test_names_become_file_names() {
        assert_eq!(file_stem("least_privilege::records_logs"), "least_privilege.records_logs");
        assert_eq!(file_stem("a b/c"), "a_b_c");
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem("..x"), "_..x");
    }
}
