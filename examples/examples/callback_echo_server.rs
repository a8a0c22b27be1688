//! A TLS echo server driven by callbacks on one event loop; see
//! `examples::callback_echo_server`.
//!
//! ```text
//! cargo run -p examples --example callback_echo_server -- 127.0.0.1:4433 --count 10
//! ```

fn main() -> Result<(), examples::common::Error> {
    examples::callback_echo_server::main_with_args(std::env::args().skip(1))
}
