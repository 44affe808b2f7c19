// npx tsx scripts/measure-request-type.ts: CPU (not wall time: the machine is shared) of
// the request-type classifier over the sample tickets: the first call, which decodes the
// shipped artifact once, and the median per ticket after warm-up. docs/confidence-and-policy.md "Request types".
import { readFileSync } from 'node:fs';
import { scoreRequestType } from '../src/decide/request-type';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const texts = readFileSync('corpus/tickets.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { subject?: string; question?: string; text?: string })
  .map((c) => `${c.subject ?? ''}\n${c.question ?? c.text ?? ''}`);
let started = cpuMs();
scoreRequestType('warm up');
const firstCallMs = cpuMs() - started;
for (let r = 0; r < 10; r++) for (const t of texts) scoreRequestType(t);
const perTicket: number[] = [];
for (let r = 0; r < 21; r++) {
  started = cpuMs();
  for (const t of texts) scoreRequestType(t);
  perTicket.push((cpuMs() - started) / texts.length);
}
perTicket.sort((a, b) => a - b);
console.log(JSON.stringify({ tickets: texts.length, first_call_cpu_ms: Number(firstCallMs.toFixed(1)), median_cpu_ms_per_ticket: Number(perTicket[10]!.toFixed(3)) }));
