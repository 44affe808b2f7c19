// Fails when a secret is where it must never be:
// - in a tracked file: anything shaped like a real credential (Anthropic, Slack,
//   MailChannels/Postmark style keys, private keys);
// - in the test logs: any secret value the test Worker ran with.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { TEST_LOG_FILE, TEST_SECRETS } from '../test/setup/test-secrets';

const CREDENTIAL_SHAPES: [string, RegExp][] = [
  ['Anthropic API key', /sk-ant-[A-Za-z0-9_-]{20,}/],
  ['Slack token', /xox[abposr]-[A-Za-z0-9-]{10,}/],
  ['Slack webhook URL', /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/],
  ['private key', /-----BEGIN (RSA |EC |OPENSSH |)PRIVATE KEY-----/],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['Cloudflare API token assignment', /CLOUDFLARE_API_TOKEN\s*=\s*['"]?[A-Za-z0-9_-]{30,}/],
];

const findings: string[] = [];
const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
for (const file of files) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  for (const [name, shape] of CREDENTIAL_SHAPES) {
    if (shape.test(text)) findings.push(`${file}: looks like a ${name}`);
  }
}

let logLines = 0;
if (existsSync(TEST_LOG_FILE)) {
  const log = readFileSync(TEST_LOG_FILE, 'utf8');
  logLines = log.split('\n').length - 1;
  for (const [name, value] of Object.entries(TEST_SECRETS)) {
    // Values shorter than 8 characters (a published sample key like "foo") would match ordinary words.
    if (value.length >= 8 && log.includes(value)) findings.push(`${TEST_LOG_FILE}: contains the value of ${name}`);
  }
}

if (findings.length > 0) {
  console.error(`secret scan failed:\n  ${findings.join('\n  ')}`);
  process.exit(1);
}
console.log(`secret scan: ${files.length} tracked files and ${logLines} test log lines, no secret found`);
