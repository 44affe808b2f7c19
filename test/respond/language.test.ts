// The offline responder records the ticket's language with a function-word guess. Measured
// on mail in each of the seven languages the product reads: the probes, written apart from
// the Tallybook tickets the markers were chosen on, 12 or 15 a language in a fixed order.
import { describe, expect, it } from 'vitest';
import { guessLanguage } from '../../src/respond/language';

const ORDER = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl'] as const;
const publicEnglish = import.meta.glob('../../../shared/data/intent/{banking77_test,clinc150_test,bitext_customer_support}.jsonl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const probes = import.meta.glob('../../corpus/{multilingual,money,account,delegation}-probe.jsonl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

function probeCases(): { language: string; text: string }[] {
  return Object.entries(probes).flatMap(([file, raw]) => {
    const perLanguage = file.includes('multilingual') ? 15 : 12;
    return raw
      .trim()
      .split('\n')
      .map((line, i) => {
        const c = JSON.parse(line) as { subject?: string; text?: string; question?: string };
        return { language: ORDER[Math.floor(i / perLanguage)]!, text: `${c.subject ?? ''}\n${c.text ?? c.question ?? ''}` };
      });
  });
}

describe('guessLanguage', () => {
  it('names the language of nine in ten probe mails or more, in each of the seven languages', () => {
    const cases = probeCases();
    expect(cases).toHaveLength(105 + 3 * 84);
    for (const language of ORDER) {
      const mine = cases.filter((c) => c.language === language);
      const right = mine.filter((c) => guessLanguage(c.text) === language).length;
      expect(right / mine.length, language).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('reads the public English support utterances as English, 199 in 200 or more (the markers were not chosen on them)', () => {
    expect(Object.keys(publicEnglish)).toHaveLength(3);
    for (const [file, raw] of Object.entries(publicEnglish)) {
      const texts = raw.trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text);
      const english = texts.filter((t) => guessLanguage(t) === 'en').length;
      expect(english / texts.length, file).toBeGreaterThanOrEqual(0.995);
    }
  });

  it.each([
    ['it', 'Buongiorno, non riesco a scaricare la fattura del mese scorso. Grazie'],
    ['pt', 'Olá, não consigo exportar as minhas faturas. Vocês podem ajudar? Obrigado'],
    ['nl', 'Hallo, ik kan mijn facturen niet exporteren. Hoe doe ik dat? Bedankt'],
    ['es', '¿Cómo puedo exportar mis facturas? Gracias'],
    ['en', 'How do I export my invoices? Thanks'],
  ])('%s: %s', (language, text) => {
    expect(guessLanguage(text)).toBe(language);
  });
});
