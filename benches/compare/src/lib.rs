//! Nothing here: the package exists for its benchmark, `benches/parser.rs`
//! (`cargo bench -p ssedash-bench`).
