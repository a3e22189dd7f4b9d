//! The record of a benchmark's control: a leaf that each benchmark's list (`cis_eks_1_8`) and
//! the framework views import.

/// One control of a benchmark.
#[derive(Debug)]
pub struct Control {
    pub id: &'static str,
    pub section: &'static str,
    pub title: &'static str,
    /// Whether the benchmark marks the control automated (otherwise manual).
    pub automated: bool,
    /// The kubescape control its framework maps to this one.
    pub peer: &'static str,
    /// Why no configuration can show this control, when none can.
    pub not_checkable: Option<&'static str>,
}
