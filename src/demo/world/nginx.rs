//! An nginx machine's configuration (seed 001 §3.2: nginx only forwards requests to the
//! application servers): the main file, one `upstream` per back-end service listing both app
//! servers, and a `server` per domain of the machine. No IP is written in a comment, so a
//! `grep` for an address finds only the lines that forward to it.

use crate::demo::hosts::DEMO_HOSTS;
use crate::demo::speed_db::DOMAINS;
use std::fmt::Write as _;

/// The back-end services nginx forwards to: upstream name, port and URL prefix.
const SERVICES: [(&str, u16, &str); 3] = [
    ("go_api", 8080, "/api/"),
    ("go_admin", 8081, "/admin/"),
    ("go_fly", 8082, "/fly/"),
];

/// The files of nginx host `host` under its root, with their text.
pub(crate) fn nginx_files(host: &str) -> [(&'static str, String); 3] {
    [
        ("etc/nginx/nginx.conf", MAIN.to_string()),
        ("etc/nginx/conf.d/upstream.conf", upstreams()),
        ("etc/nginx/conf.d/speed.conf", servers(host)),
    ]
}

const MAIN: &str = "user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;

events {
    worker_connections 1024;
}

http {
    sendfile on;
    keepalive_timeout 65;
    access_log /var/log/nginx/access.log;
    include /etc/nginx/conf.d/*.conf;
}
";

/// The public IPs of the application servers, primary first.
fn app_servers() -> Vec<&'static str> {
    ["app-primary", "app-backup"]
        .iter()
        .filter_map(|name| DEMO_HOSTS.iter().find(|h| h.name == *name))
        .map(|h| h.public_ip)
        .collect()
}

fn upstreams() -> String {
    let mut out = String::from(
        "# 转发列表：每个后台服务一个 upstream，列出主、备两台应用服务器。\n\
         # 应用服务器挂掉时，从每个 upstream 删掉它那一行，再 nginx -t && nginx -s reload。\n",
    );
    for (name, port, _) in SERVICES {
        let _ = writeln!(out, "\nupstream {name} {{");
        for ip in app_servers() {
            let _ = writeln!(out, "    server {ip}:{port} max_fails=3 fail_timeout=10s;");
        }
        out.push_str("}\n");
    }
    out
}

fn servers(host: &str) -> String {
    let mut out = format!("# {host} 上的域名，转发到应用服务器。\n");
    for d in DOMAINS.iter().filter(|d| d.host == host) {
        let _ = write!(
            out,
            "\nserver {{\n    listen 80;\n    server_name {};\n",
            d.domain
        );
        for (name, _, prefix) in SERVICES {
            let _ = write!(
                out,
                "\n    location {prefix} {{\n        proxy_pass http://{name};\n        \
                 proxy_set_header Host $host;\n        \
                 proxy_set_header X-Real-IP $remote_addr;\n    }}\n"
            );
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_upstream_lists_both_app_servers_and_no_comment_names_one() {
        let text = upstreams();
        let blocks = text.lines().filter(|l| l.starts_with("upstream "));
        assert_eq!(blocks.count(), 3);
        assert_eq!(text.matches("server 198.51.100.86:").count(), 3);
        assert_eq!(text.matches("server 198.51.100.47:").count(), 3);
        assert!(
            text.lines()
                .filter(|l| l.trim_start().starts_with('#'))
                .all(|l| !l.contains("198.51"))
        );
    }

    #[test]
    fn each_nginx_host_serves_its_own_domains() {
        let [_, _, (_, sites)] = nginx_files("nginx-1");
        assert!(sites.contains("server_name shop-a.example;"), "{sites}");
        assert!(!sites.contains("shop-c.example"), "{sites}");
    }
}
