//! p2_rs_fs: `wasi:filesystem@0.2.12` from a Rust guest through the `wasip2` crate's
//! bindings, on the preopen `/data` (an empty, writable directory) and, if granted, `/ro` (a
//! read-only one holding `ro.txt`). Built for wasm32-wasip1 and adapted into a component by
//! the host test (crates/eddy-cli/tests/p2_rs_fs.rs), which checks the exact output.
//!
//! It calls what the preview1 adapter never does: `metadata-hash(-at)`, `is-same-object`,
//! `read`/`write` at an offset, `set-times(-at)` with explicit timestamps, `advise`,
//! `get-flags`, `link-at` and link counts, `readlink-at`, `read-directory` entry types,
//! `append-via-stream`; and prints the error codes the sandbox and the OS give. One line per
//! step: `label: value` or `label: <error-code>` (the WIT name).

use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{
    Advice, Datetime, Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp,
    OpenFlags, PathFlags,
};

/// `value` or the WIT name of the error.
fn show<T: std::fmt::Debug>(label: &str, r: Result<T, ErrorCode>) {
    match r {
        Ok(v) => println!("{label}: {v:?}"),
        Err(e) => println!("{label}: {}", e.name()),
    }
}

/// The value of a step the rest depends on; exits with 1 (after saying why) if it failed.
fn must<T>(label: &str, r: Result<T, ErrorCode>) -> T {
    r.unwrap_or_else(|e| {
        println!("{label}: {}", e.name());
        std::process::exit(1)
    })
}

fn type_name(t: DescriptorType) -> &'static str {
    match t {
        DescriptorType::Directory => "directory",
        DescriptorType::RegularFile => "regular-file",
        DescriptorType::SymbolicLink => "symbolic-link",
        _ => "other",
    }
}

const RW: DescriptorFlags = DescriptorFlags::READ.union(DescriptorFlags::WRITE);

fn open(
    dir: &Descriptor,
    path: &str,
    how: OpenFlags,
    flags: DescriptorFlags,
) -> Result<Descriptor, ErrorCode> {
    dir.open_at(PathFlags::SYMLINK_FOLLOW, path, how, flags)
}

fn main() {
    let preopens = get_directories();
    let names: Vec<&str> = preopens.iter().map(|(_, n)| n.as_str()).collect();
    println!("preopens: {}", names.join(" "));
    let Some((data, _)) = preopens.iter().find(|(_, n)| n == "/data") else {
        println!("no /data");
        std::process::exit(1)
    };
    println!("/data type: {}", type_name(must("get-type", data.get_type())));

    // A file, written and read at offsets with the descriptor's own read/write.
    let f = must("open-at a.txt", open(data, "a.txt", OpenFlags::CREATE, RW));
    show("write(\"hello world\", 0)", f.write(b"hello world", 0));
    show("write(\"WORLD\", 6)", f.write(b"WORLD", 6));
    let (bytes, eof) = must("read", f.read(100, 0));
    println!("read(100, 0): {:?} eof={eof}", String::from_utf8_lossy(&bytes));
    let (bytes, eof) = must("read", f.read(3, 2));
    println!("read(3, 2): {:?} eof={eof}", String::from_utf8_lossy(&bytes));
    let (bytes, eof) = must("read", f.read(10, 50));
    println!("read(10, 50): {} bytes eof={eof}", bytes.len());
    show(
        "get-flags",
        f.get_flags()
            .map(|fl| (fl.contains(DescriptorFlags::READ), fl.contains(DescriptorFlags::WRITE))),
    );
    show("advise(sequential)", f.advise(0, 0, Advice::Sequential));
    show("sync-data", f.sync_data());
    show("sync", f.sync());
    show("set-size(5)", f.set_size(5));
    let st = must("stat", f.stat());
    println!("stat: {} size={} links={}", type_name(st.type_), st.size, st.link_count);

    // set-times with explicit timestamps, read back by stat and stat-at.
    let t = Datetime { seconds: 1_000_000_000, nanoseconds: 500 };
    show(
        "set-times(atime 1e9 s + 500 ns, mtime no-change)",
        f.set_times(NewTimestamp::Timestamp(t), NewTimestamp::NoChange),
    );
    let st = must("stat", f.stat());
    println!("atime: {:?}", st.data_access_timestamp.map(|d| (d.seconds, d.nanoseconds)));
    show(
        "set-times-at(a.txt, no-change, 2e9 s)",
        data.set_times_at(
            PathFlags::empty(),
            "a.txt",
            NewTimestamp::NoChange,
            NewTimestamp::Timestamp(Datetime { seconds: 2_000_000_000, nanoseconds: 0 }),
        ),
    );
    let st = must("stat-at", data.stat_at(PathFlags::empty(), "a.txt"));
    println!("mtime: {:?}", st.data_modification_timestamp.map(|d| (d.seconds, d.nanoseconds)));

    // is-same-object and metadata-hash: the same file through two descriptors and a hard
    // link, a different file, the directory.
    let f2 =
        must("open-at a.txt again", open(data, "a.txt", OpenFlags::empty(), DescriptorFlags::READ));
    let b = must("open-at b.txt", open(data, "b.txt", OpenFlags::CREATE, RW));
    println!("is-same-object(a, a again): {}", f.is_same_object(&f2));
    println!("is-same-object(a, b): {}", f.is_same_object(&b));
    println!("is-same-object(a, /data): {}", f.is_same_object(data));
    let h = must("metadata-hash", f.metadata_hash());
    let h2 = must("metadata-hash", f2.metadata_hash());
    let hb = must("metadata-hash", b.metadata_hash());
    let hat = must("metadata-hash-at", data.metadata_hash_at(PathFlags::empty(), "a.txt"));
    println!(
        "metadata-hash(a) == metadata-hash(a again): {}",
        (h.lower, h.upper) == (h2.lower, h2.upper)
    );
    println!(
        "metadata-hash(a) == metadata-hash-at(a.txt): {}",
        (h.lower, h.upper) == (hat.lower, hat.upper)
    );
    println!(
        "metadata-hash(a) != metadata-hash(b): {}",
        (h.lower, h.upper) != (hb.lower, hb.upper)
    );
    show("link-at(a.txt, hard.txt)", data.link_at(PathFlags::empty(), "a.txt", data, "hard.txt"));
    let hard =
        must("open-at hard.txt", open(data, "hard.txt", OpenFlags::empty(), DescriptorFlags::READ));
    println!("is-same-object(a, hard): {}", f.is_same_object(&hard));
    let hh = must("metadata-hash-at", data.metadata_hash_at(PathFlags::empty(), "hard.txt"));
    println!(
        "metadata-hash-at(hard.txt) == metadata-hash(a): {}",
        (h.lower, h.upper) == (hh.lower, hh.upper)
    );
    println!("links: {}", must("stat", f.stat()).link_count);

    // Streams: append-via-stream adds at the end whatever the offset.
    let out = must("append-via-stream", f.append_via_stream());
    out.blocking_write_and_flush(b"+tail").expect("append");
    drop(out);
    let (bytes, _) = must("read", f.read(100, 0));
    println!("after append: {:?}", String::from_utf8_lossy(&bytes));

    // Directories, symlinks, renames, removals.
    show("create-directory-at(sub)", data.create_directory_at("sub"));
    show("create-directory-at(sub) again", data.create_directory_at("sub"));
    show("symlink-at(a.txt, sub/link)", data.symlink_at("../a.txt", "sub/link"));
    show("readlink-at(sub/link)", data.readlink_at("sub/link"));
    // An absolute target is refused; a relative one climbing out of the preopen is stored
    // (following it is what the sandbox refuses).
    show("symlink-at(/etc/hostname, abs)", data.symlink_at("/etc/hostname", "abs"));
    show("symlink-at(../../outside, sub/out)", data.symlink_at("../../outside", "sub/out"));
    show("open-at(sub/out, follow)", data.open_at(PathFlags::SYMLINK_FOLLOW, "sub/out", OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()));
    show("unlink-file-at(sub/out)", data.unlink_file_at("sub/out"));
    show(
        "stat-at(sub/link, no-follow) type",
        data.stat_at(PathFlags::empty(), "sub/link").map(|s| type_name(s.type_)),
    );
    show(
        "stat-at(sub/link, follow) size",
        data.stat_at(PathFlags::SYMLINK_FOLLOW, "sub/link").map(|s| s.size),
    );
    show("rename-at(b.txt, sub/b2.txt)", data.rename_at("b.txt", data, "sub/b2.txt"));
    let dir = must("read-directory", data.read_directory());
    let mut entries = Vec::new();
    while let Some(e) = must("read-directory-entry", dir.read_directory_entry()) {
        entries.push(format!("{}:{}", e.name, type_name(e.type_)));
    }
    entries.sort();
    println!("entries: {}", entries.join(" "));
    show("remove-directory-at(sub) non-empty", data.remove_directory_at("sub"));
    show("unlink-file-at(sub) a directory", data.unlink_file_at("sub"));
    show("unlink-file-at(sub/link)", data.unlink_file_at("sub/link"));
    show("unlink-file-at(sub/b2.txt)", data.unlink_file_at("sub/b2.txt"));
    show("remove-directory-at(sub)", data.remove_directory_at("sub"));

    // The sandbox and plain errors.
    show(
        "open-at(missing.txt)",
        open(data, "missing.txt", OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()),
    );
    show(
        "open-at(a.txt, create|exclusive)",
        open(data, "a.txt", OpenFlags::CREATE | OpenFlags::EXCLUSIVE, RW).map(|_| ()),
    );
    show(
        "open-at(../outside)",
        open(data, "../outside", OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()),
    );
    show(
        "open-at(/etc/passwd)",
        open(data, "/etc/passwd", OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()),
    );
    show(
        "open-at(a.txt, directory)",
        open(data, "a.txt", OpenFlags::DIRECTORY, DescriptorFlags::READ).map(|_| ()),
    );
    show("write on a read-only descriptor", f2.write(b"x", 0));
    if let Some((ro, _)) = preopens.iter().find(|(_, n)| n == "/ro") {
        show(
            "/ro open-at(ro.txt, read)",
            open(ro, "ro.txt", OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()),
        );
        show("/ro open-at(ro.txt, write)", open(ro, "ro.txt", OpenFlags::empty(), RW).map(|_| ()));
        show("/ro create-directory-at(d)", ro.create_directory_at("d"));
        show(
            "/ro get-flags write",
            ro.get_flags().map(|fl| fl.contains(DescriptorFlags::MUTATE_DIRECTORY)),
        );
    }
    println!("done");
}
