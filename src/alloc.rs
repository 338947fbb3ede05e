//! The native runner's global allocator: mimalloc, asked for plain `mi_malloc` blocks whenever
//! the layout's alignment is one mimalloc gives every block anyway.
//!
//! The `mimalloc` crate's `MiMalloc` passes every request to `mi_malloc_aligned`, whose fast
//! path only serves a block that happens to be aligned and whose fallback over-allocates sizes
//! that are not a power of two. mimalloc aligns every block of 16 bytes or more to 16 bytes
//! (`MI_MAX_ALIGN_SIZE`, like `malloc` for `max_align_t`) and smaller blocks to 8, so a layout
//! with `align <= 16` and `align <= size` is served correctly by `mi_malloc` — the same rule
//! Rust's `System` allocator applies to `malloc`. Other layouts keep the aligned calls.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use libmimalloc_sys as ffi;

/// mimalloc with the plain (unaligned) entry points for ordinary layouts.
pub struct MiMallocFast;

/// The alignment every mimalloc block of at least this size has (`MI_MAX_ALIGN_SIZE`).
const MIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= MIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` and `mi_realloc*`
// accept blocks from any of its allocation functions); `plain` only routes layouts whose
// alignment mimalloc's ordinary blocks already satisfy (see the module comment).
unsafe impl GlobalAlloc for MiMallocFast {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            ffi::mi_malloc(layout.size()) as *mut u8
        } else {
            ffi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            ffi::mi_zalloc(layout.size()) as *mut u8
        } else {
            ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        ffi::mi_free(ptr as *mut c_void);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            ffi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            ffi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

/// `mi_option_purge_delay` in `mi_option_e` (mimalloc.h, same index in v2 and v3).
const MI_OPTION_PURGE_DELAY: core::ffi::c_int = 15;

extern "C" {
    fn mi_option_set(option: core::ffi::c_int, value: core::ffi::c_long);
}

/// Keep freed memory instead of returning it to the OS after mimalloc's (wall-clock) purge
/// delay. A server's txn log grows until its next snapshot and is then freed at
/// once; purging those pages only to fault them back in (and have the kernel clear them again)
/// cost the native runner several percent of its time. The process is short-lived, so its peak
/// footprint is what it keeps.
pub fn configure() {
    // SAFETY: `mi_option_set` takes an option index and a value; 15 is `mi_option_purge_delay`
    // and -1 means "never purge" (documented in mimalloc.h).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}
