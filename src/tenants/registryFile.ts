import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readClientsFile, type ClientConfig } from '../config/clients.ts';
import { Problems, type Env } from '../config/env.ts';
import type { ClientRegistry, RegistryChange } from './clientRegistry.ts';

interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RegistryFileWatcher {
  /** Reads the file now (what SIGHUP does); a bad file keeps the last good registry. */
  reload(reason: string): RegistryChange | null;
  stop(): void;
}

export interface WatchOptions {
  path: string;
  env: Env;
  registry: ClientRegistry;
  log: Log;
  /** Applied to every entry read (demo mode points each client at the embedded database). */
  transform?: (clients: ClientConfig[]) => ClientConfig[];
  /** Editors write in bursts (truncate, write, rename): wait this long after the last event. */
  debounceMs?: number;
}

/**
 * Keeps the registry in line with `CLIENTS_FILE`. The folder is watched, not the file: editors and `kubectl`
 * replace files by renaming, which would end a watch on the file itself. A valid edit applies within a second; an
 * invalid one is refused whole, with every bad key logged, and the last good registry stays in force.
 */
export function watchRegistryFile(options: WatchOptions): RegistryFileWatcher {
  const { path, env, registry, log } = options;
  const transform = options.transform ?? ((clients) => clients);
  let timer: NodeJS.Timeout | undefined;

  const reload = (reason: string): RegistryChange | null => {
    const problems = new Problems();
    const clients = readClientsFile(path, env, problems);
    if (problems.list.length > 0) {
      log.warn({ reason, problems: problems.list }, 'client registry file rejected; keeping the last good registry');
      return null;
    }
    const change = registry.replace('file', transform(clients));
    const summary = { added: change.added.map((c) => c.id), changed: change.changed.map((c) => c.after.id), removed: change.removed.map((c) => c.id) };
    if (summary.added.length + summary.changed.length + summary.removed.length > 0) log.info({ reason, ...summary }, 'client registry updated');
    return change;
  };

  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => reload('file changed'), options.debounceMs ?? 250);
    });
    watcher.on('error', (error: Error & { code?: string }) => log.warn({ code: error.code }, 'watching the client registry file failed; SIGHUP still reloads it'));
  } catch (error) {
    log.warn({ code: (error as { code?: string }).code }, 'cannot watch the client registry file; SIGHUP reloads it');
  }

  return {
    reload,
    stop() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
