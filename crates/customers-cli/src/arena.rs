//! Which jemalloc arena a thread allocates from.
//!
//! The binary runs with one arena (`.cargo/config.toml`): a sync's page is decoded on one
//! thread, encoded on another and freed on a third, and with an arena per thread group its
//! memory stayed where the next page did not allocate, so a sync's peak moved by a third
//! from run to run. A fake vendor (`customers mock`, `customers demo`) instead serves pages
//! from threads at once, which took turns at that one arena's lock: serving 200,000 Hoko
//! customers took 0.39 s instead of 0.33 s. So each of its threads gets an arena of its own.

/// Gives the calling thread a new arena of its own (nothing if jemalloc refuses).
pub fn own() {
    #[cfg(not(target_env = "msvc"))]
    {
        use tikv_jemalloc_ctl::{Access, AsName};
        // Both are an `unsigned` in jemalloc's `mallctl` namespace: reading `arenas.create`
        // creates an arena and gives its index, and `thread.arena` takes it.
        let created: Result<u32, _> = b"arenas.create\0".name().read();
        if let Ok(index) = created {
            let _ = b"thread.arena\0".name().write(index);
        }
    }
}
