//! Progress reporting without a terminal library: a long stage (ingest) tells a [`Progress`]
//! what it is doing, and the command layer decides how to show it (a progress bar on a
//! terminal, nothing otherwise). The library never draws anything itself.

use std::fmt;

/// What a long-running step reports while it works. Every method does nothing by default.
/// Called from several threads at once.
pub trait Progress: Send + Sync {
    /// A new phase of the work, named `phase` (`parse`, `store`), of `len` steps, none done yet.
    fn start(&self, phase: &str, len: u64) {
        let _ = (phase, len);
    }

    /// `n` more steps of the current phase done.
    fn inc(&self, n: u64) {
        let _ = n;
    }

    /// The work is over: whatever showed it goes away.
    fn finish(&self) {}
}

impl fmt::Debug for dyn Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dyn Progress")
    }
}

/// Reports nothing: the default of options that take a [`Progress`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A progress that writes down what it is told.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn start(&self, phase: &str, len: u64) {
            self.0.lock().unwrap().push(format!("{phase} 0/{len}"));
        }
        fn inc(&self, n: u64) {
            self.0.lock().unwrap().push(format!("+{n}"));
        }
    }

    #[test]
    fn unimplemented_methods_do_nothing() {
        let log = Log::default();
        let p: &dyn Progress = &log;
        p.start("parse", 2);
        p.inc(1);
        p.finish();
        assert_eq!(*log.0.lock().unwrap(), ["parse 0/2", "+1"]);
        let none: std::sync::Arc<dyn Progress> = std::sync::Arc::new(NoProgress);
        none.start("store", 3);
        none.inc(3);
        none.finish();
        assert_eq!(format!("{none:?}"), "dyn Progress");
    }
}
