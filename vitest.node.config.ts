import { defineConfig } from 'vitest/config';

// Node-side tests: the scripts' pure parts (metric math, argument, case-file and
// docs-folder parsing) and the shape of src/ (its import graph, read from disk).
// Everything that touches the Worker runs in workerd (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['test/eval/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/architecture/**/*.test.ts'],
    environment: 'node',
  },
});
