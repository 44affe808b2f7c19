// npm run test:fuzz [-- --runs N --seed S]: the property-based tests at full size
// (≥ 10,000 generated inputs in all), with a fresh seed unless one is given.
// Prints the total count and the seed, so a failure can be replayed.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7000' }, seed: { type: 'string' } } });
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
// Said first, so a run that hangs or is killed (e.g. a long shrink) can still be replayed.
console.log(`fuzz: FUZZ_RUNS=${values.runs}, seed ${seed} (replay: npm run test:fuzz -- --runs ${values.runs} --seed ${seed})`);
const child = spawn('node_modules/.bin/vitest', ['run', 'test/fuzz'], {
  env: { ...process.env, FUZZ_RUNS: values.runs, FUZZ_SEED: seed },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let total = 0;
child.stdout.on('data', (chunk: Buffer) => {
  const text = chunk.toString();
  process.stdout.write(text);
  for (const match of text.matchAll(/fuzz-inputs: (\d+)/g)) total += Number(match[1]);
});
child.on('exit', (code) => {
  console.log(`\nfuzz: ${total} generated inputs checked (FUZZ_RUNS=${values.runs}, seed ${seed}); ${code === 0 ? 'no invariant violated' : 'FAILED'}`);
  process.exit(code ?? 1);
});
