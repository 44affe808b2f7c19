// Help-center exports → the docs folder format (one file per article, front
// matter id/title/url, HTML body). Zendesk Guide's articles API
// (GET /api/v2/help_center/{locale}/articles.json → { articles: [...] }) and
// Intercom's (GET /articles → { type: "list", data: [...] }) are both read as the
// JSON pages they return; drafts and unpublished articles are left out.
import { z } from 'zod';

const ZendeskPage = z.object({
  articles: z.array(
    z.object({
      id: z.union([z.number(), z.string()]),
      title: z.string(),
      body: z.string().nullable(),
      html_url: z.string().nullable().optional(),
      draft: z.boolean().optional(),
    }),
  ),
});

const IntercomPage = z.object({
  type: z.literal('list'),
  data: z.array(
    z.object({
      id: z.union([z.number(), z.string()]),
      title: z.string(),
      body: z.string().nullable(),
      url: z.string().nullable().optional(),
      state: z.string().optional(),
    }),
  ),
});

export type ExportedArticle = { sourceId: string; title: string; url: string | null; html: string };
export type HelpCenter = 'zendesk' | 'intercom';

/** The published articles of one exported JSON page, and how many it held that are not (drafts, unpublished). */
export function articlesOf(source: HelpCenter, page: unknown): { articles: ExportedArticle[]; unpublished: number } {
  const all =
    source === 'zendesk'
      ? ZendeskPage.parse(page).articles.map((a) => ({ published: !a.draft, article: { sourceId: String(a.id), title: a.title, url: a.html_url ?? null, html: a.body ?? '' } }))
      : IntercomPage.parse(page).data.map((a) => ({ published: (a.state ?? 'published') === 'published', article: { sourceId: String(a.id), title: a.title, url: a.url ?? null, html: a.body ?? '' } }));
  const articles = all.filter((a) => a.published).map((a) => a.article);
  return { articles, unpublished: all.length - articles.length };
}

/** A readable doc id: the title's slug (it becomes the ticket's intent), the source id only on a clash. */
export function slugOf(title: string): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      // Letters of any script: a Japanese or Greek help center gets ids a person can read, not article-1002.
      .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .normalize('NFC')
      // By code point, not UTF-16 unit: half a surrogate pair would make the id unencodable in a URL.
      .match(/.{1,80}/su)?.[0]
      ?.replace(/-+$/, '') || 'article'
  );
}

/** Articles → files of the docs folder: `<id>.html` with front matter, in a stable order. */
export function toDocFiles(articles: ExportedArticle[]): { name: string; content: string }[] {
  const taken = new Set<string>();
  return articles
    .filter((a) => a.title.trim() && a.html.trim())
    .map((a) => {
      let id = slugOf(a.title);
      if (taken.has(id)) id = `${id}-${slugOf(a.sourceId)}`;
      taken.add(id);
      const title = a.title.replace(/\s+/g, ' ').trim();
      const front = ['---', `id: ${id}`, `title: ${title}`, ...(a.url ? [`url: ${a.url}`] : []), '---'].join('\n');
      return { name: `${id}.html`, content: `${front}\n<article>\n<h1>${escapeHtml(title)}</h1>\n${a.html}\n</article>\n` };
    });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
