import { describe, expect, it } from 'vitest';
import { checkDoc } from '../../scripts/lib/docs';
import { articlesOf, toDocFiles } from '../../scripts/lib/helpcenter-export';

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
    const files = toDocFiles(articlesOf('zendesk', zendeskPage));
    expect(files.map((f) => f.name)).toEqual(['how-do-i-reset-my-password.html', 'how-do-i-reset-my-password-360003.html']);
    const doc = checkDoc(files[0]!.content, files[0]!.name);
    expect(doc).toMatchObject({ id: 'how-do-i-reset-my-password', title: 'How do I reset my password?', url: 'https://acme.zendesk.com/hc/en-us/articles/360001' });
    expect('body' in doc && doc.body).toContain('Settings');
  });

  it('keeps published Intercom articles and refuses a file that is not an export', () => {
    const files = toDocFiles(articlesOf('intercom', intercomPage));
    expect(files.map((f) => f.name)).toEqual(['refunds-returns.html']);
    expect(checkDoc(files[0]!.content, files[0]!.name)).toMatchObject({ title: 'Refunds & returns' });
    expect(() => articlesOf('intercom', zendeskPage)).toThrow();
  });
});
