// The terms a ticket is searched and judged by. Pure and binding-free, so Node scripts
// (the confidence fit) compute exactly the terms the Worker does.

// Words that carry no topic in a support ticket; bm25 would otherwise rank on them.
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could do does did doing for from had has have having he her hi hello hey him his how i im ' +
    "i'm if in into is it its it's just me my myself no not of on or our please so some than thank thanks that the their them then there " +
    'these they this those to too us was we were what when where which while who why will with would you your yours dear regards best ' +
    'team support help get got am also any anyone know need want tried trying there still again already ' +
    // Conversational filler and apostrophe-less contractions, common in real tickets ("doesnt", "im").
    'like would should might may much many really very thing something anything way able seems seem currently ' +
    'dont doesnt didnt cant couldnt wont wouldnt isnt arent wasnt havent hasnt ive id ill theres thats whats ' +
    'figure out going make making let ok okay ' +
    // Words that only say a ticket is a question ("Quick question: ..."); left in, they match FAQ headings, not the topic.
    'question questions quick'
  ).split(' '),
);

/** Tokens a ticket contributes to search: letters/digits runs, lower-cased, no stop words, deduplicated. */
export function queryTerms(text: string, maxTerms = 32): string[] {
  const seen = new Set<string>();
  for (const raw of text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (raw.length < 2 || STOP_WORDS.has(raw) || seen.has(raw)) continue;
    seen.add(raw);
    if (seen.size >= maxTerms) break;
  }
  return [...seen];
}
