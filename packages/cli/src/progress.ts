/** A progress display for long CLI work. */
export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise (CI logs), and
 * silent when `enabled` is false (e.g. `--json` to a pipe keeps stdout clean either way).
 *
 * @example
 * ```ts
 * const bar = createProgress('enrolling', photos.length);
 * for (const photo of photos) { await enrol(photo); bar.tick(photo); }
 * bar.done();
 * ```
 */
export function createProgress(
  title: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  enabled = true,
): Progress {
  let count = 0;
  let lastDecile = -1;
  const started = performance.now();
  const render = (label: string): void => {
    if (!enabled || total === 0) return;
    const fraction = Math.min(1, count / total);
    const elapsed = (performance.now() - started) / 1000;
    if (stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = `${title} ${bar} ${count}/${total} ${elapsed.toFixed(1)}s ${label}`;
      stream.write(`\r\u001b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${title}: ${count}/${total} (${Math.round(fraction * 100)}%) ${elapsed.toFixed(1)}s\n`);
    }
  };
  return {
    tick(label = '') {
      count++;
      render(label);
    },
    done() {
      if (enabled && stream.isTTY && total > 0) stream.write('\n');
    },
  };
}
