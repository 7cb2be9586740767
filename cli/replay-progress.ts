// A progress bar on stderr, drawn only when stderr is a terminal (never in logs or CI output).
export interface Progress {
  update(bytes: number, lines: number, stored: number): void;
  done(): void;
}

export function createProgress(totalBytes: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(bytes, lines, stored) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const frac = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1;
      const width = 30;
      const filled = Math.round(frac * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  read ${lines.toLocaleString('en')}  ingested ${stored.toLocaleString('en')}  `);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
