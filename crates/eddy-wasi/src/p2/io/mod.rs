//! wasi:io — [`error`], [`poll`] and [`streams`] for components, plus the two places where
//! Eddy lowers or lifts a list itself instead of through the generated binding: [`direct`]
//! (stream reads into and writes from guest memory, no host copy) and [`poll_list`] (`poll`'s list of borrows).

pub mod direct;
pub mod error;
pub mod poll;
pub mod poll_list;
pub mod streams;
