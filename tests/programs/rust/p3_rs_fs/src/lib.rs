//! p3_rs_fs: wasi:filesystem@0.3 through the preopen /data (run with a host dir mapped there,
//! e.g. `--dir HOST::/data`). One stdout line per step; leftovers of an earlier run are
//! removed first, and the run leaves exactly `moved.txt` behind (1 MiB + "tail\n").
#[path = "../../p3_common/out.rs"]
mod out;

use out::{kebab, Out};
use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};

struct Fs;
wasip3::cli::command::export!(Fs);

const CHUNK: usize = 64 * 1024;
const TOTAL: usize = 1024 * 1024;

/// The file's content: byte i of the 1 MiB. 251 is prime, so chunks differ from each other.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

impl wasip3::exports::cli::run::Guest for Fs {
    async fn run() -> Result<(), ()> {
        let mut o = Out::stdout();
        let r = steps(&mut o).await;
        if let Err(e) = &r {
            o.line(format!("FAILED: {e}")).await;
        }
        o.close().await;
        r.map_err(|_| ())
    }
}

async fn steps(o: &mut Out) -> Result<(), String> {
    // preopens.get-directories: the one named /data.
    let dir = wasip3::filesystem::preopens::get_directories()
        .into_iter()
        .find(|(_, name)| name == "/data")
        .map(|(d, _)| d)
        .ok_or("no preopen /data")?;
    o.line("preopen /data ok").await;
    for f in ["out.txt", "moved.txt", "link.txt", "abs.txt"] {
        let _ = dir.unlink_file_at(f.into()).await;
    }
    let _ = dir.remove_directory_at("sub".into()).await;

    // open-at with create+truncate, read+write.
    let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
    let file = dir
        .open_at(PathFlags::empty(), "out.txt".into(), OpenFlags::CREATE | OpenFlags::TRUNCATE, rw)
        .await
        .map_err(|e| format!("open-at out.txt: {}", kebab(&e)))?;
    o.line("open-at out.txt create ok").await;

    // write-via-stream at offset 0: 16 writes of 64 KiB into one stream, then the stream is
    // closed and the call's result awaited.
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = file.write_via_stream(rx, 0);
    let mut chunks = 0;
    for start in (0..TOTAL).step_by(CHUNK) {
        let chunk: Vec<u8> = (start..start + CHUNK).map(pattern).collect();
        if !tx.write_all(chunk).await.is_empty() {
            return Err("write-via-stream: stream closed early".into());
        }
        chunks += 1;
    }
    drop(tx);
    done.await.map_err(|e| format!("write-via-stream: {}", kebab(&e)))?;
    o.line(format!("write-via-stream {TOTAL} bytes in {chunks} chunks ok")).await;

    // read-via-stream from offset 0 to the end; every byte checked against the pattern.
    let (rx, done) = file.read_via_stream(0);
    let data = rx.collect().await;
    done.await.map_err(|e| format!("read-via-stream: {}", kebab(&e)))?;
    let same = data.len() == TOTAL && data.iter().enumerate().all(|(i, &b)| b == pattern(i));
    if !same {
        return Err(format!("read back {} bytes, content differs", data.len()));
    }
    o.line(format!("read back {} bytes ok", data.len())).await;

    // append-via-stream: 5 more bytes at the end.
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = file.append_via_stream(rx);
    tx.write_all(b"tail\n".to_vec()).await;
    drop(tx);
    done.await.map_err(|e| format!("append-via-stream: {}", kebab(&e)))?;
    o.line("append-via-stream ok").await;

    // stat: size is 1 MiB + 5, type regular-file.
    let st = file.stat().await.map_err(|e| format!("stat: {}", kebab(&e)))?;
    o.line(format!("stat size {} type {}", st.size, kebab(&st.type_))).await;

    // create-directory-at; rename-at (then the old name is gone: stat-at says no-entry).
    dir.create_directory_at("sub".into()).await.map_err(|e| format!("create-directory-at: {}", kebab(&e)))?;
    o.line("create-directory-at sub ok").await;
    dir.rename_at("out.txt".into(), &dir, "moved.txt".into())
        .await
        .map_err(|e| format!("rename-at: {}", kebab(&e)))?;
    let old = dir.stat_at(PathFlags::empty(), "out.txt".into()).await;
    o.line(format!("rename-at out.txt moved.txt ok, old name: {}", res(&old))).await;

    // symlink-at with a relative target, read back by readlink-at.
    dir.symlink_at("moved.txt".into(), "link.txt".into())
        .await
        .map_err(|e| format!("symlink-at: {}", kebab(&e)))?;
    let target = dir.readlink_at("link.txt".into()).await.map_err(|e| format!("readlink-at: {}", kebab(&e)))?;
    o.line(format!("symlink-at link.txt -> {target} ok")).await;
    // An absolute target would leave the sandbox: it must be refused.
    let abs = dir.symlink_at("/etc/passwd".into(), "abs.txt".into()).await;
    o.line(format!("symlink-at absolute target: {}", res(&abs))).await;

    // read-directory: the entries' names, sorted (the order is the host's).
    o.line(format!("read-directory: {}", list(&dir).await?)).await;

    // metadata-hash: equal for two descriptors of one file, different for another file.
    let again = dir
        .open_at(PathFlags::empty(), "moved.txt".into(), OpenFlags::empty(), DescriptorFlags::READ)
        .await
        .map_err(|e| format!("open-at moved.txt: {}", kebab(&e)))?;
    let h1 = file.metadata_hash().await.map_err(|e| kebab(&e))?;
    let h2 = again.metadata_hash().await.map_err(|e| kebab(&e))?;
    let h3 = dir.metadata_hash_at(PathFlags::empty(), "sub".into()).await.map_err(|e| kebab(&e))?;
    let eq = (h1.lower, h1.upper) == (h2.lower, h2.upper);
    let ne = (h1.lower, h1.upper) != (h3.lower, h3.upper);
    o.line(format!("metadata-hash same file equal: {eq}, other file differs: {ne}")).await;

    // is-same-object: true for the same file, false for the directory.
    let same = file.is_same_object(&again).await;
    let other = file.is_same_object(&dir).await;
    o.line(format!("is-same-object same: {same}, other: {other}")).await;

    // Paths leaving the preopen, and a missing file (no create flag).
    let esc = open(&dir, "../escape").await;
    o.line(format!("open-at ../escape: {}", res(&esc))).await;
    let missing = open(&dir, "missing.txt").await;
    o.line(format!("open-at missing.txt: {}", res(&missing))).await;

    // unlink-file-at the symlink, remove-directory-at sub: only moved.txt is left.
    dir.unlink_file_at("link.txt".into()).await.map_err(|e| format!("unlink-file-at: {}", kebab(&e)))?;
    dir.remove_directory_at("sub".into()).await.map_err(|e| format!("remove-directory-at: {}", kebab(&e)))?;
    o.line(format!("unlink-file-at, remove-directory-at ok; read-directory: {}", list(&dir).await?)).await;
    Ok(())
}

async fn open(dir: &Descriptor, path: &str) -> Result<Descriptor, wasip3::filesystem::types::ErrorCode> {
    dir.open_at(PathFlags::empty(), path.into(), OpenFlags::empty(), DescriptorFlags::READ).await
}

/// `ok` or the error code's WIT name.
fn res<T, E: core::fmt::Debug>(r: &Result<T, E>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => kebab(e),
    }
}

/// read-directory's entry names, sorted, space-separated.
async fn list(dir: &Descriptor) -> Result<String, String> {
    let (entries, done) = dir.read_directory();
    let mut names: Vec<String> = entries.collect().await.into_iter().map(|e| e.name).collect();
    done.await.map_err(|e| format!("read-directory: {}", kebab(&e)))?;
    names.sort();
    Ok(names.join(" "))
}
