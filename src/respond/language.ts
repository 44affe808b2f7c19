// A coarse language guess for the offline path (Claude reports the language itself).
// Function words are the cheapest reliable signal for the languages we see most.
const MARKERS: Record<string, string[]> = {
  de: ['ich', 'nicht', 'und', 'ist', 'mein', 'meine', 'wie', 'kann', 'bitte', 'danke', 'mit', 'das', 'ein', 'eine', 'wir', 'hallo'],
  fr: ['je', 'ne', 'pas', 'est', 'mon', 'ma', 'mes', 'comment', 'merci', 'avec', 'une', 'pour', 'bonjour', 'nous', 'vous', 'les'],
  es: ['yo', 'no', 'es', 'mi', 'cómo', 'como', 'gracias', 'con', 'una', 'para', 'hola', 'puedo', 'los', 'las', 'por', 'qué'],
  en: ['i', 'the', 'is', 'my', 'how', 'can', 'please', 'thanks', 'with', 'an', 'to', 'we', 'you', 'and', 'it', 'hi'],
};

export function guessLanguage(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  let best = 'en';
  let bestCount = 0;
  for (const [language, markers] of Object.entries(MARKERS)) {
    const set = new Set(markers);
    const count = words.filter((w) => set.has(w)).length;
    if (count > bestCount) {
      best = language;
      bestCount = count;
    }
  }
  return best;
}
