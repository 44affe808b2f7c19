// npm run test:browser: a real headless Chromium drives the review console of a
// locally running Worker (wrangler dev --local, fresh state): log in, search with
// the / key, page through the queue, move with j/k, take a ticket over, bulk-approve
// drafts, approve one with the a key, see the reliability diagram, and check a
// 360 px phone screen. Saves screenshots of
// the main pages to docs/screenshots/. Skips (exit 0) only when no browser is installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { uploadCorpus } from './lib/corpus-client';
import { readDocs } from './lib/docs';

const PORT = Number(process.env.PORT ?? 8808);
const BASE = `http://localhost:${PORT}`;
const BROWSER = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_TOKEN = 'browser-test-api-token';
const ADMIN_TOKEN = 'browser-test-admin-token';
const SCREENSHOTS = 'docs/screenshots';
const wrangler = 'node_modules/.bin/wrangler';
/** How many of the sample corpus's labelled tickets to send, and how many drafts a "lead" reviews before the browser run. */
const TICKETS = 40;
const GROUP = 5;

type Labelled = { id: string; subject: string; question: string; expect: string; gold_doc_ids: string[] };
type TicketView = { ticket: { id: string; status: string; subject: string }; decision: { outcome: string; suggested_reply: string | null; doc_sources: string[] } | null; deliveries: { kind: string; status: string }[] };

function step(message: string) {
  console.log(`• ${message}`);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

async function api<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${BASE}${pathname}`, { ...init, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathname} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A support lead reviewing drafts over plain HTTP forms, so the insight page has evidence to show. */
async function reviewDrafts(views: { view: TicketView; label: Labelled }[]) {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!, value.join('='));
    }
  };
  const send = async (pathname: string, init: RequestInit = {}) => {
    const response = await fetch(`${BASE}${pathname}`, {
      ...init,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...init.headers },
    });
    remember(response);
    return response;
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const post = async (pathname: string, fields: Record<string, string>) =>
    send(pathname, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  const login = await send('/console/login');
  await post('/console/login', { _csrf: csrfOf(await login.text()), token: ADMIN_TOKEN, name: 'Sam (seed reviewer)', next: '/console' });
  let reviewed = 0;
  for (const { view, label } of views) {
    // The draft is right when it cites an article the label says answers the ticket.
    const right = label.expect !== 'escalate' && view.decision!.doc_sources.some((s) => label.gold_doc_ids.some((g) => s.startsWith(g)));
    const page = await send(`/console/tickets/${view.ticket.id}`);
    const response = await post(`/console/tickets/${view.ticket.id}/actions`, { _csrf: csrfOf(await page.text()), action: right ? 'approve' : 'reject' });
    if (response.status !== 303) throw new Error(`review of ${view.ticket.id} → ${response.status}`);
    reviewed += 1;
  }
  return reviewed;
}

async function startWorker(persist: string): Promise<ChildProcess> {
  const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const dev = spawn(
    wrangler,
    // The seeded reviewers approve and reject drafts: a deployment past shadow (a shadow draft is never sent, so Approve & send
    // is refused), replying through the log mailer as npm start does (MAILER=auto with no provider fails replies).
    ['dev', '--local', '--port', String(PORT), '--persist-to', persist, '--show-interactive-dev-session=false', '--var', `API_TOKEN:${API_TOKEN}`, '--var', `ADMIN_TOKEN:${ADMIN_TOKEN}`, '--var', 'DEFAULT_MODE:auto', '--var', 'MAILER:log'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } },
  );
  let log = '';
  dev.stdout!.on('data', (chunk) => (log += chunk));
  dev.stderr!.on('data', (chunk) => (log += chunk));
  dev.on('exit', (code) => {
    if (code) console.error(`wrangler dev exited with ${code}:\n${log.slice(-2000)}`);
  });
  await waitFor('wrangler dev /health', async () => ((await fetch(`${BASE}/health`)).ok ? true : undefined), 90_000);
  return dev;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  step(`screenshot ${SCREENSHOTS}/${name}.png`);
}

/** The ids of the tickets a queue page lists, in order. */
const queueIds = (page: Page) => page.locator('#queue tbody tr[data-href]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.href!.split('/').pop()!));

async function expectState(page: Page, state: string) {
  const shown = await page.locator('#state').getAttribute('data-state');
  if (shown !== state) throw new Error(`expected the ticket in state ${state}, the page says ${shown}: ${await page.locator('#state').innerText()}`);
}

async function drive(page: Page, plan: { target: TicketView; takeOver: TicketView; bulk: TicketView[]; total: number }) {
  const { target } = plan;
  step('log in through the form');
  await page.goto(`${BASE}/console`);
  if (!page.url().includes('/console/login')) throw new Error(`expected the login form, got ${page.url()}`);
  await shot(page, 'login');
  await page.fill('input[name=name]', 'Alex (browser)');
  await page.fill('input[name=token]', ADMIN_TOKEN);
  await Promise.all([page.waitForURL(`${BASE}/console`), page.click('button[type=submit]')]);
  await page.locator('#queue tbody tr').first().waitFor();
  step(`waiting view lists ${(await queueIds(page)).length} tickets, each with a preview`);
  if ((await page.locator('#queue .preview').count()) === 0) throw new Error('the queue shows no previews');

  step('search with the / shortcut');
  await page.keyboard.press('/');
  if ((await page.evaluate(() => document.activeElement?.id)) !== 'search') throw new Error('/ did not focus the search box');
  const word = target.ticket.subject.split(/\s+/).sort((a, b) => b.length - a.length)[0]!;
  await page.keyboard.type(word);
  await Promise.all([page.waitForURL(/q=/), page.keyboard.press('Enter')]);
  if (!(await queueIds(page)).includes(target.ticket.id)) throw new Error(`searching "${word}" does not find "${target.ticket.subject}"`);

  step('page through every ticket, 10 at a time');
  await page.goto(`${BASE}/console?view=all&limit=10`);
  await shot(page, 'queue');
  const seen: string[] = [];
  for (;;) {
    seen.push(...(await queueIds(page)));
    const next = page.locator('#next-page');
    if ((await next.count()) === 0) break;
    await Promise.all([page.waitForURL(/cursor=/), next.click()]);
  }
  if (seen.length !== plan.total || new Set(seen).size !== plan.total) throw new Error(`paging showed ${seen.length} rows (${new Set(seen).size} distinct) of ${plan.total}`);
  step(`${Math.ceil(plan.total / 10)} pages, ${plan.total} tickets, none twice`);

  step('j/k and Enter open a ticket, u goes back');
  await page.goto(`${BASE}/console?view=all&limit=10`);
  const ids = await queueIds(page);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  if ((await page.locator('#queue tr.current').getAttribute('data-href')) !== `/console/tickets/${ids[0]}`) throw new Error('j j k did not land on the first row');
  await Promise.all([page.waitForURL(`${BASE}/console/tickets/${ids[0]}`), page.keyboard.press('Enter')]);
  await Promise.all([page.waitForURL(`${BASE}/console`), page.keyboard.press('u')]);

  step(`take over "${plan.takeOver.ticket.subject}" and find it under Mine`);
  await page.goto(`${BASE}/console/tickets/${plan.takeOver.ticket.id}`);
  await Promise.all([page.waitForURL(/result=applied/), page.keyboard.press('t')]);
  await expectState(page, 'taken_over');
  await page.goto(`${BASE}/console?view=all&owner=mine`);
  if (!(await queueIds(page)).includes(plan.takeOver.ticket.id)) throw new Error('the taken-over ticket is not under Mine');
  await page.goto(`${BASE}/console`);
  if ((await queueIds(page)).includes(plan.takeOver.ticket.id)) throw new Error('a taken-over ticket is still waiting for a person');

  step(`bulk-approve ${plan.bulk.length} selected drafts`);
  await page.goto(`${BASE}/console`);
  for (const view of plan.bulk) await page.check(`#queue input[value="${view.ticket.id}"]`);
  await Promise.all([page.waitForURL(/result=/), page.click('#bulk-approve')]);
  const bulkNotice = (await page.locator('#notice').innerText()).trim();
  if (!bulkNotice.startsWith(`${plan.bulk.length} done`)) throw new Error(`unexpected bulk notice: ${bulkNotice}`);
  for (const view of plan.bulk) {
    await waitFor(`the bulk-approved reply of ${view.ticket.id}`, async () =>
      (await api<TicketView>(`/api/tickets/${view.ticket.id}`)).deliveries.find((d) => d.kind === 'email_reply' && d.status === 'sent'),
    );
  }

  step(`open "${target.ticket.subject}" and approve it with the a key`);
  await page.goto(`${BASE}/console/tickets/${target.ticket.id}`);
  await page.locator('#draft').waitFor();
  const draft = (await page.locator('#draft').innerText()).trim();
  if (draft !== (target.decision!.suggested_reply ?? '').trim()) throw new Error('the page does not show the stored draft');
  if ((await page.locator('#retrieved tbody tr').count()) === 0) throw new Error('no retrieved chunks shown');
  await expectState(page, 'open');
  await shot(page, 'ticket');
  await Promise.all([page.waitForURL(/result=applied/), page.keyboard.press('a')]);
  const notice = await page.locator('#notice').innerText();
  if (notice.trim() !== 'Done.') throw new Error(`unexpected notice: ${notice}`);
  const sent = await waitFor('the approved reply to be sent', async () => {
    const view = await api<TicketView>(`/api/tickets/${target.ticket.id}`);
    return view.deliveries.find((d) => d.kind === 'email_reply' && d.status === 'sent');
  });
  step(`email_reply delivery ${sent.status}`);
  await page.reload();
  if (!(await page.locator('#feedback').innerText()).includes('approved')) throw new Error('the approval is not listed on the ticket');
  await expectState(page, 'replied');
  if ((await page.locator('#approve, #reject, #take-over').count()) > 0) throw new Error('a replied ticket still offers actions');

  step('insight: reliability diagram');
  await page.goto(`${BASE}/console/insight`);
  await page.locator('svg#reliability-diagram').waitFor();
  const bins = await page.locator('svg#reliability-diagram rect.bin').count();
  if (bins === 0) throw new Error('the reliability diagram has no bins');
  step(`reliability diagram with ${bins} bins, ECE ${await page.locator('#ece').innerText()}, recommendation: ${(await page.locator('#recommendation .big').innerText()).trim()}`);
  await shot(page, 'insight');

  await page.goto(`${BASE}/console/health`);
  await page.locator('#corpus').waitFor();
  await shot(page, 'health');

  step('a 360 px wide phone: no sideways scrolling');
  await page.setViewportSize({ width: 360, height: 780 });
  for (const pathname of ['/console', `/console/tickets/${target.ticket.id}`]) {
    await page.goto(`${BASE}${pathname}`);
    const overflow = await page.evaluate(() => {
      const wide = Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('table'));
      const names = wide.slice(-3).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}`);
      return { px: document.documentElement.scrollWidth - window.innerWidth, names };
    });
    if (overflow.px > 1) throw new Error(`${pathname} overflows a 360 px screen by ${overflow.px} px (${overflow.names.join(', ')})`);
  }
  await page.goto(`${BASE}/console`);
  await shot(page, 'queue-mobile');
}

async function main() {
  if (!existsSync(BROWSER)) {
    console.log(`SKIPPED: no Chromium at ${BROWSER}. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to run the browser test.`);
    return;
  }
  const started = Date.now();
  const persist = await mkdtemp(path.join(tmpdir(), 'deflect-browser-state-'));
  const profile = await mkdtemp(path.join(tmpdir(), 'deflect-browser-profile-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  let dev: ChildProcess | undefined;
  try {
    step(`start the Worker on ${BASE} (state in ${persist})`);
    dev = await startWorker(persist);
    const corpus = await uploadCorpus(await readDocs('corpus/docs'), { baseUrl: BASE, token: ADMIN_TOKEN });
    step(`sample corpus ${corpus.version}: ${corpus.docs} docs, ${corpus.chunks} chunks`);

    const labelled = (await readFile('corpus/tickets.jsonl', 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Labelled)
      .slice(0, TICKETS);
    // Sent in small groups, each decided before the next, as mail trickles in.
    const views: TicketView[] = [];
    for (let start = 0; start < labelled.length; start += GROUP) {
      const ids = [];
      for (const [i, t] of labelled.slice(start, start + GROUP).entries()) {
        const { ticket_id } = await api<{ ticket_id: string }>('/api/tickets', {
          method: 'POST',
          body: JSON.stringify({ from: `customer${start + i}@example.com`, subject: t.subject, text: t.question, message_id: `browser-${t.id}@example.com` }),
        });
        ids.push(ticket_id);
      }
      for (const id of ids) {
        views.push(
          await waitFor(`ticket ${id} decided`, async () => {
            const view = await api<TicketView>(`/api/tickets/${id}`);
            return view.decision && ['done', 'ignored', 'failed'].includes(view.ticket.status) ? view : undefined;
          }),
        );
      }
    }
    const outcomes = views.reduce<Record<string, number>>((n, v) => ({ ...n, [v.decision!.outcome]: (n[v.decision!.outcome] ?? 0) + 1 }), {});
    step(`${views.length} tickets decided: ${JSON.stringify(outcomes)}`);

    const drafted = views.map((view, i) => ({ view, label: labelled[i]! })).filter(({ view }) => view.decision!.outcome !== 'auto_reply' && view.decision!.suggested_reply);
    // Review drafts stay for the browser (one to approve by key, up to three in bulk); one escalation to take over; the seed reviewer judges the rest.
    const reviewable = drafted.filter(({ view }) => view.decision!.outcome === 'review');
    const target = reviewable[0] ?? drafted[0];
    const bulk = reviewable.slice(1, 4);
    const takeOver = drafted.find((d) => d !== target && !bulk.includes(d));
    if (!target || !takeOver || bulk.length === 0) {
      throw new Error(`need review drafts to approve and bulk-approve and one more draft to take over; got ${reviewable.length} review of ${drafted.length} drafts`);
    }
    const reviewed = await reviewDrafts(drafted.filter((d) => d !== target && d !== takeOver && !bulk.includes(d)));
    step(`a seed reviewer gave verdicts on ${reviewed} other drafts`);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: BROWSER,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      await drive(context.pages()[0] ?? (await context.newPage()), { target: target.view, takeOver: takeOver.view, bulk: bulk.map((b) => b.view), total: views.length });
    } finally {
      await context.close();
    }
    console.log(`\nbrowser test passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await rm(persist, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`browser test FAILED: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
