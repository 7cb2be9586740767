import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { simId } from './fastid.ts';
import { EventSink } from './sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'qg-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One line's body as the sink wrote it (the part after the header's `+08:00",`). */
function body(write: (s: EventSink) => void): string {
  const sink = new EventSink(join(dir, 'spill'), new Rng(1));
  sink.begin(1_777_600_000_000, 'refund', 2 << 20);
  write(sink);
  sink.end();
  const [run] = sink.finish();
  const line = Buffer.concat(run!.chunks).toString('latin1');
  return line.slice(line.indexOf('+08:00",') + 8, -1);
}

describe('EventSink line writer', () => {
  it('writes numbers as String() does: whole, negative, millionths and any other fraction', () => {
    const rng = new Rng(7);
    const values = [0, -0, 7, -42, 1234567, 2 ** 53 + 2, 0.5, -0.5, 0.000001, -0.000001, 1e-7, 34.57, 34.000001, 119.172345, 0.1 + 0.2, 1 / 3, 1e21, 9999999.999999];
    for (let i = 0; i < 20_000; i++) values.push(Math.round((rng.next() * 360 - 180) * 1e6) / 1e6, rng.next() * 1000);
    const written = body((s) => values.forEach((v, i) => (s.ascii(i ? ',' : ''), s.num(v))));
    expect(written).toBe(values.map(String).join(','));
  });

  it('writes ids as the simulator id maker draws them, and short and long text as it is', () => {
    const text = 'x'.repeat(70);
    expect(body((s) => (s.id('clm_', 1_777_600_000_000, new Rng(3)), s.ascii('|ab|'), s.ascii(text), s.bytes(Buffer.from('|cd|')), s.bytes(Buffer.from(text))))).toBe(
      `${simId('claim', 1_777_600_000_000, new Rng(3))}|ab|${text}|cd|${text}`,
    );
  });

  it('refuses a line that outgrew what it reserved', () => {
    const sink = new EventSink(join(dir, 'spill2'), new Rng(1));
    // The first line opens a fresh chunk; a body past the chunk cannot be written.
    sink.begin(1_777_600_000_000, 'refund', 16);
    sink.ascii('y'.repeat(300 * 1024));
    expect(() => sink.end()).toThrow(/outgrew/);
  });
});
