//! The command line: clap types only. `settings` turns them (and the environment) into what a
//! run uses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Deploy a photon (one TypeScript class, its methods as MCP tools) to Cloudflare Workers.
///
/// Each photon becomes a Durable Object; `this.memory`, `this.emit`, `this.schedule`,
/// `this.call`, `this.sample`, `this.confirm` and `this.elicit` work on the edge unchanged.
#[derive(Debug, Parser)]
#[command(
    name = "photon-cf",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// How to print results: `human` text on stderr, or one `json` document on stdout
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true, help_heading = "Global options")]
    pub output_format: OutputFormat,

    /// Short for `--output-format json`
    #[arg(
        long,
        global = true,
        conflicts_with = "output_format",
        help_heading = "Global options"
    )]
    pub json: bool,

    /// Print less: only warnings and errors (repeat to print errors only)
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "verbose", help_heading = "Global options")]
    pub quiet: u8,

    /// Print more: every command photon-cf runs and every file it writes
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global options")]
    pub verbose: u8,

    /// When to use colors in human output (`NO_COLOR` is respected)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, help_heading = "Global options")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the Workers project into DIR; run nothing
    Build(BuildArgs),
    /// Parse and validate the photon and its siblings; write nothing
    Check(CheckArgs),
    /// Build, then run `wrangler dev` locally; rebuild and restart on change
    Dev(DevArgs),
    /// Build, then run `wrangler deploy`
    Deploy(DeployArgs),
    /// List, inspect or destroy the instances of a running Worker (its admin surface)
    ///
    /// The Worker's admin surface (`/__admin/instances`) is off unless the Worker has the secret
    /// `PHOTON_ADMIN_TOKEN` (`wrangler secret put PHOTON_ADMIN_TOKEN`, or `.dev.vars` locally); it
    /// is separate from the MCP token. This command sends the same value, read from the
    /// environment variable `PHOTON_CF_ADMIN_TOKEN` (never from an argument, so it stays out of
    /// shell history).
    Instances(InstancesArgs),
}

/// `photon-cf instances list | show NAME | destroy NAME --url URL`.
#[derive(Debug, Args)]
pub struct InstancesArgs {
    #[command(subcommand)]
    pub action: InstancesAction,

    /// The Worker's base URL (`https://<worker>.<account>.workers.dev`, or `http://127.0.0.1:8787` for `dev`)
    #[arg(long, value_name = "URL", global = true)]
    pub url: Option<String>,

    /// The admin token: the value of the Worker secret PHOTON_ADMIN_TOKEN
    #[arg(
        long = "admin-token-env",
        hide = true,
        env = "PHOTON_CF_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum InstancesAction {
    /// The instances that have state, from the Worker's registry
    List,
    /// One instance's memory keys, schedules, alarm and /events subscribers, per photon
    Show {
        /// The instance name (`default` for the default instance)
        instance: String,
    },
    /// Delete the instance in every photon: storage, alarm, pending asks, sockets, live object
    Destroy {
        /// The instance name (`default` for the default instance)
        instance: String,
    },
}

/// Where the photon and its siblings come from.
#[derive(Debug, Clone, Args)]
pub struct PhotonArgs {
    /// The `*.photon.ts` file (default: the single one in the current directory)
    pub photon: Option<PathBuf>,

    /// Extra directories to look for `@photons` siblings in, after the host's own directory
    #[arg(
        long = "photons-dir",
        value_name = "DIR",
        env = "PHOTON_DIR",
        value_delimiter = ','
    )]
    pub photons_dirs: Vec<PathBuf>,
}

/// Options that change what `build` renders.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// The directory to write the Workers project into
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub out: PathBuf,

    /// `compatibility_date` for a new `wrangler.toml` (an existing one keeps its own)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub compatibility_date: Option<String>,

    /// How `/mcp` is protected: `none`, `bearer` (Worker secret `PHOTON_MCP_BEARER`), `jwt`, or `access` (Cloudflare Access; also `@auth cf-access`)
    #[arg(long, value_enum, default_value_t = AuthMode::None)]
    pub auth: AuthMode,

    /// Allow dropping Durable Object classes that are gone: writes `deleted_classes` (their data is lost)
    #[arg(long)]
    pub allow_delete_classes: bool,

    /// Serve at this https URL: its host as a custom domain (path `/`) or a route `<host><path>*`; writes `workers_dev = false`
    #[arg(
        long,
        value_name = "URL",
        group = "deploy_target",
        help_heading = "Deploy target"
    )]
    pub url: Option<String>,

    /// Serve at this hostname as a custom domain; writes `workers_dev = false`
    #[arg(
        long,
        value_name = "HOST",
        group = "deploy_target",
        help_heading = "Deploy target"
    )]
    pub domain: Option<String>,

    /// Serve on this route pattern of a zone you own (`example.com/mcp/*`); writes `workers_dev = false`
    #[arg(
        long,
        value_name = "PATTERN",
        group = "deploy_target",
        help_heading = "Deploy target"
    )]
    pub route: Option<String>,

    /// Turn on Workers Logs: writes `[observability] enabled = true`
    #[arg(long, help_heading = "Deploy target")]
    pub logs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    None,
    Bearer,
    Jwt,
    /// Cloudflare Access: the `Cf-Access-Jwt-Assertion` header, verified against the team's keys.
    Access,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub photon: PhotonArgs,
    #[command(flatten)]
    pub render: RenderArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub photon: PhotonArgs,
    /// Also render the project into DIR (`--out`, as `build`), install it, bundle it with wrangler and start it in the local Workers runtime
    #[arg(long)]
    pub bundle: bool,
    #[command(flatten)]
    pub render: RenderArgs,
    #[command(flatten)]
    pub wrangler: WranglerArgs,
}

/// How to find wrangler.
#[derive(Debug, Clone, Args)]
pub struct WranglerArgs {
    /// The wrangler executable to run (default: `node_modules/.bin/wrangler` of DIR, then of the current directory, then `PATH`)
    #[arg(long, value_name = "PATH", env = "PHOTON_CF_WRANGLER")]
    pub wrangler: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DevArgs {
    #[command(flatten)]
    pub photon: PhotonArgs,
    #[command(flatten)]
    pub render: RenderArgs,
    #[command(flatten)]
    pub wrangler: WranglerArgs,
    /// Port for `wrangler dev` (0 picks a free one)
    #[arg(long)]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub photon: PhotonArgs,
    #[command(flatten)]
    pub render: RenderArgs,
    #[command(flatten)]
    pub wrangler: WranglerArgs,
    /// Bundle with `wrangler deploy --dry-run` and report its size; upload nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Extra arguments for `wrangler deploy`, after `--`
    #[arg(last = true, value_name = "WRANGLER_ARGS")]
    pub wrangler_args: Vec<String>,
}

/// The name a value of a `ValueEnum` has on the command line (`jwt` for `AuthMode::Jwt`).
pub fn value_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
