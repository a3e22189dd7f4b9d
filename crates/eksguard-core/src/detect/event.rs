//! The `audit.k8s.io/v1` Event, as far as detectors read it. Strings borrow from the input line
//! when they carry no escapes; `requestObject` stays raw JSON and is parsed only by the few
//! detectors that look inside it (pod specs, bindings, roles, services).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

/// A string that borrows from the input when it can.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl Str<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `user` / `impersonatedUser`.
#[derive(Debug, Default, Deserialize)]
pub struct UserInfo<'a> {
    #[serde(borrow, default)]
    pub username: Str<'a>,
    #[serde(borrow, default)]
    pub groups: Vec<Str<'a>>,
}

/// `objectRef`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef<'a> {
    #[serde(borrow, default)]
    pub resource: Str<'a>,
    #[serde(borrow, default)]
    pub namespace: Str<'a>,
    #[serde(borrow, default)]
    pub name: Str<'a>,
    #[serde(borrow, default)]
    pub api_group: Str<'a>,
    #[serde(borrow, default)]
    pub subresource: Str<'a>,
}

/// `responseStatus`: only the code is read.
#[derive(Debug, Default, Deserialize)]
pub struct ResponseStatus {
    #[serde(default)]
    pub code: u16,
}

/// The authorization annotations.
#[derive(Debug, Default, Deserialize)]
pub struct Annotations<'a> {
    #[serde(borrow, default, rename = "authorization.k8s.io/decision")]
    pub decision: Str<'a>,
}

/// One CloudWatch Logs event: `events[]` of `aws logs filter-log-events` / `get-log-events`, or
/// `logEvents[]` of a subscription record. `message` is the audit event as a JSON string.
#[derive(Debug, Deserialize)]
pub struct LogEvent<'a> {
    #[serde(borrow, default)]
    pub message: Option<Str<'a>>,
}

/// The part of `metadata` that names an object.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectMeta<'a> {
    #[serde(borrow, default)]
    name: Str<'a>,
    #[serde(borrow, default)]
    generate_name: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct Named<'a> {
    #[serde(borrow, default)]
    metadata: ObjectMeta<'a>,
}

impl<'a> Named<'a> {
    fn of(raw: Option<&'a RawValue>) -> ObjectMeta<'a> {
        raw.and_then(|r| serde_json::from_str::<Named<'a>>(r.get()).ok())
            .map(|n| n.metadata)
            .unwrap_or_default()
    }
}

/// An audit event, or (when `events`/`logEvents` is present) a CloudWatch Logs wrapper holding
/// audit events. One parse classifies a line: no second pass, no sniffing of the text.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow, default, rename = "auditID")]
    pub audit_id: Str<'a>,
    #[serde(borrow, default)]
    pub stage: Str<'a>,
    #[serde(borrow, default, rename = "requestURI")]
    pub request_uri: Str<'a>,
    #[serde(borrow, default)]
    pub verb: Str<'a>,
    #[serde(borrow, default)]
    pub user: UserInfo<'a>,
    #[serde(borrow, default)]
    pub impersonated_user: Option<UserInfo<'a>>,
    #[serde(borrow, default, rename = "sourceIPs")]
    pub source_ips: Vec<Str<'a>>,
    #[serde(borrow, default)]
    pub user_agent: Str<'a>,
    #[serde(borrow, default)]
    pub object_ref: ObjectRef<'a>,
    #[serde(default)]
    pub response_status: ResponseStatus,
    #[serde(borrow, default)]
    pub request_object: Option<&'a RawValue>,
    /// Logged at the `RequestResponse` level: on a create, it holds the name the API server
    /// generated.
    #[serde(borrow, default)]
    pub response_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub request_received_timestamp: Str<'a>,
    #[serde(borrow, default)]
    pub stage_timestamp: Str<'a>,
    #[serde(borrow, default)]
    pub annotations: Annotations<'a>,
    /// CloudWatch Logs CLI output: its records, each parsed on its own (as a [`LogEvent`]) so
    /// that one bad record loses only itself.
    #[serde(borrow, default)]
    pub events: Option<Vec<&'a RawValue>>,
    /// CloudWatch Logs subscription record: its records, as `events`.
    #[serde(borrow, default)]
    pub log_events: Option<Vec<&'a RawValue>>,
    /// Event time in microseconds since the Unix epoch (filled in by the engine).
    #[serde(skip)]
    pub time: i64,
}

impl Event<'_> {
    /// Name the object of a create: the API server logs a create's `objectRef` before the
    /// object has a name, so it is taken from `requestObject.metadata.name`, else from
    /// `responseObject.metadata.name` (the name it generated, logged at `RequestResponse`
    /// level), else from `requestObject.metadata.generateName` followed by `…` (`web-7d4b9-…`:
    /// the name is that prefix and a random suffix). Other verbs, subresources and named
    /// objectRefs are left as logged.
    pub(crate) fn name_created_object(&mut self) {
        if !self.object_ref.name.is_empty()
            || self.verb() != "create"
            || !self.subresource().is_empty()
        {
            return;
        }
        let request = Named::of(self.request_object);
        if !request.name.is_empty() {
            self.object_ref.name = request.name;
            return;
        }
        let response = Named::of(self.response_object);
        if !response.name.is_empty() {
            self.object_ref.name = response.name;
        } else if !request.generate_name.is_empty() {
            self.object_ref.name = Str(Cow::Owned(format!("{}…", request.generate_name.as_str())));
        }
    }
}

impl Event<'_> {
    pub fn username(&self) -> &str {
        &self.user.username
    }

    pub fn resource(&self) -> &str {
        &self.object_ref.resource
    }

    pub fn subresource(&self) -> &str {
        &self.object_ref.subresource
    }

    pub fn namespace(&self) -> &str {
        &self.object_ref.namespace
    }

    pub fn name(&self) -> &str {
        &self.object_ref.name
    }

    pub fn verb(&self) -> &str {
        &self.verb
    }

    pub fn code(&self) -> u16 {
        self.response_status.code
    }

    /// The request succeeded (2xx, or 101 for an upgraded exec/attach/port-forward stream).
    pub(crate) fn succeeded(&self) -> bool {
        (200..300).contains(&self.code()) || self.code() == 101
    }

    /// A successful create, update, patch or delete of an object (not of a subresource): the
    /// change detectors (RBAC, aws-auth) watch these.
    pub(crate) fn changed_object(&self) -> bool {
        matches!(self.verb(), "create" | "update" | "patch" | "delete")
            && self.subresource().is_empty()
            && self.succeeded()
    }

    /// The first source IP: the client as the API server saw it.
    pub(crate) fn source_ip(&self) -> &str {
        self.source_ips.first().map_or("", |s| s.as_str())
    }

    pub(crate) fn in_group(&self, group: &str) -> bool {
        self.user.groups.iter().any(|g| g.as_str() == group)
    }

    /// `system:anonymous`, or an unauthenticated request.
    pub(crate) fn is_anonymous(&self) -> bool {
        self.username() == "system:anonymous" || self.in_group("system:unauthenticated")
    }

    /// A Kubernetes component or EKS-managed identity (not a person, not a workload's service
    /// account).
    pub(crate) fn is_system_component(&self) -> bool {
        let u = self.username();
        (u.starts_with("system:")
            && !u.starts_with("system:serviceaccount:")
            && u != "system:anonymous")
            || u.starts_with("eks:")
    }

    /// A service account: `system:serviceaccount:NAMESPACE:NAME`.
    pub fn service_account(&self) -> Option<(&str, &str)> {
        self.username()
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
    }

    pub(crate) fn is_create(&self) -> bool {
        self.verb() == "create"
    }

    /// create, update or patch.
    pub(crate) fn is_modify(&self) -> bool {
        matches!(self.verb(), "create" | "update" | "patch")
    }

    pub(crate) fn is_read(&self) -> bool {
        matches!(self.verb(), "get" | "list" | "watch")
    }

    /// The request object, parsed on demand into `T` (None when absent or of another shape).
    pub fn request<T: for<'de> Deserialize<'de>>(&self) -> Option<T> {
        self.request_object
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// A short `resource[/subresource] namespace/name` for messages.
    pub fn target(&self) -> String {
        let o = &self.object_ref;
        let mut s = o.resource.to_string();
        if !o.subresource.is_empty() {
            s.push('/');
            s.push_str(&o.subresource);
        }
        match (o.namespace.is_empty(), o.name.is_empty()) {
            (true, true) => {}
            (true, false) => {
                s.push(' ');
                s.push_str(&o.name);
            }
            (false, true) => {
                s.push_str(" in ");
                s.push_str(&o.namespace);
            }
            (false, false) => {
                s.push(' ');
                s.push_str(&o.namespace);
                s.push('/');
                s.push_str(&o.name);
            }
        }
        s
    }
}

/// Parse an RFC 3339 UTC timestamp (`2026-11-23T11:48:07.123456Z`, offsets allowed) into
/// microseconds since the Unix epoch.
#[allow(clippy::many_single_char_names)]
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        let mut v = 0i64;
        for &c in part {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(13) != Some(&b':') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut digits = 0;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if digits < 6 {
                micros = micros * 10 + i64::from(c - b'0');
                digits += 1;
            }
            i += 1;
        }
        while digits < 6 {
            micros *= 10;
            digits += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') | None => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = (oh * 60 + om) * 60;
            if sign == b'+' { o } else { -o }
        }
        Some(_) => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec - offset) * 1_000_000) + micros)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Format microseconds since the epoch as RFC 3339 UTC with second precision.
pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The parts of a pod spec detectors read, from a Pod or any workload's template.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    #[serde(default)]
    pub host_network: bool,
    #[serde(default, rename = "hostPID")]
    pub host_pid: bool,
    #[serde(default, rename = "hostIPC")]
    pub host_ipc: bool,
    #[serde(default)]
    pub containers: Vec<Container>,
    #[serde(default)]
    pub init_containers: Vec<Container>,
    #[serde(default)]
    pub ephemeral_containers: Vec<Container>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
}

impl PodSpec {
    pub(crate) fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.containers
            .iter()
            .chain(&self.init_containers)
            .chain(&self.ephemeral_containers)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub security_context: Option<SecurityContext>,
}

impl Container {
    pub fn privileged(&self) -> bool {
        self.security_context
            .as_ref()
            .and_then(|s| s.privileged)
            .unwrap_or(false)
    }

    /// The image without tag or digest.
    pub fn repository(&self) -> &str {
        let s = self.image.split('@').next().unwrap_or_default();
        match s.rsplit_once(':') {
            Some((head, tail)) if !tail.contains('/') => head,
            _ => s,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SecurityContext {
    #[serde(default)]
    pub privileged: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub host_path: Option<HostPath>,
}

#[derive(Debug, Default, Deserialize)]
pub struct HostPath {
    #[serde(default)]
    pub path: String,
}

#[derive(Deserialize)]
struct PodLike {
    #[serde(default)]
    spec: Option<PodLikeSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PodLikeSpec {
    #[serde(default)]
    template: Option<Template>,
    #[serde(default)]
    job_template: Option<JobTemplate>,
    #[serde(flatten)]
    pod: PodSpec,
}

#[derive(Deserialize)]
struct Template {
    #[serde(default)]
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct JobTemplate {
    #[serde(default)]
    spec: Option<JobSpec>,
}

#[derive(Deserialize)]
struct JobSpec {
    #[serde(default)]
    template: Option<Template>,
}

/// Resources whose request object carries a pod spec (directly or in a template).
pub(crate) const WORKLOAD_RESOURCES: [&str; 7] = [
    "pods",
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "jobs",
    "cronjobs",
];

/// The pod spec a create/update of a Pod or workload asks for.
pub fn pod_spec(ev: &Event<'_>) -> Option<PodSpec> {
    if !ev.subresource().is_empty() || !WORKLOAD_RESOURCES.contains(&ev.resource()) {
        return None;
    }
    let obj: PodLike = ev.request()?;
    let spec = obj.spec?;
    if let Some(t) = spec.template.and_then(|t| t.spec) {
        return Some(t);
    }
    if let Some(t) = spec
        .job_template
        .and_then(|j| j.spec)
        .and_then(|j| j.template)
        .and_then(|t| t.spec)
    {
        return Some(t);
    }
    Some(spec.pod)
}

/// A RoleBinding or ClusterRoleBinding request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    #[serde(default)]
    pub role_ref: RoleRef,
    #[serde(default)]
    pub subjects: Vec<Subject>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RoleRef {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) if !ns.is_empty() => write!(f, "{} {ns}/{}", self.kind, self.name),
            _ => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// The binding a create/update of a (Cluster)RoleBinding asks for.
pub fn binding(ev: &Event<'_>) -> Option<Binding> {
    if !matches!(ev.resource(), "rolebindings" | "clusterrolebindings")
        || !ev.subresource().is_empty()
        || !ev.is_modify()
    {
        return None;
    }
    ev.request()
}

/// A Role or ClusterRole request.
#[derive(Debug, Default, Deserialize)]
pub struct Role {
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PolicyRule {
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
}

/// The role a create of a Role or ClusterRole asks for.
pub fn role(ev: &Event<'_>) -> Option<Role> {
    if !matches!(ev.resource(), "roles" | "clusterroles")
        || !ev.subresource().is_empty()
        || !ev.is_modify()
    {
        return None;
    }
    ev.request()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = parse_time("2026-11-23T11:48:07.123456Z").unwrap_or_default();
        assert_eq!(format_time(t), "2026-11-23T11:48:07Z");
        assert_eq!(t % 1_000_000, 123_456);
        assert_eq!(
            parse_time("2026-11-23T12:48:07+01:00"),
            parse_time("2026-11-23T11:48:07Z")
        );
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let line = r#"{"auditID":"a","user":{"username":"al\u0069ce"},"verb":"get"}"#;
        let ev: Event<'_> = serde_json::from_str(line).unwrap_or_default();
        assert!(matches!(ev.verb.0, Cow::Borrowed(_)));
        assert_eq!(ev.username(), "alice");
    }

    #[test]
    fn image_repository() {
        let c = |i: &str| Container {
            image: i.into(),
            ..Container::default()
        };
        assert_eq!(c("nginx:1.2").repository(), "nginx");
        assert_eq!(c("reg:5000/x/nginx").repository(), "reg:5000/x/nginx");
        assert_eq!(
            c("reg:5000/x/nginx:1@sha256:ab").repository(),
            "reg:5000/x/nginx"
        );
    }
}
