fn main() {
    std::process::exit(sweeplab::cli::main());
}
