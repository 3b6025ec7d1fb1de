//! photon-cf: parse a photon with SWC, render a Cloudflare Workers project, run wrangler.
//!
//! `pipeline` runs the stages in order, each in its own module: `parse` (SWC → `model`),
//! `resolve` (siblings named in `@photons`), `compat` (what cannot run on Workers), `render`
//! (templates → files in memory), `output` (staged, atomic writes). `settings` reads the
//! environment once, `wrangler` finds and runs wrangler and npm, and `commands` print.

pub mod assets;
pub mod cli;
pub mod commands;
pub mod compat;
pub mod diagnostics;
pub mod heavy_packages;
pub mod model;
pub mod names;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod printer;
pub mod render;
pub mod resolve;
pub mod settings;
pub mod ui_views;
pub mod wrangler;
