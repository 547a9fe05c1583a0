import net from 'node:net';

/** PostgreSQL's Terminate message: 'X' and its length, 4. `pg` writes it on its own before ending the socket. */
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * A TCP relay in front of a real PostgreSQL server that holds each connection's goodbye (the Terminate message and
 * the end of the socket) for `holdMs` before passing it on, as a loaded server or a long network path does: until
 * then the server still counts the connection. Everything else passes straight through.
 */
export async function startSlowGoodbye(serverUrl: string, holdMs: number): Promise<{ url: (database: string) => string; stop(): Promise<void> }> {
  const target = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  // Half-open sockets: the client's end is passed on when its hold is over, not at once by Node.
  const relay = net.createServer({ allowHalfOpen: true }, (client) => {
    const server = net.connect({ port: Number(target.port), host: target.hostname, allowHalfOpen: true });
    sockets.add(client).add(server);
    let heldUntil = 0;
    /** Runs `step` in order with the ones before it, after the goodbye's hold once it has begun. */
    let last = Promise.resolve();
    const inOrder = (step: () => void) => {
      last = last.then(() => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, heldUntil - Date.now())))).then(step);
    };
    client.on('data', (chunk: Buffer) => {
      if (chunk.equals(TERMINATE)) heldUntil = Date.now() + holdMs;
      inOrder(() => server.write(chunk));
    });
    client.on('end', () => inOrder(() => server.end()));
    server.pipe(client);
    for (const [socket, other] of [[client, server], [server, client]] as const) {
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as net.AddressInfo;
  return {
    url(database) {
      const url = new URL(serverUrl);
      url.port = String(port);
      url.pathname = `/${database}`;
      return url.toString();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
