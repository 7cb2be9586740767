import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JournalLockedError, type JournalOptions } from './journal.ts';

/** A store small enough to reason about: named counters, changed by `add(name, by)`. */
class Counters {
  values = new Map<string, number>();
  journal: Journal | null = null;
  applied: string[] = [];
  static open(dir: string, opts: JournalOptions = { fsyncEveryMs: 0 }): Counters {
    const c = new Counters();
    c.journal = Journal.open(dir, 'counters', {
      apply: (op, args, now) => {
        c.applied.push(`${op}@${now}`);
        c.add(args[0] as string, args[1] as number, now);
      },
      snapshot: () => c.values,
      restore: (state) => (c.values = state as Map<string, number>),
    }, opts);
    return c;
  }
  add(name: string, by: number, now: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.journal?.record('add', [name, by], now);
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qg-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Journal', () => {
  it('replays every recorded call with its time into a fresh store', () => {
    const a = Counters.open(dir);
    a.add('x', 2, 1000);
    a.add('y', 5, 1001);
    a.add('x', -1, 1002);
    a.journal!.close();
    const b = Counters.open(dir);
    expect([...b.values]).toEqual([['x', 1], ['y', 5]]);
    expect(b.applied).toEqual(['add@1000', 'add@1001', 'add@1002']);
    expect(b.journal!.loaded).toEqual({ snapshotSeq: 0, replayed: 3, truncatedBytes: 0 });
    b.journal!.close();
  });

  it('cuts off a torn last line and keeps what came before it', () => {
    const a = Counters.open(dir);
    a.add('x', 1, 1);
    a.add('x', 1, 2);
    a.journal!.close();
    appendFileSync(join(dir, 'counters.journal'), '[3,3,"add",["x"'); // a crash mid-write
    const b = Counters.open(dir);
    expect(b.values.get('x')).toBe(2);
    expect(b.journal!.loaded.truncatedBytes).toBe(15);
    b.add('x', 10, 4); // appends after the cut, not after the torn bytes
    b.journal!.close();
    const c = Counters.open(dir);
    expect(c.values.get('x')).toBe(12);
    expect(c.journal!.loaded.truncatedBytes).toBe(0);
    c.journal!.close();
  });

  it('refuses to open a journal damaged before its end, naming the byte', () => {
    const a = Counters.open(dir);
    a.add('x', 1, 1);
    a.journal!.close();
    const path = join(dir, 'counters.journal');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, `${good}not a journal line\n${good.replace('[1,', '[2,')}`);
    expect(() => Counters.open(dir)).toThrow(`damaged at byte ${good.length}`);
    // The failed open released the lock: the directory can be opened once the file is repaired.
    writeFileSync(path, good);
    const b = Counters.open(dir);
    expect(b.values.get('x')).toBe(1);
    b.journal!.close();
  });

  it('lets one process hold a directory, and takes over the lock of a process that died', () => {
    const a = Counters.open(dir);
    expect(() => Counters.open(dir)).toThrow(JournalLockedError);
    a.journal!.close();
    writeFileSync(join(dir, 'counters.lock'), '999999999'); // no such process
    const b = Counters.open(dir);
    expect(readFileSync(join(dir, 'counters.lock'), 'utf8')).toBe(String(process.pid));
    b.journal!.close();
  });

  it('rewrites into a snapshot once the journal outgrows it, and replays only what came after', async () => {
    const a = Counters.open(dir, { fsyncEveryMs: 0, rewriteMinBytes: 200 });
    for (let i = 0; i < 20; i++) a.add(`k${i % 3}`, i, i);
    await Promise.resolve(); // the rewrite runs after the call that crossed the size
    expect(statSync(join(dir, 'counters.snapshot')).size).toBeGreaterThan(0);
    const journalBytes = statSync(join(dir, 'counters.journal')).size;
    expect(journalBytes).toBeLessThan(200);
    expect(a.journal!.rewrites).toMatchObject({ count: 1, lastSnapshotBytes: statSync(join(dir, 'counters.snapshot')).size });
    a.add('k0', 100, 99);
    a.journal!.close();
    const b = Counters.open(dir);
    expect([...b.values].sort()).toEqual([...a.values].sort());
    expect(b.journal!.loaded.snapshotSeq).toBeGreaterThan(0);
    expect(b.applied.length).toBeLessThan(21);
    b.journal!.close();
  });

  it('compacts a large journal into a snapshot at open, before anyone is served', () => {
    const a = Counters.open(dir);
    for (let i = 0; i < 50; i++) a.add(`k${i % 4}`, i, i);
    a.journal!.close();
    const before = statSync(join(dir, 'counters.journal')).size;
    const b = Counters.open(dir, { fsyncEveryMs: 0, compactOnOpenBytes: before - 1 });
    expect(b.journal!.rewrites.count).toBe(1);
    expect(statSync(join(dir, 'counters.journal')).size).toBe(0);
    b.journal!.close();
    const c = Counters.open(dir);
    expect([...c.values].sort()).toEqual([...a.values].sort());
    expect(c.applied).toEqual([]);
    expect(c.journal!.rewrites.count).toBe(0); // a journal under the default bound stays as it is
    c.journal!.close();
  });

  it('applies nothing twice when a crash left the journal beside a snapshot that holds it', () => {
    const a = Counters.open(dir, { fsyncEveryMs: 0, rewriteMinBytes: 1 << 30 });
    a.add('x', 1, 1);
    a.add('x', 2, 2);
    const before = join(dir, 'saved.journal');
    copyFileSync(join(dir, 'counters.journal'), before);
    a.journal!.rewrite(); // snapshot at seq 2, journal emptied
    a.add('x', 4, 3);
    a.journal!.close();
    // As if the crash came between writing the snapshot and emptying the journal: lines 1-2 are
    // back in the journal before line 3.
    writeFileSync(join(dir, 'counters.journal'), readFileSync(before, 'utf8') + readFileSync(join(dir, 'counters.journal'), 'utf8'));
    const b = Counters.open(dir);
    expect(b.values.get('x')).toBe(7);
    expect(b.applied).toEqual(['add@3']);
    b.journal!.close();
  });
});
