import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_BUILD_DIR } from '../../../src/http/pages/assets.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SOURCES = ['src/web', 'src/analytics/steps.ts', 'src/http/pages/boot.ts', 'src/access/audit.ts', 'vite.config.ts']; // bundled too
const MANIFEST = join(WEB_BUILD_DIR, '.vite/manifest.json');
const LOCK = join(ROOT, 'node_modules/.web-build-lock');

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

const isFresh = () => {
  try {
    return statSync(MANIFEST).mtimeMs >= Math.max(...SOURCES.map((s) => newestSource(join(ROOT, s))));
  } catch {
    return false;
  }
};

/**
 * The browser tests need the built front-end. `npm install` builds it; this rebuilds it when it is missing or older
 * than its sources (a test run after editing src/web), one test file at a time (the lock), so no file sees half a build.
 */
export async function ensureWebBuild(): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (waited > 60_000) rmSync(LOCK, { recursive: true, force: true }); // a crashed run left it behind
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!isFresh()) execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
