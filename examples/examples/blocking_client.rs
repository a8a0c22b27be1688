//! A blocking HTTPS client; see `examples::blocking_client`.
//!
//! ```text
//! cargo run -p examples --example blocking_client -- 127.0.0.1:4433 --insecure
//! ```

fn main() -> Result<(), examples::common::Error> {
    examples::blocking_client::main_with_args(std::env::args().skip(1))
}
