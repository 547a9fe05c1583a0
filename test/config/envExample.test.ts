import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CONFIG_DIR = 'src/config';

/** Every literal variable name the configuration reads (`readString(env, 'X')`, `env.X`, ...). */
function variablesRead(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(CONFIG_DIR)) {
    const text = readFileSync(join(CONFIG_DIR, file), 'utf8');
    for (const m of text.matchAll(/read(?:String|Int|Bool|ApiKey)\(env, '([A-Z0-9_]+)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe('.env.example', () => {
  it('documents every environment variable the configuration reads', () => {
    const documented = readFileSync('.env.example', 'utf8');
    const read = variablesRead();
    expect(read.length).toBeGreaterThan(8);
    expect(read.filter((name) => !new RegExp(`^${name}=`, 'm').test(documented))).toEqual([]);
  });

  it('documents the database URL and API key of every client in the default registry', () => {
    const documented = readFileSync('.env.example', 'utf8');
    const registry = JSON.parse(readFileSync('config/clients.json', 'utf8')) as Record<string, { id: string; dbUrl: string }>;
    for (const client of Object.values(registry)) {
      const dbVar = /^\$\{(\w+)\}$/.exec(client.dbUrl)?.[1];
      expect(dbVar && documented.includes(`${dbVar}=`)).toBe(true);
      expect(documented).toContain(`${client.id.toUpperCase().replace(/-/g, '_')}_API_KEY=`);
    }
  });
});
