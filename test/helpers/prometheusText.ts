import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type Families = ReturnType<typeof parsePrometheusTextFormat>;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Metric families as parse-prometheus-text-format reads them (name, type, help). */
  families: Families;
  /** Every sample line. The parser folds a histogram with labels besides `le` into one sample, losing them: so these. */
  samples: Sample[];
  /** Lines that are neither a sample, a HELP or TYPE comment, nor empty. */
  badLines: string[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\])*"';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)(?: -?\\d+)?$`);
const COMMENT_LINE = new RegExp(`^# (?:HELP ${NAME} .*|TYPE ${NAME} (?:counter|gauge|histogram|summary|untyped))$`);
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g;

const unescape = (value: string) => value.replace(/\\(n|\\|")/g, (_all, c: string) => (c === 'n' ? '\n' : c));

/**
 * Parses a scrape with a real parser (parse-prometheus-text-format, prom2json's output) and checks every line
 * against the text format's grammar; samples are read line by line (see `Scrape.samples`).
 */
export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const badLines: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || COMMENT_LINE.test(line)) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) {
      badLines.push(line);
      continue;
    }
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL_PAIR)].map((m) => [m[1]!, unescape(m[2]!)]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]!.replace('Inf', 'Infinity')) });
  }
  return { families: parsePrometheusTextFormat(text), samples, badLines };
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(scrape: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${matching.length} samples match`);
  return matching[0]?.value;
}

/** Every value `label` takes in the samples of `name`. */
export function labelValues(scrape: Scrape, name: string, label: string): string[] {
  return [...new Set(scrape.samples.filter((s) => s.name === name && label in s.labels).map((s) => s.labels[label]!))].sort();
}

/** The family's type as the parser read it. */
export const typeOf = (scrape: Scrape, name: string) => scrape.families.find((f) => f.name === name)?.type;

/** Every series name a scrape exports: counters and gauges by name, histograms with `_bucket`, `_count`, `_sum`. */
export function exportedNames(scrape: Scrape): Set<string> {
  return new Set(scrape.families.flatMap((f) => (f.type === 'HISTOGRAM' || f.type === 'SUMMARY' ? [f.name, `${f.name}_bucket`, `${f.name}_count`, `${f.name}_sum`] : [f.name])));
}
