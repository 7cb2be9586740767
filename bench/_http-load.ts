// An open-loop HTTP load generator for the HTTP benchmarks, run as its own process so it shares no
// event loop with the server it measures. Why not autocannon's `overallRate`: autocannon splits the
// rate over its connections and lets each one send back to back (closed loop) until its share for
// the second is used up, then idles until the next second: 2,000/s offered over 50 connections is a
// burst of 50 concurrent requests at every second's start, not a steady 2,000/s. It also corrects
// for coordinated omission with an expected interval of `Math.ceil(1 / rate)` = 1 ms (rate is per
// second), so every slow response adds one synthetic sample per millisecond of its latency: the tail
// it prints is mostly made up. Here, as in wrk2, request k is due at start + k / rate; latency is
// counted from that due time (so a server stall counts fully and once), requests go to the first
// idle keep-alive connection, and when all are busy they wait in a queue, still on the clock. The
// first `warmupS` seconds run at the same rate and are left out of the figures.
//
// argv[2]: JSON config (see `LoadConfig`). Prints one JSON line (`LoadResult`).
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { requests, type LoadRequest, type RequestSource } from './_http-sources.ts';

export interface LoadConfig {
  host: string;
  port: number;
  rate: number;
  warmupS: number;
  seconds: number;
  connections: number;
  /** What to send, cycled through in order (bench/_http-sources.ts). */
  source: RequestSource;
}

export interface LoadResult {
  offeredRate: number;
  seconds: number;
  warmupS: number;
  connections: number;
  /** Requests due in the measured window, and how many were answered. */
  due: number;
  answered: number;
  achievedRps: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** By status class, measured window only; `errors` are socket errors, `unanswered` still open at the end. */
  status2xx: number;
  non2xx: number;
  errors: number;
  unanswered: number;
  /** What the generator itself cost: CPU-seconds per wall second, and its own event-loop p99. */
  generatorCpu: number;
  generatorLoopP99Ms: number;
}

interface Pending {
  due: number;
  measured: boolean;
}

class Connection {
  private socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private need = -1;
  private status = 0;
  busy: Pending | null = null;

  constructor(
    private readonly cfg: LoadConfig,
    private readonly done: (c: Connection, p: Pending, status: number) => void,
    private readonly failed: (c: Connection, p: Pending | null) => void,
  ) {
    this.socket = this.open();
  }

  private open(): net.Socket {
    const s = net.connect(this.cfg.port, this.cfg.host);
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', () => this.reset());
    s.on('end', () => this.reset());
    return s;
  }

  private reset(): void {
    const p = this.busy;
    this.busy = null;
    this.buf = Buffer.alloc(0);
    this.need = -1;
    this.socket.removeAllListeners();
    this.socket.on('error', () => {});
    this.socket.destroy();
    if (!stopped) this.socket = this.open();
    this.failed(this, p);
  }

  send(req: Buffer, p: Pending): void {
    this.busy = p;
    this.socket.write(req);
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.on('error', () => {});
    this.socket.destroy();
  }

  // Express answers with Content-Length; a chunked answer would be a change worth noticing, so it
  // counts as a socket error rather than being parsed.
  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.need < 0) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buf.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!m) return this.reset();
        this.need = end + 4 + Number(m[1]);
      }
      if (this.buf.length < this.need) return;
      this.buf = this.buf.subarray(this.need);
      this.need = -1;
      const p = this.busy!;
      this.busy = null;
      this.done(this, p, this.status);
    }
  }
}

let stopped = false;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
  // Every request is encoded before the clock starts: the generator allocates little while it runs.
  const wire = requests(cfg.source).map((r: LoadRequest) => {
    const body = Buffer.from(r.body);
    const extra = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const head = `POST ${r.path} HTTP/1.1\r\nhost: ${cfg.host}:${cfg.port}\r\ncontent-type: application/json\r\n${extra}content-length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
  if (wire.length === 0) throw new Error('http-load: the source gave no requests');

  const totalS = cfg.warmupS + cfg.seconds;
  const totalDue = Math.floor(totalS * cfg.rate);
  const warmDue = Math.floor(cfg.warmupS * cfg.rate);
  const latencies = new Float64Array(totalDue - warmDue);
  let recorded = 0, status2xx = 0, non2xx = 0, errors = 0, answered = 0;
  const idle: Connection[] = [];
  const queue: Pending[] = [];
  let qHead = 0;
  let next = 0;

  const dispatch = (c: Connection) => {
    if (qHead < queue.length) {
      const p = queue[qHead]!;
      queue[qHead++] = undefined as unknown as Pending;
      if (qHead > 4096 && qHead * 2 > queue.length) (queue.splice(0, qHead), (qHead = 0));
      c.send(wire[sent++ % wire.length]!, p);
    } else idle.push(c);
  };
  let sent = 0;
  const onDone = (c: Connection, p: Pending, status: number) => {
    if (p.measured) {
      latencies[recorded++] = performance.now() - p.due;
      answered++;
      if (status >= 200 && status < 300) status2xx++;
      else non2xx++;
    }
    dispatch(c);
  };
  // A connection that failed while busy is open again and takes the next queued request; one that
  // failed while idle is still in the idle list.
  const onFailed = (c: Connection, p: Pending | null) => {
    if (p === null) return;
    if (p.measured) errors++;
    if (!stopped) dispatch(c);
  };

  const conns = Array.from({ length: cfg.connections }, () => new Connection(cfg, onDone, onFailed));
  await new Promise((r) => setTimeout(r, 200));
  idle.push(...conns);

  const loop = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  const tick = () => {
    const now = performance.now();
    const dueNow = Math.min(totalDue, Math.floor(((now - t0) * cfg.rate) / 1000));
    for (; next < dueNow; next++) {
      if (next === warmDue) {
        loop.enable();
        cpu0 = process.cpuUsage();
        measureStart = now;
      }
      const p: Pending = { due: t0 + (next * 1000) / cfg.rate, measured: next >= warmDue };
      const c = idle.pop();
      if (c) c.send(wire[sent++ % wire.length]!, p);
      else queue.push(p);
    }
  };
  let cpu0 = process.cpuUsage();
  let measureStart = t0;
  const timer = setInterval(tick, 1);
  await new Promise((r) => setTimeout(r, totalS * 1000 + 5));
  tick();
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  const measuredWall = (performance.now() - measureStart) / 1000;
  loop.disable();
  // Give answers still in flight a moment; what is still open after it counts as unanswered.
  const grace = performance.now();
  while (answered + errors < latencies.length && performance.now() - grace < 2000) await new Promise((r) => setTimeout(r, 10));
  stopped = true;
  for (const c of conns) c.close();

  const sorted = latencies.subarray(0, recorded).sort();
  const q = (f: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(f * sorted.length) - 1)]! : NaN);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const result: LoadResult = {
    offeredRate: cfg.rate,
    seconds: cfg.seconds,
    warmupS: cfg.warmupS,
    connections: cfg.connections,
    due: latencies.length,
    answered,
    achievedRps: r2(answered / cfg.seconds),
    p50: r2(q(0.5)),
    p90: r2(q(0.9)),
    p99: r2(q(0.99)),
    p999: r2(q(0.999)),
    max: r2(sorted.length ? sorted[sorted.length - 1]! : NaN),
    status2xx,
    non2xx,
    errors,
    unanswered: latencies.length - answered - errors,
    generatorCpu: r2((cpu.user + cpu.system) / 1e6 / measuredWall),
    generatorLoopP99Ms: r2(loop.percentile(99) / 1e6),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
