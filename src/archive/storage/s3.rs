//! The S3 Object Lock backend, on the official SDK (`aws-sdk-s3`, `aws-config`).
//!
//! The SDK is async; its runtime stays here: one tokio current-thread runtime owned by [`S3`],
//! entered with `block_on` by each method of the synchronous [`Storage`] boundary. Writes of many
//! objects run concurrently on that one thread (at most [`IN_FLIGHT`] requests at a time).
//!
//! Faults: the SDK's standard retry policy with [`ATTEMPTS`] attempts (connection refused,
//! timeouts, 5xx and throttling are retried with backoff), a connect timeout of
//! [`CONNECT_TIMEOUT`] and a read timeout of [`READ_TIMEOUT`]; then a typed
//! [`StorageError::Failed`] naming the operation and the key.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::Region;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime as S3DateTime};
use aws_sdk_s3::types::{
    ChecksumMode, ObjectLockEnabled, ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode,
    ObjectLockRetention, ObjectLockRetentionMode,
};
use base64::Engine as _;
use chrono::{DateTime, TimeZone as _, Utc};
use sha2::{Digest as _, Sha256};

use super::{
    Body, Head, Inspection, LockMode, Put, Removed, S3Settings, Storage, StorageError, StoredVersion,
};

/// Attempts per request (the first and two retries).
pub const ATTEMPTS: u32 = 3;
/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long to wait for the first byte of an answer.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);
/// Requests sent at once when writing many objects.
pub const IN_FLIGHT: usize = 16;

/// A bucket with Object Lock, seen through the SDK.
pub struct S3 {
    rt: tokio::runtime::Runtime,
    bucket: Bucket,
    mode: LockMode,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "S3 {{ bucket: {:?}, prefix: {:?}, mode: {:?} }}",
            self.bucket.name, self.bucket.prefix, self.mode
        )
    }
}

/// What a request needs: cheap to clone into the tasks of a concurrent write.
#[derive(Clone)]
struct Bucket {
    client: Client,
    name: String,
    prefix: String,
}

/// The HTTP status of a failed request, when it got an answer.
fn status<E>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// The error's code, when the store sent one (`AccessDenied`, …).
fn code<E: ProvideErrorMetadata>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<String> {
    e.as_service_error().and_then(|s| s.code()).map(str::to_string)
}

fn failed<E>(
    operation: &'static str,
    key: &str,
    e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> StorageError
where
    E: std::error::Error + Send + Sync + 'static,
{
    StorageError::Failed { operation, key: key.to_string(), message: DisplayErrorContext(&e).to_string() }
}

/// A refusal (403 `AccessDenied`, `InvalidRequest` on a locked version) or another failure.
fn refused_or_failed<E>(
    operation: &'static str,
    key: &str,
    e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> StorageError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    match (status(&e), code(&e)) {
        (Some(403), c) | (Some(400), c @ Some(_)) => StorageError::Refused {
            operation,
            key: key.to_string(),
            message: format!(
                "{} (the version is locked: its retention has not expired or it is on legal hold)",
                c.unwrap_or_else(|| "403".into())
            ),
        },
        _ => failed(operation, key, e),
    }
}

fn to_s3_time(t: DateTime<Utc>) -> S3DateTime {
    S3DateTime::from_secs(t.timestamp())
}

fn from_s3_time(t: &S3DateTime) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(t.secs(), 0).single()
}

/// Hex SHA-256 → the base64 form S3 checksums take.
fn b64_of_hex(sha: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(hex::decode(sha).unwrap_or_default())
}

/// S3's base64 checksum → hex.
fn hex_of_b64(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD.decode(b64).ok().filter(|b| b.len() == 32).map(hex::encode)
}

impl S3 {
    /// Builds the client (credentials from the environment only), then refuses a bucket
    /// without Object Lock.
    pub fn connect(s: &S3Settings) -> Result<S3, StorageError> {
        for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
                return Err(StorageError::Setup(format!(
                    "`storage.kind: s3` needs credentials in the environment: `{var}` is not set \
                     (credentials are never read from the configuration file)"
                )));
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StorageError::Setup(format!("cannot start the S3 client's runtime: {e}")))?;
        let region = s
            .region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
            .unwrap_or_else(|| "us-east-1".to_string());
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region))
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .retry_config(RetryConfig::standard().with_max_attempts(ATTEMPTS))
            .timeout_config(
                TimeoutConfig::builder().connect_timeout(CONNECT_TIMEOUT).read_timeout(READ_TIMEOUT).build(),
            );
        if let Some(endpoint) = &s.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        let shared = rt.block_on(loader.load());
        let config =
            aws_sdk_s3::config::Builder::from(&shared).force_path_style(s.endpoint.is_some()).build();
        let mut prefix = s.prefix.trim_start_matches('/').to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        let bucket = Bucket { client: Client::from_conf(config), name: s.bucket.clone(), prefix };
        let store = S3 { rt, bucket, mode: s.lock_mode };
        store.check_object_lock()?;
        Ok(store)
    }

    /// Refuses a bucket whose Object Lock is not enabled.
    fn check_object_lock(&self) -> Result<(), StorageError> {
        let b = &self.bucket;
        let r = self.rt.block_on(b.client.get_object_lock_configuration().bucket(&b.name).send());
        let found = match r {
            Ok(out) => match out.object_lock_configuration().and_then(|c| c.object_lock_enabled()) {
                Some(ObjectLockEnabled::Enabled) => return Ok(()),
                other => format!("its Object Lock configuration is {other:?}"),
            },
            Err(e) if code(&e).as_deref() == Some("ObjectLockConfigurationNotFoundError") => {
                "it has no Object Lock configuration".to_string()
            }
            Err(e) => return Err(failed("GetObjectLockConfiguration", &b.name, e)),
        };
        Err(StorageError::NoObjectLock { bucket: b.name.clone(), found })
    }
}

impl Bucket {
    fn full(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn put_one(&self, p: Put) -> Result<(), StorageError> {
        let key = self.full(&p.key);
        let bytes = match p.body {
            Body::Bytes(b) => b,
            Body::File(path) => std::fs::read(&path).map_err(|e| StorageError::Failed {
                operation: "read",
                key: path.display().to_string(),
                message: e.to_string(),
            })?,
        };
        let mode = match p.lock.mode {
            LockMode::Compliance => ObjectLockMode::Compliance,
            LockMode::Governance => ObjectLockMode::Governance,
        };
        let mut req = self
            .client
            .put_object()
            .bucket(&self.name)
            .key(&key)
            .body(ByteStream::from(bytes))
            .checksum_sha256(b64_of_hex(&p.sha256))
            .if_none_match("*");
        // A retention that has already ended cannot be set (the store wants a future date): the
        // record may already be purged, and its object is stored unlocked.
        if p.lock.retain_until > Utc::now() {
            req = req.object_lock_mode(mode).object_lock_retain_until_date(to_s3_time(p.lock.retain_until));
        }
        if p.lock.legal_hold {
            req = req.object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On);
        }
        match req.send().await {
            Ok(_) => Ok(()),
            // Already there: a re-run after a crash when the bytes are the same.
            Err(e) if status(&e) == Some(412) => {
                let found = self.latest_sha(&key).await?;
                if found == p.sha256 {
                    Ok(())
                } else {
                    Err(StorageError::Conflict { key, expected: p.sha256, found })
                }
            }
            Err(e) => Err(failed("PutObject", &key, e)),
        }
    }

    /// The SHA-256 of the latest version of `key` (the store's checksum, else the bytes).
    async fn latest_sha(&self, key: &str) -> Result<String, StorageError> {
        let head = self
            .client
            .head_object()
            .bucket(&self.name)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .map_err(|e| failed("HeadObject", key, e))?;
        if let Some(sha) = head.checksum_sha256().and_then(hex_of_b64) {
            return Ok(sha);
        }
        let bytes = self.get(key, None).await?;
        Ok(hex::encode(Sha256::digest(&bytes)))
    }

    async fn get(&self, key: &str, version: Option<&str>) -> Result<Vec<u8>, StorageError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            .set_version_id(version.map(str::to_string))
            .send()
            .await
            .map_err(|e| failed("GetObject", key, e))?;
        let body = out.body.collect().await.map_err(|e| StorageError::Failed {
            operation: "GetObject",
            key: key.to_string(),
            message: e.to_string(),
        })?;
        Ok(body.into_bytes().to_vec())
    }

    async fn versions(&self, key: &str) -> Result<Vec<StoredVersion>, StorageError> {
        let mut out = Vec::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let page = self
                .client
                .list_object_versions()
                .bucket(&self.name)
                .prefix(key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| failed("ListObjectVersions", key, e))?;
            for v in page.versions().iter().filter(|v| v.key() == Some(key)) {
                out.push(StoredVersion {
                    version_id: v.version_id().unwrap_or("null").to_string(),
                    is_latest: v.is_latest().unwrap_or(false),
                    delete_marker: false,
                });
            }
            for m in page.delete_markers().iter().filter(|m| m.key() == Some(key)) {
                out.push(StoredVersion {
                    version_id: m.version_id().unwrap_or("null").to_string(),
                    is_latest: m.is_latest().unwrap_or(false),
                    delete_marker: true,
                });
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            key_marker = page.next_key_marker().map(str::to_string);
            version_marker = page.next_version_id_marker().map(str::to_string);
            if key_marker.is_none() && version_marker.is_none() {
                break;
            }
        }
        // Newest first: the latest, then the rest as listed (S3 lists a key's versions newest first).
        out.sort_by_key(|v| !v.is_latest);
        Ok(out)
    }

    async fn head(&self, key: &str, version: &str) -> Result<Head, StorageError> {
        let h = self
            .client
            .head_object()
            .bucket(&self.name)
            .key(key)
            .version_id(version)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .map_err(|e| failed("HeadObject", key, e))?;
        Ok(Head {
            version_id: h.version_id().unwrap_or(version).to_string(),
            size: h.content_length().unwrap_or(0).max(0) as u64,
            sha256: h.checksum_sha256().and_then(hex_of_b64),
            mode: h.object_lock_mode().and_then(|m| match m {
                ObjectLockMode::Compliance => Some(LockMode::Compliance),
                ObjectLockMode::Governance => Some(LockMode::Governance),
                _ => None,
            }),
            retain_until: h.object_lock_retain_until_date().and_then(from_s3_time),
            legal_hold: h.object_lock_legal_hold_status() == Some(&ObjectLockLegalHoldStatus::On),
        })
    }

    /// The version of `key` whose bytes hash to `sha` (by the store's checksum, else by its
    /// bytes), when there is one.
    async fn version_of(&self, key: &str, sha: &str) -> Result<Option<String>, StorageError> {
        for v in self.versions(key).await?.into_iter().filter(|v| !v.delete_marker) {
            let head = self.head(key, &v.version_id).await?;
            let found = match head.sha256 {
                Some(s) => s,
                None => hex::encode(Sha256::digest(self.get(key, Some(&v.version_id)).await?)),
            };
            if found == sha {
                return Ok(Some(v.version_id));
            }
        }
        Ok(None)
    }

    /// The versions of `key` and the one holding `sha`.
    async fn inspect(&self, key: &str, sha: &str) -> Result<Inspection, StorageError> {
        let versions = self.versions(key).await?;
        for v in versions.iter().filter(|v| !v.delete_marker) {
            let head = self.head(key, &v.version_id).await?;
            let found = match &head.sha256 {
                Some(s) => s.clone(),
                None => hex::encode(Sha256::digest(self.get(key, Some(&v.version_id)).await?)),
            };
            if found == sha {
                return Ok(Inspection { versions, ours: Some(head) });
            }
        }
        Ok(Inspection { versions, ours: None })
    }

    /// The version of `key` holding `sha`, or an error naming it missing.
    async fn existing_version(
        &self,
        operation: &'static str,
        key: &str,
        sha: &str,
    ) -> Result<String, StorageError> {
        self.version_of(key, sha).await?.ok_or_else(|| StorageError::Failed {
            operation,
            key: key.to_string(),
            message: format!("no version of it holds the object `{sha}`"),
        })
    }
}

impl Storage for S3 {
    fn is_remote(&self) -> bool {
        true
    }

    fn lock_mode(&self) -> LockMode {
        self.mode
    }

    fn location(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket.name, self.bucket.full(key))
    }

    fn put(&self, items: Vec<Put>, done: &(dyn Fn() + Sync)) -> Result<(), StorageError> {
        self.rt.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let mut items = items.into_iter();
            let mut error = None;
            loop {
                while error.is_none() && tasks.len() < IN_FLIGHT {
                    let Some(p) = items.next() else { break };
                    let bucket = self.bucket.clone();
                    tasks.spawn(async move { bucket.put_one(p).await });
                }
                let Some(joined) = tasks.join_next().await else { break };
                match joined {
                    Ok(Ok(())) => done(),
                    Ok(Err(e)) => {
                        error.get_or_insert(e);
                    }
                    Err(e) => {
                        error.get_or_insert(StorageError::Failed {
                            operation: "PutObject",
                            key: String::new(),
                            message: e.to_string(),
                        });
                    }
                }
            }
            error.map_or(Ok(()), Err)
        })
    }

    fn set_legal_hold(&self, key: &str, sha256: &str, on: bool) -> Result<(), StorageError> {
        let b = &self.bucket;
        let key = b.full(key);
        self.rt.block_on(async {
            let version = b.existing_version("PutObjectLegalHold", &key, sha256).await?;
            let status = if on { ObjectLockLegalHoldStatus::On } else { ObjectLockLegalHoldStatus::Off };
            b.client
                .put_object_legal_hold()
                .bucket(&b.name)
                .key(&key)
                .version_id(version)
                .legal_hold(ObjectLockLegalHold::builder().status(status).build())
                .send()
                .await
                .map_err(|e| refused_or_failed("PutObjectLegalHold", &key, e))?;
            Ok(())
        })
    }

    fn extend_retention(&self, key: &str, sha256: &str, until: DateTime<Utc>) -> Result<(), StorageError> {
        if until <= Utc::now() {
            return Ok(());
        }
        let b = &self.bucket;
        let key = b.full(key);
        self.rt.block_on(async {
            let version = b.existing_version("PutObjectRetention", &key, sha256).await?;
            let head = b.head(&key, &version).await?;
            if head.retain_until.is_some_and(|t| t >= until) {
                return Ok(());
            }
            let mode = match head.mode.unwrap_or(self.mode) {
                LockMode::Compliance => ObjectLockRetentionMode::Compliance,
                LockMode::Governance => ObjectLockRetentionMode::Governance,
            };
            b.client
                .put_object_retention()
                .bucket(&b.name)
                .key(&key)
                .version_id(version)
                .retention(
                    ObjectLockRetention::builder().mode(mode).retain_until_date(to_s3_time(until)).build(),
                )
                .send()
                .await
                .map_err(|e| refused_or_failed("PutObjectRetention", &key, e))?;
            Ok(())
        })
    }

    fn delete(&self, key: &str, sha256: &str) -> Result<Removed, StorageError> {
        let b = &self.bucket;
        let key = b.full(key);
        self.rt.block_on(async {
            let Some(version) = b.version_of(&key, sha256).await? else { return Ok(Removed::Absent) };
            b.client
                .delete_object()
                .bucket(&b.name)
                .key(&key)
                .version_id(version)
                .send()
                .await
                .map_err(|e| refused_or_failed("DeleteObject", &key, e))?;
            Ok(Removed::Deleted)
        })
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let b = &self.bucket;
        let full = b.full(prefix);
        self.rt.block_on(async {
            let mut keys = Vec::new();
            let mut token = None;
            loop {
                let page = b
                    .client
                    .list_objects_v2()
                    .bucket(&b.name)
                    .prefix(&full)
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| failed("ListObjectsV2", &full, e))?;
                keys.extend(
                    page.contents()
                        .iter()
                        .filter_map(|o| o.key())
                        .filter_map(|k| k.strip_prefix(&b.prefix))
                        .map(str::to_string),
                );
                match page.next_continuation_token() {
                    Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            keys.sort();
            Ok(keys)
        })
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        self.rt.block_on(self.bucket.get(&self.bucket.full(key), None))
    }

    fn versions(&self, key: &str) -> Result<Vec<StoredVersion>, StorageError> {
        self.rt.block_on(self.bucket.versions(&self.bucket.full(key)))
    }

    fn head(&self, key: &str, version_id: &str) -> Result<Head, StorageError> {
        self.rt.block_on(self.bucket.head(&self.bucket.full(key), version_id))
    }

    fn get_version(&self, key: &str, version_id: &str) -> Result<Vec<u8>, StorageError> {
        self.rt.block_on(self.bucket.get(&self.bucket.full(key), Some(version_id)))
    }

    fn inspect(&self, items: Vec<(String, String)>) -> Result<Vec<Inspection>, StorageError> {
        self.rt.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let mut out: Vec<Option<Inspection>> = vec![None; items.len()];
            let mut items = items.into_iter().enumerate();
            loop {
                while tasks.len() < IN_FLIGHT {
                    let Some((i, (key, sha))) = items.next() else { break };
                    let bucket = self.bucket.clone();
                    tasks.spawn(async move { (i, bucket.inspect(&bucket.full(&key), &sha).await) });
                }
                let Some(joined) = tasks.join_next().await else { break };
                let (i, r) = joined.map_err(|e| StorageError::Failed {
                    operation: "ListObjectVersions",
                    key: String::new(),
                    message: e.to_string(),
                })?;
                out[i] = Some(r?);
            }
            Ok(out.into_iter().map(|o| o.expect("every item inspected")).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_convert_between_hex_and_base64() {
        let sha = hex::encode(Sha256::digest(b"hello"));
        assert_eq!(b64_of_hex(&sha), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
        assert_eq!(hex_of_b64(&b64_of_hex(&sha)).as_deref(), Some(sha.as_str()));
        assert_eq!(hex_of_b64("AAAA"), None, "not 32 bytes");
    }
}
