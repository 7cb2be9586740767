// Test helper: an express app listening on a free loopback port, its base URL and a close().
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Served {
  base: string;
  server: Server;
  close(): Promise<void>;
}

export async function serve(app: Express): Promise<Served> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
