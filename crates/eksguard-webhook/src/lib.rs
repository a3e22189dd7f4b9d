//! `eksguard serve`: a validating admission webhook that runs eksguard's object rules, the Pod
//! Security level of the namespace and the user's Rego policies on AdmissionReview v1 requests,
//! with per-namespace enforce / audit / warn modes.
//!
//! [`review`] is the pure decision (AdmissionReview in, AdmissionReview out); [`server`] serves
//! it over HTTPS with limits, metrics and structured logs; [`tls`] reloads the certificate when
//! its files change; [`namespaces`] watches namespace labels; [`certs`] generates a CA and a
//! serving certificate.

pub mod certs;
pub mod cost;
pub mod metrics;
pub mod namespaces;
pub mod policies;
pub mod review;
pub mod server;
pub mod tls;

pub use review::{Namespaces, NoNamespaces, Outcome, PolicyEngine, Reviewer, Settings};
