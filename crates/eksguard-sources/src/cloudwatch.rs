//! EKS audit events read live from CloudWatch Logs: the `kube-apiserver-audit-*` streams of a
//! cluster's log group, page by page through `GetLogEvents`, each stream from a checkpoint.
//!
//! A position in a stream is the timestamp of the last event consumed and how many events of
//! that timestamp were consumed ([`StreamPosition`]). `GetLogEvents` returns a stream's events
//! sorted by timestamp, events of the same timestamp in the order they were stored, so resuming
//! with `startTime` = that timestamp and skipping that many events continues exactly after the
//! last event consumed: after a restart no event is lost and none is read twice. (Forward tokens
//! would do within a run, but they expire; a timestamp does not.) An event stored later with an
//! *earlier* timestamp than one already consumed in the same stream is not seen; the API server
//! writes each stream in time order.
//!
//! Nothing is buffered beyond one page (at most 10,000 events or 1 MB, the API's limits).

use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_eks::config::ProvideCredentials;
use aws_sdk_eks::error::DisplayErrorContext;

use crate::aws::{AwsOptions, config_loader, failure};

/// The stream name prefix of EKS control-plane audit logs.
pub const AUDIT_STREAM_PREFIX: &str = "kube-apiserver-audit";

/// How to reach the account and which log group to read.
#[derive(Debug, Clone, Default)]
pub struct CloudWatchOptions {
    /// A named profile of the shared config; the standard chain otherwise.
    pub profile: Option<String>,
    /// The region; the profile's or `AWS_REGION` otherwise.
    pub region: Option<String>,
    /// Send every request here; `AWS_ENDPOINT_URL` is also honoured by the SDK itself.
    pub endpoint_url: Option<String>,
    /// `/aws/eks/NAME/cluster`.
    pub log_group: String,
    /// Streams read: those whose name starts with this ([`AUDIT_STREAM_PREFIX`] by default).
    pub stream_prefix: String,
}

impl CloudWatchOptions {
    pub fn new(log_group: impl Into<String>) -> Self {
        Self {
            log_group: log_group.into(),
            stream_prefix: AUDIT_STREAM_PREFIX.to_string(),
            ..Self::default()
        }
    }
}

/// Where reading of one stream stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamPosition {
    /// Timestamp (ms since the epoch) of the last event consumed; 0 before the first.
    pub timestamp: i64,
    /// Events of that timestamp consumed.
    pub at_timestamp: u64,
}

impl StreamPosition {
    /// The position after consuming one more event of `timestamp` (events come in timestamp
    /// order).
    #[must_use]
    pub fn after(self, timestamp: i64) -> Self {
        if timestamp == self.timestamp {
            Self {
                timestamp,
                at_timestamp: self.at_timestamp + 1,
            }
        } else {
            Self {
                timestamp,
                at_timestamp: 1,
            }
        }
    }
}

/// One log event, and the stream position just after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub timestamp: i64,
    pub message: String,
    pub position: StreamPosition,
}

/// A failure to read, in words for the user.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct CloudWatchError(pub String);

/// A connected reader of one log group.
pub struct AuditLogs {
    client: Client,
    opts: CloudWatchOptions,
    /// Requests made.
    pub requests: u64,
}

impl AuditLogs {
    /// Load the SDK configuration (standard chain, or the profile) and check that there is a
    /// region and credentials.
    pub async fn connect(opts: CloudWatchOptions) -> Result<Self, CloudWatchError> {
        let aws = AwsOptions {
            profile: opts.profile.clone(),
            region: opts.region.clone(),
            endpoint_url: opts.endpoint_url.clone(),
            ..AwsOptions::new(String::new())
        };
        let config = config_loader(&aws).load().await;
        Self::with_config(&config, opts).await
    }

    /// [`connect`](Self::connect) with an already loaded configuration.
    pub async fn with_config(
        config: &SdkConfig,
        opts: CloudWatchOptions,
    ) -> Result<Self, CloudWatchError> {
        if config.region().is_none() {
            return Err(CloudWatchError(
                "no AWS region: pass --region, set AWS_REGION, or give the profile a region".into(),
            ));
        }
        let creds = match config.credentials_provider() {
            None => Err("no credentials provider is configured".to_string()),
            Some(p) => p
                .provide_credentials()
                .await
                .map(|_| ())
                .map_err(|e| DisplayErrorContext(&e).to_string()),
        };
        if let Err(why) = creds {
            return Err(CloudWatchError(format!(
                "no AWS credentials found in the standard chain (env, profile, SSO, IMDS): {why}"
            )));
        }
        Ok(Self {
            client: Client::new(config),
            opts,
            requests: 0,
        })
    }

    pub fn log_group(&self) -> &str {
        &self.opts.log_group
    }

    /// The names of the audit streams of the group (`DescribeLogStreams`, all pages).
    pub async fn streams(&mut self) -> Result<Vec<String>, CloudWatchError> {
        const OP: &str = "logs:DescribeLogStreams";
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            self.requests += 1;
            let out = self
                .client
                .describe_log_streams()
                .log_group_name(&self.opts.log_group)
                .log_stream_name_prefix(&self.opts.stream_prefix)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    let f = failure(OP, &e);
                    CloudWatchError(if f.not_found {
                        format!(
                            "the log group {} does not exist in this account and region \
                             (is control-plane audit logging enabled for the cluster?)",
                            self.opts.log_group
                        )
                    } else {
                        f.reason
                    })
                })?;
            names.extend(
                out.log_streams()
                    .iter()
                    .filter_map(|s| s.log_stream_name())
                    .map(str::to_string),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string());
                }
                _ => break,
            }
        }
        names.sort();
        Ok(names)
    }

    /// A reader of `stream` from `from`.
    pub fn cursor(&self, stream: impl Into<String>, from: StreamPosition) -> StreamCursor {
        StreamCursor {
            stream: stream.into(),
            start: from,
            skip: from.at_timestamp,
            position: from,
            token: None,
            done: false,
        }
    }

    /// The next page of `cursor`'s stream: events after its position, in order, each with the
    /// position after it; `None` when the stream has nothing more for now.
    pub async fn next_page(
        &mut self,
        cursor: &mut StreamCursor,
    ) -> Result<Option<Vec<LogEvent>>, CloudWatchError> {
        const OP: &str = "logs:GetLogEvents";
        if cursor.done {
            return Ok(None);
        }
        self.requests += 1;
        let mut req = self
            .client
            .get_log_events()
            .log_group_name(&self.opts.log_group)
            .log_stream_name(&cursor.stream)
            .start_from_head(true)
            .set_next_token(cursor.token.clone());
        if cursor.start.timestamp > 0 {
            req = req.start_time(cursor.start.timestamp);
        }
        let out = req.send().await.map_err(|e| {
            let f = failure(OP, &e);
            CloudWatchError(if f.not_found {
                format!(
                    "the log stream {} of {} does not exist (any more)",
                    cursor.stream, self.opts.log_group
                )
            } else {
                f.reason
            })
        })?;
        let next = out.next_forward_token().map(str::to_string);
        // The end of the stream for now: the same token comes back (or none at all).
        cursor.done = next.is_none() || next == cursor.token;
        cursor.token = next;
        let mut events = Vec::with_capacity(out.events().len());
        for e in out.events() {
            let ts = e.timestamp().unwrap_or_default();
            if let Some(ev) = cursor.accept(ts, e.message().unwrap_or_default()) {
                events.push(ev);
            }
        }
        Ok(Some(events))
    }
}

/// Reading of one stream in progress.
#[derive(Debug, Clone)]
pub struct StreamCursor {
    pub stream: String,
    /// Where this read started (its `startTime`).
    start: StreamPosition,
    /// Events of `start.timestamp` still to skip: consumed before the checkpoint.
    skip: u64,
    position: StreamPosition,
    token: Option<String>,
    done: bool,
}

impl StreamCursor {
    /// The position after the last event handed out.
    pub fn position(&self) -> StreamPosition {
        self.position
    }

    /// One event of the page: handed out unless consumed before.
    fn accept(&mut self, timestamp: i64, message: &str) -> Option<LogEvent> {
        if timestamp < self.start.timestamp {
            return None;
        }
        if timestamp == self.start.timestamp && self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        self.skip = 0;
        self.position = self.position.after(timestamp);
        Some(LogEvent {
            timestamp,
            message: message.to_string(),
            position: self.position,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(from: StreamPosition) -> StreamCursor {
        StreamCursor {
            stream: "s".into(),
            start: from,
            skip: from.at_timestamp,
            position: from,
            token: None,
            done: false,
        }
    }

    #[test]
    fn resumes_after_the_events_consumed_at_the_checkpoint_timestamp() {
        // Stream: 10:a 20:b 20:c 20:d 30:e. Consumed up to c: (20, 2).
        let mut c = cursor(StreamPosition {
            timestamp: 20,
            at_timestamp: 2,
        });
        let got: Vec<_> = [(20, "b"), (20, "c"), (20, "d"), (30, "e")]
            .into_iter()
            .filter_map(|(t, m)| c.accept(t, m))
            .map(|e| (e.message, e.position.timestamp, e.position.at_timestamp))
            .collect();
        assert_eq!(got, [("d".to_string(), 20, 3), ("e".to_string(), 30, 1)]);
        assert_eq!(
            c.position(),
            StreamPosition {
                timestamp: 30,
                at_timestamp: 1
            }
        );
    }

    #[test]
    fn from_the_start_everything_is_read() {
        let mut c = cursor(StreamPosition::default());
        let n = [(5, "a"), (5, "b"), (7, "c")]
            .into_iter()
            .filter_map(|(t, m)| c.accept(t, m))
            .count();
        assert_eq!(n, 3);
        assert_eq!(
            c.position(),
            StreamPosition {
                timestamp: 7,
                at_timestamp: 1
            }
        );
    }
}
