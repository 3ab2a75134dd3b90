// Bundles every src/<page>.js entry (not src/lib/*) into ../static/dist/<page>.js (+ .css when the
// entry imports CSS), and src/common.css into dist/common.css. Minified, ES2020, no source maps.
import { build } from "esbuild";
import { readdirSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const out = join(here, "..", "static", "dist");
mkdirSync(out, { recursive: true });
const entries = readdirSync(src).filter((f) => f.endsWith(".js")).map((f) => join(src, f));
const result = await build({
  entryPoints: [...entries, join(src, "common.css")],
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
// Every entry gets a .css so pages can always link it (empty when the entry imports none).
for (const entry of entries) {
  const css = join(out, entry.slice(src.length + 1).replace(/\.js$/, ".css"));
  if (!existsSync(css)) writeFileSync(css, "");
}
const sizes = Object.entries(result.metafile.outputs).map(([f, o]) => `${f.split("/").pop()} ${o.bytes} B`);
console.log("built " + sizes.join(", "));
