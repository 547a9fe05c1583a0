import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { freePort } from '../helpers/freePort.ts';

/** One Dockerfile instruction, continuation lines joined, comments dropped. */
interface Instruction {
  keyword: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments (also inside a continued instruction) and parser directives
    const continued = /\\\s*$/.test(line);
    pending += `${line.replace(/\\\s*$/, '')} `;
    if (continued) continue;
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*?)\s*$/.exec(pending);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, ' ') });
    pending = '';
  }
  return instructions;
}

const DOCKERFILE = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const globalArgs = new Map<string, string>();
for (const instruction of DOCKERFILE) {
  if (instruction.keyword === 'FROM') break;
  if (instruction.keyword === 'ARG') {
    const [name, value] = instruction.args.split('=');
    globalArgs.set(name!, value ?? '');
  }
}
const expandArgs = (text: string) => text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, a: string, b: string) => globalArgs.get(a ?? b) ?? '');

/** Stages in order, each with its (ARG-expanded) base image, name and instructions. */
const stages: { image: string; name: string | null; instructions: Instruction[] }[] = [];
for (const instruction of DOCKERFILE) {
  if (instruction.keyword === 'FROM') {
    const [image, as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(' ');
    stages.push({ image: expandArgs(image!), name: as?.toUpperCase() === 'AS' ? name! : null, instructions: [] });
  } else {
    stages.at(-1)?.instructions.push(instruction);
  }
}
const finalStage = stages.at(-1)!;
const inFinal = (keyword: string) => finalStage.instructions.filter((i) => i.keyword === keyword);
const execForm = (args: string) => JSON.parse(args) as string[];
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
};

/** COPY sources from the build context (not from another stage), e.g. ["package.json", "src"]. */
const copiedFromContext = stages.flatMap((stage) =>
  stage.instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const parts = i.args.split(' ').filter((part) => !part.startsWith('--'));
      return parts.slice(0, -1);
    }),
);

/** .dockerignore rules as Docker applies them: the last matching rule wins, `!` re-includes, a match on a folder covers its files. */
const ignoreRules = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const negated = line.startsWith('!');
    const pattern = normalize(line.replace(/^!/, '').replace(/^\/+/, '')).replace(/\/+$/, '');
    const regex = new RegExp(
      `^${pattern
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*')}$`,
    );
    return { negated, regex };
  });

function ignoredByDockerignore(path: string): boolean {
  const segments = normalize(path).split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of ignoreRules) if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negated;
  return ignored;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

/** Every module the app can load at run time, from the CMD's entry point and the seed (the Compose seed service runs it). */
function runtimeModules(entryPoints: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entryPoints];
  const valueImport = /(?:import|export)\s+(type\s+)?(?:\{[^}]*\}|\*\s+as\s+\w+|\*|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s+['"]([^'"]+)['"]/g;
  const otherImports = [
    /import\s+['"]([^'"]+)['"]/g, // side effect
    /import\(\s*['"]([^'"]+)['"]\s*\)/g, // dynamic
    /import\.meta\.resolve\(\s*['"]([^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g, // worker files
  ];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...[...text.matchAll(valueImport)].filter((m) => !m[1]).map((m) => m[2]!),
      ...otherImports.flatMap((regex) => [...text.matchAll(regex)].map((m) => m[1]!)),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) queue.push(normalize(join(dirname(file), specifier)));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
      }
    }
  }
  return { files, packages };
}

describe('Dockerfile', () => {
  it('builds in stages: production dependencies with npm ci, then a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const deps = stages[0]!;
    expect(deps.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(inFinal('COPY').some((i) => i.args.includes(`--from=${deps.name}`) && i.args.includes('node_modules'))).toBe(true);
    expect(inFinal('RUN').filter((i) => /\bnpm (install|i)\b/.test(i.args))).toEqual([]);
  });

  it('runs on a slim Debian Node image whose major the code supports (package.json engines)', () => {
    for (const stage of stages) expect(stage.image).toMatch(/^node:\d+-(bookworm|trixie)-slim$/);
    const major = Number(/^node:(\d+)/.exec(finalStage.image)![1]);
    const minimum = Number(/>=\s*(\d+)/.exec(packageJson.engines.node)![1]);
    expect(major).toBeGreaterThanOrEqual(minimum);
  });

  it('runs as a user other than root, in production mode, exposing 3001', () => {
    const users = inFinal('USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(inFinal('ENV').map((i) => i.args).join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(inFinal('EXPOSE').map((i) => i.args)).toEqual(['3001']);
  });

  it('starts the app directly with node and tsx (a production dependency), so SIGTERM reaches it', () => {
    const [cmd] = inFinal('CMD');
    expect(inFinal('ENTRYPOINT')).toEqual([]);
    expect(execForm(cmd!.args)).toEqual(['node', '--import', 'tsx', 'src/cli/start.ts']);
    expect(existsSync('src/cli/start.ts')).toBe(true);
    expect(packageJson.dependencies).toHaveProperty('tsx');
  });

  it('checks its readiness on /ready with node (slim images have no curl or wget)', () => {
    const [healthcheck] = inFinal('HEALTHCHECK');
    const command = execForm(healthcheck!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/ready');
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    expect(copiedFromContext.length).toBeGreaterThan(0);
    for (const source of copiedFromContext) {
      expect(existsSync(source), source).toBe(true);
      expect(filesUnder(source).filter(ignoredByDockerignore), source).toEqual([]);
    }
  });

  it('keeps secrets, installed modules, git history and test files out of the build context', () => {
    for (const path of ['.env', '.env.production', 'node_modules/x', '.git/HEAD', 'test/api/api.test.ts', 'coverage/index.html']) {
      expect(ignoredByDockerignore(path), path).toBe(true);
    }
    expect(ignoredByDockerignore('.env.example')).toBe(false);
  });

  it('contains every module the server and the seed load, and npm ci --omit=dev installs every package they import', () => {
    const { files, packages } = runtimeModules(['src/cli/start.ts', 'src/cli/seed.ts']);
    expect(files.size).toBeGreaterThan(10);
    const copied = copiedFromContext.map((source) => normalize(source));
    const outside = [...files].filter((file) => !copied.some((source) => file === source || !relative(source, file).startsWith('..')));
    expect(outside).toEqual([]);
    expect([...files].filter((file) => !existsSync(file))).toEqual([]);
    expect([...packages].filter((name) => !(name in packageJson.dependencies)).sort()).toEqual([]);
    expect(packages.has('tsx')).toBe(true); // the embedded database's worker loads TypeScript through it
  });
});

/** The image's CMD and HEALTHCHECK, run here exactly as written (the same command line, in production mode). */
describe('the image command and health check, run on this machine', () => {
  let port: number;
  let child: ChildProcess;
  let output = '';
  let exit: Promise<number | null>;
  const healthcheck = () => execForm(inFinal('HEALTHCHECK')[0]!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
  // Asynchronous on purpose: the failing server below lives in this process and must keep answering.
  const runHealthcheck = (onPort: number) =>
    new Promise<number | null>((resolve) => {
      const [command, ...args] = healthcheck();
      const check = spawn(command!, args, { env: { PATH: process.env.PATH, PORT: String(onPort) }, stdio: 'ignore', timeout: 10_000 });
      check.on('exit', resolve);
      check.on('error', () => resolve(null)); // could not start: a failed check, not an unhandled error
    });

  beforeAll(async () => {
    port = await freePort();
    const [command, ...args] = execForm(inFinal('CMD')[0]!.args);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: 'image-admin-key-0123456789',
      SESSION_SECRET: 'image-session-secret-0123456789abcdef',
    };
    child = spawn(command!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `could not start the CMD: ${error.message}\n`));
    exit = new Promise((resolve) => child.on('exit', resolve));
    // Up to 60 s: the production start (embedded platform database, migrations, the job queue) takes ~10 s idle, and
    // several times that on a loaded machine.
    for (let i = 0; i < 240 && !output.includes('Server listening') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 250));
  }, 90_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('the CMD starts the server in production mode', () => {
    expect(output).toContain('Server listening');
    expect(output).not.toContain('DEMO MODE');
  });

  it('the HEALTHCHECK passes against it, and fails when nothing answers or /ready is not ok', async () => {
    expect(await runHealthcheck(port)).toBe(0);
    expect(await runHealthcheck(await freePort())).toBe(1);
    const failing: Server = createServer((_req, res) => res.writeHead(503).end());
    const failingPort = await freePort();
    await new Promise<void>((resolve) => failing.listen(failingPort, '127.0.0.1', resolve));
    try {
      expect(await runHealthcheck(failingPort)).toBe(1);
    } finally {
      failing.close();
    }
  });

  it('SIGTERM drains and exits 0', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('shutdown complete');
  });
});
