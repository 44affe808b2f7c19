import { describe, expect, it } from 'vitest';
import { localNoiseFilter } from '../../scripts/lib/local-noise';

const run = (lines: string[]) => {
  const filter = localNoiseFilter(8787);
  return lines.map(filter).filter((l): l is string => l !== null);
};

describe('npm start output', () => {
  it('says each cloud-only binding once, as a local limitation, without the multi-line warning', () => {
    const out = run([
      '\u001b[33m▲ \u001b[43;33m[\u001b[43;30mWARNING\u001b[43;33m]\u001b[0m \u001b[1mAI bindings always access remote resources, and so may incur usage charges even in local dev.\u001b[0m',
      '',
      '▲ [WARNING] Vectorize Index bindings do not support local development, and so parts of your Worker may not work correctly.',
      '▲ [WARNING] AI bindings always access remote resources, and so may incur usage charges even in local dev.',
      '[wrangler:info] Ready on http://localhost:8787',
    ]);
    expect(out).toEqual([
      'local: Workers AI (env.AI) is cloud-only and not called here; retrieval is lexical (D1 FTS5)',
      '',
      'local: Vectorize (env.VECTORIZE) is cloud-only and not called here',
      '[wrangler:info] Ready on http://localhost:8787',
    ]);
  });

  it('turns the cron warning into one line with the command, and drops its indented block', () => {
    const out = run([
      '▲ [WARNING] Scheduled Workers are not automatically triggered during local development.',
      '',
      '  To manually trigger a scheduled event, run:',
      '    curl "http://localhost:8787/cdn-cgi/handler/scheduled"',
      '  For more details, see https://developers.cloudflare.com/workers/configuration/cron-triggers/',
      '',
      '⎔ Starting local server...',
    ]);
    expect(out).toEqual([
      'local: the cron sweep does not run by itself; trigger it with curl "http://localhost:8787/cdn-cgi/handler/scheduled"',
      '⎔ Starting local server...',
    ]);
  });

  it('swallows the stack trace of a cloud-only binding touched locally, and keeps real errors', () => {
    const out = run([
      'uncaught exception; source = Uncaught; stack = Error: Binding VECTORIZE needs to be run remotely',
      '    at throwRemoteRequired (file:///x/remote-proxy-client.worker.js:2220:9)',
      'stack: /x/workerd@35cc2b7 /x/workerd@2d127cf',
      '[wrangler:error] TypeError: cannot read properties of undefined',
      '    at handler (src/app.ts:10:5)',
    ]);
    expect(out).toEqual(['[wrangler:error] TypeError: cannot read properties of undefined', '    at handler (src/app.ts:10:5)']);
  });
});
