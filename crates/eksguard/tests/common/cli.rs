//! Running the eksguard binary from the tests: from the repository root, without colour, and
//! hermetic (never the developer's kubeconfig, so never a real cluster).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("root")
}

/// The eksguard command with `args`, from the repository root, hermetic.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eksguard"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("KUBECONFIG", "/nonexistent/eksguard-test-kubeconfig");
    cmd
}

/// Run eksguard with `args` from the repository root.
pub fn eksguard(args: &[&str]) -> Output {
    command(args).output().expect("run eksguard")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
