//! Inputs in formats other than refract's own JSON, read into the same patients.

pub mod fhir;
pub mod mapping;
pub mod partition;
