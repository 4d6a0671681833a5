//! Parallel generation: `f(0..n)` on every core, results in index order.
//! Interim: to be replaced by `tether-sim-kit`'s parallel map when it lands.

/// Below this many objects one thread is faster than spawning several.
const SERIAL_BELOW: usize = 4096;

/// `(0..n).map(f)` spread over the available cores, in index order.
pub(crate) fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if n < SERIAL_BELOW || cores < 2 {
        return (0..n).map(f).collect();
    }
    let per = n.div_ceil(cores);
    let ranges: Vec<std::ops::Range<usize>> = (0..n)
        .step_by(per)
        .map(|lo| lo..(lo + per).min(n))
        .collect();
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> = ranges
            .into_iter()
            .map(|r| scope.spawn(move || r.map(f).collect::<Vec<T>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_index_order() {
        let v = super::par_map(10_001, |i| i * 2);
        assert_eq!(v.len(), 10_001);
        assert!(v.iter().enumerate().all(|(i, x)| *x == i * 2));
    }
}
