// `@ui` views as MCP Apps: `ui://<photon>/<id>` resources read as `text/html;profile=mcp-app`
// (embedded in the manifest at build time), linked from their tools' `_meta.ui.resourceUri`.
// A lookup a `resources/*` handler calls; it knows nothing of JSON-RPC.
import type { PhotonManifest } from "./types";

export const MCP_APP_MIME = "text/html;profile=mcp-app";

/** The photon's views as `resources/list` entries. */
export function uiResourceList(photon: PhotonManifest): { uri: string; name: string; mimeType: string }[] {
  return Object.entries(photon.ui ?? {}).map(([id, view]) => ({ uri: view.uri, name: id, mimeType: MCP_APP_MIME }));
}

/** The `resources/read` result for a `ui://` URI of this photon, or null when it names no view. */
export function uiResourceRead(photon: PhotonManifest, uri: unknown) {
  if (typeof uri !== "string" || !uri.startsWith("ui://")) return null;
  const view = Object.values(photon.ui ?? {}).find((v) => v.uri === uri);
  if (!view) return null;
  return {
    contents: [{ uri, mimeType: MCP_APP_MIME, text: view.html, _meta: { ui: { prefersBorder: true } } }],
  };
}
