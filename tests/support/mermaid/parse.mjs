// Parse Mermaid text (stdin) with Mermaid's own parser, in node under jsdom (no browser).
// Prints {"ok": true, "diagramType", "labels", "titles", "edges"} or {"ok": false, "error"}; exits 1 on a parse
// error. `labels` and `titles` are a flowchart's node labels and subgraph titles as Mermaid will show
// them (its entity codes decoded as its renderer decodes them, `<br>` as a newline).
// Run with NODE_PATH set to the node_modules folder that holds mermaid and jsdom.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(path.join(process.env.NODE_PATH, "noop.js"));
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
// Mermaid's sanitizer (DOMPurify) needs a window and a document.
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve("mermaid")).href);
mermaid.initialize({ startOnLoad: false });

// Mermaid's own decodeEntities (its placeholders back to HTML entities), then the browser's decoding.
function shown(text) {
  const html = text.replace(/ﬂ°°/g, "&#").replace(/ﬂ°/g, "&").replace(/¶ß/g, ";").replace(/<br>/g, "\n");
  const area = dom.window.document.createElement("textarea");
  area.innerHTML = html;
  return area.value;
}

const text = readFileSync(0, "utf8");
try {
  const result = await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const labels = [...diagram.db.getVertices().values()].map((vertex) => shown(vertex.text));
  const titles = diagram.db.getSubGraphs().map((subgraph) => shown(subgraph.title));
  const edges = diagram.db.getEdges().map((edge) => [edge.start, edge.end]);
  process.stdout.write(JSON.stringify({ ok: true, diagramType: result.diagramType, labels, titles, edges }) + "\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String((error && error.message) || error) }) + "\n");
  process.exitCode = 1;
}
