// `@ui` views as MCP Apps: linked tools carry `_meta.ui.resourceUri`, `initialize` advertises
// resources, and `resources/read` of the `ui://` URI gives the embedded HTML as
// `text/html;profile=mcp-app` (a `.photon.html` fragment wrapped in a document).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, repoRoot, rpc } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("board-view", "board-view/board-view.photon.ts");
});
after(async () => {
  await w?.stop();
});

const result = async (method, params = {}) => {
  const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method, params });
  return r.body;
};

test("initialize advertises resources; linked tools carry the view's URI in _meta", async () => {
  const init = await result("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } });
  assert.deepEqual(init.result.capabilities.resources, { subscribe: true, listChanged: false });
  const { tools } = (await result("tools/list")).result;
  const meta = Object.fromEntries(tools.map((t) => [t.name, t._meta]));
  assert.deepEqual(meta.show, {
    ui: { resourceUri: "ui://board-view/board" },
    outputTemplate: "ui://board-view/board",
    "openai/outputTemplate": "ui://board-view/board",
    "openai/widgetAccessible": true,
  });
  assert.equal(meta.card.ui.resourceUri, "ui://board-view/card");
  assert.equal(meta.count, undefined);
});

test("resources/list and resources/read serve the views as MCP Apps HTML", async () => {
  const { resources } = (await result("resources/list")).result;
  assert.deepEqual(
    resources.map((r) => [r.uri, r.mimeType]),
    [
      ["ui://board-view/board", "text/html;profile=mcp-app"],
      ["ui://board-view/card", "text/html;profile=mcp-app"],
    ],
  );
  const board = (await result("resources/read", { uri: "ui://board-view/board" })).result.contents[0];
  assert.equal(board.mimeType, "text/html;profile=mcp-app");
  assert.equal(board.text, readFileSync(join(repoRoot, "fixtures/runtime/board-view/board-view/ui/board.html"), "utf8"));
  const card = (await result("resources/read", { uri: "ui://board-view/card" })).result.contents[0];
  assert.match(card.text, /^<!doctype html>/);
  assert.match(card.text, /<body>\n<section id="card">Card<\/section>\n\n<\/body>/);
});

test("an unknown ui:// URI is a resource-not-found error", async () => {
  const r = await result("resources/read", { uri: "ui://board-view/nope" });
  assert.equal(r.error.code, -32002);
});
