//! `eksguard serve certs`: a private CA and a serving certificate for the webhook (rcgen), and
//! the caBundle for its ValidatingWebhookConfiguration.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, date_time_ymd,
};

/// What was written.
#[derive(Debug)]
pub struct Generated {
    pub ca_cert: PathBuf,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// Base64 of `ca.crt`: the webhook configuration's `caBundle`.
    pub ca_bundle: String,
}

/// The date `days` days from today (UTC), for rcgen.
fn in_days(days: u32) -> (i32, u8, u8) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let today = i64::try_from(secs / 86_400).unwrap_or(0);
    let d = eksguard_core::config::Date::from_unix_days(today + i64::from(days));
    (d.year, d.month, d.day)
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Generate `ca.crt`, `tls.crt` and `tls.key` in `out` for the DNS names `dns` (the first is
/// the subject), valid for `days` days (the CA for ten times as long).
pub fn generate(out: &Path, dns: &[String], days: u32) -> Result<Generated, String> {
    if dns.is_empty() {
        return Err(
            "name at least one DNS name with --dns (e.g. eksguard-webhook.eksguard.svc)".into(),
        );
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let rc = |e: rcgen::Error| format!("cannot generate the certificates: {e}");

    let ca_key = KeyPair::generate().map_err(rc)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(rc)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "eksguard webhook CA");
    ca.distinguished_name = dn;
    ca.not_before = {
        let (y, m, d) = in_days(0);
        date_time_ymd(y, m, d)
    };
    ca.not_after = {
        let (y, m, d) = in_days(days.saturating_mul(10));
        date_time_ymd(y, m, d)
    };
    let ca_cert = ca.self_signed(&ca_key).map_err(rc)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(rc)?;
    let mut leaf = CertificateParams::new(dns.to_vec()).map_err(rc)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, dns[0].clone());
    leaf.distinguished_name = dn;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = {
        let (y, m, d) = in_days(0);
        date_time_ymd(y, m, d)
    };
    leaf.not_after = {
        let (y, m, d) = in_days(days);
        date_time_ymd(y, m, d)
    };
    let tls = leaf.signed_by(&key, &issuer).map_err(rc)?;

    let g = Generated {
        ca_cert: out.join("ca.crt"),
        tls_cert: out.join("tls.crt"),
        tls_key: out.join("tls.key"),
        ca_bundle: base64::engine::general_purpose::STANDARD.encode(ca_cert.pem()),
    };
    std::fs::write(&g.ca_cert, ca_cert.pem())
        .map_err(|e| format!("cannot write {}: {e}", g.ca_cert.display()))?;
    std::fs::write(&g.tls_cert, tls.pem())
        .map_err(|e| format!("cannot write {}: {e}", g.tls_cert.display()))?;
    write_private(&g.tls_key, &key.serialize_pem())?;
    Ok(g)
}
