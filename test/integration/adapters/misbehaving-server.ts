/**
 * A local HTTP server that plays a broken proxy or a wrong VAULT_ADDR (the one place a fake is
 * right: it stands for what is not Vault). Each mode answers every request the same broken way.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type Misbehaviour = 'html-200' | 'garbage-200' | 'wrong-json-200' | 'html-404' | 'endless-body' | 'huge-length' | 'accept-and-hang' | 'slowloris-headers';

const head = (status: string, type: string, extra = '') => `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\n${extra}`;

function respond(mode: Misbehaviour, socket: Socket, timers: Set<NodeJS.Timeout>): void {
  const send = (text: string): void => {
    socket.end(text);
  };
  const tick = (every: number, fn: () => void) => {
    const t = setInterval(() => (socket.destroyed ? clearInterval(t) : fn()), every);
    timers.add(t);
  };
  switch (mode) {
    case 'html-200': {
      const body = '<html><body><form action="/login">Please sign in to the network</form></body></html>';
      return send(`${head('200 OK', 'text/html')}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    }
    case 'garbage-200':
      return send(`${head('200 OK', 'application/json')}Content-Length: 9\r\nConnection: close\r\n\r\n{{{garbag`);
    case 'wrong-json-200':
      return send(`${head('200 OK', 'application/json')}Content-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}`);
    case 'html-404':
      return send(`${head('404 Not Found', 'text/html')}Content-Length: 9\r\nConnection: close\r\n\r\nnot found`);
    case 'huge-length':
      socket.write(`${head('200 OK', 'application/json')}Content-Length: 12884901888\r\n\r\n{"data":`);
      return;
    case 'endless-body': {
      socket.write(`${head('200 OK', 'application/json')}Transfer-Encoding: chunked\r\n\r\n`);
      const chunk = `10000\r\n${'x'.repeat(0x10000)}\r\n`;
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', pump);
      pump();
      return;
    }
    case 'accept-and-hang':
      return;
    case 'slowloris-headers':
      socket.write('HTTP/1.1 200 OK\r\n');
      tick(200, () => socket.write('X-Slow: x\r\n'));
      return;
  }
}

export async function startMisbehaving(mode: Misbehaviour): Promise<{ addr: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Answer once the request's head has arrived (mode-independent: no parsing of what was sent).
    socket.once('data', () => respond(mode, socket, timers));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    addr: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
