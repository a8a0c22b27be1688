//! A TLS echo server with a thread per connection; see
//! `examples::threaded_echo_server`.
//!
//! ```text
//! cargo run -p examples --example threaded_echo_server -- 127.0.0.1:4433 --count 3
//! ```

fn main() -> Result<(), examples::common::Error> {
    examples::threaded_echo_server::main_with_args(std::env::args().skip(1))
}
