//! What the command asks of the operating system beyond the standard library.

/// Returns the heap memory that is free to the system, where the allocator allows it
/// (glibc on Linux); elsewhere it does nothing.
///
/// A load holds, for a moment, the rows it is adding beside the table and a batch being
/// read per thread. glibc's allocator keeps what is freed then in its arenas, so the
/// resident size after a load would stay well above the table's; trimming the arenas
/// brings it back to the table plus a few MiB.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` only gives free pages of glibc's own arenas back to the
    // kernel; it touches no allocation that is in use and takes glibc's arena locks itself.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Lets a closed standard output end the command quietly, as it ends other command-line
/// tools: `flowcube report | head` then stops when `head` has read enough.
///
/// Rust ignores SIGPIPE, so a write to a closed pipe fails and `println!` panics; with
/// the signal's default action the process ends on that write instead.
pub fn exit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    #[allow(unsafe_code)]
    // SAFETY: called first thing in `main`, before any other thread exists; setting a
    // signal's action to its default installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
