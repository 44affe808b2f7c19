import { defineConfig } from 'vitest/config';

// Node-side tests of the eval/bench scripts' pure parts (metric math, argument and
// case-file parsing). Everything that touches the Worker runs in workerd (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['test/eval/**/*.test.ts', 'test/scripts/**/*.test.ts'],
    environment: 'node',
  },
});
