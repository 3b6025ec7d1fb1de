// `this.cf`: the Cloudflare bindings a photon uses (`kv`, `r2`, `d1`, `queue`, `vectorize` by qualifier; `ai`, `images`, `browser`), looked up in the Worker env by the names the build declared in wrangler.toml.
// Shipped only when a photon uses `this.cf` (the generated entry passes `createPlatform` in
// RuntimeOptions then). The binding of each use is in the manifest, so this file derives no names.

import type { PhotonManifest } from "./types";

type Scoped = (qualifier?: string) => unknown;

/** The object a photon sees as `this.cf`. */
export interface Platform {
  kv: Scoped;
  r2: Scoped;
  d1: Scoped;
  queue: Scoped;
  vectorize: Scoped;
  readonly ai: unknown;
  readonly images: unknown;
  readonly browser: unknown;
  fetch: typeof fetch;
}

const SCOPED = ["kv", "r2", "d1", "queue", "vectorize"] as const;

/** Builds `this.cf` for `photon` over the Worker env. */
export function createPlatform(photon: PhotonManifest, env: Record<string, unknown>): Platform {
  const cf = photon.cf;
  const scoped =
    (kind: (typeof SCOPED)[number]): Scoped =>
    (qualifier) => {
      const key = qualifier ?? "";
      const table = cf?.[kind] ?? {};
      const name = Object.hasOwn(table, key) ? table[key] : undefined;
      const binding = name === undefined ? undefined : env[name];
      if (binding === undefined || binding === null) {
        const use = `this.cf.${kind}(${qualifier === undefined ? "" : JSON.stringify(qualifier)})`;
        throw new Error(
          name === undefined
            ? `${photon.name}: ${use} was not seen at build time; write the qualifier as a literal and rebuild`
            : `${photon.name}: ${use} needs the binding ${name}, which the Worker does not have; check wrangler.toml`,
        );
      }
      return binding;
    };
  const shared = (name: string | null | undefined) => (name ? env[name] : undefined);
  return {
    kv: scoped("kv"),
    r2: scoped("r2"),
    d1: scoped("d1"),
    queue: scoped("queue"),
    vectorize: scoped("vectorize"),
    get ai() {
      return shared(cf?.ai);
    },
    get images() {
      return shared(cf?.images);
    },
    get browser() {
      return shared(cf?.browser);
    },
    fetch: (input, init) => fetch(input, init),
  };
}
