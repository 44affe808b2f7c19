// One eval run: load docs and cases, start the real Worker locally, upload the
// corpus through the admin API, submit every case, read the decisions back.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { parseCases } from './cases';
import { uploadCorpus } from './corpus-client';
import { readDocs } from './docs';
import type { EvalOptions } from './eval-args';
import { LOCAL_ADMIN_TOKEN, startLocalWorker } from './local-worker';
import { summarize } from './metrics';
import { progressBar } from './progress';
import { runCases } from './run-cases';

/** Bad input files or a Worker that is not what was asked for: exit 1, unlike a low score. */
export class LoadError extends Error {}

async function loadInputs(options: EvalOptions) {
  const docs = await readDocs(options.corpus).catch((error: Error) => {
    throw new LoadError(`cannot read --corpus ${options.corpus}: ${error.message}`);
  });
  if (docs.length === 0) throw new LoadError(`--corpus ${options.corpus} has no .md/.html docs`);
  const text = await readFile(options.cases, 'utf8').catch((error: Error) => {
    throw new LoadError(`cannot read --cases ${options.cases}: ${error.message}`);
  });
  const { cases, problems } = parseCases(text);
  for (const p of problems) console.error(`${options.cases}:${p.line}: skipped: ${p.message}`);
  if (cases.length === 0) throw new LoadError(`--cases ${options.cases} has no valid case`);
  return { docs, cases };
}

export async function runEval(options: EvalOptions) {
  const { docs, cases } = await loadInputs(options);
  const supportAddress = options.supportAddress ?? String(unstable_readConfig({ config: 'wrangler.toml' }).vars.SUPPORT_ADDRESS);
  const worker = await startLocalWorker({
    // The eval measures what the policy decides, so it runs in `auto`: the shipped default,
    // `shadow`, would record every would-be auto-reply as a review.
    vars: { RETRIEVER: options.retriever, SUPPORT_ADDRESS: supportAddress, DEFAULT_MODE: 'auto' },
    secrets: options.responder === 'claude' ? { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY! } : {},
    remoteBindings: options.retriever === 'hybrid',
  });
  try {
    const health = (await (await worker.fetch('/health')).json()) as { ports: Record<string, { implementation: string }> };
    for (const [port, wanted] of [['retriever', options.retriever], ['responder', options.responder]] as const) {
      const running = health.ports[port]?.implementation;
      if (running !== wanted) throw new LoadError(`asked for --${port} ${wanted}, but the Worker runs ${running} (see /health)`);
    }
    const upload = progressBar('corpus', docs.length);
    const corpus = await uploadCorpus(docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN, onProgress: (p) => upload.update(p.done, p.docId) });
    upload.finish();
    console.error(`corpus ${corpus.version}: ${corpus.docs} docs, ${corpus.chunks} chunks`);
    const bar = progressBar('cases', cases.length);
    const results = await runCases(worker, cases, {
      casesDir: path.dirname(options.cases),
      supportAddress,
      timeoutMs: options.responder === 'claude' ? 300_000 : 120_000,
      concurrency: options.responder === 'claude' ? 4 : 8,
      onDone: (done, c) => bar.update(done, c.id),
    });
    bar.finish();
    // Every case decided is not enough: a delivery still queued at the end was lost by the run.
    await worker.drain(60_000);
    return { summary: summarize(results.map((r) => r.result)), results };
  } finally {
    await worker.stop();
  }
}
