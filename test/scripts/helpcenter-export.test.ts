import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDoc } from '../../scripts/lib/docs';
import { articlesOf, slugOf, toDocFiles } from '../../scripts/lib/helpcenter-export';

// Shaped like the APIs' documented responses (fields deflect reads, plus some it ignores).
const zendeskPage = {
  articles: [
    { id: 360001, title: 'How do I reset my password?', body: '<p>Open <b>Settings</b> → Security.</p>', html_url: 'https://acme.zendesk.com/hc/en-us/articles/360001', draft: false, locale: 'en-us' },
    { id: 360002, title: 'Unfinished', body: '<p>draft</p>', html_url: null, draft: true },
    { id: 360003, title: 'How do I reset my password?', body: '<p>The other one.</p>', html_url: null, draft: false },
  ],
  next_page: null,
  count: 3,
};
const intercomPage = {
  type: 'list',
  data: [
    { id: '77', type: 'article', title: 'Refunds & returns', body: '<p>Within 30 days.</p>', url: 'https://help.acme.example/en/articles/77', state: 'published' },
    { id: '78', type: 'article', title: 'Secret', body: '<p>x</p>', url: null, state: 'draft' },
  ],
  pages: { type: 'pages', page: 1, total_pages: 1 },
};

describe('help-center exports → docs folder', () => {
  it('keeps published Zendesk articles, with readable ids and a suffix only on a clash', () => {
    const files = toDocFiles(articlesOf('zendesk', zendeskPage).articles);
    expect(files.map((f) => f.name)).toEqual(['how-do-i-reset-my-password.html', 'how-do-i-reset-my-password-360003.html']);
    const doc = checkDoc(files[0]!.content, files[0]!.name);
    expect(doc).toMatchObject({ id: 'how-do-i-reset-my-password', title: 'How do I reset my password?', url: 'https://acme.zendesk.com/hc/en-us/articles/360001' });
    expect('body' in doc && doc.body).toContain('Settings');
  });

  it('keeps published Intercom articles and refuses a file that is not an export', () => {
    const files = toDocFiles(articlesOf('intercom', intercomPage).articles);
    expect(files.map((f) => f.name)).toEqual(['refunds-returns.html']);
    expect(checkDoc(files[0]!.content, files[0]!.name)).toMatchObject({ title: 'Refunds & returns' });
    expect(() => articlesOf('intercom', zendeskPage)).toThrow();
  });
});

describe('npm run corpus:import into a folder that holds other docs', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-helpcenter.ts', ...args], { encoding: 'utf8' });

  it('stops rather than leave an unpublished article to be uploaded, and --prune deletes it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'import-'));
    const page = path.join(dir, 'page.json');
    const out = path.join(dir, 'docs');
    await writeFile(page, JSON.stringify(intercomPage));
    const first = run(['--from', 'intercom', out, page]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('1 articles written'); // and the draft counted, not silently gone:
    expect(first.stdout).toContain('(1 drafts or unpublished and 0 without title or body skipped)');
    // The next export: "Refunds & returns" was unpublished, a new article was published.
    const next = { ...intercomPage, data: [{ ...intercomPage.data[0]!, state: 'draft' }, { id: '79', type: 'article', title: 'Shipping', body: '<p>2 days.</p>', url: null, state: 'published' }] };
    await writeFile(page, JSON.stringify(next));
    await writeFile(path.join(out, 'notes.txt'), 'not an article, but an upload reads .txt');
    await writeFile(path.join(out, '.DS_Store'), '');

    const refused = run(['--from', 'intercom', out, page]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('holds 2 file(s) this export does not: notes.txt, refunds-returns.html');
    expect((await readdir(out)).sort()).toEqual(['.DS_Store', 'notes.txt', 'refunds-returns.html']);

    const pruned = run(['--from', 'intercom', '--prune', out, page]);
    expect(pruned.status).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['.DS_Store', 'shipping.html']);
    await rm(dir, { recursive: true });
  });
});

describe('slugOf', () => {
  it.each([
    ['How do I reset my password?', 'how-do-i-reset-my-password'],
    ['Réinitialiser le mot de passe', 'reinitialiser-le-mot-de-passe'],
    ['パスワードを再設定する', 'パスワードを再設定する'],
    ['Επαναφορά κωδικού', 'επαναφορα-κωδικου'],
    ['🎉 !!!', 'article'],
    [`${'a'.repeat(79)}𠮷野家`, `${'a'.repeat(79)}𠮷`], // cut by code point, never inside a surrogate pair
  ])('%s → %s', (title, slug) => {
    expect(slugOf(title)).toBe(slug);
  });
});
