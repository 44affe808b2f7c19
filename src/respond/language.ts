// A coarse language guess for the offline path (Claude reports the language itself).
// Function words are the cheapest reliable signal, for the seven languages the request-type
// classifier is trained on (test/respond/language.test.ts measures it on tickets in each).
const MARKERS: Record<string, string[]> = {
  de: ['ich', 'nicht', 'und', 'ist', 'mein', 'meine', 'wie', 'kann', 'bitte', 'danke', 'mit', 'das', 'ein', 'eine', 'wir', 'hallo'],
  fr: ['je', 'ne', 'pas', 'est', 'mon', 'ma', 'mes', 'comment', 'merci', 'avec', 'une', 'pour', 'bonjour', 'nous', 'vous', 'les'],
  es: ['yo', 'no', 'es', 'mi', 'cómo', 'como', 'gracias', 'con', 'una', 'para', 'hola', 'puedo', 'los', 'las', 'por', 'qué'],
  en: ['i', 'the', 'is', 'my', 'how', 'can', 'please', 'thanks', 'with', 'an', 'to', 'we', 'you', 'and', 'it', 'hi'],
  pt: ['não', 'obrigado', 'obrigada', 'olá', 'meu', 'minha', 'meus', 'minhas', 'você', 'vocês', 'está', 'estou', 'isso', 'também', 'uma', 'um', 'nossa', 'nosso', 'foi', 'é', 'da', 'dos', 'das', 'ao', 'em', 'com', 'muito', 'quero', 'já', 'sua', 'seu', 'pelo', 'pela', 'eu', 'ou', 'tenho', 'pode', 'preciso', 'gostaria'],
  it: ['grazie', 'buongiorno', 'salve', 'ciao', 'mio', 'mia', 'miei', 'sono', 'della', 'delle', 'del', 'dei', 'di', 'che', 'per', 'questo', 'vorrei', 'perché', 'gli', 'ho', 'ha', 'è', 'non', 'il', 'nel', 'nella', 'alla', 'sul', 'anche', 'vostro', 'vostra', 'nostro', 'nostra', 'abbiamo'],
  nl: ['ik', 'niet', 'het', 'een', 'mijn', 'hoe', 'bedankt', 'graag', 'jullie', 'wij', 'zijn', 'voor', 'van', 'dat', 'onze', 'ons'],
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
