//! Logging and detection: control-plane logs and GuardDuty.

pub mod control_plane_audit_logs_disabled;
pub mod control_plane_logs_incomplete;
pub mod guardduty_eks_protection_disabled;
