/**
 * What Grafana does to a PostgreSQL panel's rawSql before the database sees it, so tests can run the generated
 * dashboards' SQL exactly as Grafana would. Three passes, in Grafana's order:
 *
 * 1. Dashboard variables (browser): `variableRegex` from grafana/grafana public/app/features/variables/utils.ts
 *    @ 03692907fef7b02d0fba1daae2140d09f7d33082, replaced as TemplateSrv.replace does
 *    (public/app/features/templating/template_srv.ts @ 4e13ea8c5fadad4f5fcf5a2473b5ae00933ad628: unknown names are
 *    left alone) and formatted by SqlDatasource.interpolateVariable (packages/grafana-sql/src/datasource/
 *    SqlDatasource.ts @ 053063638b1813ad0410acb053df940b175659d2) unless the reference names a format.
 * 2. Global substitutions (server): `Interpolate` in pkg/tsdb/grafana-postgresql-datasource/sqleng/sql_engine.go
 *    @ 043dd88a47944c35205994c4da317e100dc9b12e — $__interval_ms, $__interval, $__unixEpochFrom(), $__unixEpochTo().
 * 3. Data source macros (server): pkg/tsdb/grafana-postgresql-datasource/macros.go
 *    @ 0577088076c3920f31aa0ca03cf8ac62e08f4d5b (examples in its macros_test.go @ e6c1350783598e70990ab4cc4dd719072c5cda33),
 *    with intervals parsed by grafana-plugin-sdk-go backend/gtime/gtime.go @ 126b99e0f2e4a963b036c99fb41444c298fa306d.
 *    A later macros.go revision first strips SQL comments (quote-aware); for SQL without comments both agree.
 */

/** The instants Grafana sends (epoch milliseconds, so a Date holds them exactly). */
export interface GrafanaTimeRange {
  from: Date;
  to: Date;
}

export type VariableValue = string | number | string[];
/** A dashboard variable's current value; `multi` / `includeAll` change how SQL data sources quote a single string. */
export interface TemplateVariable {
  value: VariableValue;
  multi?: boolean;
  includeAll?: boolean;
}

export interface ExpandOptions {
  range: GrafanaTimeRange;
  variables?: Record<string, VariableValue | TemplateVariable>;
  /** The query's interval; Grafana derives it from the range and the panel width. (The browser substitutes
   * $__interval first from the same value; for intervals of 1 ms or more it spells it as gtime does.) */
  intervalMs?: number;
  /** The data source's TimescaleDB switch (changes $__timeGroup). */
  timescaledb?: boolean;
  /** Wall time for month and year intervals, which gtime measures from now. */
  now?: Date;
}

/** The SQL Grafana's PostgreSQL data source would execute for a panel's rawSql. */
export function expandGrafanaSql(rawSql: string, options: ExpandOptions): string {
  const withVariables = interpolateVariables(rawSql, options.variables ?? {}, options.range);
  return interpolateMacros(interpolateGlobals(withVariables, options.range, options.intervalMs), options);
}

// ---- 1. dashboard variables ------------------------------------------------------------------------------------

const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?}/g;
const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;
const quoteEach = (value: VariableValue, quote: (v: string) => string) =>
  Array.isArray(value) ? value.map(quote).join(',') : quote(String(value));

/** The named formats (`${var:csv}`) a SQL panel is likely to use; others are refused rather than guessed. */
const FORMATS: Record<string, (value: VariableValue) => string> = {
  raw: (v) => String(v),
  csv: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
  pipe: (v) => (Array.isArray(v) ? v.join('|') : String(v)),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : String(v)),
  sqlstring: (v) => quoteEach(v, quoteLiteral),
  singlequote: (v) => quoteEach(v, (s) => `'${s.replace(/'/g, "\\'")}'`),
  doublequote: (v) => quoteEach(v, (s) => `"${s.replace(/"/g, '\\"')}"`),
};

/** SqlDatasource.interpolateVariable: a lone string is only escaped, lists and multi-value strings are quoted. */
function sqlDefaultFormat({ value, multi, includeAll }: TemplateVariable): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(quoteLiteral).join(',');
  return multi || includeAll ? quoteLiteral(value) : value.replace(/'/g, "''");
}

export function interpolateVariables(sql: string, variables: ExpandOptions['variables'] = {}, range?: GrafanaTimeRange): string {
  // TemplateSrv indexes the dashboard range as __from / __to (epoch milliseconds).
  const known: Record<string, VariableValue | TemplateVariable> = range
    ? { __from: String(range.from.getTime()), __to: String(range.to.getTime()), ...variables }
    : variables;
  return sql.replace(VARIABLE_REGEX, (match, var1, var2, fmt2, var3, fieldPath, fmt3) => {
    const name: string = var1 || var2 || var3;
    if (!Object.hasOwn(known, name)) return match;
    if (fieldPath) throw new Error(`field paths (${match}) are not supported`);
    const raw = known[name]!;
    const variable: TemplateVariable = typeof raw === 'object' && !Array.isArray(raw) ? raw : { value: raw };
    const format: string | undefined = fmt2 || fmt3;
    if (!format) return sqlDefaultFormat(variable);
    const formatter = FORMATS[format];
    if (!formatter) throw new Error(`variable format "${format}" is not supported`);
    return formatter(variable.value);
  });
}

// ---- 2. global substitutions ---------------------------------------------------------------------------------------

export function interpolateGlobals(sql: string, range: GrafanaTimeRange, intervalMs?: number): string {
  if (sql.includes('$__interval')) {
    if (intervalMs === undefined) throw new Error('the SQL uses $__interval: pass intervalMs');
    const interval = BigInt(intervalMs) * NS.ms;
    sql = sql.replaceAll('$__interval_ms', String(interval / NS.ms)).replaceAll('$__interval', formatInterval(interval));
  }
  return sql.replaceAll('$__unixEpochFrom()', String(unixSeconds(range.from))).replaceAll('$__unixEpochTo()', String(unixSeconds(range.to)));
}

// ---- 3. data source macros ------------------------------------------------------------------------------------

const MACRO = /\$([_a-zA-Z0-9]+)\(([^\)]*)\)/g;

export function interpolateMacros(sql: string, options: Omit<ExpandOptions, 'variables' | 'intervalMs'>): string {
  const failures: Error[] = []; // Go keeps the first error and returns it after the whole pass
  const expanded = sql.replace(MACRO, (match: string, name: string, params: string) => {
    // pre-5.3 compatibility: "$__timeGroup(...)," means the aliased form (checked at the first occurrence, as Go does)
    if (name === '__timeGroup') {
      const index = sql.indexOf(match);
      if (index >= 0 && sql[index + match.length] === ',') name = '__timeGroupAlias';
    }
    const args = params.split(',').map((arg) => arg.replace(/^ +| +$/g, ''));
    try {
      return evaluateMacro(name, args, options);
    } catch (error) {
      failures.push(error as Error);
      return 'macro_error()';
    }
  });
  if (failures.length > 0) throw failures[0]!;
  return expanded;
}

function evaluateMacro(name: string, args: string[], options: Omit<ExpandOptions, 'variables' | 'intervalMs'>): string {
  const { from, to } = options.range;
  const column = () => {
    if (args.length === 0) throw new Error(`missing time column argument for macro ${name}`);
    return args[0]!;
  };
  const interval = () => {
    if (args.length < 2) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
    // A third argument sets the fill mode: Grafana's post-processing, not part of the SQL.
    return durationSeconds(parseInterval(args[1]!.replace(/^'+|'+$/g, ''), options.now ?? new Date(), args[1]!));
  };
  switch (name) {
    case '__time': return `${column()} AS "time"`;
    case '__timeEpoch': return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter': return `${column()} BETWEEN '${rfc3339Nano(from)}' AND '${rfc3339Nano(to)}'`;
    case '__timeFrom': return `'${rfc3339Nano(from)}'`;
    case '__timeTo': return `'${rfc3339Nano(to)}'`;
    case '__timeGroup': {
      const seconds = interval();
      if (options.timescaledb) return `time_bucket('${goFixed3(seconds)}s',${args[0]})`;
      return `floor(extract(epoch from ${args[0]})/${goFloat(seconds)})*${goFloat(seconds)}`;
    }
    case '__timeGroupAlias': return `${evaluateMacro('__timeGroup', args, options)} AS "time"`;
    case '__unixEpochFilter': return `${column()} >= ${unixSeconds(from)} AND ${args[0]} <= ${unixSeconds(to)}`;
    case '__unixEpochNanoFilter': return `${column()} >= ${unixNanos(from)} AND ${args[0]} <= ${unixNanos(to)}`;
    case '__unixEpochNanoFrom': return String(unixNanos(from));
    case '__unixEpochNanoTo': return String(unixNanos(to));
    case '__unixEpochGroup': {
      const seconds = interval();
      return `floor((${args[0]})/${goFloat(seconds)})*${goFloat(seconds)}`;
    }
    case '__unixEpochGroupAlias': return `${evaluateMacro('__unixEpochGroup', args, options)} AS "time"`;
    default: throw new Error(`unknown macro "${name}"`);
  }
}

// ---- Go's time and number formatting ----------------------------------------------------------------------------

/** Go's `t.UTC().Format(time.RFC3339Nano)`: trailing fraction zeros (and a bare dot) dropped. */
export function rfc3339Nano(at: Date): string {
  const year = at.getUTCFullYear();
  if (year < 0 || year > 9999) throw new Error(`year ${year} is outside RFC 3339`);
  const ms = at.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
  return `${at.toISOString().slice(0, 19)}${fraction}Z`;
}

const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const unixNanos = (at: Date) => BigInt(at.getTime()) * NS.ms;

/** `fmt.Sprintf("%v", float64)`: shortest digits; exponent form (two-digit exponent) below 1e-4 and from 1e6 up. */
export function goFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(value);
}

/** `fmt.Sprintf("%.3f", float64)`: correctly rounded, exact ties to even (JavaScript's toFixed rounds them up). */
export function goFixed3(value: number): string {
  // An exact tie (…d5 in the 4th decimal) is a multiple of 1/16; for those, value * 1000 is exact too.
  const scaled = value * 1000;
  if (Number.isInteger(value * 16) && Math.abs(scaled % 1) === 0.5) {
    const down = Math.trunc(scaled);
    return ((down % 2 === 0 ? down : down + Math.sign(scaled)) / 1000).toFixed(3);
  }
  return value.toFixed(3);
}

// ---- gtime.ParseInterval / FormatInterval and Go's time.ParseDuration (nanoseconds as bigint) ------------------

const NS = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n } as const;
const GO_UNITS: Record<string, bigint> = { ...NS, 'µs': NS.us, 'μs': NS.us };

/** `time.Duration.Seconds()`: whole seconds plus the remainder, in float64. */
const durationSeconds = (d: bigint) => Number(d / NS.s) + Number(d % NS.s) / 1e9;

function parseInterval(text: string, now: Date, original: string): bigint {
  const dateUnit = /^(\d+)([dwMy])$/.exec(text);
  if (!dateUnit) {
    try {
      return parseGoDuration(text);
    } catch {
      throw new Error(`error parsing interval ${original}`);
    }
  }
  const n = Number(dateUnit[1]);
  const shift = { d: [0, 0, n], w: [0, 0, n * 7], M: [0, n, 0], y: [n, 0, 0] }[dateUnit[2] as 'd' | 'w' | 'M' | 'y'];
  const later = Date.UTC(now.getUTCFullYear() + shift[0]!, now.getUTCMonth() + shift[1]!, now.getUTCDate() + shift[2]!,
    now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()); // Go's AddDate, in UTC
  return BigInt(later - now.getTime()) * NS.ms;
}

export function parseGoDuration(text: string): bigint {
  let rest = text.replace(/^[-+]/, '');
  const negative = text.startsWith('-');
  if (rest === '0') return 0n;
  if (rest === '') throw new Error(`time: invalid duration "${text}"`);
  let total = 0n;
  while (rest !== '') {
    const part = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(rest)!;
    const [whole, int = '', frac = '', unit = ''] = part;
    if (int === '' && frac === '') throw new Error(`time: invalid duration "${text}"`);
    if (unit === '') throw new Error(`time: missing unit in duration "${text}"`);
    const scale = GO_UNITS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${text}"`);
    const digits = frac.slice(0, 18); // Go stops reading fraction digits before they overflow
    total += BigInt(int || '0') * scale + BigInt(Math.trunc(Number(digits || '0') * (Number(scale) / 10 ** digits.length)));
    rest = rest.slice(whole.length);
  }
  if (total > 2n ** 63n - 1n) throw new Error(`time: invalid duration "${text}"`);
  return negative ? -total : total;
}

/** gtime.FormatInterval: the largest whole unit, e.g. 90 s → "1m". */
export function formatInterval(d: bigint): string {
  const units: [bigint, string][] = [[365n * 24n * NS.h, 'y'], [24n * NS.h, 'd'], [NS.h, 'h'], [NS.m, 'm'], [NS.s, 's'], [NS.ms, 'ms']];
  for (const [size, suffix] of units) if (d >= size) return `${d / size}${suffix}`;
  return '1ms';
}
