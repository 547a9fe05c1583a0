import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { Problems } from '../../src/config/env.ts';
import { parseLogFormat } from '../../src/config/logging.ts';
import { logDemoBanner } from '../../src/main/demo.ts';
import { chooseLogFormat, createLogger, prettyStream } from '../../src/main/logger.ts';

const FIXTURE = 'test/fixtures/demoBannerProcess.ts';
const TSX = 'node_modules/.bin/tsx';
const BANNER = 'DEMO MODE: no client database is configured (or DEMO=1). Every client is served';

/** The fixture's stdout when it is a pipe (Docker, a log collector). */
const piped = (env: Record<string, string> = {}) =>
  execFileSync(TSX, [FIXTURE], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: 30_000 });

/** The fixture's output on a real terminal: `script` gives it a pseudo-terminal (util-linux, on every Debian). */
const onTerminal = (env: Record<string, string> = {}) =>
  execFileSync('script', ['-qec', `${TSX} ${FIXTURE}`, '/dev/null'], {
    env: { PATH: process.env.PATH!, TERM: 'dumb', ...env }, encoding: 'utf8', timeout: 30_000,
  }).replace(/\r/g, '').replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

describe('the log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(null, true)).toBe('pretty');
    expect(chooseLogFormat(null, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('reads LOG_FORMAT case-insensitively and names the key when the value is unknown', () => {
    const problems = new Problems();
    expect(parseLogFormat({ LOG_FORMAT: 'JSON' }, problems)).toBe('json');
    expect(parseLogFormat({ LOG_FORMAT: ' pretty ' }, problems)).toBe('pretty');
    expect(parseLogFormat({}, problems)).toBeNull();
    expect(problems.list).toEqual([]);
    expect(parseLogFormat({ LOG_FORMAT: 'xml' }, problems)).toBeNull();
    expect(problems.list).toEqual(['LOG_FORMAT: must be one of json, pretty (unset: pretty on a terminal, JSON otherwise)']);
  });

  it('a process whose stdout is a pipe prints one JSON object per line, the demo banner as warnings', () => {
    const lines = piped().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, '='.repeat(72)],
      [40, BANNER],
      [40, 'from an embedded PostgreSQL filled with GENERATED DEMO DATA, not real visitors.'],
      [40, 'Set <CLIENT>_DB_URL variables (see .env.example) to use real databases.'],
      [40, '='.repeat(72)],
      [30, 'Server listening'],
    ]);
    expect(lines[5].clients).toBe(2);
  });

  it('a process on a terminal prints readable lines with the banner as WARN, and JSON with LOG_FORMAT=json', () => {
    const text = onTerminal();
    expect(text).not.toContain('{"level"');
    expect(text).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] WARN: ${BANNER.replace(/[().]/g, '\\$&')}$`, 'm'));
    expect(text).toMatch(/^\[[\d:.]+\] WARN: ={72}$/m);
    expect(text).toMatch(/^\[[\d:.]+\] INFO: Server listening\n {4}clients: 2$/m);

    const json = onTerminal({ LOG_FORMAT: 'json' }).trim().split('\n').map((line) => JSON.parse(line));
    expect(json.map((line) => line.msg)).toContain(BANNER);
  });

  it('keeps redacting secrets in pretty lines', () => {
    let text = '';
    const sink = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
    const log = createLogger('info', prettyStream(sink, false));
    log.info({ req: { method: 'GET', url: '/invitations/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', headers: { authorization: 'Bearer s3cr3t-s3cr3t' } } }, 'incoming request');
    logDemoBanner(log);
    expect(text).toContain('"url": "/invitations/[token]"');
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain(`WARN: ${BANNER}`);
  });
});
