/**
 * The server a database URL points at, as the budget counts it: host (lower case) and port. Two names for one
 * server (an IP and a DNS name) count apart — give every client of a server the same host name.
 */
export function serverOf(url: string): string {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host') ?? parsed.hostname; // ?host=/var/run/postgresql: a Unix socket
  return `${decodeURIComponent(host).toLowerCase()}:${parsed.port || parsed.searchParams.get('port') || '5432'}`;
}
