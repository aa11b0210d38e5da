//! Handing the memory a load has freed back to the system.
//!
//! A load parses the room files into record batches, builds the table from them and drops
//! them: at its peak the process holds several times the table. glibc's allocator keeps
//! most of what was freed in its arenas, so the resident size after a load stays about
//! 1.7 times the table's. Trimming the arenas once the batches are gone brings it back to
//! the table plus a few MiB.

/// Returns the heap memory that is free to the system, where the allocator allows it
/// (glibc on Linux); elsewhere it does nothing.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` only gives free pages of glibc's own arenas back to the
    // kernel; it touches no allocation that is in use and takes glibc's arena locks itself.
    unsafe {
        libc::malloc_trim(0);
    }
}
