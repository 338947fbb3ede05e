//! The browser build's global allocator: size-class free lists in front of the standard
//! library's allocator (dlmalloc on wasm32-unknown-unknown).
//!
//! The simulation allocates and frees small blocks at a high rate (messages, their payload
//! vectors, trace records). dlmalloc's general-purpose paths cost a noticeable share of a run in
//! WebAssembly; here a freed block of up to `MAX_SMALL` bytes goes onto a list for its 16-byte
//! size class and the next request of that class takes it back in a few instructions. Blocks on
//! the lists are never returned to dlmalloc — a wasm module's memory never shrinks anyway — so
//! the footprint is the peak of each class. Larger or over-aligned requests go to dlmalloc.
//!
//! The module is single-threaded (no `atomics` target feature: the build fails otherwise), so
//! the lists need no locking.

#[cfg(target_feature = "atomics")]
compile_error!("wasm_alloc assumes a single-threaded wasm module");

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;

/// Size classes are multiples of `CLASS` bytes up to `MAX_SMALL`.
const CLASS: usize = 16;
const MAX_SMALL: usize = 512;
const CLASSES: usize = MAX_SMALL / CLASS;
/// Every cached block is allocated with this alignment (dlmalloc's own minimum on wasm32).
const ALIGN: usize = 8;

/// Free lists (intrusive: a free block's first word points to the next free block).
pub struct SizeClassAlloc {
    heads: UnsafeCell<[*mut u8; CLASSES]>,
}

// SAFETY: the wasm module has one thread (see the module comment and the `compile_error!`).
unsafe impl Sync for SizeClassAlloc {}

impl SizeClassAlloc {
    pub const fn new() -> SizeClassAlloc {
        SizeClassAlloc { heads: UnsafeCell::new([ptr::null_mut(); CLASSES]) }
    }
}

impl Default for SizeClassAlloc {
    fn default() -> Self {
        SizeClassAlloc::new()
    }
}

/// The class index for a layout served from the lists, or `None` for dlmalloc.
#[inline]
fn class_of(layout: &Layout) -> Option<usize> {
    let size = layout.size();
    if layout.align() <= ALIGN && size != 0 && size <= MAX_SMALL {
        Some((size - 1) / CLASS)
    } else {
        None
    }
}

/// The layout a block of class `c` is allocated with.
#[inline]
fn class_layout(c: usize) -> Layout {
    // SAFETY: the size is a non-zero multiple of 16 below 2^31 and ALIGN a power of two.
    unsafe { Layout::from_size_align_unchecked((c + 1) * CLASS, ALIGN) }
}

// SAFETY: a block handed out for class `c` is at least `(c + 1) * 16` bytes, 8-aligned (so it
// holds a pointer and serves any layout of that class); it goes back onto list `c` only from
// `dealloc` with a layout of the same class (Rust passes the layout it was allocated with).
// Everything else is dlmalloc's.
unsafe impl GlobalAlloc for SizeClassAlloc {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(&layout) {
            Some(c) => {
                let heads = &mut *self.heads.get();
                let head = heads[c];
                if head.is_null() {
                    System.alloc(class_layout(c))
                } else {
                    heads[c] = *(head as *mut *mut u8);
                    head
                }
            }
            None => System.alloc(layout),
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        match class_of(&layout) {
            Some(c) => {
                let heads = &mut *self.heads.get();
                *(p as *mut *mut u8) = heads[c];
                heads[c] = p;
            }
            None => System.dealloc(p, layout),
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (caller): `new_size` is non-zero and, rounded up to `layout.align()`, fits isize.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(&layout), class_of(&new_layout)) {
            (Some(a), Some(b)) if a == b => p,
            (None, None) => System.realloc(p, layout, new_size),
            _ => {
                let q = self.alloc(new_layout);
                if !q.is_null() {
                    ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                    self.dealloc(p, layout);
                }
                q
            }
        }
    }
}
