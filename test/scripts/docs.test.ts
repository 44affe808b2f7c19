import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDoc, readDocFolder } from '../../scripts/lib/docs';

describe('a docs folder as the upload reads it', () => {
  it('takes Markdown with front matter, HTML with a <title>, and plain text whose first line is the title', () => {
    expect(checkDoc('---\nid: refunds\ntitle: Refund policy\nurl: https://help.example/refunds\n---\nRefunds within 30 days.\n', 'x/refunds.md')).toMatchObject({
      id: 'refunds',
      title: 'Refund policy',
      url: 'https://help.example/refunds',
    });
    expect(checkDoc('<html><head><title>Shipping times</title></head><body><p>Three days.</p></body></html>', 'x/ship.html')).toMatchObject({
      id: 'ship',
      title: 'Shipping times',
    });
    const txt = checkDoc('Returns\n\nYou can return items within 30 days.\n', 'x/returns.txt');
    expect(txt).toMatchObject({ id: 'returns', title: 'Returns' });
    expect('body' in txt && txt.body).toContain('return items within 30 days');
  });

  it('names each file that is not an article, with its reason', () => {
    expect(checkDoc('---\ntitle: Broken\nno end\n', 'x/broken.md')).toMatchObject({ reason: 'unclosed_front_matter' });
    expect(checkDoc('', 'x/empty.md')).toMatchObject({ reason: 'empty' });
    expect(checkDoc('---\ntitle: Only a title\n---\n\n', 'x/blank.md')).toMatchObject({ reason: 'empty' });
    expect(checkDoc('just words and no title anywhere', 'x/words.md')).toMatchObject({ reason: 'no_title' });
  });

  it('skips bad files and a second use of one doc id, keeping the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'deflect-docs-'));
    await writeFile(path.join(dir, 'a.md'), '---\nid: same\ntitle: A\n---\nText A.\n');
    await writeFile(path.join(dir, 'b.md'), '---\nid: same\ntitle: B\n---\nText B.\n');
    await writeFile(path.join(dir, 'c.md'), '');
    await writeFile(path.join(dir, 'notes.json'), '{}');
    const { docs, problems, files } = await readDocFolder(dir);
    expect(files).toBe(3);
    expect(docs.map((d) => d.title)).toEqual(['A']);
    expect(problems.map((p) => [path.basename(p.file), p.reason])).toEqual([
      ['b.md', 'duplicate_id'],
      ['c.md', 'empty'],
    ]);
  });
});
