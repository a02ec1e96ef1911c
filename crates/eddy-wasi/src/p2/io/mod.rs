//! wasi:io — [`error`], [`poll`] and [`streams`] for components.

pub mod direct;
pub mod error;
pub mod poll;
pub mod streams;
