//! HTTPS with a redirect for plain HTTP on the same port; see
//! `examples::https_redirect`.
//!
//! ```text
//! cargo run -p examples --example https_redirect -- 127.0.0.1:4433 --count 2
//! ```

fn main() -> Result<(), examples::common::Error> {
    examples::https_redirect::main_with_args(std::env::args().skip(1))
}
