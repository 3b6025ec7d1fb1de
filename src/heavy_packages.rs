//! The table of npm packages that deploy but are heavy or Node-only on Workers, each with the
//! Workers-friendly alternative the warning names. Packages that cannot run at all (native
//! bindings, process spawning) are errors in `compat.rs`, not here.

/// One row: a package name, or a scope prefix ending in `/` (`@aws-sdk/` covers every client).
pub struct HeavyPackage {
    pub name: &'static str,
    /// What the package costs or needs, after "`<package>` ".
    pub why: &'static str,
    /// The alternative, as the `help:` line.
    pub instead: &'static str,
}

pub const HEAVY_PACKAGES: &[HeavyPackage] = &[
    HeavyPackage {
        name: "@aws-sdk/",
        why: "is large (hundreds of KiB per client, against Workers' bundle limit) and built for Node",
        instead: "sign AWS requests with `aws4fetch` (`new AwsClient({ accessKeyId, secretAccessKey }).fetch(url)`); for S3 storage an R2 binding needs no SDK",
    },
    HeavyPackage {
        name: "aws-sdk",
        why: "(v2) is several MiB and built for Node",
        instead: "sign AWS requests with `aws4fetch`; for S3 storage an R2 binding needs no SDK",
    },
    HeavyPackage {
        name: "@slack/web-api",
        why: "pulls in axios, form-data and Node streams",
        instead: "call the Slack Web API with `fetch` (`https://slack.com/api/<method>` with an `Authorization: Bearer` header)",
    },
    HeavyPackage {
        name: "typescript",
        why: "is the 10 MiB TypeScript compiler; it reads `__filename` when it loads, so a Worker bundling it does not start",
        instead: "parse with a small parser that runs in a Worker (`acorn`, or `@babel/parser` with its `typescript` plugin), or run this photon with the local runtime",
    },
    HeavyPackage {
        name: "googleapis",
        why: "bundles every Google API client (tens of MiB) and Node's `http`",
        instead: "use the one API's package (`@googleapis/<api>`) or call its REST endpoint with `fetch`",
    },
    HeavyPackage {
        name: "@google-cloud/",
        why: "clients talk gRPC over Node's `http2` and are large",
        instead: "call the service's REST endpoint with `fetch`",
    },
    HeavyPackage {
        name: "firebase-admin",
        why: "is Node-only (gRPC, Node's `http2`)",
        instead: "call the Firestore / Firebase REST APIs with `fetch`",
    },
    HeavyPackage {
        name: "nodemailer",
        why: "sends over SMTP with Node sockets",
        instead: "send through an email HTTP API with `fetch`, or Cloudflare Email Routing's `send_email` binding",
    },
    HeavyPackage {
        name: "express",
        why: "is a Node HTTP server; a photon's tools are already served over MCP",
        instead: "remove it: photon-cf serves the tools; for HTTP routes use `fetch` handlers",
    },
];

/// The table's row for `package` (already reduced to its package name), if any.
pub fn lookup(package: &str) -> Option<&'static HeavyPackage> {
    HEAVY_PACKAGES.iter().find(|h| {
        if h.name.ends_with('/') {
            package.starts_with(h.name)
        } else {
            package == h.name
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_names() {
        assert!(
            lookup("@aws-sdk/client-s3")
                .unwrap()
                .instead
                .contains("aws4fetch")
        );
        assert!(lookup("@aws-sdk/s3-request-presigner").is_some());
        assert!(lookup("@slack/web-api").is_some());
        assert!(lookup("@slack/bolt").is_none());
        assert!(lookup("typescript").is_some());
        assert!(lookup("typescript-estree").is_none());
        assert!(lookup("@octokit/rest").is_none());
    }
}
