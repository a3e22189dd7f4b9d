//! Ingress and load balancers: what the internet reaches.

pub mod alb_backend_protocol_http;
pub mod alb_without_waf;
pub mod ingress_without_tls;
pub mod load_balancer_open_to_world;
pub mod load_balancer_weak_tls_policy;
pub mod load_balancer_without_tls;
pub mod service_classic_load_balancer;

use k8s_openapi::api::core::v1::Service;

/// Whether the Service is of type LoadBalancer.
pub fn is_load_balancer(s: &Service) -> bool {
    s.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer")
}
