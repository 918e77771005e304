fn main() {
    std::process::exit(ssedash::app_main::main());
}
