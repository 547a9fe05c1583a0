import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { BUSY, foreignCpu } from './idle.ts';
import { say } from './log.ts';

/**
 * Sections of BENCHMARKS.md that a case run on its own owns (`--portfolio`, `--alerts`): each sits between its own
 * markers, is replaced by the next run of its case, and is carried over when the main run rewrites the file.
 */
export const OWN_SECTIONS = ['portfolio', 'alert-rounds'] as const;
export type OwnSection = (typeof OWN_SECTIONS)[number];

const start = (name: string) => `<!-- ${name}:start -->`;
const end = (name: string) => `<!-- ${name}:end -->`;

function sectionOf(text: string, name: string): string | null {
  const [a, b] = [text.indexOf(start(name)), text.indexOf(end(name))];
  return a >= 0 && b > a ? text.slice(a, b + end(name).length) : null;
}

/** `text` with the section `name` (markers included) replaced, or appended when it has none. */
function withSection(text: string, name: string, section: string): string {
  const old = sectionOf(text, name);
  return old ? text.replace(old, () => section) : `${text.trimEnd()}\n\n${section}\n`;
}

/** Writes one case's section into the report at `path` (a new file when there is none). */
export function writeOwnSection(path: string, name: OwnSection, body: string): void {
  const section = `${start(name)}\n${body.trimEnd()}\n${end(name)}`;
  writeFileSync(path, withSection(existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n', name, section));
  say(`\nwrote the ${name} section of ${path}`);
}

/** The main run's new report, keeping the sections of cases run on their own from the file it replaces. */
export function keepOwnSections(path: string, report: string): string {
  if (!existsSync(path)) return report;
  const old = readFileSync(path, 'utf8');
  let out = report;
  for (const name of OWN_SECTIONS) {
    const section = sectionOf(old, name);
    if (section && !sectionOf(out, name)) out = withSection(out, name, section);
  }
  return out;
}

/** How loaded the machine was when a case started: the load average and other processes' CPU share over 3 s. */
export async function machineLoad(): Promise<string> {
  const share = await foreignCpu();
  const load = loadavg().map((x) => x.toFixed(2)).join(', ');
  return `load average ${load}; other processes used ${Math.round(share * 100)} % of the CPU over 3 s before the run`
    + `${share > BUSY ? ' — **the machine was busy**: the figures are skewed upwards' : ''}`;
}
