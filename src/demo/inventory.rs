//! The demo fleet's inventory, written as an ordinary TOML file and loaded like any other.

use crate::demo::fleet::DemoHostSpec;
use std::fmt::Write as _;
use std::path::Path;

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The inventory text for the running demo hosts under `dir`.
pub fn inventory_toml(dir: &Path, hosts: &[(DemoHostSpec, u16)]) -> String {
    let mut out = String::from(
        "# The simulated fleet of `cockpit demo` (seed 001). Written by cockpit; edit a copy.\n\n\
         [settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 1\ndown_after = 3\nup_after = 2\n",
    );
    for (spec, port) in hosts {
        let log = dir.join("hosts").join(spec.name).join(spec.log);
        let _ = write!(
            out,
            "\n[[hosts]]\nname = {name}\naddress = \"127.0.0.1\"\nrole = {role}\ntransport = \"local\"\ntags = [\"demo\"]\nlogs = [{log}]\nvars = {{ public_ip = {ip} }}\n\
             checks = [\n  {{ kind = \"tcp\", port = {port} }},\n  {{ kind = \"http\", url = \"http://127.0.0.1:{port}/health\", expect_status = 200 }},\n]\n",
            name = quoted(spec.name),
            role = quoted(spec.role),
            log = quoted(&log.display().to_string()),
            ip = quoted(spec.public_ip),
        );
    }
    let db = dir.join("speed.db");
    let _ = write!(
        out,
        "\n[[databases]]\nname = \"speed\"\ndriver = \"sqlite\"\nurl = {}\n",
        quoted(&format!("sqlite://{}", db.display()))
    );
    out
}
