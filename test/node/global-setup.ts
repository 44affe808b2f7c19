// vitest globalSetup (Node): start the Anthropic mock once for the run and hand its
// URL to the workerd tests (vitest.config.ts turns it into the ANTHROPIC_MOCK_URL binding).
import type { TestProject } from 'vitest/node';
import { startAnthropicMock } from './anthropic-mock';

declare module 'vitest' {
  export interface ProvidedContext {
    anthropicMockUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startAnthropicMock();
  project.provide('anthropicMockUrl', mock.url);
  return () => mock.close();
}
