//! Build script: packs the binary's relative relocations (DT_RELR, about 1 MB of a 15 MB binary)
//! where this machine's linker makes them and its loader runs them.

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if packed_relocations_run_here() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// A position-independent binary keeps one 24-byte relocation for every pointer in its data
/// (the vtables, the string tables); `-z pack-relative-relocs` (GNU ld 2.38, lld 15) packs them
/// into a bitmap, which glibc's loader reads since 2.36. A machine with an older linker or glibc
/// would fail to link or to start such a binary, so a small program is linked with the flag and
/// run first; only a build for the machine it runs on (not a cross build) is tried.
fn packed_relocations_run_here() -> bool {
    let (Ok(target), Ok(host)) = (env::var("TARGET"), env::var("HOST")) else {
        return false;
    };
    if target != host || !target.ends_with("-linux-gnu") {
        return false;
    }
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out_dir.join("relr_probe.c");
    let program = out_dir.join("relr_probe");
    // A table of pointers: relative relocations for the linker to pack.
    let probe = "static int cells[4];\n\
                 int *table[4] = { &cells[0], &cells[1], &cells[2], &cells[3] };\n\
                 int main(void) { return *table[3]; }\n";
    if fs::write(&source, probe).is_err() {
        return false;
    }
    let linker = env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_owned());
    let linked = Command::new(linker)
        .args([
            "-fPIE",
            "-pie",
            // First: GNU ld warns of an option it does not know (and ignores it) as it reads it.
            "-Wl,--fatal-warnings",
            "-Wl,-z,pack-relative-relocs",
            "-o",
        ])
        .arg(&program)
        .arg(&source)
        .output()
        .is_ok_and(|output| output.status.success());
    linked
        && Command::new(&program)
            .output()
            .is_ok_and(|output| output.status.success())
}
