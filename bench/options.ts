import { parseArgs } from 'node:util';

/** One benchmark data set: a client database with about `sessions` sessions, served as client `clientId`. */
export interface SizeSpec {
  label: string;
  sessions: number;
  database: string;
  clientId: string;
}

export const SIZES: readonly SizeSpec[] = [
  { label: '100k', sessions: 100_000, database: 'bench_100k', clientId: 'bench-100k' },
  { label: '1m', sessions: 1_000_000, database: 'bench_1m', clientId: 'bench-1m' },
  { label: '10m', sessions: 10_000_000, database: 'bench_10m', clientId: 'bench-10m' },
];

/**
 * The many-clients case (`--sizes 1000c`): `clients` clients as schemas of one database on the local server, served
 * by one API process under a budget of `budget` connections to that server, `concurrency` requests in flight.
 */
export interface ManyClientsSpec {
  label: string;
  clients: number;
  concurrency: number;
  budget: number;
}

/** The case the targets are judged on; another count (`--sizes 200c`, for a quicker look) rebuilds `bench_many`. */
export const MANY_CLIENTS = 1000;
const manyClients = (clients: number): ManyClientsSpec => ({ label: `${clients}c`, clients, concurrency: 32, budget: 10 });

export interface BenchOptions {
  sizes: SizeSpec[];
  /** The many-clients case, when `--sizes` names it (`1000c`; in the default full run). */
  manyClients: ManyClientsSpec | null;
  quick: boolean;
  /** Rebuild the databases even when they already hold the expected data. */
  fresh: boolean;
  /** Timed calls per series (fewer when a series would pass `seriesBudgetMs`). */
  samples: number;
  minSamples: number;
  seriesBudgetMs: number;
  loadSeconds: number;
  /** The memory check: one cache-hit load this long per size, RSS must stay flat in its second half. */
  memorySeconds: number;
  loadConnections: number;
  /** Pin the harness (autocannon) and the API process to different cores with `taskset`, where it exists. */
  pin: boolean;
  out: string;
  adminUrl: string;
}

/** A bad command line: main prints its message without a stack. */
export class UsageError extends Error {}

const USAGE = `npm run bench -- [--sizes 100k,1m,10m,1000c] [--quick] [--fresh] [--samples N] [--load-seconds S] [--memory-seconds S] [--no-pin] [--out FILE]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = usage(() => parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      samples: { type: 'string' },
      'load-seconds': { type: 'string' },
      'memory-seconds': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      out: { type: 'string', default: 'BENCHMARKS.md' },
      help: { type: 'boolean', default: false },
    },
  }));
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const all = [...SIZES.map((s) => s.label), `${MANY_CLIENTS}c`];
  const wanted = (values.sizes ?? (quick ? '100k' : all.join(','))).toLowerCase().split(',').map((s) => s.trim());
  const many = wanted.filter((label) => /^\d+c$/.test(label));
  if (many.length > 1) throw new UsageError(`--sizes: name at most one many-clients case (got ${many.join(', ')})\n${USAGE}`);
  const clients = many.length ? Number(many[0]!.slice(0, -1)) : null;
  if (clients !== null && (clients < 2 || clients > 2000)) throw new UsageError(`--sizes: the many-clients case takes 2 … 2000 clients (${MANY_CLIENTS}c is the one judged)\n${USAGE}`);
  const sizes = wanted.filter((label) => !many.includes(label)).map((label) => {
    const size = SIZES.find((s) => s.label === label);
    if (!size) throw new UsageError(`--sizes: unknown size "${label}" (known: ${all.join(', ')})\n${USAGE}`);
    return size;
  });
  return {
    sizes,
    manyClients: clients === null ? null : manyClients(clients),
    quick,
    fresh: values.fresh,
    samples: positive(values.samples, quick ? 5 : 30, '--samples'),
    minSamples: quick ? 3 : 5,
    seriesBudgetMs: quick ? 10_000 : 45_000,
    loadSeconds: positive(values['load-seconds'], quick ? 3 : 10, '--load-seconds'),
    memorySeconds: positive(values['memory-seconds'], quick ? 10 : 60, '--memory-seconds'),
    pin: !values['no-pin'],
    loadConnections: 50,
    out: values.out,
    adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a positive integer\n${USAGE}`);
  return value;
}

/** The URL of database `name` on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
