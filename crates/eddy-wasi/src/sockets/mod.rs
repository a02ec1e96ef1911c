//! wasi:sockets host objects, below the views: the [`NetworkPolicy`] that decides what a
//! guest may do on the network ([`policy`]), and the sockets the host grants a preview1
//! guest ([`granted`]).

pub mod granted;
pub mod policy;

pub use granted::{Socket, SocketKind};
pub use policy::{AddrRange, NetworkPolicy};
