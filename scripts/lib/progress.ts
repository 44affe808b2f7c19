// A one-line progress bar with an ETA, on stderr so stdout stays parseable.
export function progressBar(label: string, total: number) {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done: number, note = '') {
      const now = Date.now();
      if (tty && done < total && now - last < 80) return;
      last = now;
      const width = 28;
      const ratio = total === 0 ? 1 : done / total;
      const filled = Math.round(ratio * width);
      const elapsed = (now - started) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0)}% ETA ${eta.toFixed(1)}s ${note}`;
      if (tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      else if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) process.stderr.write(`${line}\n`);
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}
