//! Diagnostics in the form people know from compilers: `path:line: error[rule]: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is: errors block archiving, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem found in a record, at a 1-based line, under a named rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub level: Level,
    /// Kebab-case rule name (`sign-off-missing`).
    pub rule: String,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: &Path, line: usize, rule: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            level: Level::Error,
            rule: rule.into(),
            message: message.into(),
        }
    }

    pub fn warning(path: &Path, line: usize, rule: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            level: Level::Warning,
            rule: rule.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{}:{}: {}[{}]: {}", self.path.display(), self.line, level, self.rule, self.message)
    }
}
