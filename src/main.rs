//! The `cockpit` binary: see [`cockpit::cli`].

fn main() {
    std::process::exit(cockpit::cli::main());
}
