// Keyboard shortcuts, as progressive enhancement: every shortcut presses a link or
// button that is on the page anyway, so the console works the same without it.
// j/k move through the queue, Enter opens, x selects; on a ticket a approves, e
// edits, t takes over, u goes back; / focuses the search everywhere.
export const KEYS_SCRIPT = `(() => {
  const rows = [...document.querySelectorAll('#queue tbody tr[data-href]')];
  let at = -1;
  const mark = (i) => {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.classList.toggle('current', n === at));
    rows[at].scrollIntoView({ block: 'nearest' });
  };
  const press = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return false;
    if (el.tagName === 'SUMMARY') { el.parentElement.open = true; el.parentElement.querySelector('textarea')?.focus(); }
    else el.click();
    return true;
  };
  document.addEventListener('keydown', (event) => {
    const t = event.target;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) {
      if (event.key === 'Escape') t.blur();
      return;
    }
    const key = event.key;
    let handled = true;
    if (key === '/') handled = press('#search') && (document.querySelector('#search').focus(), true);
    else if (key === 'j') mark(at + 1);
    else if (key === 'k') mark(at - 1);
    else if (key === 'Enter' && at >= 0) location.href = rows[at].dataset.href;
    else if (key === 'x' && at >= 0) { const box = rows[at].querySelector('input[type=checkbox]'); if (box) box.checked = !box.checked; }
    else if (key === 'a') handled = press('#approve');
    else if (key === 'e') handled = press('#edit summary');
    else if (key === 't') handled = press('#take-over');
    else if (key === 'u') handled = press('#back');
    else handled = false;
    if (handled) event.preventDefault();
  });
})();`;
