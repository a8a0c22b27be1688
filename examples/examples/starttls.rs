//! STARTTLS with and without pipelining, both ends in one process; see
//! `examples::starttls`.
//!
//! ```text
//! cargo run -p examples --example starttls
//! ```

fn main() -> Result<(), examples::common::Error> {
    examples::starttls::main_with_args(std::env::args().skip(1))
}
