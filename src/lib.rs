//! photon-cf: parse a photon with SWC, render a Cloudflare Workers project, run wrangler.
//!
//! Stages, each in its own module: `parse` (SWC → `model`), `resolve` (siblings named in
//! `@photons`), `compat` (what cannot run on Workers), `render` (templates → files in memory),
//! `output` (staged, atomic writes), `wrangler` (finding and running it), and `commands`.

pub mod cli;
pub mod commands;
pub mod compat;
pub mod diagnostics;
pub mod model;
pub mod names;
pub mod output;
pub mod parse;
pub mod printer;
pub mod render;
pub mod resolve;
pub mod wrangler;
