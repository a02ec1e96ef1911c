//! The sandbox: resolving guest paths beneath a directory descriptor.
