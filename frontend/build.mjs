// Builds src/app/index.ts into the one ES module TensorBoard serves:
// tb_regloss/plugin/static/index.js. Deterministic: same sources and lockfile,
// same bytes (no timestamps, no absolute paths, no sourcemap).
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "tb_regloss", "plugin", "static", "index.js");
const { version } = JSON.parse(readFileSync(join(here, "node_modules", "esbuild", "package.json"), "utf-8"));

const result = await build({
  absWorkingDir: here,
  entryPoints: ["src/app/index.ts"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  write: false,
  logLevel: "warning",
});
const banner =
  "// GENERATED from frontend/ by `npm run build` (esbuild " + version + "). Do not edit; edit frontend/src and rebuild.\n";
writeFileSync(out, banner + result.outputFiles[0].text);
console.log(`wrote ${out} (${result.outputFiles[0].contents.length} bytes)`);
