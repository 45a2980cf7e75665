import { defineConfig } from "vitest/config";

// Tests run in Node; a test file that needs a DOM starts with
// `// @vitest-environment jsdom` (a jsdom per file costs about a second).
export default defineConfig({
  test: { environment: "node", include: ["test/**/*.test.ts"] },
});
