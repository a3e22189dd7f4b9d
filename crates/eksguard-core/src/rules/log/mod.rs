//! Logging and detection: control-plane logs and GuardDuty.

pub mod cloudtrail_missing;
pub mod control_plane_audit_logs_disabled;
pub mod control_plane_log_group_not_kms_encrypted;
pub mod control_plane_log_retention_short;
pub mod control_plane_logs_incomplete;
pub mod guardduty_eks_protection_disabled;
pub mod guardduty_runtime_monitoring_disabled;
