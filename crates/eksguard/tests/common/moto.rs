//! moto's real server (PyPI `moto[server]`) for the end-to-end tests: started on a free
//! 127.0.0.1 port, killed on drop, and an environment that keeps the AWS SDK on it and away from
//! the developer's own AWS configuration.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python that has moto (and boto3, which comes with it): `EKSGUARD_MOTO_PYTHON`, set by
/// `cargo xtask test` (a virtual environment it made, if the machine's Python lacks moto), else
/// `python3`.
pub fn python() -> String {
    std::env::var("EKSGUARD_MOTO_PYTHON").unwrap_or_else(|_| "python3".into())
}

pub fn start_moto() -> Option<Moto> {
    if std::env::var("EKSGUARD_SKIP_MOTO").is_ok_and(|v| v == "1") {
        eprintln!("EKSGUARD_SKIP_MOTO=1: skipping the moto test");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port");
    // `cargo xtask test` says which Python has moto (a virtual environment it made, if needed).
    let python = python();
    let child = Command::new(&python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start moto with {python} ({e}): run the tests with `cargo xtask test`, which installs it, or set EKSGUARD_SKIP_MOTO=1"
            )
        });
    let mut moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!(
                "moto's server exited ({status}): run the tests with `cargo xtask test`, which installs moto[server], or set EKSGUARD_SKIP_MOTO=1"
            );
        }
        assert!(Instant::now() < deadline, "moto did not answer within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

/// Environment that keeps the SDK on moto and away from the user's own AWS configuration.
pub fn aws_env(cmd: &mut Command, moto: &Moto, home: &Path) {
    cmd.env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("HOME", home)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("NO_COLOR", "1");
}
