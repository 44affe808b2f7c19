// Values vitest.config.ts hands to the tests (`provide` and globalSetup), typed for both sides.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Property-based test size; 0 means the fixed-seed sample `npm test` runs. */
    fuzzRuns: number;
    fuzzSeed: number;
  }
}
export {};
