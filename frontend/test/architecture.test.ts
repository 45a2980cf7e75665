/**
 * The import rule of src/: shared folders below, features above, the app on
 * top. `common` imports nothing of ours; `data` imports `common`; `charts`
 * imports `data` and `common`; a feature folder imports the shared folders and
 * its own files, never another feature; `app` imports anything, and is where
 * features meet. A file in no folder, or in a folder not listed, breaks it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** Each shared folder may import the ones before it. */
const SHARED = ["common", "data", "charts"];
const FEATURES = ["cards", "compare", "dynamics", "sweep"];
const APP = "app";

/** The folders a file in `folder` may import from besides its own; null for a folder the rule does not know. */
function allowedFrom(folder: string): readonly string[] | null {
  const shared = SHARED.indexOf(folder);
  if (shared >= 0) return SHARED.slice(0, shared);
  if (FEATURES.includes(folder)) return SHARED;
  if (folder === APP) return [...SHARED, ...FEATURES];
  return null;
}

/** The folder of a path under src/ (`cards/card.ts` → `cards`), "" for a file at the top. */
function folderOf(path: string): string {
  const parts = path.split("/");
  return parts.length > 1 ? parts[0] : "";
}

/**
 * What breaks the rule in `imports` (each file under src/, as `cards/card.ts`,
 * with the module specifiers it imports), one line per file or import.
 */
function violations(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, specifiers] of imports) {
    const folder = folderOf(file);
    const allowed = allowedFrom(folder);
    if (allowed === null) {
      out.push(`${file} is in no folder of the rule`);
      continue;
    }
    for (const specifier of specifiers) {
      if (!specifier.startsWith(".")) continue; // a package (d3-*)
      const target = folderOf(posix.normalize(posix.join(posix.dirname(file), specifier)));
      if (target !== folder && !allowed.includes(target)) out.push(`${file} imports ${specifier}`);
    }
  }
  return out;
}

const IMPORT = /\bfrom\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)|^\s*import\s*"([^"]+)"/gm;

/** Every .ts file under src/ with what it imports. */
function readImports(): Map<string, string[]> {
  const imports = new Map<string, string[]>();
  for (const entry of readdirSync(SRC, { recursive: true, encoding: "utf-8" })) {
    const file = entry.split("\\").join("/");
    if (!file.endsWith(".ts")) continue;
    const text = readFileSync(join(SRC, file), "utf-8");
    imports.set(file, [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]));
  }
  return imports;
}

describe("the import rule of src/", () => {
  it("holds: no feature imports another, the shared folders import only those below them", () => {
    const imports = readImports();
    expect(imports.size).toBeGreaterThan(60);
    expect(imports.get("cards/card.ts")).toContain("../charts/chart");
    expect(violations(imports)).toEqual([]);
  });

  it("catches a feature importing another, a shared folder importing above it, and a file outside the folders", () => {
    const planted = new Map<string, string[]>([
      ["cards/card.ts", ["d3-selection", "./view", "../charts/chart", "../data/api", "../common/dom", "../dynamics/dynamics_section"]],
      ["compare/compare_panel.ts", ["../sweep/sweep_panel"]],
      ["charts/chart.ts", ["../data/stack", "../cards/view"]],
      ["data/settings.ts", ["../charts/scales"]],
      ["common/format.ts", ["../data/api"]],
      ["app/app.ts", ["../cards/card", "../dynamics/dynamics_section", "../sweep/sweep_panel"]],
      ["index.ts", []],
      ["util/misc.ts", []],
    ]);
    expect(violations(planted)).toEqual([
      "cards/card.ts imports ../dynamics/dynamics_section",
      "compare/compare_panel.ts imports ../sweep/sweep_panel",
      "charts/chart.ts imports ../cards/view",
      "data/settings.ts imports ../charts/scales",
      "common/format.ts imports ../data/api",
      "index.ts is in no folder of the rule",
      "util/misc.ts is in no folder of the rule",
    ]);
  });
});
