// Quote stripping and HTML→text on shapes the shared samples do not cover.
import { describe, expect, it } from 'vitest';
import { customerText, htmlToText, stripQuotedReply } from '../../src/ingest/body';

describe('stripQuotedReply', () => {
  it('drops a Gmail attribution wrapped over two lines and the quote under it', () => {
    const text = 'Thanks, that worked.\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One <megan@example.com>\nwrote:\n> Try resetting it.\n';
    expect(stripQuotedReply(text)).toBe('Thanks, that worked.');
  });

  it('drops translated attributions (German, French)', () => {
    expect(stripQuotedReply('Danke!\n\nAm 02.04.2012 um 18:26 schrieb Megan One <m@example.com>:\n> Hallo')).toBe('Danke!');
    expect(stripQuotedReply('Merci\n\nLe 2 avr. 2012 à 18:26, Megan a écrit :\n> Bonjour')).toBe('Merci');
  });

  it('keeps a bottom-posted answer below the quote', () => {
    expect(stripQuotedReply('On 04/02/2012 06:26 PM, Megan One wrote:\n> How do I export?\n\nFrom the Reports page, thanks')).toBe('From the Reports page, thanks');
  });

  it('ends the text at a signature separator and at mobile footers', () => {
    expect(stripQuotedReply('Where is my invoice?\n-- \nAda Lovelace\nAnalytical Engines Ltd')).toBe('Where is my invoice?');
    expect(stripQuotedReply('Where is my invoice?\n\nSent from my iPhone')).toBe('Where is my invoice?');
  });

  it('never empties a message that is only a quote', () => {
    expect(stripQuotedReply('> just this')).toBe('just this');
  });
});

describe('htmlToText', () => {
  it('keeps the words, breaks lines at blocks, and drops styles, scripts and quoted history', () => {
    const html = `<html><head><style>p{color:red}</style><title>x</title></head><body>
      <p>Hello <b>team</b>,</p><p>the&nbsp;export is &quot;blank&quot; &amp; empty&#33;</p>
      <ul><li>PDF</li><li>CSV</li></ul><script>alert(1)</script>
      <blockquote type="cite">old message</blockquote>
      <div class="gmail_quote">On Monday someone wrote: old</div></body></html>`;
    expect(htmlToText(html)).toBe('Hello team,\n\nthe export is "blank" & empty!\n\n- PDF\n- CSV');
  });

  it('uses the HTML only when the plain part says nothing', () => {
    const limits = { maxChars: 1000, maxScanChars: 10_000 };
    expect(customerText({ text: 'plain words', html: '<p>html words</p>' }, limits).text).toBe('plain words');
    expect(customerText({ text: '  \n', html: '<p>html words</p>' }, limits).text).toBe('html words');
    expect(customerText({ text: 'x'.repeat(50) }, { maxChars: 10, maxScanChars: 10_000 }).text).toHaveLength(10);
  });
});
