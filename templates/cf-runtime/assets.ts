// `this.assets(path, load?)`: the photon's companion files (its `<name>/` folder), embedded in
// the manifest at build time because a Worker has no file system to read them from.
import type { PhotonManifest } from "./types";

export type AssetOptions = boolean | { load?: boolean; encoding?: string | null };

/** `sub` relative to the companion folder, or null when it leaves it (as photon-cf's build rule). */
function normalize(sub: string): string | null {
  if (sub.startsWith("/") || sub.startsWith("\\") || sub.includes(":")) return null;
  const parts: string[] = [];
  for (const part of sub.split(/[/\\]/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.pop() === undefined) return null;
    } else parts.push(part);
  }
  return parts.length > 0 ? parts.join("/") : null;
}

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * The `assets` member: without `load`, the file's path inside the companion folder
 * (`<name>/<sub>`, the local runtime gives an absolute path); with `load`, its text (UTF-8), or
 * its bytes with `{ load: true, encoding: null }`.
 */
export function companionAssets(photon: PhotonManifest) {
  const files = photon.assets ?? {};
  return (sub: string, options?: AssetOptions): string | Uint8Array => {
    const { load = false, encoding } = typeof options === "boolean" ? { load: options } : (options ?? {});
    const key = normalize(String(sub));
    if (!load) return `${photon.name}/${key ?? sub}`;
    const file = key === null ? undefined : files[key];
    if (!file) {
      throw new Error(
        `${photon.name}: the companion file "${sub}" was not embedded at build time; photon-cf embeds the files of ${photon.name}/ named by literal this.assets(...) paths`,
      );
    }
    const bytes = "text" in file ? new TextEncoder().encode(file.text) : decodeBase64(file.base64);
    if (encoding === null) return bytes;
    return "text" in file ? file.text : new TextDecoder().decode(bytes);
  };
}
